#!/usr/bin/env python3
"""tests/lib/ssh_banner.py PORT TIMEOUT - wait for an SSH server's banner on
127.0.0.1:PORT (a QEMU hostfwd) and print it with the seconds waited.

QEMU accepts on the forwarded port before the guest listens and then
hangs up, so one connection is not enough: connect, read the identification
line, hang up; again every 0.1 s until it starts with "SSH-" or TIMEOUT
seconds have passed (exit 1).  Sends nothing: no login, no key exchange.
"""
import socket
import sys
import time

port, timeout = int(sys.argv[1]), float(sys.argv[2])
t0 = time.monotonic()
while time.monotonic() - t0 < timeout:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
            s.settimeout(10)
            data = b""
            while b"\n" not in data and len(data) < 256:
                chunk = s.recv(256)
                if not chunk:
                    break
                data += chunk
            if data.startswith(b"SSH-"):
                line = data.split(b"\n")[0].decode("ascii", "replace").strip()
                print("%.3f %s" % (time.monotonic() - t0, line))
                sys.exit(0)
    except OSError:
        pass
    time.sleep(0.1)
print("no SSH banner on 127.0.0.1:%d within %.0f s" % (port, timeout), file=sys.stderr)
sys.exit(1)
