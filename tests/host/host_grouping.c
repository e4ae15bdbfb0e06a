/*
 * tests/host/host_grouping.c - the grouping engine on this machine's real
 * cgroups, as root.
 *
 * Safety (DEVELOPERS.md): everything happens below corral-test-<pid> in
 * each hierarchy; only processes this test forked are moved or signalled;
 * no root-level cgroup file is written (release_agent is only read, to
 * show it stayed untouched); an atexit/signal cleanup kills our children
 * and removes every corral-test-<pid>* directory even when a check fails.
 * The mount-mode check runs in a private mount namespace.
 */
#include "grouping.h"
#include "../../lib/log.h"
#include "tap.h"

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_KIDS 64
static pid_t kids[MAX_KIDS];
static int nkids;
static char subtree[64];
static pid_t self;

/* ---- cleanup ----------------------------------------------------------- */

static void rmdir_tree(const char *dir)
{
	char cmd[2 * PATH_MAX];

	/* cgroupfs directories hold only kernel files: rmdir depth-first */
	snprintf(cmd, sizeof(cmd), "find '%s' -depth -type d -exec rmdir {} + 2>/dev/null", dir);
	if (system(cmd) != 0) {
		/* reported by the leftovers check */
	}
}

/* Every cgroup mount point on the host, from /proc/self/mountinfo. */
static int cgroup_mounts(char pts[][PATH_MAX], int max)
{
	FILE *f = fopen("/proc/self/mountinfo", "r");
	char line[4096];
	int n = 0;

	if (!f)
		return 0;
	while (n < max && fgets(line, sizeof(line), f)) {
		char mp[PATH_MAX], rest[1024];

		if (sscanf(line, "%*s %*s %*s %*s %4095s %*s %1023[^\n]", mp, rest) == 2 &&
		    (strstr(rest, "- cgroup ") || strstr(rest, "- cgroup2 ")))
			snprintf(pts[n++], PATH_MAX, "%s", mp);
	}
	fclose(f);
	return n;
}

static int leftovers(void)
{
	char pts[32][PATH_MAX], path[2 * PATH_MAX];
	int n = cgroup_mounts(pts, 32), left = 0;
	struct stat st;
	const char *sfx[] = { "", "-poll", "-mnt", "-rb" };

	for (int i = 0; i < n; i++)
		for (unsigned s = 0; s < 4; s++) {
			snprintf(path, sizeof(path), "%s/%s%s", pts[i], subtree, sfx[s]);
			if (stat(path, &st) == 0) {
				tap_diag("left behind: %s", path);
				left++;
			}
		}
	return left;
}

static void cleanup(void)
{
	char pts[32][PATH_MAX], path[2 * PATH_MAX];
	int n;
	const char *sfx[] = { "", "-poll", "-mnt", "-rb" };

	if (getpid() != self)
		return;		/* forked children must not clean up */
	for (int i = 0; i < nkids; i++)
		if (kids[i] > 0) {
			kill(kids[i], SIGKILL);
			waitpid(kids[i], NULL, 0);
		}
	n = cgroup_mounts(pts, 32);
	for (int i = 0; i < n; i++)
		for (unsigned s = 0; s < 4; s++) {
			snprintf(path, sizeof(path), "%s/%s%s", pts[i], subtree, sfx[s]);
			rmdir_tree(path);
		}
}

static void on_fatal(int sig)
{
	cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

/* ---- helpers ----------------------------------------------------------- */

static void forget(pid_t pid)
{
	for (int i = 0; i < nkids; i++)
		if (kids[i] == pid)
			kids[i] = 0;
}

/* A child that waits until its pipe closes, then runs fn (if any). */
static pid_t spawn(int *gate, int (*fn)(int), int outfd)
{
	int p[2];
	pid_t pid;

	if (pipe(p) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		char c;

		close(p[1]);
		while (read(p[0], &c, 1) < 0 && errno == EINTR)
			;
		_exit(fn ? fn(outfd) : 0);
	}
	close(p[0]);
	if (pid > 0 && nkids < MAX_KIDS)
		kids[nkids++] = pid;
	*gate = p[1];
	return pid;
}

static void reap(pid_t pid)
{
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	forget(pid);
}

static int read_file(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

/* "cpuset" line of /proc/PID/cgroup ends with want? */
static int in_cgroup(pid_t pid, const char *ctl, const char *want)
{
	char path[64], buf[4096], needle[256];

	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if (read_file(path, buf, sizeof(buf)) < 0)
		return 0;
	snprintf(needle, sizeof(needle), ":%s:%s\n", ctl, want);
	return strstr(buf, needle) != NULL;
}

static void status_field(pid_t pid, const char *field, char *out, size_t len)
{
	char path[64], buf[4096], *p;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	out[0] = '\0';
	if (read_file(path, buf, sizeof(buf)) < 0 || !(p = strstr(buf, field)))
		return;
	p += strlen(field);
	while (*p == ':' || *p == '\t' || *p == ' ')
		p++;
	snprintf(out, len, "%.*s", (int)strcspn(p, "\n"), p);
}

static int burn(int outfd)
{
	struct timespec ts;

	(void)outfd;
	do
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	while (ts.tv_sec == 0 && ts.tv_nsec < 300000000L);
	return 0;
}

/* Fork until refused; report how many forks worked and the errno. */
static int forker(int outfd)
{
	pid_t got[64];
	int n = 0, err = 0, res[2];

	while (n < 64) {
		pid_t p = fork();

		if (p == 0) {
			pause();
			_exit(0);
		}
		if (p < 0) {
			err = errno;
			break;
		}
		got[n++] = p;
	}
	res[0] = n;
	res[1] = err;
	if (write(outfd, res, sizeof(res)) < 0)
		return 1;
	for (int i = 0; i < n; i++) {
		kill(got[i], SIGKILL);
		waitpid(got[i], NULL, 0);
	}
	return 0;
}

/* ---- release loop ------------------------------------------------------ */

struct waiter {
	struct ev_loop *loop;
	struct grp_engine *e;
	int released;
	bool check_on_sigchld;
	pid_t child;
};

static void released_cb(struct grp_group *g, void *data)
{
	struct waiter *w = data;

	(void)g;
	w->released++;
	ev_break(w->loop, EVBREAK_ALL);
}

static void sigchld_cb(struct ev_loop *loop, ev_signal *s, int revents)
{
	struct waiter *w = s->data;
	pid_t p;

	(void)loop;
	(void)revents;
	while ((p = waitpid(-1, NULL, WNOHANG)) > 0)
		forget(p);
	if (w->check_on_sigchld)
		grp_engine_check(w->e);
}

static void timeout_cb(struct ev_loop *loop, ev_timer *t, int revents)
{
	(void)t;
	(void)revents;
	ev_break(loop, EVBREAK_ALL);
}

/* Kill the child, run the loop until the release callback or 15 s. */
static double wait_release(struct waiter *w)
{
	ev_signal sig;
	ev_timer to;
	struct timespec a, b;

	ev_signal_init(&sig, sigchld_cb, SIGCHLD);
	sig.data = w;
	ev_signal_start(w->loop, &sig);
	ev_timer_init(&to, timeout_cb, 15.0, 0);
	ev_timer_start(w->loop, &to);
	clock_gettime(CLOCK_MONOTONIC, &a);
	kill(w->child, SIGKILL);
	ev_run(w->loop, 0);
	clock_gettime(CLOCK_MONOTONIC, &b);
	ev_timer_stop(w->loop, &to);
	ev_signal_stop(w->loop, &sig);
	return (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
}

static int dir_exists(const char *base, const char *sub)
{
	char p[2 * PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", base, sub);
	return stat(p, &st) == 0;
}

/* ---- tests ------------------------------------------------------------- */

static struct grp_engine *open_engine(const char *sub, bool tracking)
{
	struct grp_config cfg = { 0 };

	grp_layout_parse("auto", &cfg.layout, NULL, 0);
	cfg.subtree = sub;
	cfg.no_tracking = !tracking;
	cfg.poll_interval = tracking ? 3600 : 0;
	return grp_engine_open(&cfg);
}

static bool has_tracking(struct grp_engine *e)
{
	for (unsigned i = 0; i < grp_engine_nhier(e); i++)
		if (grp_hier_is_tracking(grp_engine_hier(e, i)))
			return true;
	return false;
}

static const char *hier_of(struct grp_engine *e, enum grp_subsys_id id)
{
	struct grp_hier *h = grp_engine_subsys_hier(e, id);

	return h ? grp_hier_path(h) : NULL;
}

/* a status field by name, as every view finds it */
static const struct grp_value *stat_of(const struct grp_stats *st, const char *name)
{
	struct grp_stat_iter it = { 0, 0 };
	const struct grp_field *f;
	const struct grp_value *v;

	while (grp_stats_next(st, &it, &f, &v))
		if (!strcmp(f->name, name))
			return v;
	return NULL;
}

static void test_membership_and_limits(struct grp_engine *e)
{
	struct grp_group *g;
	struct grp_limits l;
	struct grp_stats st;
	char want[128], err[256], buf[256], eff[256], path[PATH_MAX + 64];
	int gate;
	pid_t child;
	bool have_cpuset = hier_of(e, GRP_SUBSYS_cpuset) != NULL;
	bool have_cpuacct = hier_of(e, GRP_SUBSYS_cpuacct) != NULL;
	bool have_numtasks = hier_of(e, GRP_SUBSYS_numtasks) != NULL;

	g = grp_group_open(e, "svc");
	if (!tap_ok(g != NULL, "group svc created"))
		return;
	child = spawn(&gate, NULL, -1);
	tap_ok(grp_group_attach(g, child) == 0, "child attached to every hierarchy");
	snprintf(want, sizeof(want), "/%s/svc", subtree);
	if (have_cpuset)
		tap_ok(in_cgroup(child, "cpuset", want), "child in cpuset %s", want);
	else
		tap_skip("no cpuset hierarchy", "child in cpuset");
	if (have_cpuacct)
		tap_ok(in_cgroup(child, "cpuacct", want) || in_cgroup(child, "cpu,cpuacct", want),
		       "child in cpuacct %s", want);
	else
		tap_skip("no cpuacct hierarchy", "child in cpuacct");
	if (have_numtasks)
		tap_ok(in_cgroup(child, "pids", want), "child in numtasks (pids) %s", want);
	else
		tap_skip("no pids hierarchy", "child in numtasks");
	if (has_tracking(e))
		tap_ok(in_cgroup(child, "", want), "child in the cgroup2 tracking tree");
	else
		tap_skip("no cgroup2 tree", "child in tracking tree");
	{
		pid_t pids[4];

		tap_ok(grp_group_procs(g, pids, 4) == 1 && pids[0] == child, "group lists the child");
	}

	if (have_cpuset) {
		uint64_t bits[64];
		int last = -1;

		snprintf(path, sizeof(path), "%s/cpuset.effective_cpus", hier_of(e, GRP_SUBSYS_cpuset));
		read_file(path, eff, sizeof(eff));
		grp_cpulist_parse(eff, bits, 4096);
		for (int i = 0; i < 4096; i++)
			if (bits[i / 64] & (1ULL << (i % 64)))
				last = i;
		grp_limits_init(&l);
		snprintf(want, sizeof(want), "%d", last);
		grp_limits_set(&l, "cpuset.cpus", want, err, sizeof(err));
		tap_ok(grp_group_set_limits(g, &l, err, sizeof(err)) == 0, "cpuset.cpus=%d: %s", last, err);
		status_field(child, "Cpus_allowed_list", buf, sizeof(buf));
		tap_is_str(buf, want, "child's Cpus_allowed_list follows cpuset.cpus");
		snprintf(buf, sizeof(buf), "%d", last + 1);
		grp_limits_set(&l, "cpuset.cpus", buf, err, sizeof(err));
		tap_ok(grp_group_set_limits(g, &l, err, sizeof(err)) < 0 && strstr(err, "subset"),
		       "cpu outside the parent's set refused (%s)", err);
		grp_limits_free(&l);
		grp_group_stats(g, &st);
		tap_is_str(stat_of(&st, "cpus") ? stat_of(&st, "cpus")->text : "", want,
			   "stats report effective cpus");
		snprintf(path, sizeof(path), "%s/svc/notify_on_release", hier_of(e, GRP_SUBSYS_cpuset));
		read_file(path, buf, sizeof(buf));
		tap_is_str(buf, "0\n", "kernel notify_on_release left at 0");
	} else {
		tap_skip("no cpuset hierarchy", "cpuset limits");
	}
	reap(child);
	close(gate);
	grp_group_put(g);
	(void)have_cpuacct;
	(void)have_numtasks;
}

static void test_numtasks(struct grp_engine *e)
{
	struct grp_group *g;
	struct grp_limits l;
	struct grp_stats st;
	char err[256];
	int gate, out[2], res[2] = { -1, -1 };
	pid_t child;

	if (!hier_of(e, GRP_SUBSYS_numtasks)) {
		tap_skip("no pids hierarchy", "numtasks.max limits forks");
		return;
	}
	g = grp_group_open(e, "forker");
	grp_limits_init(&l);
	grp_limits_set(&l, "numtasks.max", "4", err, sizeof(err));
	tap_ok(g && grp_group_set_limits(g, &l, err, sizeof(err)) == 0, "numtasks.max=4: %s", err);
	grp_limits_free(&l);
	if (!g || pipe(out) < 0)
		return;
	child = spawn(&gate, forker, out[1]);
	close(out[1]);
	tap_ok(grp_group_attach(g, child) == 0, "forker attached");
	close(gate);
	if (read(out[0], res, sizeof(res)) != sizeof(res))
		res[0] = -1;
	close(out[0]);
	tap_is_int(res[1], EAGAIN, "fork beyond numtasks.max fails with EAGAIN");
	tap_is_int(res[0], 3, "exactly max-1 children could be forked");
	grp_group_stats(g, &st);
	tap_ok(stat_of(&st, "fork_failures") && stat_of(&st, "fork_failures")->n >= 1,
	       "fork failure counted (%llu)",
	       stat_of(&st, "fork_failures") ? (unsigned long long)stat_of(&st, "fork_failures")->n : 0ULL);
	tap_ok(stat_of(&st, "numtasks_max") && stat_of(&st, "numtasks_max")->n == 4,
	       "stats report numtasks.max");
	waitpid(child, NULL, 0);
	forget(child);
	grp_group_put(g);
}

static void test_cpuacct(struct grp_engine *e)
{
	struct grp_group *g;
	struct grp_stats before, after;
	int gate;
	pid_t child;

	if (!hier_of(e, GRP_SUBSYS_cpuacct)) {
		tap_skip("no cpuacct hierarchy", "cpuacct usage grows");
		return;
	}
	g = grp_group_open(e, "burner");
	if (!g)
		return;
	child = spawn(&gate, burn, -1);
	grp_group_attach(g, child);
	grp_group_stats(g, &before);
	close(gate);
	waitpid(child, NULL, 0);
	forget(child);
	grp_group_stats(g, &after);
	{
		const struct grp_value *b = stat_of(&before, "cpu_usage_ns");
		const struct grp_value *a = stat_of(&after, "cpu_usage_ns");
		const struct grp_value *u = stat_of(&after, "cpu_user_ms");

		tap_ok(a && b && a->n >= b->n + 250000000ULL,
		       "cpuacct usage grew by the child's 300 ms of CPU (%llu -> %llu ns)",
		       b ? (unsigned long long)b->n : 0ULL, a ? (unsigned long long)a->n : 0ULL);
		tap_ok(u && u->n > 0, "user time reported (%llu ms)", u ? (unsigned long long)u->n : 0ULL);
	}
	grp_group_put(g);
}

/* Release: event-driven (no SIGCHLD check, timer at an hour) and polled. */
/* Event-driven release costs O(1) checks: with 100 other groups waiting
 * for release, the last task of one group exiting checks that group (and
 * its parent), not all of them. */
static void test_release_cost(struct grp_engine *e, struct waiter *w)
{
	struct grp_group *others[100], *g;
	unsigned long before;
	int gate;
	char name[32];

	for (unsigned i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "other%u", i);
		others[i] = grp_group_open(e, name);
		/* armed, but never releasable: each counts when checked */
		grp_group_pin(others[i]);
		grp_group_set_release(others[i], true, released_cb, w);
	}
	g = grp_group_open(e, "cost");
	w->child = spawn(&gate, NULL, -1);
	grp_group_attach(g, w->child);
	grp_group_set_release(g, true, released_cb, w);
	w->released = 0;
	w->check_on_sigchld = false;
	before = grp_engine_nchecks(e);
	wait_release(w);
	tap_is_int(w->released, 1, "event-driven: the group is released with 100 others armed");
	tap_ok(grp_engine_nchecks(e) - before <= 4,
	       "event-driven: its release took %lu emptiness checks, not one per group (100 others)",
	       grp_engine_nchecks(e) - before);
	grp_group_put(g);
	for (unsigned i = 0; i < 100; i++) {
		grp_group_unpin(others[i]);
		grp_group_put(others[i]);
	}
	close(gate);
}

static void test_release(const char *sub, bool tracking)
{
	struct grp_engine *e = open_engine(sub, tracking);
	struct waiter w = { 0 };
	struct grp_group *g, *child_g;
	char paths[GRP_HIER_MAX][PATH_MAX];
	unsigned n;
	int gate, gone = 0;
	double took;
	const char *how = tracking ? "event-driven" : "polled";

	if (!tap_ok(e != NULL, "%s engine opened", how))
		return;
	w.loop = ev_loop_new(EVFLAG_AUTO);
	w.e = e;
	/* an hour: in the event-driven run the fallback timer cannot be
	 * what notices the release */
	grp_engine_start(e, w.loop);
	if (tracking && !grp_engine_event_driven(e)) {
		tap_skip("no cgroup2 tree for events", "event-driven release");
		grp_engine_close(e, true);
		ev_loop_destroy(w.loop);
		return;
	}
	w.check_on_sigchld = !tracking;
	g = grp_group_open(e, "rel");
	child_g = grp_group_open(e, "rel/inner");
	n = grp_engine_nhier(e);
	for (unsigned i = 0; i < n; i++)
		snprintf(paths[i], PATH_MAX, "%s", grp_hier_path(grp_engine_hier(e, i)));
	w.child = spawn(&gate, NULL, -1);
	grp_group_attach(child_g, w.child);
	grp_group_set_release(g, true, released_cb, &w);
	grp_group_set_release(child_g, true, released_cb, &w);
	grp_engine_check(e);
	tap_is_int(w.released, 0, "%s: nothing released while the task lives", how);
	took = wait_release(&w);
	if (w.released < 2)	/* parent follows child in the same check */
		wait_release(&w);
	tap_is_int(w.released, 2, "%s: inner and outer group released after the last task exits", how);
	tap_diag("%s release took %.3f s", how, took);
	for (unsigned i = 0; i < n; i++)
		gone += !dir_exists(paths[i], "rel");
	tap_is_int(gone, n, "%s: containers removed in all %u hierarchies", how, n);
	tap_is_int(grp_engine_event_driven(e), tracking, "%s: engine reports how it detects release", how);
	grp_group_put(child_g);
	grp_group_put(g);
	if (tracking)
		test_release_cost(e, &w);
	grp_engine_close(e, true);
	ev_loop_destroy(w.loop);
	close(gate);
}

/* cancel_attach: one hierarchy refuses, the task returns where it was. */
static void test_rollback(struct grp_engine *e)
{
	struct grp_group *g;
	struct grp_hier *pids_h = grp_engine_subsys_hier(e, GRP_SUBSYS_numtasks);
	char path[PATH_MAX + 64], before[4096], after[4096], procf[64];
	int gate;
	pid_t child;

	if (!pids_h || !hier_of(e, GRP_SUBSYS_cpuset)) {
		tap_skip("needs cpuset and pids hierarchies", "attach rollback");
		return;
	}
	g = grp_group_open(e, "half");
	child = spawn(&gate, NULL, -1);
	snprintf(procf, sizeof(procf), "/proc/%d/cgroup", (int)child);
	read_file(procf, before, sizeof(before));
	/* remove the pids container behind the engine's back */
	snprintf(path, sizeof(path), "%s/half", grp_hier_path(pids_h));
	tap_ok(rmdir(path) == 0, "pids container removed behind the engine's back");
	tap_ok(grp_group_attach(g, child) < 0, "attach fails when one hierarchy refuses");
	read_file(procf, after, sizeof(after));
	tap_is_str(after, before, "task moved back into its original cgroups");
	reap(child);
	close(gate);
	grp_group_put(g);
}

/* PID 1 mode in a private mount namespace: mount everything ourselves. */
static void test_mount_mode(void)
{
	int p[2];
	pid_t pid;
	int res[4] = { -1, -1, -1, -1 };

	if (pipe(p) < 0)
		return;
	pid = fork();
	if (pid == 0) {
		struct grp_config cfg = { 0 };
		struct grp_engine *e;
		char sub[80];

		close(p[0]);
		res[0] = unshare(CLONE_NEWNS) == 0 &&
			 mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0 &&
			 umount2("/sys/fs/cgroup", MNT_DETACH) == 0;
		if (res[0]) {
			snprintf(sub, sizeof(sub), "%s-mnt", subtree);
			grp_layout_parse("v1", &cfg.layout, NULL, 0);
			cfg.subtree = sub;
			cfg.mount = true;
			e = grp_engine_open(&cfg);
			res[1] = e != NULL;
			if (e) {
				struct grp_group *g = grp_group_open(e, "svc");
				char buf[PATH_MAX + 64];
				struct stat st;

				res[2] = grp_engine_nhier(e);
				snprintf(buf, sizeof(buf), "/sys/fs/cgroup/pids/%s/svc", sub);
				res[3] = g && stat(buf, &st) == 0;
				grp_group_put(g);
				grp_engine_close(e, true);
			}
		}
		if (write(p[1], res, sizeof(res)) < 0)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], res, sizeof(res)) != sizeof(res))
		res[0] = -1;
	close(p[0]);
	waitpid(pid, NULL, 0);
	if (res[0] != 1) {
		tap_skip("cannot make a private mount namespace", "mount mode");
		return;
	}
	tap_ok(res[1] == 1, "mount mode: engine mounted tmpfs, v1 hierarchies and cgroup2");
	tap_is_int(res[2], GRP_SUBSYS_COUNT + 1, "mount mode: a hierarchy per subsystem and the tracking tree");
	tap_ok(res[3] == 1, "mount mode: group created under the mounted hierarchies");
}

int main(void)
{
	struct grp_engine *e;
	char ra_before[PATH_MAX] = "", ra_after[PATH_MAX] = "";
	const char *cs;

	self = getpid();
	snprintf(subtree, sizeof(subtree), "corral-test-%d", (int)self);
	log_set_level(getenv("CORRAL_TEST_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_ERROR);
	if (geteuid() != 0)
		return tap_skip_all("needs root for cgroups");
	atexit(cleanup);
	signal(SIGTERM, on_fatal);
	signal(SIGINT, on_fatal);
	signal(SIGABRT, on_fatal);
	signal(SIGSEGV, on_fatal);

	e = open_engine(subtree, true);
	if (!e)
		return tap_skip_all("no usable cgroup hierarchy on this machine");
	tap_ok(1, "engine opened on %s (%u hierarchies, %s)",
	       grp_engine_kind(e) == GRP_LAYOUT_V1 ? "cgroup v1" : "cgroup v2",
	       grp_engine_nhier(e), has_tracking(e) ? "with a cgroup2 tracking tree" : "no tracking tree");
	cs = hier_of(e, GRP_SUBSYS_cpuset);
	if (cs) {
		char p[PATH_MAX];

		snprintf(p, sizeof(p), "%s/../release_agent", cs);
		read_file(p, ra_before, sizeof(ra_before));
	}
	test_membership_and_limits(e);
	test_numtasks(e);
	test_cpuacct(e);
	test_rollback(e);
	grp_engine_close(e, true);
	test_release(subtree, true);
	{
		char sub[80];

		snprintf(sub, sizeof(sub), "%s-poll", subtree);
		test_release(sub, false);
	}
	test_mount_mode();
	if (cs) {
		char p[PATH_MAX];

		snprintf(p, sizeof(p), "/sys/fs/cgroup/cpuset/release_agent");
		read_file(p, ra_after, sizeof(ra_after));
		tap_is_str(ra_after, ra_before, "kernel release_agent untouched");
	}
	tap_is_int(leftovers(), 0, "nothing left behind in any hierarchy");
	return tap_done();
}
