/*
 * bench/floor.c - the floor for bench/bench.py: the least a supervisor can
 * do for the same work corral does per service, with nothing else.
 *
 *   floor --root REL --pause PATH --fifo PATH --count N
 *         [--norestart I]... [--base DIR] [--fork]
 *
 * Per service i (named sI):
 *   - one container in each hierarchy corral uses on this machine: the v1
 *     cpuset, cpuacct, pids and memory (below this process's own memory
 *     cgroup, as corral makes its subtree) hierarchies (cpuset.cpus/mems copied from
 *     the parent, as corral does), plus the cgroup2 tracking group when
 *     the unified hierarchy is mounted at BASE/unified; on a pure cgroup2
 *     machine (BASE itself cgroup2) the one v2 group;
 *   - an inotify watch on the tracking group's cgroup.events;
 *   - vfork (or fork with --fork) + exec of PAUSE FIFO i, the child
 *     entering every container before exec; exec errors come back over a
 *     close-on-exec pipe, as in corral's spawn.c.
 * Restart=always with RestartSec=0: a reaped service is spawned again at
 * once into the same groups; --norestart I exempts service I, whose groups
 * are removed when the tracking group reports "populated 0" (inotify) or
 * its pid is reaped - each check looks at that one group only.
 * SIGTERM/SIGINT: SIGTERM to every service, reap, remove every group and
 * the root REL in each hierarchy, exit 0.
 *
 * REL is relative to each hierarchy's mount (e.g. corral-bench-123/floor);
 * its parent must exist.  Everything is prepared before the fork; the child
 * makes only async-signal-safe calls.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef CGROUP_SUPER_MAGIC
#define CGROUP_SUPER_MAGIC 0x27e0eb
#endif

#define MAXH 8	/* hierarchies: the v1 ones corral uses and the tracking tree */

struct hier {
	char path[PATH_MAX];	/* BASE/ctrl/REL */
	int rootfd;		/* O_PATH of BASE/ctrl/REL */
	bool cpuset, tracking;
};

struct svc {
	pid_t pid;
	int execfd;		/* exec status pipe, -1 when collected */
	int wd;			/* inotify watch on the tracking cgroup.events */
	bool restart, removed;
	char name[16];
	char idx[16];
};

static struct hier hier[MAXH];
static unsigned nhier;
static struct svc *svcs;
static unsigned nsvc;
static const char *pause_path, *fifo_path;
static char cpus[4096], mems[4096];
static int epfd, ifd, sfd, nullfd, trackh = -1;
static bool use_fork, stopping;
static unsigned live;		/* services with a pid */
static unsigned present;	/* services whose groups still exist */

/* pid -> service, open addressing: the reaper's lookup is O(1) */
static pid_t *hkey;
static unsigned *hval, hcap;

static void die(const char *verb, const char *what)
{
	fprintf(stderr, "floor: %s %s: %s\n", verb, what, strerror(errno));
	exit(1);
}

static void hput(pid_t pid, unsigned i)
{
	unsigned h = (unsigned)pid & (hcap - 1);

	while (hkey[h] > 0 && hkey[h] != pid)
		h = (h + 1) & (hcap - 1);
	hkey[h] = pid;
	hval[h] = i;
}

/* -1 tombstones keep probe chains intact */
static int hdel(pid_t pid)
{
	unsigned h = (unsigned)pid & (hcap - 1);

	for (unsigned n = 0; n < hcap && hkey[h]; n++, h = (h + 1) & (hcap - 1))
		if (hkey[h] == pid) {
			hkey[h] = -1;
			return (int)hval[h];
		}
	return -1;
}

static bool is_fs(const char *path, long magic)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && (long)sf.f_type == magic;
}

static void read_file(int dirfd, const char *file, char *buf, size_t len)
{
	int fd = openat(dirfd, file, O_RDONLY | O_CLOEXEC);
	ssize_t r;

	if (fd < 0)
		die("open", file);
	r = read(fd, buf, len - 1);
	if (r < 0)
		die("read", file);
	close(fd);
	buf[r] = '\0';
}

static void write_file(int dirfd, const char *file, const char *val, const char *where)
{
	int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, val, strlen(val)) < 0) {
		fprintf(stderr, "floor: write %s/%s: %s\n", where, file, strerror(errno));
		exit(1);
	}
	close(fd);
}

static void add_hier(const char *base, const char *ctrl, const char *rel, bool v2)
{
	struct hier *h = &hier[nhier];
	char mnt[PATH_MAX];
	int parentfd;
	char *slash;

	snprintf(mnt, sizeof(mnt), "%s%s%s", base, *ctrl ? "/" : "", ctrl);
	if (!is_fs(mnt, v2 ? CGROUP2_SUPER_MAGIC : CGROUP_SUPER_MAGIC))
		return;
	snprintf(h->path, sizeof(h->path), "%s/%s", mnt, rel);
	h->cpuset = !v2 && !strcmp(ctrl, "cpuset");
	h->tracking = v2;
	if (mkdir(h->path, 0755) < 0 && errno != EEXIST)
		die("mkdir", h->path);
	h->rootfd = open(h->path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (h->rootfd < 0)
		die("open", h->path);
	if (h->cpuset) {
		/* a v1 cpuset takes no task before cpus and mems are set */
		char parent[PATH_MAX];

		snprintf(parent, sizeof(parent), "%s", h->path);
		slash = strrchr(parent, '/');
		*slash = '\0';
		parentfd = open(parent, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (parentfd < 0)
			die("open", parent);
		read_file(parentfd, "cpuset.cpus", cpus, sizeof(cpus));
		read_file(parentfd, "cpuset.mems", mems, sizeof(mems));
		close(parentfd);
		write_file(h->rootfd, "cpuset.cpus", cpus, h->path);
		write_file(h->rootfd, "cpuset.mems", mems, h->path);
	}
	if (v2)
		trackh = (int)nhier;
	nhier++;
}

/* memory, as corral does it: below the cgroup this process is in (the v1
 * memory hierarchy of a shared machine puts every process below its
 * root), REL's parent made first */
static void add_memory(const char *base, const char *rel)
{
	char own[PATH_MAX] = "", line[PATH_MAX + 64], r[PATH_MAX], top[2 * PATH_MAX];
	const char *slash = strrchr(rel, '/');
	FILE *f;

	snprintf(top, sizeof(top), "%s/memory", base);
	if (!is_fs(top, CGROUP_SUPER_MAGIC))
		return;
	f = fopen("/proc/self/cgroup", "re");
	if (!f)
		die("open", "/proc/self/cgroup");
	while (fgets(line, sizeof(line), f)) {
		char *c = strchr(line, ':'), *p = c ? strchr(c + 1, ':') : NULL;

		if (!p)
			continue;
		*p++ = '\0';
		if (strcmp(c + 1, "memory"))
			continue;
		p[strcspn(p, "\n")] = '\0';
		snprintf(own, sizeof(own), "%s", strcmp(p, "/") ? p + 1 : "");
	}
	fclose(f);
	snprintf(r, sizeof(r), "%s%s%s", own, *own ? "/" : "", rel);
	if (slash) {
		snprintf(top, sizeof(top), "%s/memory/%s%s%.*s", base, own, *own ? "/" : "",
			 (int)(slash - rel), rel);
		if (mkdir(top, 0755) < 0 && errno != EEXIST)
			die("mkdir", top);
	}
	add_hier(base, "memory", r, false);
}

static void make_groups(unsigned i)
{
	struct svc *s = &svcs[i];

	for (unsigned k = 0; k < nhier; k++) {
		struct hier *h = &hier[k];
		int fd;

		if (mkdirat(h->rootfd, s->name, 0755) < 0 && errno != EEXIST)
			die("mkdir in", h->path);
		if (h->cpuset) {
			fd = openat(h->rootfd, s->name, O_PATH | O_DIRECTORY | O_CLOEXEC);
			if (fd < 0)
				die("open in", h->path);
			write_file(fd, "cpuset.cpus", cpus, h->path);
			write_file(fd, "cpuset.mems", mems, h->path);
			close(fd);
		}
		if (h->tracking) {
			char p[PATH_MAX + 64];

			snprintf(p, sizeof(p), "%s/%s/cgroup.events", h->path, s->name);
			s->wd = inotify_add_watch(ifd, p, IN_MODIFY);
			if (s->wd < 0)
				die("watch", p);
		}
	}
	present++;
}

/* tracking group last, as corral does: it is what reports emptiness */
static void remove_groups(unsigned i)
{
	struct svc *s = &svcs[i];

	if (s->removed)
		return;
	for (unsigned k = 0; k <= nhier; k++) {
		/* k == nhier: the tracking group, after all the others */
		unsigned kk = k < nhier ? k : (unsigned)trackh;

		if ((k < nhier && (int)k == trackh) || (k == nhier && trackh < 0))
			continue;
		if (unlinkat(hier[kk].rootfd, s->name, AT_REMOVEDIR) < 0 && errno != ENOENT) {
			if (errno == EBUSY)
				return;	/* not empty yet: the next event retries */
			fprintf(stderr, "floor: rmdir %s/%s: %s\n", hier[kk].path, s->name,
				strerror(errno));
		}
	}
	s->removed = true;
	present--;
}

/* Only this group's cgroup.events: O(1) per event. */
static void check_release(unsigned i)
{
	struct svc *s = &svcs[i];
	char buf[256], file[64];
	int fd;
	ssize_t r;

	if (s->removed || s->pid || (s->restart && !stopping))
		return;
	if (trackh < 0) {
		remove_groups(i);
		return;
	}
	snprintf(file, sizeof(file), "%s/cgroup.events", s->name);
	fd = openat(hier[trackh].rootfd, file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0)
		return;
	buf[r] = '\0';
	if (strstr(buf, "populated 0"))
		remove_groups(i);
}

static void spawn(unsigned i)
{
	struct svc *s = &svcs[i];
	int procs[MAXH], p[2];
	char *argv[] = { (char *)pause_path, (char *)fifo_path, s->idx, NULL };
	char *envp[] = { "PATH=/usr/bin:/bin", NULL };
	struct epoll_event ev = { .events = EPOLLIN };
	pid_t pid;

	for (unsigned k = 0; k < nhier; k++) {
		char file[64];

		snprintf(file, sizeof(file), "%s/cgroup.procs", s->name);
		procs[k] = openat(hier[k].rootfd, file, O_WRONLY | O_CLOEXEC);
		if (procs[k] < 0)
			die("open cgroup.procs in", hier[k].path);
	}
	if (pipe2(p, O_CLOEXEC) < 0)
		die("create", "exec status pipe");
	pid = use_fork ? fork() : vfork();
	if (pid < 0)
		die("fork", s->name);
	if (pid == 0) {
		sigset_t none;
		int e;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		setsid();
		for (unsigned k = 0; k < nhier; k++)
			if (write(procs[k], "0", 1) < 0)
				goto fail;
		if (dup2(nullfd, 0) < 0)
			goto fail;
		execve(pause_path, argv, envp);
fail:
		e = errno;
		if (write(p[1], &e, sizeof(e)) < 0) {
			/* the parent sees EOF and exit status 127 */
		}
		_exit(127);
	}
	for (unsigned k = 0; k < nhier; k++)
		close(procs[k]);
	close(p[1]);
	s->pid = pid;
	s->execfd = p[0];
	live++;
	hput(pid, i);
	ev.data.u64 = 2 + (uint64_t)i;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, p[0], &ev) < 0)
		die("epoll add", "exec status pipe");
}

static void exec_collect(unsigned i)
{
	struct svc *s = &svcs[i];
	int e;
	ssize_t r = read(s->execfd, &e, sizeof(e));

	if (r < 0 && errno == EAGAIN)
		return;
	if (r == (ssize_t)sizeof(e))
		fprintf(stderr, "floor: %s: exec %s: %s\n", s->name, pause_path, strerror(e));
	epoll_ctl(epfd, EPOLL_CTL_DEL, s->execfd, NULL);
	close(s->execfd);
	s->execfd = -1;
}

static void reap(void)
{
	int st;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		int i = hdel(pid);

		if (i < 0)
			continue;
		if (svcs[i].execfd >= 0)
			exec_collect((unsigned)i);
		svcs[i].pid = 0;
		live--;
		if (svcs[i].restart && !stopping)
			spawn((unsigned)i);
		else
			check_release((unsigned)i);
	}
}

static void on_inotify(void)
{
	char buf[16384] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t r;

	while ((r = read(ifd, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + r;) {
			struct inotify_event *ev = (struct inotify_event *)p;
			int wd = ev->wd;

			p += sizeof(*ev) + ev->len;
			if (ev->mask & IN_IGNORED)
				continue;
			/* watches are made in service order: wd -> index is
			 * a lookup, not a search */
			if (wd >= 1 && (unsigned)wd <= nsvc && svcs[wd - 1].wd == wd)
				check_release((unsigned)(wd - 1));
			else
				for (unsigned i = 0; i < nsvc; i++)
					if (svcs[i].wd == wd) {
						check_release(i);
						break;
					}
		}
	}
}

static void stop_all(void)
{
	stopping = true;
	for (unsigned i = 0; i < nsvc; i++)
		if (svcs[i].pid > 0)
			kill(svcs[i].pid, SIGTERM);
}

static void usage(void)
{
	fprintf(stderr, "usage: floor --root REL --pause PATH --fifo PATH --count N "
		"[--norestart I]... [--base DIR] [--fork]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	const char *rel = NULL, *base = "/sys/fs/cgroup";
	long count = -1;
	sigset_t set;
	bool *norestart = NULL;
	long *nr = calloc((size_t)argc, sizeof(long));
	unsigned nnr = 0;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--fork")) {
			use_fork = true;
			continue;
		}
		if (!v)
			usage();
		i++;
		if (!strcmp(a, "--root"))
			rel = v;
		else if (!strcmp(a, "--base"))
			base = v;
		else if (!strcmp(a, "--pause"))
			pause_path = v;
		else if (!strcmp(a, "--fifo"))
			fifo_path = v;
		else if (!strcmp(a, "--count"))
			count = strtol(v, NULL, 10);
		else if (!strcmp(a, "--norestart"))
			nr[nnr++] = strtol(v, NULL, 10);
		else
			usage();
	}
	if (!rel || !pause_path || !fifo_path || count < 0 || count > 1000000)
		usage();
	nsvc = (unsigned)count;
	svcs = calloc(nsvc ? nsvc : 1, sizeof(*svcs));
	norestart = calloc(nsvc ? nsvc : 1, sizeof(bool));
	for (hcap = 64; hcap < 2 * nsvc + 2; hcap *= 2)
		;
	hkey = calloc(hcap, sizeof(*hkey));
	hval = calloc(hcap, sizeof(*hval));
	if (!svcs || !norestart || !hkey || !hval || !nr)
		die("allocate", "tables");
	for (unsigned k = 0; k < nnr; k++)
		if (nr[k] >= 0 && nr[k] < count)
			norestart[nr[k]] = true;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	ifd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	nullfd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (sfd < 0 || ifd < 0 || epfd < 0 || nullfd < 0)
		die("create", "signalfd/inotify/epoll");
	{
		struct epoll_event ev = { .events = EPOLLIN };

		ev.data.u64 = 0;
		epoll_ctl(epfd, EPOLL_CTL_ADD, sfd, &ev);
		ev.data.u64 = 1;
		epoll_ctl(epfd, EPOLL_CTL_ADD, ifd, &ev);
	}

	if (is_fs(base, CGROUP2_SUPER_MAGIC)) {
		add_hier(base, "", rel, true);
	} else {
		add_hier(base, "cpuset", rel, false);
		add_hier(base, "cpuacct", rel, false);
		add_hier(base, "pids", rel, false);
		add_memory(base, rel);
		add_hier(base, "unified", rel, true);
	}
	if (!nhier) {
		fprintf(stderr, "floor: no cgroup hierarchy under %s\n", base);
		return 1;
	}

	for (unsigned i = 0; i < nsvc; i++) {
		snprintf(svcs[i].name, sizeof(svcs[i].name), "s%u", i);
		snprintf(svcs[i].idx, sizeof(svcs[i].idx), "%u", i);
		svcs[i].restart = !norestart[i];
		svcs[i].execfd = -1;
		svcs[i].wd = -1;
		make_groups(i);
		spawn(i);
	}

	for (;;) {
		struct epoll_event evs[64];
		int n;

		if (stopping && !live && !present)
			break;
		n = epoll_wait(epfd, evs, 64, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("wait", "epoll");
		}
		for (int j = 0; j < n; j++) {
			uint64_t tag = evs[j].data.u64;

			if (tag == 0) {
				struct signalfd_siginfo si;
				bool chld = false;

				while (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
					if (si.ssi_signo == SIGCHLD)
						chld = true;
					else if (!stopping)
						stop_all();
				}
				if (chld)
					reap();
			} else if (tag == 1) {
				on_inotify();
			} else if (tag - 2 < nsvc && svcs[tag - 2].execfd >= 0) {
				exec_collect((unsigned)(tag - 2));
			}
		}
	}
	for (unsigned k = nhier; k-- > 0;)
		if (rmdir(hier[k].path) < 0)
			fprintf(stderr, "floor: rmdir %s: %s\n", hier[k].path, strerror(errno));
	return 0;
}
