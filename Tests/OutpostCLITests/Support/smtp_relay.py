#!/usr/bin/env python3
"""A real SMTP relay on loopback for Outpost's delivery tests (aiosmtpd).

    python3 smtp_relay.py --port PORT --dir DIR

Every message the relay accepts is kept as DIR/messages/N.eml, with N.json beside it (Message-ID,
envelope, and the subject and body as Python's email parser reads them). When the client then says
QUIT in the same session, DIR/messages/N.quit appears: a message without it was accepted in a
session that ended abruptly.

DIR/mode, read at every command, steers the relay:
  accept (or no file)  accept everything
  refuse               answer RCPT TO with 550 (a permanent refusal)
  busy                 answer RCPT TO with 451 (a transient refusal)
  hang                 accept the message (record it), then never answer the end of DATA
DIR/rcpt-delay: seconds to wait before answering RCPT TO (keeps deliveries in flight).
DIR/rcpt.log gets a line for every RCPT TO (every attempt that got that far).
DIR/ready appears once the relay listens.
"""
import argparse
import asyncio
import email
import email.policy
import json
import os
import signal
import threading
import time

from aiosmtpd.controller import Controller


class Recorder:
    def __init__(self, root):
        self.root = root
        self.messages = os.path.join(root, "messages")
        os.makedirs(self.messages, exist_ok=True)
        self.lock = threading.Lock()
        self.count = 0

    def setting(self, name, default):
        try:
            with open(os.path.join(self.root, name)) as f:
                return f.read().strip() or default
        except FileNotFoundError:
            return default

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock, open(os.path.join(self.root, "rcpt.log"), "a") as log:
            log.write(address + "\n")
        delay = float(self.setting("rcpt-delay", "0"))
        if delay > 0:
            await asyncio.sleep(delay)
        mode = self.setting("mode", "accept")
        if mode == "refuse":
            return "550 5.1.1 <%s>: Recipient address rejected: no such mailbox" % address
        if mode == "busy":
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        with self.lock:
            self.count += 1
            name = "%06d-%d" % (self.count, os.getpid())
        body = parsed.get_body(preferencelist=("plain",))
        record = {
            "messageID": str(parsed["Message-ID"] or ""),
            "mailFrom": envelope.mail_from,
            "rcptTos": envelope.rcpt_tos,
            "from": str(parsed["From"] or ""),
            "to": str(parsed["To"] or ""),
            "subject": str(parsed["Subject"] or ""),
            "inReplyTo": str(parsed["In-Reply-To"] or ""),
            "body": body.get_content().replace("\r\n", "\n") if body is not None else "",
            "defects": [type(d).__name__ for d in parsed.defects],
            "receivedAt": time.time(),
        }
        path = os.path.join(self.messages, name)
        with open(path + ".eml", "wb") as f:
            f.write(raw)
        with open(path + ".json.tmp", "w") as f:
            json.dump(record, f)
        os.rename(path + ".json.tmp", path + ".json")
        session.outpost_last = path
        if self.setting("mode", "accept") == "hang":
            await asyncio.sleep(3600)
        return "250 2.0.0 Ok: queued as %s" % name

    async def handle_QUIT(self, server, session, envelope):
        last = getattr(session, "outpost_last", None)
        if last is not None:
            open(last + ".quit", "w").close()
        return "221 Bye"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True)
    args = parser.parse_args()
    recorder = Recorder(args.dir)
    controller = Controller(recorder, hostname="127.0.0.1", port=args.port, server_hostname="relay.test")
    controller.start()
    open(os.path.join(args.dir, "ready"), "w").close()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.is_set():
        stop.wait(0.5)
    controller.stop()


if __name__ == "__main__":
    main()
