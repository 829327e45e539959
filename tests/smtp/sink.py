#!/usr/bin/env python3
"""A real SMTP server for Gatehouse's delivery tests (aiosmtpd).

Usage: sink.py PORT FOLDER

Accepts mail on 127.0.0.1:PORT and writes each delivered message to
FOLDER/<n>.eml (n counts up). Answers by recipient, so tests can steer it:
  tempfail-*@…  451 on the first attempt for that address, accepted after
  reject-*@…    550 always
  slow-*@…      takes 3 s before it accepts the message, and accepts nothing
                if the client went away meanwhile (as a relay that never said
                "250" keeps nothing)
Prints "ready" once listening; stops on SIGTERM or when stdin closes.
"""
import asyncio, os, signal, sys, threading

from aiosmtpd.controller import Controller

port, folder = int(sys.argv[1]), sys.argv[2]
os.makedirs(folder, exist_ok=True)
seen = {}
count = [0]
lock = threading.Lock()


class Handler:
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        local = address.split("@", 1)[0].lower()
        if local.startswith("reject"):
            return "550 5.1.1 no such user here"
        if local.startswith("tempfail"):
            with lock:
                seen[address] = seen.get(address, 0) + 1
                first = seen[address] == 1
            if first:
                return "451 4.3.0 try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if any(a.split("@", 1)[0].lower().startswith("slow") for a in envelope.rcpt_tos):
            await asyncio.sleep(3)
            if server.transport is None or server.transport.is_closing():
                return "451 4.4.2 the client went away"
        with lock:
            count[0] += 1
            n = count[0]
        path = os.path.join(folder, f"{n:06d}.eml")
        with open(path + ".part", "wb") as f:
            f.write(envelope.content)
        os.replace(path + ".part", path)
        return "250 Message accepted for delivery"


controller = Controller(Handler(), hostname="127.0.0.1", port=port)
controller.start()
print("ready", flush=True)
stop = threading.Event()
signal.signal(signal.SIGTERM, lambda *_: stop.set())
threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
stop.wait()
controller.stop()
