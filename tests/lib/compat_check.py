#!/usr/bin/env python3
"""tests/lib/compat_check.py - the checks of tests/host/compat-debian.sh.

    compat_check.py VERIFY.json UNITS-DIR MANPAGE

VERIFY.json is `initctl --json verify` over every UNITS-DIR/PKG/*.service;
MANPAGE is man/corral.service.5.  Prints, for the shell to turn into TAP:
"PASS desc" or "FAIL desc" per check, "SKIP reason<TAB>desc", and "# text" comment lines (the
per-file table, and why a check failed).

Checks, per file: it loads (none rejected); every key in it is either
one corral documents in corral.service(5) (so it has a meaning there), one
that changes nothing (Description=, Documentation=, anything in [Install]),
or named in one of the messages verify gave for the file (an "ignored" key,
a "not enforced: ..." notice): no behaviour-changing key is dropped
silently.  Then the argv of a few well-known files, as systemd would run
them (variables expanded, specifiers replaced), unless this machine has
an EnvironmentFile the expectation depends on.  Every Exec line of a
loaded file must be resolved: no prefix (- @ + ! !! :) left on the program,
no specifier (%i, %n ...) left in a word.
"""
import json
import os
import re
import sys

# keys that change nothing about how a service runs: allowed without a word
QUIET = {("Unit", "Description"), ("Unit", "Documentation")}
QUIET_SECTIONS = {"Install"}

# (package/file, Exec key, index among that key's lines, argv,
#  environment files that would change it when present on this machine)
EXPECT_ARGV = [
    ("memcached/memcached.service", "ExecStart", 0,
     ["/usr/share/memcached/scripts/systemd-memcached-wrapper", "/etc/memcached.conf"], []),
    ("redis-server/redis-server.service", "ExecStart", 0,
     ["/usr/bin/redis-server", "/etc/redis/redis.conf", "--supervised", "systemd",
      "--daemonize", "no"], []),
    ("redis-server/redis-server@corraltest.service", "ExecStart", 0,
     ["/usr/bin/redis-server", "/etc/redis/redis-corraltest.conf", "--supervised",
      "systemd", "--daemonize", "no"], []),
    ("lighttpd/lighttpd.service", "ExecStartPre", 0,
     ["/usr/sbin/lighttpd", "-tt", "-f", "/etc/lighttpd/lighttpd.conf"], []),
    ("lighttpd/lighttpd.service", "ExecStart", 0,
     ["/usr/sbin/lighttpd", "-D", "-f", "/etc/lighttpd/lighttpd.conf"], []),
    ("openssh-server/ssh.service", "ExecStartPre", 0, ["/usr/sbin/sshd", "-t"], []),
    # $SSHD_OPTS unset: systemd's unquoted $VAR of nothing is no word at all
    ("openssh-server/ssh.service", "ExecStart", 0, ["/usr/sbin/sshd", "-D"],
     ["/etc/default/ssh"]),
    ("cron/cron.service", "ExecStart", 0, ["/usr/sbin/cron", "-f"], ["/etc/default/cron"]),
    ("apache2/apache-htcacheclean.service", "ExecStart", 0,
     ["/usr/bin/htcacheclean", "-d", "120", "-p", "/var/cache/apache2/mod_cache_disk",
      "-l", "300M", "-n"], ["/etc/default/apache-htcacheclean"]),
    ("haproxy/haproxy.service", "ExecStart", 0,
     ["/usr/sbin/haproxy", "-Ws", "-f", "/etc/haproxy/haproxy.cfg", "-p", "/run/haproxy.pid",
      "-S", "/run/haproxy-master.sock"], ["/etc/default/haproxy", "/etc/sysconfig/haproxy"]),
]

# (package/file, service field, value): what runs besides the argv
EXPECT_FIELD = [
    # TimeoutStopSec=0 is "no timeout" in systemd: redis must get the time
    # to save its database, never SIGKILL at once
    ("redis-server/redis-server.service", "timeout_stop_sec", "infinity"),
    ("redis-server/redis-server.service", "user", "redis"),
    ("redis-server/redis-server.service", "type", "notify"),
    ("openssh-server/ssh.service", "type", "notify"),
    ("lighttpd/lighttpd.service", "restart", "on-failure"),
]


def documented_keys(manpage):
    """Every Key= of an .It line of corral.service(5)."""
    keys = set()
    with open(manpage, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith(".It"):
                keys.update(re.findall(r"Cm ([A-Za-z0-9_.]+)=", line))
    return keys


def unit_keys(path):
    """(section, key, line) of every assignment, systemd's syntax: comments
    start with # or ;, a trailing backslash continues the line."""
    out = []
    section = ""
    cont = False
    with open(path, encoding="utf-8", errors="replace") as f:
        for n, raw in enumerate(f, 1):
            line = raw.strip()
            was_cont = cont
            cont = line.endswith("\\")
            if was_cont or not line or line[0] in "#;":
                if was_cont and line and line[0] in "#;":
                    cont = True     # a comment inside a continuation
                continue
            if line.startswith("[") and line.endswith("]"):
                section = line[1:-1]
                continue
            if "=" in line:
                out.append((section, line.split("=", 1)[0].strip(), n))
    return out


def main():
    report, units, manpage = sys.argv[1:4]
    with open(report, encoding="utf-8") as f:
        data = json.load(f)
    known = documented_keys(manpage)
    by_rel = {}
    rows = []
    for ent in data["files"]:
        rel = os.path.relpath(ent["file"], units)
        by_rel[rel] = ent
        msgs = ent.get("messages", [])
        ign = sum(1 for m in msgs if m["kind"] == "ignored")
        other = sum(1 for m in msgs if m["kind"] in ("warning", "notice", "error"))
        if ent["loaded"]:
            ex = ent["service"]["exec"]
            what = " ".join(ex[-1]["argv"]) if ex else ""
            for e in ex:
                if e["key"] == "ExecStart":
                    what = " ".join(e["argv"])
                    break
        else:
            what = ent["error"]
            what = what[what.find(rel.split("/")[-1]):] if rel.split("/")[-1] in what else what
        rows.append((rel, "loaded" if ent["loaded"] else "REJECTED", ign, other, what))

    w = max([len(r[0]) for r in rows] + [4])
    print("# %-*s %-8s %4s %4s  %s" % (w, "FILE", "RESULT", "IGN", "WARN", "EXEC START / ERROR"))
    for r in rows:
        print("# %-*s %-8s %4d %4d  %s" % (w, r[0], r[1], r[2], r[3], r[4][:120]))
    nrej = sum(1 for r in rows if r[1] != "loaded")
    print("# %d files: %d loaded, %d rejected" % (len(rows), len(rows) - nrej, nrej))

    for rel, ent in sorted(by_rel.items()):
        if ent["loaded"]:
            print("PASS %s loads" % rel)
        else:
            print("FAIL %s loads" % rel)
            print("#   %s" % ent["error"])
    for rel, ent in sorted(by_rel.items()):
        if not ent["loaded"]:
            print("SKIP rejected\t%s: every key has a meaning or a notice" % rel)
            print("SKIP rejected\t%s: every Exec line resolved" % rel)
            continue
        if rel.endswith("@.service"):
            print("SKIP a template: its instance NAME@corraltest is checked\t"
                  "%s: every Exec line resolved" % rel)
            continue
        # what systemd strips or replaces before exec: a prefix on the
        # program (- @ + ! !! :), a specifier (%i %n ...; %% is a %)
        unresolved = []
        for e in ent["service"]["exec"]:
            words = e["argv"]
            if words and words[0][:1] in "-@+!:":
                unresolved.append("%s prefix %s" % (e["key"], words[0]))
            for wd in words:
                if re.search(r"%[iInNpPtuh]", wd.replace("%%", "")):
                    unresolved.append("%s specifier in %s" % (e["key"], wd))
        if unresolved:
            print("FAIL %s: every Exec line resolved" % rel)
            print("#   left as written: %s" % "; ".join(unresolved))
        else:
            print("PASS %s: every Exec line resolved" % rel)
        said = " ".join(m["text"] for m in ent.get("messages", []))
        silent = []
        for section, key, line in unit_keys(ent["file"]):
            if section in QUIET_SECTIONS or (section, key) in QUIET or key in known:
                continue
            if not re.search(r"(?<![A-Za-z0-9_])%s(?![A-Za-z0-9_])" % re.escape(key), said):
                silent.append("%s:%d %s" % (section, line, key))
        if silent:
            print("FAIL %s: every key has a meaning or a notice" % rel)
            print("#   ignored without a word: %s" % ", ".join(silent))
        else:
            print("PASS %s: every key has a meaning or a notice" % rel)

    for rel, key, idx, want, envfiles in EXPECT_ARGV:
        desc = "%s: %s runs %s" % (rel, key, " ".join(want))
        present = [p for p in envfiles if os.path.exists(p)]
        ent = by_rel.get(rel)
        if present:
            print("SKIP this machine has %s\t%s" % (", ".join(present), desc))
        elif not ent:
            print("FAIL %s (file not fetched)" % desc)
        elif not ent["loaded"]:
            print("FAIL %s (rejected)" % desc)
        else:
            got = [e["argv"] for e in ent["service"]["exec"] if e["key"] == key]
            if len(got) > idx and got[idx] == want:
                print("PASS %s" % desc)
            else:
                print("FAIL %s" % desc)
                print("#   got %s" % (json.dumps(got[idx]) if len(got) > idx else
                                      "no %s line" % key))
    for rel, field, want in EXPECT_FIELD:
        desc = "%s: %s is %s" % (rel, field, want)
        ent = by_rel.get(rel)
        got = ent["service"].get(field) if ent and ent["loaded"] else None
        if got == want:
            print("PASS %s" % desc)
        else:
            print("FAIL %s" % desc)
            print("#   got %s" % json.dumps(got))


if __name__ == "__main__":
    main()
