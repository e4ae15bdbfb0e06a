#!/usr/bin/env python3
"""bench/boot.py - boot the Debian 12 image of `make boot-debian` with
systemd and with corral as PID 1, interleaved, and compare.

Both boots are the same image, kernel, initramfs, daemons and unit files,
and the same QEMU (rootfs/debian.sh boot: TCG, 1 CPU, 1 GiB, restricted user
networking with a 127.0.0.1 hostfwd to port 22); only init= differs
(/lib/systemd/systemd, or /sbin/init which is corral).  The guest's probe
(bench/boot-guest: one unit file for both inits, After=multi-user.target)
prints when everything started at boot is up, the memory in use and PID 1's
VmRSS, the critical chain, then waits for the host's SSH probe and runs
Debian's poweroff.  Measured per boot, on the host's monotonic clock from
QEMU's start:
  ready     every daemon up (the probe's line on the serial console)
  ssh       sshd's banner read on the forwarded port
  poweroff  the probe's poweroff line -> QEMU exited
and in the guest: seconds from the root mount (right before PID 1 starts)
to ready, memory used (MemTotal - MemAvailable), PID 1 VmRSS.

  python3 bench/boot.py [--build build] [--rounds 3] [--write]

--write replaces the "Boot: systemd vs corral" section of bench/RESULTS.md.
"""
import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INITS = {"systemd": "init=/lib/systemd/systemd", "corral": ""}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def banner_thread(port, t0, res, stop):
    """Connect every 0.1 s until sshd's identification line arrives."""
    while not stop.is_set():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
                s.settimeout(10)
                data = s.recv(256)
                if data.startswith(b"SSH-"):
                    res["ssh"] = time.monotonic() - t0
                    return
        except OSError:
            pass
        time.sleep(0.1)


def boot(out, init, log, timeout):
    port = free_port()
    if os.path.exists(log):
        os.unlink(log)
    t0 = time.monotonic()
    q = subprocess.Popen(["sh", os.path.join(HERE, "rootfs/debian.sh"), "boot", out, log,
                          str(port)] + ([INITS[init]] if INITS[init] else []),
                         stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    res, stop = {}, threading.Event()
    th = threading.Thread(target=banner_thread, args=(port, t0, res, stop), daemon=True)
    th.start()
    seen = 0
    text = ""
    while q.poll() is None:
        if time.monotonic() - t0 > timeout:
            q.kill()
            q.wait()
            break
        try:
            with open(log, "rb") as f:
                f.seek(seen)
                chunk = f.read()
        except FileNotFoundError:
            chunk = b""
        if chunk:
            seen += len(chunk)
            text += chunk.decode("utf-8", "replace")
            now = time.monotonic() - t0
            if "ready" not in res and "BENCH-READY" in text:
                res["ready"] = now
            if "poff_line" not in res and "BENCH-POWEROFF" in text:
                res["poff_line"] = now
        time.sleep(0.02)
    t_exit = time.monotonic() - t0
    stop.set()
    with open(log, "rb") as f:
        text = f.read().decode("utf-8", "replace").replace("\r", "")
    m = re.search(r"BENCH-READY up=([0-9.]+) root=([0-9.]+) used_kb=(\d+) pid1_rss_kb=(\d+) init=(\S+)", text)
    if not m or "poff_line" not in res or "ssh" not in res or q.returncode != 0:
        raise RuntimeError("%s boot incomplete (exit %s); see %s" % (init, q.returncode, log))
    res["userspace"] = float(m.group(1)) - float(m.group(2))
    res["used_mib"] = int(m.group(3)) / 1024
    res["rss_mib"] = int(m.group(4)) / 1024
    res["exe"] = m.group(5)
    res["poweroff"] = t_exit - res["poff_line"]
    res["chain"] = [l[len("BENCH| "):] for l in text.splitlines()
                    if l.startswith("BENCH| ") and "BENCH-CHAIN" not in l]
    return res


METRICS = [
    ("ready", "QEMU start → every daemon up", "s"),
    ("userspace", "root mounted (PID 1 starts) → every daemon up", "s"),
    ("ssh", "QEMU start → SSH banner on the hostfwd port", "s"),
    ("poweroff", "`poweroff` → QEMU exited", "s"),
    ("used_mib", "guest memory used after boot (MemTotal − MemAvailable)", "MiB"),
    ("rss_mib", "PID 1 VmRSS after boot", "MiB"),
]


def table(runs):
    lines = ["| measure | systemd min / median / max | corral min / median / max | corral/systemd (median) |",
             "|---|---|---|---|"]
    for key, desc, unit in METRICS:
        cells = []
        med = {}
        for init in ("systemd", "corral"):
            v = [r[key] for r in runs[init]]
            med[init] = statistics.median(v)
            cells.append("%.2f / %.2f / %.2f %s" % (min(v), med[init], max(v), unit))
        ratio = med["corral"] / med["systemd"] if med["systemd"] else float("nan")
        lines.append("| %s | %s | %s | %.2f |" % (desc, cells[0], cells[1], ratio))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default=os.path.join(HERE, "build"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--timeout", type=float, default=600)
    ap.add_argument("--write", action="store_true", help="update bench/RESULTS.md")
    a = ap.parse_args()
    out = os.path.join(os.path.abspath(a.build), "debian")
    subprocess.run(["sh", os.path.join(HERE, "rootfs/debian.sh"), "install", out,
                    os.path.join(HERE, "bench/boot-guest")], check=True)
    logdir = os.path.join(out, "bench")
    os.makedirs(logdir, exist_ok=True)
    runs = {"systemd": [], "corral": []}
    load0 = os.getloadavg()[0]
    for r in range(a.rounds):
        order = ("corral", "systemd") if r % 2 == 0 else ("systemd", "corral")
        for init in order:
            res = boot(out, init, os.path.join(logdir, "%s-%d.console" % (init, r + 1)), a.timeout)
            runs[init].append(res)
            print("round %d %-7s ready %6.2f s  userspace %6.2f s  ssh %6.2f s  poweroff %5.2f s  "
                  "used %5.1f MiB  pid1 %5.1f MiB (%s)" %
                  (r + 1, init, res["ready"], res["userspace"], res["ssh"],
                   res["poweroff"], res["used_mib"], res["rss_mib"], res["exe"]), flush=True)
    t = table(runs)
    print(t)
    load1 = os.getloadavg()[0]
    cpu = ""
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    rev = subprocess.run(["git", "-C", HERE, "describe", "--always", "--dirty"],
                         capture_output=True, text=True).stdout.strip()
    section = ["## Boot: systemd vs corral on Debian 12 (make bench-boot)", "",
               "`make bench-boot` (bench/boot.py), corral %s, %d interleaved rounds, "
               "host: %s, %d CPUs, QEMU TCG (no KVM), 1 guest CPU, 1 GiB; the same image, "
               "kernel %s, initramfs, daemons and Debian unit files for both; only `init=` differs. "
               "The host's load average was %.1f at the start and %.1f at the end (a shared machine)."
               % (rev, a.rounds, cpu or "?", os.cpu_count(),
                  os.path.basename(os.path.realpath(os.path.join(a.build, "kernel/vmlinuz"))),
                  load0, load1),
               "", t, "",
               "The boot's critical chain and the slowest units (blame), last round, "
               "as each init reports them:", "",
               "systemd (`systemd-analyze critical-chain`, `blame`):", "", "```"]
    section += runs["systemd"][-1]["chain"] + ["```", "", "corral (`initctl analyze critical-chain`, `blame`):",
                                               "", "```"] + runs["corral"][-1]["chain"] + ["```", ""]
    text = "\n".join(section)
    if a.write:
        path = os.path.join(HERE, "bench/RESULTS.md")
        with open(path) as f:
            old = f.read()
        head = "## Boot: systemd vs corral on Debian 12"
        if head in old:
            start = old.index(head)
            nxt = old.find("\n## ", start + 1)
            old = old[:start] + (old[nxt + 1:] if nxt >= 0 else "")
        with open(path, "w") as f:
            f.write(old.rstrip("\n") + "\n\n" + text)
        print("bench/RESULTS.md updated")
    else:
        print(text)


if __name__ == "__main__":
    sys.exit(main())
