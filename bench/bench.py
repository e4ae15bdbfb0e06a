#!/usr/bin/env python3
"""bench/bench.py - corral side by side with runit, s6 and a C floor (issue 11).

    sh bench/run.sh [options]          (make bench; BENCH_QUICK=1 for a smoke run)
    python3 bench/bench.py --help

Every supervisor runs the same static bench/pause binary for every service,
from a scratch directory on tmpfs (/dev/shm), in the same run, interleaved
per round in rotating order.  runit (runsvdir) and s6 (s6-svscan) run as
plain supervisors below this process, never as init; corral runs as a child
subreaper (--cgroup-subtree corral-bench-ID-corral); the floor is
bench/floor.c.  Everything this harness creates in the cgroup hierarchies
lives below corral-bench-ID (and corral's own corral-bench-ID-corral) and is
removed at the end, also on failure or a signal (bench/run.sh removes it
again if this process itself is killed).

How things are observed, the same way for every supervisor:
  - "exec'ed and running": bench/pause writes {pid, index} to a FIFO right
    after exec; the harness blocks on the FIFO (no polling);
  - "all gone": every pause keeps the FIFO open, so the FIFO reads EOF when
    the last service has died; the supervisor's own processes are gone when
    its tracking cgroup (corral-bench-ID/sup-R) reports "populated 0";
  - group removal (release): inotify IN_DELETE on the parent directories;
  - idle work: `perf trace -s` (strace -c -f when perf cannot trace) on the
    supervisor's own processes, and their context switches (wakeups).
All times come from time.monotonic().

Metrics (one table, median with min-max over the rounds, and the median of
the per-round ratios corral/best-peer and corral/floor; lower is better):
  start N       launch -> all N services exec'ed
  ready N       corral only: launch -> `initctl list` shows all N running
  growth a->b   start(b) / start(a) within a round
  stop N        stop request -> all services and supervisor processes gone
                (corral: SIGTERM; runit: SIGHUP to runsvdir; s6: SIGTERM to
                s6-svscan; floor: SIGTERM)
  status N      `initctl --kv status` (every field) | `sv status DIR...` |
                s6-svstat per service
  list N        `initctl list` (state, pid, uptime, tasks, cpu: what the
                peers' status shows) | the peers' status again
  Pss N         sum of Pss (smaps_rollup) of the supervisor's own processes
  Pss/extra     (Pss(b) - Pss(a)) / (b - a), in kB per service
  restart       kill -9 of a service that ran >= 1.1 s -> its replacement
                exec'ed (corral: Restart=always, RestartSec=0)
  release K     corral and floor, K other groups: kill -9 of the last task
                of a Restart=no service -> its group removed everywhere
  idle          syscalls and wakeups of the supervisor in IDLE seconds with
                IDLE_N services running (first round only)
Where a supervisor refuses a size (corral today: more than 128 services;
runsvdir: more than 1000) the cell says "n/a (refused: cap)".
"""
import argparse
import ctypes
import json
import glob
import os
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import time

CG = '/sys/fs/cgroup'
SUPS = ('corral', 'runit', 's6', 'floor')
REL_INDEX = 99999          # the pause index of the release target
IN_DELETE, IN_MODIFY, IN_ISDIR = 0x200, 0x2, 0x40000000
REC = struct.Struct('ii')
CAP_RE = re.compile(r'too many services|more than \d+ services')

now = time.monotonic


class Fail(Exception):
    """A measurement that did not complete; its text goes into the cell."""


class Stop(Exception):
    """SIGINT/SIGTERM/SIGHUP: unwind and clean up."""


def log(*a):
    print('bench:', *a, file=sys.stderr, flush=True)


def read(path, default=''):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return default


def write(path, text):
    with open(path, 'w') as f:
        f.write(text)


# --- cgroup hierarchies ----------------------------------------------------

def hierarchies():
    """The hierarchies corral uses here: v1 cpuset, cpuacct, pids and the
    cgroup2 tracking tree at CG/unified, or CG itself when it is cgroup2.
    Returns (all mount dirs, the one used to track processes (v2 or pids),
    whether that one is cgroup2)."""
    mounts = {}
    for line in read('/proc/self/mountinfo').splitlines():
        pre, _, post = line.partition(' - ')
        f = pre.split()
        if len(f) > 4 and post:
            mounts[f[4]] = post.split()[0]
    if mounts.get(CG) == 'cgroup2':
        return [CG], CG, True
    hs = [f'{CG}/{c}' for c in ('cpuset', 'cpuacct', 'pids')
          if mounts.get(f'{CG}/{c}') == 'cgroup']
    v2 = f'{CG}/unified' if mounts.get(f'{CG}/unified') == 'cgroup2' else None
    if v2:
        hs.append(v2)
    track = v2 or (f'{CG}/pids' if f'{CG}/pids' in hs else None)
    if not hs or not track:
        raise SystemExit('bench: no usable cgroup hierarchy under ' + CG)
    return hs, track, bool(v2)


def cg_pids(d):
    """Every pid in d and below (cgroup.procs), never 0, 1 or ourselves."""
    out = set()
    for root, _dirs, _files in os.walk(d):
        for ln in read(os.path.join(root, 'cgroup.procs')).split():
            p = int(ln)
            if p > 1 and p != os.getpid():
                out.add(p)
    return out


def cg_remove(d, tries=40):
    """Kill what is left in our own subtree d (only processes this harness
    started can be there), then remove it bottom-up."""
    for _ in range(tries):
        if not os.path.isdir(d):
            return True
        for p in cg_pids(d):
            try:
                os.kill(p, signal.SIGKILL)
            except OSError:
                pass
        for root, dirs, _files in os.walk(d, topdown=False):
            try:
                os.rmdir(root)
            except OSError:
                pass
        if not os.path.isdir(d):
            return True
        time.sleep(0.05)
    log('could not remove', d)
    return False


class Inotify:
    def __init__(self):
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.fd = self.libc.inotify_init1(os.O_NONBLOCK | os.O_CLOEXEC)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), 'inotify_init1')
        self.wds = {}

    def watch(self, path, mask):
        wd = self.libc.inotify_add_watch(self.fd, path.encode(), mask)
        if wd < 0:
            raise OSError(ctypes.get_errno(), 'inotify_add_watch ' + path)
        self.wds[wd] = path
        return wd

    def events(self):
        """[(path, mask, name)] available now"""
        out = []
        try:
            data = os.read(self.fd, 65536)
        except BlockingIOError:
            return out
        off = 0
        while off + 16 <= len(data):
            wd, mask, _cookie, ln = struct.unpack_from('iIII', data, off)
            name = data[off + 16:off + 16 + ln].rstrip(b'\0').decode()
            off += 16 + ln
            out.append((self.wds.get(wd), mask, name))
        return out

    def close(self):
        os.close(self.fd)


# --- one supervisor instance with its services ------------------------------

class Run:
    """One supervisor with n services (and optionally a Restart=no release
    target), from its own scratch directory and tracking group."""

    def __init__(self, b, sup, n, release=False):
        b.runno += 1
        self.b, self.sup, self.n, self.release = b, sup, n, release
        self.name = f'{sup}-{b.runno}'
        self.dir = os.path.join(b.scratch, self.name)
        self.fifo = os.path.join(self.dir, 'ready.fifo')
        self.track = os.path.join(b.track_root, 'sup-' + str(b.runno))
        # corral names its release target "rel" (index REL_INDEX); the
        # floor's is simply its last service
        self.rel_idx = n if sup == 'floor' else REL_INDEX
        self.want = set(range(n)) | ({self.rel_idx} if release else set())
        self.cur, self.started = {}, {}
        self.buf = b''
        self.proc = self.rfd = self.wfd = None
        self.logpath = os.path.join(self.dir, 'log')
        self.t0 = None
        os.mkdir(self.dir)
        os.mkfifo(self.fifo, 0o600)
        getattr(self, 'prep_' + sup)()

    # scratch trees -------------------------------------------------------
    def svc_name(self, i):
        return 'rel' if i == REL_INDEX and self.sup == 'corral' else f's{i}'

    def prep_corral(self):
        sd = os.path.join(self.dir, 'conf', 'services')
        os.makedirs(sd)
        os.mkdir(os.path.join(self.dir, 'run'))
        for i in sorted(self.want):
            restart = 'no' if i == REL_INDEX else 'always'
            write(os.path.join(sd, self.svc_name(i) + '.service'),
                  '[Service]\nType=simple\n'
                  f'ExecStart={self.b.pause} {self.fifo} {i}\n'
                  f'Restart={restart}\nRestartSec=0\n')
        # corral's subtree goes below the cgroup corral is in: the
        # tracking group in the tracking hierarchy, the root elsewhere
        self.group_root = [os.path.join(self.track if h == self.b.track else h, self.b.ctop)
                           for h in self.b.hiers]

    def prep_dirs(self, sub):
        d = os.path.join(self.dir, sub)
        os.mkdir(d)
        for i in sorted(self.want):
            os.mkdir(os.path.join(d, self.svc_name(i)))
            os.symlink(self.b.pause, os.path.join(d, self.svc_name(i), 'run'))
        # runsvdir ignores a directory modified within the current second
        # (it waits for it to settle); a real service directory is older
        # than the boot, so make ours look like one
        past = time.time() - 60
        os.utime(d, (past, past))
        self.svdir = d

    def prep_runit(self):
        self.prep_dirs('sv')

    def prep_s6(self):
        self.prep_dirs('scan')

    def prep_floor(self):
        self.floor_rel = f'{self.b.top}/floor-{self.b.runno}'
        self.group_root = [os.path.join(h, self.floor_rel) for h in self.b.hiers]

    def argv(self):
        b = self.b
        if self.sup == 'corral':
            return [b.corral, '--config-dir', os.path.join(self.dir, 'conf'),
                    '--run-dir', os.path.join(self.dir, 'run'),
                    '--cgroup-subtree', b.ctop]
        if self.sup == 'runit':
            return [b.tool['runsvdir'], self.svdir]
        if self.sup == 's6':
            # -c: room for every service (s6-svscan's default is lower)
            return [b.tool['s6-svscan'], '-c', str(max(1000, self.n + 16)), self.svdir]
        a = [b.floor, '--root', self.floor_rel, '--pause', b.pause,
             '--fifo', self.fifo, '--count', str(self.n + (1 if self.release else 0))]
        if self.release:
            a += ['--norestart', str(self.n)]
        return a

    # launch and records ----------------------------------------------------
    def launch(self):
        os.mkdir(self.track)
        procs = os.path.join(self.track, 'cgroup.procs')
        self.rfd = os.open(self.fifo, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
        # our own writer: no EOF until the stop request
        self.wfd = os.open(self.fifo, os.O_WRONLY | os.O_CLOEXEC)
        env = dict(os.environ, BENCH_FIFO=self.fifo)

        def enter():
            # the supervisor and all it starts live in our tracking group
            with open(procs, 'w') as f:
                f.write('0')
        logf = open(self.logpath, 'w')
        self.t0 = now()
        self.proc = subprocess.Popen(self.argv(), stdin=subprocess.DEVNULL, stdout=logf,
                                     stderr=subprocess.STDOUT, close_fds=True,
                                     preexec_fn=enter, env=env, cwd=self.dir)
        logf.close()
        self.b.procs.append(self.proc)

    def pump(self, timeout):
        """Read records for up to timeout s; returns False on EOF."""
        r, _, _ = select.select([self.rfd], [], [], max(0, timeout))
        if not r:
            return True
        try:
            data = os.read(self.rfd, 65536)
        except BlockingIOError:
            return True
        if not data:
            return False
        t = now()
        self.buf += data
        while len(self.buf) >= REC.size:
            pid, idx = REC.unpack_from(self.buf)
            self.buf = self.buf[REC.size:]
            self.cur[idx] = pid
            self.started[idx] = t
            self.last_rec = (t, pid, idx)
        return True

    def wait_ready(self, timeout):
        """Seconds from launch until every wanted service is exec'ed."""
        deadline = now() + timeout
        last_progress, seen = now(), 0
        while not self.want <= self.cur.keys():
            if self.proc.poll() is not None:
                raise Fail(f'fail ({self.sup} exited {self.proc.returncode})')
            if CAP_RE.search(read(self.logpath)):
                raise Fail('n/a (refused: cap)')
            if now() > deadline or now() - last_progress > 10:
                raise Fail(f'fail ({len(self.want & self.cur.keys())}/{len(self.want)} started)')
            self.pump(0.2)
            if len(self.cur) != seen:
                seen, last_progress = len(self.cur), now()
        return max(self.started[i] for i in self.want) - self.t0

    def corral_all_running(self):
        out = subprocess.run([self.b.initctl, '-r', os.path.join(self.dir, 'run'), 'list'],
                             capture_output=True, text=True).stdout
        return sum(1 for ln in out.splitlines() if ln.split()[1:2] == ['running'])

    def wait_corral_listed(self, timeout=20):
        while self.corral_all_running() < len(self.want):
            if now() - self.t0 > timeout:
                raise Fail('fail (initctl list: not all running)')
            time.sleep(0.002)
        return now() - self.t0

    # what the supervisor itself is ------------------------------------------
    def own_pids(self):
        """The supervisor's own processes: its tracking group minus the
        services (anything running the pause binary)."""
        out = []
        for ln in read(os.path.join(self.track, 'cgroup.procs')).split():
            try:
                if os.readlink(f'/proc/{ln}/exe') == self.b.pause:
                    continue
            except OSError:
                continue
            out.append(int(ln))
        return out

    def cpu_usage(self):
        """CPU seconds used so far by the supervisor and its services
        (cgroup2 cpu.stat of the tracking group, plus corral's or the
        floor's own service tree): less at the mercy of other load on the
        machine than wall time.  None without a cgroup2 tree."""
        if not self.b.track_v2:
            return None
        dirs = [self.track]
        if self.sup in ('corral', 'floor'):
            dirs += [d for d in self.group_root if d.startswith(self.b.track + '/')]
        tot = 0
        for d in dirs:
            m = re.search(r'^usage_usec (\d+)', read(os.path.join(d, 'cpu.stat')), re.M)
            if not m:
                return None
            tot += int(m.group(1))
        return tot / 1e6

    def pss_kb(self):
        tot = 0
        for p in self.own_pids():
            m = re.search(r'^Pss:\s+(\d+) kB', read(f'/proc/{p}/smaps_rollup'), re.M)
            if m:
                tot += int(m.group(1))
        return tot

    def status_cmd(self, brief=False):
        if self.sup == 'corral' and brief:
            # the table (state, pid, uptime, tasks, cpu): what sv status shows
            return [self.b.initctl, '-r', os.path.join(self.dir, 'run'), 'list'], r'^\S+ +running '
        if self.sup == 'corral':
            return [self.b.initctl, '-r', os.path.join(self.dir, 'run'), '--kv', 'status'], r'^state running$'
        if self.sup == 'floor':
            return None, None
        dirs = [os.path.join(self.svdir, self.svc_name(i)) for i in sorted(self.want)]
        if self.sup == 'runit':
            return [self.b.tool['sv'], 'status'] + dirs, r'^run: '
        if self.sup == 's6':
            # s6 2.11 has no status-of-many: one s6-svstat per service
            return (['sh', '-c', 'for d in "$@"; do "$0" "$d"; done', self.b.tool['s6-svstat']]
                    + dirs, r'^up ')

    def status_time(self, reps=3, budget=3.0, brief=False):
        cmd, pat = self.status_cmd(brief)
        if not cmd:
            return None
        ts = []
        t_end = now() + budget
        for _ in range(reps):
            if ts and now() > t_end:
                break       # one s6-svstat per service is slow at large N
            t = now()
            out = subprocess.run(cmd, capture_output=True, text=True).stdout
            ts.append(now() - t)
            got = len(re.findall(pat, out, re.M))
            if got != len(self.want):
                raise Fail(f'fail (status showed {got}/{len(self.want)} running)')
        return statistics.median(ts)

    # restart -------------------------------------------------------------
    def restart_time(self, idx=0):
        old = self.cur[idx]
        # every peer gets a service that has run >= 1 s (runsv and
        # s6-supervise throttle a run that died within a second)
        wait = self.started[idx] + 1.1 - now()
        if wait > 0:
            time.sleep(wait)
        t = now()
        os.kill(old, signal.SIGKILL)
        while self.cur.get(idx) == old:
            if now() - t > 5:
                raise Fail('fail (no replacement within 5 s)')
            if not self.pump(5):
                raise Fail('fail (FIFO EOF)')
        dt = self.started[idx] - t
        if self.sup in ('corral', 'floor'):
            # the replacement is in the service's group (checked, untimed)
            grp = [d for d in self.group_root if d.startswith(self.b.track + '/')]
            procs = read(os.path.join(grp[0], self.svc_name(idx), 'cgroup.procs')).split()
            if str(self.cur[idx]) not in procs:
                raise Fail('fail (replacement not in its group)')
        return dt

    # release -------------------------------------------------------------
    def release_time(self):
        name = self.svc_name(self.rel_idx)
        ino = Inotify()
        try:
            pending = set()
            for d in self.group_root:
                if not os.path.isdir(os.path.join(d, name)):
                    raise Fail('fail (no group for the release target)')
                ino.watch(d, IN_DELETE)
                pending.add(d)
            time.sleep(0.3)     # settle: nothing else is happening
            t = now()
            os.kill(self.cur[self.rel_idx], signal.SIGKILL)
            while pending:
                left = 10 - (now() - t)
                if left <= 0:
                    raise Fail('fail (group not removed within 10 s)')
                select.select([ino.fd], [], [], left)
                for path, mask, nm in ino.events():
                    if mask & IN_DELETE and nm == name:
                        pending.discard(path)
            return now() - t
        finally:
            ino.close()

    # idle ----------------------------------------------------------------
    def idle(self, seconds):
        pids = self.own_pids()
        if not pids:
            raise Fail('fail (no supervisor process)')

        def ctxt():
            tot = 0
            for p in pids:
                s = read(f'/proc/{p}/status')
                tot += sum(int(x) for x in re.findall(r'ctxt_switches:\s+(\d+)', s))
            return tot
        out = os.path.join(self.dir, 'trace.txt')
        if self.b.tracer == 'perf':
            cmd = [self.b.tool['perf'], 'trace', '-s', '-o', out, '-p', ','.join(map(str, pids))]
        else:
            cmd = [self.b.tool['strace'], '-c', '-f', '-o', out] + \
                  [a for p in pids for a in ('-p', str(p))]
        c0 = ctxt()
        tr = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
        self.b.procs.append(tr)
        time.sleep(seconds)
        c1 = ctxt()
        tr.send_signal(signal.SIGINT)
        try:
            tr.wait(30)
        except subprocess.TimeoutExpired:
            tr.kill()
            tr.wait()
            raise Fail('fail (tracer hung)')
        text = read(out)
        if self.b.tracer == 'perf':
            calls = sum(int(m.group(1)) for m in
                        re.finditer(r'^\s+[a-z_0-9]+\s+(\d+)\s+\d+\s+[\d.]+', text, re.M))
        else:
            m = re.search(r'^\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)(?:\s+\d+)?\s+total$', text, re.M)
            calls = int(m.group(1)) if m else 0
        # strace stops its tracees: their context switches say nothing then
        wake = c1 - c0 if self.b.tracer == 'perf' else None
        return calls, wake

    # stop ----------------------------------------------------------------
    def stop_time(self, timeout=120):
        """Stop request -> all services gone (FIFO EOF) and every process
        of the supervisor gone (tracking group empty)."""
        ino = None
        ev = os.path.join(self.track, 'cgroup.events')
        if self.b.track_v2:
            ino = Inotify()
            ino.watch(ev, IN_MODIFY)
        os.close(self.wfd)
        self.wfd = None
        sig = signal.SIGHUP if self.sup == 'runit' else signal.SIGTERM
        t = now()
        self.proc.send_signal(sig)
        t_gone = t_empty = None
        try:
            while t_gone is None or t_empty is None:
                left = timeout - (now() - t)
                if left <= 0:
                    raise Fail('fail (not stopped within %d s)' % timeout)
                if t_empty is None:
                    empty = ('populated 0' in read(ev)) if ino else \
                        not read(os.path.join(self.track, 'cgroup.procs')).split()
                    if empty:
                        t_empty = now()
                        continue
                fds = [] if t_gone is not None else [self.rfd]
                if ino and t_empty is None:
                    fds.append(ino.fd)
                wait = left if ino or t_empty is not None else min(left, 0.001)
                r, _, _ = select.select(fds, [], [], wait)
                if self.rfd in r and not self.pump(0):
                    t_gone = now()
                if ino and ino.fd in r:
                    ino.events()
        finally:
            if ino:
                ino.close()
        return max(t_gone, t_empty) - t

    def finish(self):
        """Untimed: make sure nothing of this run is left."""
        if self.wfd is not None:
            os.close(self.wfd)
            self.wfd = None
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGHUP if self.sup == 'runit' else signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc:
            self.proc.wait()
            self.b.procs.remove(self.proc)
        cg_remove(self.track)
        if self.sup == 'floor':
            for d in self.group_root:
                cg_remove(d)
        if self.sup == 'corral':
            # corral removes its subtree when it exits; make sure
            for h in self.b.hiers:
                cg_remove(os.path.join(h, self.b.ctop))
        if self.rfd is not None:
            os.close(self.rfd)
            self.rfd = None
        if not self.b.keep:
            shutil.rmtree(self.dir, ignore_errors=True)


# --- the harness -------------------------------------------------------------

class Bench:
    def __init__(self, a):
        self.a = a
        self.id = a.id or str(os.getpid())
        self.top = f'corral-bench-{self.id}'
        self.ctop = f'corral-bench-{self.id}-corral'
        self.scratch = f'/dev/shm/corral-bench-{self.id}'
        self.keep = a.keep
        self.hiers, self.track, self.track_v2 = hierarchies()
        self.track_root = os.path.join(self.track, self.top)
        self.procs, self.runno = [], 0
        self.load0 = read('/proc/loadavg').split()[:3]
        self.res = {}           # key -> sup -> [value per round]
        self.build = os.path.abspath(a.build)
        self.corral = os.path.abspath(a.corral or os.path.join(self.build, 'corral'))
        self.initctl = os.path.abspath(a.initctl or os.path.join(self.build, 'initctl'))
        self.floor = os.path.join(self.build, 'bench', 'floor')
        self.tool = {t: shutil.which(t) or next((f'{d}/{t}' for d in ('/usr/sbin', '/sbin')
                                                 if os.access(f'{d}/{t}', os.X_OK)), None)
                     for t in ('runsvdir', 'sv', 's6-svscan', 's6-svstat', 'perf', 'strace')}
        self.sups = [s for s in a.supervisors.split(',') if s]
        self.missing = {}
        if not (self.tool['runsvdir'] and self.tool['sv']):
            self.missing['runit'] = 'n/a (runit not installed)'
        if not (self.tool['s6-svscan'] and self.tool['s6-svstat']):
            self.missing['s6'] = 'n/a (s6 not installed)'
        self.tracer = None
        if self.tool['perf'] and subprocess.run(
                [self.tool['perf'], 'trace', '-s', '-o', '/dev/null', '--', 'true'],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 0:
            self.tracer = 'perf'
        elif self.tool['strace']:
            self.tracer = 'strace'

    def setup(self):
        os.makedirs(self.scratch)
        self.pause = os.path.join(self.scratch, 'pause')
        shutil.copy2(os.path.join(self.build, 'bench', 'pause'), self.pause)
        for h in self.hiers:
            d = os.path.join(h, self.top)
            os.mkdir(d)
            if os.path.exists(os.path.join(h, 'cpuset.cpus')) and h.endswith('/cpuset'):
                # a v1 cpuset takes no task before cpus and mems are set;
                # copied from the parent (reading the root is all we do there)
                for f in ('cpuset.cpus', 'cpuset.mems'):
                    write(os.path.join(d, f), read(os.path.join(h, f)).strip() or '\n')

    def cleanup(self):
        for p in list(self.procs):
            if p.poll() is None:
                try:
                    p.kill()
                except OSError:
                    pass
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                pass
        for h in self.hiers:
            for t in (self.top, self.ctop):
                cg_remove(os.path.join(h, t))
        # and below our own cgroups, where corral and the floor make their
        # memory groups (a shared machine's memory hierarchy puts every
        # process below its root)
        own = {ln.split(':', 2)[2] for ln in read('/proc/self/cgroup').splitlines()
               if ln.count(':') >= 2} - {'/'}
        for h in glob.glob(CG + '/*'):
            for o in own:
                for t in (self.top, self.ctop):
                    if os.path.isdir(h + o + '/' + t):
                        cg_remove(h + o + '/' + t)
        if not self.keep:
            shutil.rmtree(self.scratch, ignore_errors=True)

    def put(self, key, sup, r, v):
        self.res.setdefault(key, {}).setdefault(sup, [None] * self.a.rounds)[r] = v

    # one round of one scenario for one supervisor ---------------------------
    def scenario_size(self, sup, n, r):
        a = self.a
        run = Run(self, sup, n)
        try:
            run.launch()
            try:
                self.put(('start', n), sup, r, run.wait_ready(a.ready_timeout + n * 0.02))
            except Fail as e:
                for k in self.size_keys(n):
                    self.put(k, sup, r, str(e))
                return
            cpu = run.cpu_usage()
            if cpu is not None:
                self.put(('cpu', n), sup, r, cpu)
            if sup == 'corral':
                self.put(('ready', n), sup, r, run.wait_corral_listed())
            # settle: every supervisor has finished its start bookkeeping
            time.sleep(max(0, run.started[max(run.want)] + a.settle - now()))
            if n in a.status_sizes:
                self.try_put(('status', n), sup, r, run.status_time)
                # the peers have one status command: the same for both rows
                st = self.values(('status', n), sup)
                self.try_put(('list', n), sup, r,
                             lambda: run.status_time(brief=True) if sup == 'corral'
                             else st[r] if r < len(st) else None)
            self.try_put(('pssabs', n), sup, r, run.pss_kb)
            if n == a.restart_n:
                for k in range(a.restart_samples):
                    self.try_put(('restart', n, k), sup, r, run.restart_time)
            if n == a.idle_n and r < a.idle_rounds and self.tracer:
                try:
                    time.sleep(1)
                    calls, wake = run.idle(a.idle)
                    self.put(('idle_sys', n), sup, r, calls)
                    self.put(('idle_wake', n), sup, r, wake)
                except Fail as e:
                    self.put(('idle_sys', n), sup, r, str(e))
            self.try_put(('stop', n), sup, r, run.stop_time)
        finally:
            run.finish()

    def scenario_release(self, sup, k, r):
        run = Run(self, sup, k, release=True)
        try:
            run.launch()
            try:
                run.wait_ready(self.a.ready_timeout + k * 0.02)
            except Fail as e:
                self.put(('release', k), sup, r, str(e))
                return
            time.sleep(max(0, run.started[run.rel_idx] + self.a.settle - now()))
            self.try_put(('release', k), sup, r, run.release_time)
        finally:
            run.finish()

    def try_put(self, key, sup, r, fn):
        try:
            v = fn()
        except Fail as e:
            v = str(e)
        if v is not None:
            self.put(key, sup, r, v)

    def size_keys(self, n):
        ks = [('start', n), ('stop', n), ('pssabs', n), ('ready', n), ('cpu', n)]
        if n in self.a.status_sizes:
            ks += [('status', n), ('list', n)]
        if n == self.a.restart_n:
            ks += [('restart', n, k) for k in range(self.a.restart_samples)]
        return ks

    def run(self):
        a = self.a
        for r in range(a.rounds):
            order = self.sups[r % len(self.sups):] + self.sups[:r % len(self.sups)]
            log(f'round {r + 1}/{a.rounds}: order {" ".join(order)}')
            for n in a.sizes:
                for sup in order:
                    if sup in self.missing:
                        continue
                    t = now()
                    self.scenario_size(sup, n, r)
                    log(f'  {sup:6} N={n}: {now() - t:.1f} s')
            for k in a.release_others:
                for sup in order:
                    if sup in ('corral', 'floor'):
                        self.scenario_release(sup, k, r)
                        log(f'  {sup:6} release, {k} other groups')

    # the table -------------------------------------------------------------
    def values(self, key, sup):
        return self.res.get(key, {}).get(sup, [])

    def merged(self, key, sup):
        """restart samples: all k of a round, per round the median"""
        if key[0] != 'restart':
            return self.values(key, sup)
        out = []
        for r in range(self.a.rounds):
            vs = [self.values(key + (k,), sup) for k in range(self.a.restart_samples)]
            vs = [v[r] for v in vs if v and v[r] is not None]
            nums = [v for v in vs if isinstance(v, (int, float))]
            out.append(statistics.median(nums) if nums else (vs[0] if vs else None))
        return out

    def derived(self, key, sup):
        kind = key[0]
        if kind == 'growth':
            lo, hi = self.merged(('start', key[1]), sup), self.merged(('start', key[2]), sup)
        elif kind == 'pss':
            lo, hi = self.merged(('pssabs', key[1]), sup), self.merged(('pssabs', key[2]), sup)
        else:
            return self.merged(key, sup)
        out = []
        for x, y in zip(lo, hi):
            if isinstance(x, (int, float)) and isinstance(y, (int, float)):
                out.append(y / x if kind == 'growth' else (y - x) / (key[2] - key[1]))
            elif isinstance(y, str):
                out.append(y)
            elif isinstance(x, str):
                out.append(x)
            else:
                out.append(None)
        return out

    def rows(self):
        a, rows = self.a, []
        sz = a.sizes
        for n in sz:
            rows.append((('start', n), f'start {n} services (all exec\'ed), ms', 1e3))
        if self.track_v2:
            for n in sz:
                rows.append((('cpu', n), f'start {n}: CPU time of supervisor + services '
                                         '(cgroup2 cpu.stat), ms', 1e3))
        for n in sz:
            rows.append((('ready', n), f'start {n}: until `initctl list` shows all running, ms', 1e3))
        for lo, hi in zip(sz, sz[1:]):
            rows.append((('growth', lo, hi), f'growth of start {lo} -> {hi} (linear: {hi / lo:.1f}x)', 1))
        for n in sz:
            rows.append((('stop', n), f'stop {n} services (all processes gone), ms', 1e3))
        for n in sz:
            rows.append((('pssabs', n), f'supervisor Pss with {n} services, kB', 1))
        for lo, hi in zip(sz, sz[1:]):
            rows.append((('pss', lo, hi), f'Pss per extra service {lo} -> {hi}, kB', 1))
        if a.restart_n in sz:
            rows.append((('restart', a.restart_n),
                         f'restart: kill -> replacement exec\'ed ({a.restart_n} services), ms', 1e3))
        for k in a.release_others:
            rows.append((('release', k), f'release: last task killed -> group removed, '
                                         f'{k} other groups, ms', 1e3))
        if a.idle_n in sz and self.tracer:
            rows.append((('idle_sys', a.idle_n), f'idle {a.idle:g} s, {a.idle_n} services: '
                                                 f'syscalls ({self.tracer})', 1))
            if self.tracer == 'perf':
                rows.append((('idle_wake', a.idle_n), f'idle {a.idle:g} s, {a.idle_n} services: '
                                                      'wakeups (context switches)', 1))
        for n in a.status_sizes:
            rows.append((('status', n), f'status of all {n} (initctl status; sv status; '
                                        's6-svstat each), ms', 1e3))
            rows.append((('list', n), f'list of all {n} (initctl list; sv status; '
                                      's6-svstat each), ms', 1e3))
        return rows

    @staticmethod
    def fmt(x, scale):
        if isinstance(x, int) and scale == 1:
            return str(x)
        v = x * scale
        if abs(v) >= 100:
            return f'{v:.0f}'
        if abs(v) >= 10:
            return f'{v:.1f}'
        return f'{v:.2f}'

    def cell(self, vals, scale, applicable):
        if not applicable:
            return '–'
        vals = [v for v in vals if v is not None]
        if not vals:
            return 'n/a (not measured)'
        nums = [v for v in vals if isinstance(v, (int, float))]
        bad = [v for v in vals if isinstance(v, str)]
        if not nums:
            return bad[0]
        s = self.fmt(statistics.median(nums), scale)
        if len(nums) > 1:
            s += f' ({self.fmt(min(nums), scale)}–{self.fmt(max(nums), scale)})'
        if bad:
            s += f' [{len(bad)}x {bad[0]}]'
        return s

    def ratio(self, key, peers):
        c = self.derived(key, 'corral')
        ps = [self.derived(key, p) for p in peers]
        out = []
        for r in range(len(c)):
            x = c[r]
            den = [p[r] for p in ps if r < len(p) and isinstance(p[r], (int, float))]
            if isinstance(x, (int, float)) and den and min(den) > 0:
                out.append(x / min(den))
        if not out:
            return '–'
        s = f'{statistics.median(out):.2f}x'
        if len(out) > 1:
            s += f' ({min(out):.2f}–{max(out):.2f})'
        return s

    def applicable(self, key, sup):
        kind = key[0]
        if kind == 'ready':
            return sup == 'corral'
        if kind == 'release':
            return sup in ('corral', 'floor')
        if kind in ('status', 'list'):
            return sup != 'floor'
        return True

    def table(self):
        cols = [s for s in ('floor', 'runit', 's6', 'corral') if s in self.sups]
        peers = [p for p in ('runit', 's6') if p in self.sups]
        lines = ['| metric | ' + ' | '.join(cols) + ' | corral/best peer | corral/floor |',
                 '|---|' + '---|' * (len(cols) + 2)]
        for key, label, scale in self.rows():
            cells = []
            for s in cols:
                if s in self.missing:
                    cells.append(self.missing[s])
                else:
                    cells.append(self.cell(self.derived(key, s), scale, self.applicable(key, s)))
            rp = self.ratio(key, [p for p in peers if self.applicable(key, p)]) \
                if any(self.applicable(key, p) for p in peers) and key[0] != 'ready' else '–'
            rf = self.ratio(key, ['floor']) if 'floor' in self.sups and \
                self.applicable(key, 'floor') else '–'
            lines.append(f'| {label} | ' + ' | '.join(cells) + f' | {rp} | {rf} |')
        return '\n'.join(lines)

    def machine(self):
        cpu = re.search(r'^model name\s*:\s*(.*)$', read('/proc/cpuinfo'), re.M)
        mem = re.search(r'^MemTotal:\s+(\d+) kB', read('/proc/meminfo'), re.M)
        vers = subprocess.run(['dpkg-query', '-W', '-f', '${Package} ${Version}, ', 'runit', 's6'],
                              capture_output=True, text=True).stdout.strip(', ')
        git = subprocess.run(['git', '-C', os.path.dirname(os.path.abspath(__file__)),
                              'describe', '--always', '--dirty'],
                             capture_output=True, text=True).stdout.strip()
        u = os.uname()
        load = read('/proc/loadavg').split()[:3]
        return [f'- CPU: {cpu.group(1) if cpu else "?"}, {os.cpu_count()} CPUs (nproc)',
                f'- memory: {int(mem.group(1)) // 1024 if mem else "?"} MiB',
                f'- kernel: {u.sysname} {u.release} {u.machine}',
                f'- cgroups: {", ".join(self.hiers)}',
                f'- peers: {vers or "not installed"}; corral: '
                f'{self.a.label or (git or "?") + " (" + self.corral + ")"}',
                f'- load average (1/5/15 min) before: {" ".join(self.load0)}, after: '
                f'{" ".join(load)} (a shared machine: other work ran at the same time)',
                f'- rounds: {self.a.rounds}, interleaved (corral, runit, s6, floor rotating); '
                f'scratch on tmpfs (/dev/shm); idle tracer: {self.tracer or "none"}']


def parse_args(argv):
    quick = os.environ.get('BENCH_QUICK') == '1'
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--build', default='build', help='corral build directory (bench/ below it)')
    p.add_argument('--corral', help='corral binary (default BUILD/corral)')
    p.add_argument('--initctl', help='initctl binary (default BUILD/initctl)')
    p.add_argument('--sizes', default='5' if quick else '100,500,2000',
                   help='service counts for start/stop/status/Pss (comma list, ascending)')
    p.add_argument('--rounds', type=int, default=1 if quick else 3)
    p.add_argument('--release-others', default='0,5' if quick else '0,100,1000',
                   help='other groups present in the release measurement')
    p.add_argument('--status-sizes', help='sizes whose run times status of all '
                   '(default: 100 and 500 where they are sizes, else the smallest)')
    p.add_argument('--restart-n', type=int, help='size whose run measures restart (default: '
                   'the smallest size)')
    p.add_argument('--restart-samples', type=int, default=1 if quick else 3)
    p.add_argument('--idle', type=float, default=1 if quick else 30, help='idle window, s')
    p.add_argument('--idle-n', type=int, help='size whose run is traced idle (default: '
                   '100 if a size, else the smallest)')
    p.add_argument('--idle-rounds', type=int, default=1, help='rounds with the idle window')
    p.add_argument('--settle', type=float, default=0.3 if quick else 1.2,
                   help='s after start before measuring status, Pss, release')
    p.add_argument('--ready-timeout', type=float, default=30)
    p.add_argument('--supervisors', default=','.join(SUPS))
    p.add_argument('--id', help='name part of corral-bench-ID (default: our pid)')
    p.add_argument('--out', help='also write the report (markdown) here')
    p.add_argument('--json', help='raw per-round values as JSON here')
    p.add_argument('--label', help='how to describe the corral binary in the report')
    p.add_argument('--keep', action='store_true', help='keep the scratch directory')
    a = p.parse_args(argv)
    a.sizes = sorted({int(x) for x in a.sizes.split(',') if x})
    a.release_others = [int(x) for x in a.release_others.split(',') if x != '']
    if a.status_sizes is None:
        a.status_sizes = [n for n in a.sizes if n in (100, 500)] or a.sizes[:1]
    else:
        a.status_sizes = [int(x) for x in a.status_sizes.split(',') if x]
    if a.restart_n is None:
        a.restart_n = a.sizes[0]
    if a.idle_n is None:
        a.idle_n = 100 if 100 in a.sizes else a.sizes[0]
    if a.rounds < 1 or not a.sizes or a.sizes[0] < 1:
        p.error('need at least one round and sizes >= 1')
    return a


def main(argv):
    a = parse_args(argv)
    if os.geteuid() != 0:
        raise SystemExit('bench: needs root (cgroups)')

    def on_signal(sig, _frame):
        raise Stop(sig)
    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(s, on_signal)
    b = Bench(a)
    for need in (b.corral, b.initctl, b.floor, os.path.join(b.build, 'bench', 'pause')):
        if not os.access(need, os.X_OK):
            raise SystemExit(f'bench: {need} missing (make bench builds it)')
    t0 = now()
    try:
        b.setup()
        b.run()
    except Stop:
        log('interrupted; cleaning up')
        return 1
    finally:
        b.cleanup()
    report = ['## corral side by side (bench/bench.py)', ''] + b.machine() + [
        f'- sizes {",".join(map(str, a.sizes))}; restart at N={a.restart_n} '
        f'({a.restart_samples} per round); release with {",".join(map(str, a.release_others))} '
        f'other groups; wall time {now() - t0:.0f} s', '',
        'Cells: median (min–max) over rounds; ratios: median (min–max) of the per-round ratios.',
        '', b.table(), '']
    text = '\n'.join(report)
    print(text)
    if a.out:
        os.makedirs(os.path.dirname(os.path.abspath(a.out)), exist_ok=True)
        write(a.out, text)
    if a.json:
        write(a.json, json.dumps({' '.join(map(str, k)): v for k, v in b.res.items()}, indent=1))
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
