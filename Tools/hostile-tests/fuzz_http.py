#!/usr/bin/env python3
"""A bounded random run against `outpost server`'s HTTP/1.1 and WebSocket-upgrade pipeline.

Valid requests of every endpoint (health, metrics, enrollment, both syncs, the partner API, platform
events), each with random mutations: flipped, inserted and deleted bytes (NUL, CR, LF and other
controls among them), cut heads, repeated and giant headers, lying lengths, odd methods and
versions, several requests pipelined. Every connection must end in an answer with a status line,
or a close, within the server's header timeout plus a margin; no answer may be a 5xx other than 503
(`storage_error`); the server must stay up (checked between rounds) and keep answering /healthz.

    python3 Tools/hostile-tests/fuzz_http.py --binary .build/debug/outpost --seconds 600 [--seed N]

Prints the executions (requests sent), the answers by status, and `N passed, N failed`. A failing
input is written to --out (default /tmp/outpost-http-fuzz-failure.bin) to replay.
"""
import argparse
import json
import os
import random
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import run as hostile  # noqa: E402  (the world and the frame helpers)

HEADER_TIMEOUT = 2  # what the world's server runs with
DEADLINE = HEADER_TIMEOUT + 8


def templates(world):
    device = world.device
    token = device["token"]
    sync_body = hostile.hello(device)
    partner = world.partner_token
    admin = world.admin_token
    json_enroll = json.dumps({"code": "nope-" + str(random.random()), "deviceName": "fuzz"}).encode()
    event = json.dumps({"id": "e", "brand": "northwind", "type": "order", "partner": "p1-juniper",
                        "text": "an order"}).encode()

    def request(method, path, headers=(), body=b""):
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode()
        for name, value in headers:
            head += f"{name}: {value}\r\n".encode()
        if body or method == "POST":
            head += f"Content-Length: {len(body)}\r\n".encode()
        return head + b"\r\n" + body

    return [
        request("GET", "/healthz"),
        request("GET", "/metrics"),
        request("POST", "/v1/enroll", [("Content-Type", "application/json")], json_enroll),
        request("POST", "/v1/sync", [("Authorization", f"Bearer {token}")], sync_body),
        request("GET", "/v1/sync", [("Authorization", f"Bearer {token}"), ("Upgrade", "websocket"),
                                    ("Connection", "Upgrade"), ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
                                    ("Sec-WebSocket-Version", "13")]),
        request("GET", "/v1/partner/conversations", [("Authorization", f"Bearer {partner}")]),
        request("GET", "/v1/partner/conversations/1:1", [("Authorization", f"Bearer {partner}")]),
        request("POST", "/v1/partner/conversations", [("Authorization", f"Bearer {partner}"),
                                                      ("Content-Type", "application/json")],
                b'{"subject":"Fuzz","text":"hello"}'),
        request("POST", "/v1/admin/events", [("Authorization", f"Bearer {admin}")], event),
    ]


INTERESTING = [b"\x00", b"\r", b"\n", b"\r\n", b"\x7f", b"\xff", b" ", b":", b"\t", b"%00", b"..", b"/",
               b"9223372036854775808", b"18446744073709551616", b"-1", b"0", b"chunked", b"\xc3\x28"]


def mutate(rng, data):
    data = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        choice = rng.randrange(11)
        position = rng.randrange(len(data) + 1) if data else 0
        if choice == 0 and data:
            index = rng.randrange(len(data))
            data[index] ^= 1 << rng.randrange(8)
        elif choice == 1:
            data[position:position] = rng.choice(INTERESTING)
        elif choice == 2 and data:
            end = min(len(data), position + rng.randint(1, 32))
            del data[position:end]
        elif choice == 3:
            data = data[:position]
        elif choice == 4:
            data[position:position] = b"X-F: " + b"a" * rng.choice([10, 1000, 90_000]) + b"\r\n"
        elif choice == 5:
            data[position:position] = b"X-R: r\r\n" * rng.choice([10, 1200])
        elif choice == 6:
            data = data.replace(b"Content-Length: ", b"Content-Length: " + rng.choice(INTERESTING), 1)
        elif choice == 7:
            data = data.replace(b"HTTP/1.1", rng.choice([b"HTTP/1.0", b"HTTP/2.0", b"HTTP/0.9", b"HTTP/9", b""]), 1)
        elif choice == 8:
            method = rng.choice([b"PUT", b"DELETE", b"CONNECT", b"OPTIONS", b"TRACE", b"PATCH", b"GE T", b"\x16\x03"])
            data = method + data[data.find(b" "):] if b" " in data else method + data
        elif choice == 9:
            data += bytes(data)  # pipelined repeat
        else:
            data[position:position] = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 64)))
        data = bytearray(data)
    return bytes(data)


def exchange(port, data):
    """(status line codes seen, closed, seconds)."""
    start = time.time()
    statuses = []
    closed = False
    with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE) as s:
        try:
            s.sendall(data)
        except OSError:
            pass
        received = b""
        s.settimeout(DEADLINE)
        try:
            while time.time() - start < DEADLINE:
                chunk = s.recv(65536)
                if not chunk:
                    closed = True
                    break
                received += chunk
                if received.startswith(b"HTTP/1.1 101"):
                    break  # a WebSocket now: its own rules (hello timeout)
                if b"\r\n\r\n" in received:
                    s.settimeout(0.5)  # answered; collect what follows briefly (pipelined requests)
        except socket.timeout:
            pass
        except OSError:
            closed = True
    for line in received.split(b"\r\n"):
        if line.startswith(b"HTTP/1.1 "):
            code = line[9:12]
            if code.isdigit():
                statuses.append(int(code))
    return statuses, closed, time.time() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=".build/debug/outpost")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--out", default="/tmp/outpost-http-fuzz-failure.bin")
    options = parser.parse_args()
    hostile.BINARY = os.path.abspath(options.binary)
    world = hostile.World()
    bases = templates(world)
    lock = threading.Lock()
    counts = {"executions": 0, "statuses": {}, "closed_without_answer": 0}
    failures = []
    current = {}  # each worker's last inputs: one of them is the culprit when the server dies
    stop_at = time.time() + options.seconds

    def worker(index):
        rng = random.Random(options.seed * 1000 + index)
        while time.time() < stop_at and not failures:
            data = mutate(rng, rng.choice(bases))
            current[index] = (current.get(index, []) + [data])[-8:]
            try:
                statuses, closed, seconds = exchange(world.port, data)
            except OSError:
                if world.server.poll() is not None:
                    failures.append(("the server died", data))
                    return
                statuses, closed, seconds = [], True, 0
            bad = [code for code in statuses if code >= 500 and code != 503]
            problem = None
            if bad:
                problem = f"answered {bad}"
            elif not statuses and not closed:
                problem = f"no answer and no close within {seconds:.1f}s"
            with lock:
                counts["executions"] += 1
                for code in statuses[:1]:
                    counts["statuses"][code] = counts["statuses"].get(code, 0) + 1
                if not statuses and closed:
                    counts["closed_without_answer"] += 1
                if problem:
                    failures.append((problem, data))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(options.workers)]
    for thread in threads:
        thread.start()
    checks = 0
    last_check = time.time()
    while any(thread.is_alive() for thread in threads):
        time.sleep(0.5)
        if world.server.poll() is not None:
            failures.append(("the server died", b""))
            break
        if time.time() - last_check < 2:
            continue
        last_check = time.time()
        checks += 1
        if not world.alive():
            log = open(os.path.join(world.dir, "server.log"), errors="replace").read()
            state = "exited with " + str(world.server.poll()) if world.server.poll() is not None else "running"
            failures.append((f"the server stopped answering /healthz ({state}); its log ends:\n{log}", b""))
            break
    for thread in threads:
        thread.join()
    alive = world.alive()
    if failures:
        import shutil
        shutil.copy(os.path.join(world.dir, "server.log"), options.out + ".log")
        for index, inputs in current.items():
            for number, data in enumerate(inputs):
                with open(f"{options.out}.inflight-{index}-{number}", "wb") as file:
                    file.write(data)
    world.stop()
    print(f"seed {options.seed}: {counts['executions']} executions in {options.seconds:.0f}s, "
          f"answers by status {dict(sorted(counts['statuses'].items()))}, "
          f"{counts['closed_without_answer']} closed without an answer, {checks} health checks")
    if not alive and not failures:
        failures.append(("the server is not alive at the end", b""))
    if failures:
        problem, data = failures[0]
        with open(options.out, "wb") as file:
            file.write(data)
        print(f"FAILED: {problem}; the input is in {options.out} (the inputs in flight then: {options.out}.inflight-*)")
        print("0 passed, 1 failed")
        sys.exit(1)
    print("1 passed, 0 failed")


if __name__ == "__main__":
    main()
