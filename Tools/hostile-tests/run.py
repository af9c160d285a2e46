#!/usr/bin/env python3
"""Hostile-client tests of `outpost server` and `outpost ui`, at the process level: raw sockets and
hand-made frames against real processes on loopback, the way an attacker would send them (Protocol/
SERVER_API.md, "Timeouts and connection limits"; WIRE_FORMAT.md, "Limits"). Each test is the
regression test of what a security review found; after each, the server must still be running.
Tools/test.sh runs them after `swift test`.

    python3 Tools/hostile-tests/run.py --binary .build/debug/outpost [-k NAME]

Only the standard library: the frames are protobuf written by hand (outpost.proto's field numbers).
"""
import argparse
import base64
import json
import os
import resource
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request
import zlib

BINARY = None
TWO_63 = 1 << 63
MAX_U64 = (1 << 64) - 1


# ---- protobuf by hand ---------------------------------------------------------------------------

def varint(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field_varint(number, value):
    return varint(number << 3) + varint(value)


def field_bytes(number, data):
    if isinstance(data, str):
        data = data.encode()
    return varint(number << 3 | 2) + varint(len(data)) + data


def frame(payload, compress=False, op_count=0):
    body = zlib.compress(payload) if compress else payload
    header = b"OPST" + bytes([1, 1 if compress else 0, 0, 0])
    header += struct.pack(">IIII", len(body), len(payload), op_count, zlib.crc32(payload) & 0xFFFFFFFF)
    return header + body


def vector(entries):
    return b"".join(field_bytes(1, field_varint(1, replica) + field_varint(2, counter)) for replica, counter in entries)


PROTOCOL_VERSION = 2  # Protocol/SPEC.md


def hello(device, have=(), raw_have=None):
    message = field_varint(1, PROTOCOL_VERSION) + field_varint(2, int(device["replica"], 16))
    message += field_bytes(3, device["brand"])
    message += field_bytes(4, device["user"])
    message += field_bytes(5, raw_have if raw_have is not None else vector(have))
    message += field_varint(6, int(time.time() * 1000))
    return frame(field_bytes(1, message))


def dot(replica_index, counter):
    return field_varint(1, replica_index) + field_varint(2, counter)


def op_batch(device, body_field, body):
    """Batch 1 of one op of the device's own replica, counter 1, by its user, with the body given.
    The op goes as its payload: a one-op OpBatch with its own tables (WIRE_FORMAT.md, "Op payloads")."""
    op = field_varint(1, 0) + field_varint(2, 1) + field_varint(3, 0) + field_varint(6, 0)
    op += field_bytes(body_field, body)
    payload = field_bytes(2, varint(int(device["replica"], 16)))
    payload += field_bytes(3, "user:" + device["user"]) + field_varint(5, int(time.time() * 1000))
    payload += field_bytes(6, op)
    batch = field_varint(1, 1) + field_bytes(8, payload)
    return frame(field_bytes(3, batch), op_count=1)


# ---- processes and HTTP -------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def outpost(*arguments, check=True, stdin=None):
    result = subprocess.run([BINARY, *arguments], capture_output=True, text=True, input=stdin, timeout=120)
    if check and result.returncode != 0:
        raise RuntimeError(f"outpost {' '.join(arguments)} failed ({result.returncode}): {result.stderr}")
    return result


def http(port, method, path, body=None, headers=None, timeout=10):
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body, method=method,
                                     headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def raw(port, data, timeout=10, close_after_send=False):
    """Sends `data` on a new connection; returns (bytes received until the server closed or the
    timeout, whether the server closed, seconds taken)."""
    start = time.time()
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.settimeout(timeout)
        try:
            s.sendall(data)
        except OSError:
            pass
        received = b""
        closed = False
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    closed = True
                    break
                received += chunk
        except socket.timeout:
            pass
        except OSError:
            closed = True
        return received, closed, time.time() - start


def status_of(response):
    line = response.split(b"\r\n", 1)[0]
    parts = line.split(b" ")
    return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None


def error_code(body):
    try:
        return json.loads(body)["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None


class World:
    """A real server with brand northwind (user dana, partner p1-juniper), tokens, one device."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="outpost-hostile-")
        self.data = os.path.join(self.dir, "data")
        self.port = free_port()
        admin = ["admin", "--data", self.data]
        outpost(*admin, "brand", "add", "northwind", "--name", "Northwind")
        outpost(*admin, "user", "add", "--brand", "northwind", "dana", "--name", "Dana", "--email", "dana@n.example")
        outpost(*admin, "partner", "add", "--brand", "northwind", "p1-juniper", "--name", "Juniper",
                "--email", "hello@juniper.example", "--status", "active")
        self.partner_token = outpost(*admin, "partner", "token", "--brand", "northwind",
                                     "p1-juniper").stdout.strip().splitlines()[-1]
        made = outpost(*admin, "token", "--brand", "northwind", check=False)
        if made.returncode != 0:  # an older build, before admin tokens had a brand
            made = outpost(*admin, "token")
        self.admin_token = made.stdout.strip().splitlines()[-1]
        self.server = None
        self.start()
        # A device enrolled over HTTP (its token for raw frames) and one enrolled by the CLI.
        code = self.code()
        status, body = http(self.port, "POST", "/v1/enroll",
                            json.dumps({"code": code, "deviceName": "raw"}).encode(),
                            {"Content-Type": "application/json"})
        assert status == 200, body
        self.device = json.loads(body)
        self.replica = os.path.join(self.dir, "device.sqlite")
        outpost("enroll", "--server", self.url, "--code", self.code(), "--name", "cli", "--replica", self.replica)
        outpost("sync", "--replica", self.replica)

    def code(self):
        return outpost("admin", "--data", self.data, "enroll-code", "--brand", "northwind",
                       "--user", "dana").stdout.strip().splitlines()[-1]

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.log = open(os.path.join(self.dir, "server.log"), "a")
        limits = ["--header-timeout", "2", "--body-timeout", "2", "--idle-timeout", "3", "--max-pending-connections", "64"]
        if "--header-timeout" not in outpost("server", "--help").stdout:
            limits = []  # an older build, to see the tests fail before the fixes
        # At most 256 open files, as on small hosts: a flood of silent sockets must not be able to
        # use them all up (test_06).
        self.server = subprocess.Popen(
            [BINARY, "server", "--data", self.data, "--port", str(self.port), "--hold-mail"] + limits,
            stdout=self.log, stderr=self.log,
            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256)))
        for _ in range(100):
            try:
                if http(self.port, "GET", "/healthz", timeout=1)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the server did not start")

    def alive(self):
        if self.server.poll() is not None:
            return False
        try:
            return http(self.port, "GET", "/healthz", timeout=5)[0] == 200
        except OSError:
            return False

    def stop(self):
        if self.server and self.server.poll() is None:
            self.server.terminate()
            self.server.wait(timeout=30)
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)


WORLD = None


class HostileTests(unittest.TestCase):
    def tearDown(self):
        self.assertTrue(WORLD.alive(), "the server died: " + open(os.path.join(WORLD.dir, "server.log")).read()[-2000:])

    def partner(self, method, path, body=None, key=None):
        headers = {"Authorization": f"Bearer {WORLD.partner_token}", "Content-Type": "application/json"}
        if key:
            headers["Idempotency-Key"] = key
        return http(WORLD.port, method, path, json.dumps(body).encode() if body is not None else None, headers)

    def sync_post(self, body):
        return http(WORLD.port, "POST", "/v1/sync", body,
                    {"Authorization": f"Bearer {WORLD.device['token']}",
                     "Content-Type": "application/vnd.outpost.frames"}, timeout=30)

    # Counters of 2^63 and more.
    def test_01_extreme_conversation_ids_in_partner_urls(self):
        for counter in (TWO_63, MAX_U64, 10 ** 30):
            for method, suffix, body in (("GET", "", None), ("POST", "/messages", {"text": "hi"})):
                status, answer = self.partner(method, f"/v1/partner/conversations/1:{counter}{suffix}", body)
                self.assertEqual(status, 404, answer)
                self.assertEqual(error_code(answer), "not_found")

    def test_02_extreme_hello_vectors(self):
        for counter in (TWO_63, MAX_U64):
            status, answer = self.sync_post(hello(WORLD.device, have=[(1, counter)]))
            self.assertEqual(status, 400, answer)
            self.assertEqual(error_code(answer), "frame_invalid")
        # The same over the WebSocket: an Error frame, then a close; the server lives on.
        received = websocket_exchange(WORLD.port, WORLD.device["token"], hello(WORLD.device, have=[(1, TWO_63)]))
        self.assertIn(b"frame_invalid", received)

    def test_03_extreme_ids_in_device_ops(self):
        conversation = dot(0, TWO_63)
        bodies = {
            "postMessage": (14, field_bytes(1, conversation) + field_bytes(2, "hello")),
            "markRead": (15, field_bytes(1, conversation) + field_bytes(2, dot(0, TWO_63))),
            "markUnread": (16, field_bytes(1, conversation)),
            "saveDraft": (17, field_bytes(1, field_bytes(1, conversation)) + field_bytes(2, "draft")),
            "saveDraft compose": (17, field_bytes(1, field_bytes(1, dot(0, MAX_U64)) + field_varint(2, 1))
                                  + field_bytes(2, "draft")),
        }
        for name, (number, body) in bodies.items():
            request = hello(WORLD.device) + op_batch(WORLD.device, number, body)
            status, answer = self.sync_post(request)
            self.assertEqual(status, 400, f"{name}: {answer}")
            self.assertEqual(error_code(answer), "frame_invalid", name)
        # The control: the same frame with an id in range decodes, and the replica refuses the op
        # (an Error frame in the answer's frames: the conversation does not exist).
        control = op_batch(WORLD.device, 14, field_bytes(1, dot(0, 5)) + field_bytes(2, "hello"))
        status, answer = self.sync_post(hello(WORLD.device) + control)
        self.assertEqual(status, 200, answer)
        self.assertIn(b"invalid_op", answer)
        self.assertNotIn(b"frame_invalid", answer)

    # Malformed requests get an answer and a close; slow and idle clients are timed out.
    def test_04_malformed_requests_are_answered_and_closed(self):
        cases = {
            "NUL in a header": b"GET /healthz HTTP/1.1\r\nHost: x\x00y\r\n\r\n",
            "control byte": b"GET /healthz HTTP/1.1\r\nHost: x\x01y\r\n\r\n",
            "bare LF": b"GET /healthz HTTP/1.1\nHost: x\n\n",
            "TLS ClientHello": bytes.fromhex("16030100a5010000a10303") + b"\x00" * 100,
            "1 MiB header": b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: " + b"a" * (1 << 20) + b"\r\n\r\n",
            "100,000 headers": b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + b"X-A: a\r\n" * 100000 + b"\r\n",
            "1 MiB target": b"GET /" + b"a" * (1 << 20) + b" HTTP/1.1\r\nHost: x\r\n\r\n",
        }
        for name, data in cases.items():
            received, closed, _ = raw(WORLD.port, data)
            self.assertIn(status_of(received), (400, 431), f"{name}: {received[:100]!r}")
            self.assertTrue(closed, name)
        # HTTP/0.9 and a half-sent head: 408 at the header timeout (2 s here), then a close.
        for name, data in {"HTTP/0.9": b"GET /healthz\r\n", "half a head": b"GET /healthz HTTP/1.1\r\nHo"}.items():
            received, closed, seconds = raw(WORLD.port, data, timeout=15)
            self.assertEqual(status_of(received), 408, name)
            self.assertTrue(closed and seconds < 12, f"{name}: closed={closed} after {seconds:.1f}s")
        # CONNECT is answered.
        received, _, _ = raw(WORLD.port, b"CONNECT example.com:443 HTTP/1.1\r\nHost: example.com\r\n\r\n", timeout=5)
        self.assertEqual(status_of(received), 404)

    def test_05_slow_clients_are_timed_out(self):
        # A body that stops: closed at the body timeout (2 s here).
        _, closed, seconds = raw(WORLD.port, b"POST /v1/enroll HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc",
                                 timeout=15)
        self.assertTrue(closed and seconds < 12, f"slow body: closed={closed} after {seconds:.1f}s")
        # Content-Length: 10^12 with 3 bytes: 413 at once, and a close.
        received, closed, seconds = raw(
            WORLD.port, b"POST /v1/enroll HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000000\r\n\r\nabc", timeout=15)
        self.assertEqual(status_of(received), 413, received[:200])
        self.assertTrue(closed and seconds < 5, f"closed={closed} after {seconds:.1f}s")
        # Refused before its body is read (no token): answered, and closed rather than drained.
        received, closed, seconds = raw(
            WORLD.port, b"POST /v1/sync HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\nabc", timeout=15)
        self.assertEqual(status_of(received), 401, received[:200])
        self.assertTrue(closed and seconds < 5, f"closed={closed} after {seconds:.1f}s")
        # A kept-alive connection that goes quiet: closed at the idle timeout (3 s here).
        received, closed, seconds = raw(WORLD.port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", timeout=20)
        self.assertEqual(status_of(received), 200)
        self.assertTrue(closed and seconds < 15, f"idle: closed={closed} after {seconds:.1f}s")
        # A slowloris: a header byte every second never completes a head; closed at the header timeout.
        start = time.time()
        with socket.create_connection(("127.0.0.1", WORLD.port)) as s:
            s.settimeout(1)
            closed = False
            for byte in b"GET /healthz HTTP/1.1\r\nX-Slow: " + b"a" * 30:
                try:
                    s.sendall(bytes([byte]))
                    if s.recv(4096) == b"":
                        closed = True
                        break
                except socket.timeout:
                    continue
                except OSError:
                    closed = True
                    break
            self.assertTrue(closed and time.time() - start < 12, "slowloris was not cut off")

    def test_06_silent_connections_do_not_lock_out_clients(self):
        # 300 connections that say nothing (the pending limit is 64 here): the oldest are closed, and
        # a health check and a real device sync still get through at once.
        silent = [socket.create_connection(("127.0.0.1", WORLD.port)) for _ in range(300)]
        try:
            status, _ = http(WORLD.port, "GET", "/healthz", timeout=5)
            self.assertEqual(status, 200)
            result = outpost("sync", "--replica", WORLD.replica, check=False)
            self.assertEqual(result.returncode, 0, result.stderr)
        finally:
            for s in silent:
                s.close()

    # Many frames in one POST body.
    def test_07_a_body_of_many_frames_is_refused_before_the_work(self):
        tiny = frame(b"")
        for count in (100_000, 349_000):
            start = time.time()
            status, answer = self.sync_post(tiny * count)
            self.assertEqual(status, 400, answer)
            self.assertEqual(error_code(answer), "protocol_violation")
            self.assertLess(time.time() - start, 20, f"{count} frames took {time.time() - start:.1f}s")

    # A small frame that decodes into millions of entries.
    def test_08_vector_bombs_are_refused(self):
        # 1.9 million empty entries and 48 KiB of noise in an unknown field: under the 100:1
        # compression limit, under the 4 MiB decoded limit, about 50 KB on the wire.
        empty_entries = field_bytes(1, b"") * 1_900_000
        payload = hello(WORLD.device, raw_have=empty_entries)[24:] + field_bytes(99, os.urandom(48 * 1024))
        bomb = frame(payload, compress=True)
        self.assertLess(len(bomb), 100_000)
        self.assertLess(len(payload) / len(bomb), 100)
        start = time.time()
        status, answer = self.sync_post(bomb)
        self.assertEqual(status, 413, answer)
        self.assertEqual(error_code(answer), "frame_too_large")
        self.assertLess(time.time() - start, 20)
        # A valid vector of 526,000 entries: more replicas than a brand can have.
        big = hello(WORLD.device, have=[(replica, 1) for replica in range(1, 526_001)])
        status, answer = self.sync_post(frame(big[24:], compress=True))
        self.assertEqual(status, 413, answer)
        self.assertEqual(error_code(answer), "frame_too_large")

    # An idempotency key reused for another request.
    def test_09_reused_idempotency_key(self):
        status, one = self.partner("POST", "/v1/partner/conversations", {"subject": "A", "text": "one"}, key="key-a")
        self.assertEqual(status, 201, one)
        status, two = self.partner("POST", "/v1/partner/conversations", {"subject": "B", "text": "two"}, key="key-b")
        self.assertEqual(status, 201, two)
        second = json.loads(two)["conversation"]
        status, answer = self.partner("POST", f"/v1/partner/conversations/{second}/messages", {"text": "one"},
                                      key="key-a")
        self.assertEqual(status, 422, answer)
        self.assertEqual(error_code(answer), "idempotency_key_reused")

    # NUL and other control characters where text enters (no command line can carry a
    # NUL; SyncServerTests checks the store refuses one).
    def test_10_control_characters_are_refused(self):
        status, answer = self.partner("POST", "/v1/partner/conversations", {"subject": "Hi", "text": "before\u0000after"})
        self.assertEqual(status, 400, answer)
        self.assertEqual(error_code(answer), "invalid_op")
        self.assertIn(b"U+0000", answer)
        status, answer = self.partner("POST", "/v1/partner/conversations", {"subject": "Line\nbreak", "text": "x"})
        self.assertEqual(status, 400, answer)
        result = outpost("admin", "--data", WORLD.data, "partner", "add", "--brand", "northwind", "p5-inj",
                         "--name", "Injected", "--email", "p5@inj.example\u0001evil", "--status", "active", check=False)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("control character", result.stderr)
        result = outpost("reply", "--replica", WORLD.replica, "1:1", "-", stdin="a\u0000b", check=False)
        self.assertNotEqual(result.returncode, 0)

    # Extreme ids in the CLI and the web UI.
    def test_11_cli_and_ui_refuse_extreme_ids_without_crashing(self):
        for command in (["thread", f"1:{TWO_63}"], ["read", f"1:{MAX_U64}"], ["reply", f"1:{TWO_63}", "hi"]):
            result = outpost(*command, "--replica", WORLD.replica, check=False)
            self.assertNotIn(result.returncode, (0, 132, 134, 139), f"{command}: {result.returncode}")
            self.assertTrue(result.stderr.strip(), command)
        port = free_port()
        ui = subprocess.Popen([BINARY, "ui", "--replica", WORLD.replica, "--port", str(port), "--offline"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            for _ in range(100):
                try:
                    if http(port, "GET", "/inbox", timeout=1)[0] == 200:
                        break
                except OSError:
                    time.sleep(0.1)
            for counter in (TWO_63, MAX_U64):
                status, _ = http(port, "GET", f"/threads/1:{counter}")
                self.assertEqual(status, 404)
            self.assertIsNone(ui.poll(), "the UI died")
            self.assertEqual(http(port, "GET", "/inbox")[0], 200)
        finally:
            ui.terminate()
            ui.wait(timeout=30)


class HostileTests2(unittest.TestCase):
    """Metrics of a client that leaves, and admin tokens, at the process level."""

    def tearDown(self):
        self.assertTrue(WORLD.alive(), "the server died")

    def metrics(self):
        return http(WORLD.port, "GET", "/metrics")[1].decode()

    # A client that leaves mid-body is not the server's internal error.
    def test_12_a_client_leaving_mid_body_is_not_an_internal_error(self):
        for _ in range(3):
            with socket.create_connection(("127.0.0.1", WORLD.port)) as s:
                s.sendall(f"POST /v1/partner/conversations HTTP/1.1\r\nHost: x\r\n"
                          f"Authorization: Bearer {WORLD.partner_token}\r\nContent-Type: application/json\r\n"
                          f"Content-Length: 1000\r\n\r\n{{\"subject\": ".encode())
                time.sleep(0.2)
        time.sleep(1)
        metrics = self.metrics()
        self.assertNotIn('outpost_errors_total{code="internal",', metrics)
        self.assertIn('outpost_connections_closed_total{reason="client_closed"}', metrics)

    # Admin tokens reach one brand and can be revoked.
    def test_13_admin_tokens_are_scoped_and_revocable(self):
        admin = ["admin", "--data", WORLD.data]
        outpost(*admin, "brand", "add", "acme", "--name", "Acme")
        outpost(*admin, "partner", "add", "--brand", "acme", "p9", "--name", "P9", "--email", "p9@example.com",
                "--status", "active")
        event = lambda brand, partner, ident: json.dumps({"id": ident, "brand": brand, "type": "order",
                                                          "partner": partner, "text": "An order"}).encode()
        headers = {"Authorization": f"Bearer {WORLD.admin_token}", "Content-Type": "application/json"}
        status, answer = http(WORLD.port, "POST", "/v1/admin/events", event("acme", "p9", "a1"), headers)
        self.assertEqual(status, 403, answer)
        self.assertEqual(error_code(answer), "forbidden")
        listed = json.loads(outpost(*admin, "token", "list", "--json").stdout)
        self.assertEqual([token["brand"] for token in listed], ["northwind"])
        self.assertNotIn(WORLD.admin_token, json.dumps(listed))
        self.assertNotEqual(outpost(*admin, "token", "create", check=False).returncode, 0, "a brand or --all-brands")
        everywhere = outpost(*admin, "token", "create", "--all-brands", "--name", "platform").stdout.strip()
        status, _ = http(WORLD.port, "POST", "/v1/admin/events", event("acme", "p9", "a2"),
                         {"Authorization": f"Bearer {everywhere}", "Content-Type": "application/json"})
        self.assertEqual(status, 201)
        outpost(*admin, "token", "revoke", listed[0]["id"][:10])
        status, answer = http(WORLD.port, "POST", "/v1/admin/events", event("northwind", "p1-juniper", "n1"), headers)
        self.assertEqual(status, 401, answer)
        listed = json.loads(outpost(*admin, "token", "list", "--json").stdout)
        self.assertIsNotNone(listed[0].get("revoked"))


def websocket_exchange(port, token, payload, timeout=10):
    """Upgrades, sends one binary message, returns what the server sent until it closed."""
    key = base64.b64encode(os.urandom(16)).decode()
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.settimeout(timeout)
        s.sendall((f"GET /v1/sync HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
                   f"Authorization: Bearer {token}\r\n\r\n").encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = s.recv(4096)
            if not chunk:
                raise AssertionError("no upgrade")
            head += chunk
        assert head.startswith(b"HTTP/1.1 101"), head
        mask = os.urandom(4)
        length = len(payload)
        header = bytes([0x82])
        if length < 126:
            header += bytes([0x80 | length])
        elif length < 65536:
            header += bytes([0x80 | 126]) + struct.pack(">H", length)
        else:
            header += bytes([0x80 | 127]) + struct.pack(">Q", length)
        s.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))
        received = head.split(b"\r\n\r\n", 1)[1]
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                received += chunk
                if b"\x88" in received[-64:]:  # a close frame
                    break
        except (socket.timeout, OSError):
            pass
        return received


def main():
    global BINARY, WORLD
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=".build/debug/outpost")
    parser.add_argument("-k", dest="pattern", help="run only tests whose name contains this")
    options = parser.parse_args()
    BINARY = os.path.abspath(options.binary)
    WORLD = World()
    try:
        loader = unittest.TestLoader()
        if options.pattern:
            loader.testNamePatterns = [f"*{options.pattern}*"]
        suite = unittest.TestSuite([loader.loadTestsFromTestCase(HostileTests),
                                    loader.loadTestsFromTestCase(HostileTests2)])
        result = unittest.TextTestRunner(verbosity=2).run(suite)
    finally:
        WORLD.stop()
    failed = len(result.failures) + len(result.errors)
    print(f"{result.testsRun - failed} passed, {failed} failed")
    sys.exit(0 if failed == 0 and result.testsRun > 0 else 1)


if __name__ == "__main__":
    main()
