/*
 * tests/unit/test_state.c - the real supervisor/state.o driven by events,
 * with small fakes of everything it calls: the clock and timers
 * (timer.c), fork/exec (spawn.c), the grouping engine and logging.
 *
 * Each check names the transition it covers, "state + event [detail] ->
 * state".  The fakes model what the real pieces guarantee: a spawned
 * child joins its group; the exec-status pipe says EOF or a stage record;
 * the engine reports a group released only when it has no member left.
 */
#include "../../supervisor/internal.h"
#include "../../lib/log.h"
#include "tap.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#define EXITED(c) (((c) & 0xff) << 8)
#define KILLED(sig) (sig)

/* ---- fakes: logging ------------------------------------------------------ */

static char logbuf[1 << 20];
static size_t loglen;

void log_vmsg(enum log_level lvl, const char *fmt, va_list ap)
{
	int n;

	(void)lvl;
	if (loglen + 512 >= sizeof(logbuf))
		loglen = 0;
	n = vsnprintf(logbuf + loglen, sizeof(logbuf) - loglen - 1, fmt, ap);
	if (n > 0)
		loglen += (size_t)n < sizeof(logbuf) - loglen - 2 ? (size_t)n : sizeof(logbuf) - loglen - 2;
	logbuf[loglen++] = '\n';
	logbuf[loglen] = '\0';
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(lvl, fmt, ap);
	va_end(ap);
}

void log_sys(enum log_level lvl, const char *verb, const char *path)
{
	log_msg(lvl, "unable to %s %s: %s", verb, path, strerror(errno));
}

static bool logged(const char *s)
{
	return strstr(logbuf, s) != NULL;
}

/* ---- fakes: clock and timers --------------------------------------------- */

#define MAXS 512
static double now = 1000;
static double deadline[MAXS];	/* < 0: not armed */

double svc_now(void) { return now; }
double svc_mono(void) { return now; }
void svc_timer_init(struct service *s) { deadline[s->idx] = -1; }
void svc_timer_arm(struct service *s, double after) { deadline[s->idx] = now + after; }
void svc_timer_stop(struct service *s) { deadline[s->idx] = -1; }

/* ---- fakes: the grouping engine ------------------------------------------ */

struct grp_group {
	char path[GRP_PATH_MAX];
	int refs;
	int members;		/* tasks in the group */
	bool armed;		/* release notification pending */
	bool auto_delete;	/* the release removes the directories */
	int removed;		/* releases that removed them */
	grp_release_fn cb;
	char cpus[GRP_LIST_MAX];/* limits written */
	bool dies_on_term;	/* every task exits at SIGTERM, at once */
	int kills[NSIG];
};

static struct grp_group groups[MAXS];
static unsigned ngroups;
static char opened[8192];	/* "path;" in the order limits were written */

static struct grp_group *group_by_path(const char *path)
{
	for (unsigned i = 0; i < ngroups; i++)
		if (!strcmp(groups[i].path, path))
			return &groups[i];
	return NULL;
}

struct grp_group *grp_group_open(struct grp_engine *e, const char *path)
{
	struct grp_group *g = group_by_path(path);

	(void)e;
	if (!g) {
		g = &groups[ngroups++];
		memset(g, 0, sizeof(*g));
		snprintf(g->path, sizeof(g->path), "%s", path);
	}
	g->refs++;
	return g;
}

void grp_group_put(struct grp_group *g)
{
	if (g)
		g->refs--;
}

/* the last user of an empty group removes it: its path is gone */
void grp_group_discard(struct grp_group *g)
{
	if (g && --g->refs == 0 && g->members == 0)
		g->path[0] = '\0';
}

static unsigned cpumask(const char *s)
{
	unsigned m = 0;

	if (!strcmp(s, "0-1"))
		return 3;
	for (; *s; s++)
		if (*s >= '0' && *s <= '9')
			m |= 1u << (*s - '0');
	return m;
}

/* like the kernel: a child's cpus must lie within its parent's */
int grp_group_set_limits(struct grp_group *g, const struct grp_limits *l, char *err, size_t len)
{
	const char *slash = strrchr(g->path, '/');
	const char *cpus = grp_limits_get(l, "cpuset.cpus");

	if (cpus && slash) {
		char parent[GRP_PATH_MAX];
		struct grp_group *p;

		snprintf(parent, sizeof(parent), "%.*s", (int)(slash - g->path), g->path);
		p = group_by_path(parent);
		if (p && *p->cpus && (cpumask(cpus) & ~cpumask(p->cpus))) {
			snprintf(err, len, "cpuset.cpus: '%s' is not a subset of the parent's %s",
				 cpus, p->cpus);
			errno = EINVAL;
			return -1;
		}
	}
	if (cpus) {
		/* a parent's cpus cannot shrink below what a child uses */
		for (unsigned i = 0; i < ngroups; i++) {
			size_t n = strlen(g->path);

			if (*groups[i].path && !strncmp(groups[i].path, g->path, n) &&
			    groups[i].path[n] == '/' &&
			    *groups[i].cpus && (cpumask(groups[i].cpus) & ~cpumask(cpus))) {
				snprintf(err, len, "writing cpuset.cpus: Device or resource busy");
				errno = EBUSY;
				return -1;
			}
		}
		snprintf(g->cpus, sizeof(g->cpus), "%s", cpus);
	}
	strncat(opened, g->path, sizeof(opened) - strlen(opened) - 2);
	strcat(opened, ";");
	return 0;
}

void grp_group_set_release(struct grp_group *g, bool auto_delete, grp_release_fn cb, void *data)
{
	(void)data;
	g->auto_delete = auto_delete;
	g->cb = cb;
	g->armed = cb != NULL;
}

int grp_group_prepare(struct grp_group *g)
{
	g->armed = g->cb != NULL;
	return 0;
}

bool grp_group_empty(struct grp_group *g)
{
	return g->members == 0;
}

int grp_group_kill(struct grp_group *g, int sig)
{
	int n = g->members;

	g->kills[sig]++;
	if (sig == SIGTERM && g->dies_on_term)
		g->members = 0;	/* the main pid is reaped later, by the loop */
	return n;
}

int grp_group_procs(struct grp_group *g, pid_t *pids, size_t max)
{
	for (int i = 0; i < g->members && (size_t)i < max; i++)
		pids[i] = 50000 + i;
	return g->members;
}

static bool from_loop;		/* grp_engine_check called by the "loop" */
static unsigned recursions;	/* states changed inside a handler's call */

static unsigned state_sum(void)
{
	unsigned sum = 0;

	for (unsigned i = 0; i < sup.nsvcs; i++)
		sum = sum * 31 + sup.svcs[i]->state;
	return sum;
}

/* The engine tells every armed group that has emptied, once.  Called from
 * a handler (begin_stop), the callback must only queue: no state may
 * change before the handler is over. */
void grp_engine_check(struct grp_engine *e)
{
	(void)e;
	for (unsigned i = 0; i < ngroups; i++)
		if (groups[i].armed && groups[i].members == 0) {
			unsigned before = state_sum();

			groups[i].armed = false;
			groups[i].removed += groups[i].auto_delete;
			groups[i].cb(&groups[i], NULL);
			if (!from_loop && state_sum() != before)
				recursions++;
		}
}

void grp_group_check(struct grp_group *g)
{
	(void)g;
	grp_engine_check(NULL);
}

static void loop_engine_check(void)
{
	from_loop = true;
	grp_engine_check(NULL);
	from_loop = false;
}

/* ---- fakes: spawn and the exec-status pipe -------------------------------- */

static pid_t next_pid = 100;
static int spawn_rc[MAXS];		/* 0 fork ok, -1 fork fails, -2 no user */
static int exec_fail_stage[MAXS];	/* child reports this stage, 0 = exec ok */
static unsigned spawned[MAXS];
static char spawn_order[8192];		/* "name;" in fork order */

int svc_spawn(struct service *s)
{
	if (spawn_rc[s->idx])
		return spawn_rc[s->idx];
	s->pid = next_pid++;
	s->exec_fd = 1000 + (int)s->idx;	/* "open" until collected */
	s->grp->members++;			/* the child attaches itself */
	spawned[s->idx]++;
	strncat(spawn_order, s->def.name, sizeof(spawn_order) - strlen(spawn_order) - 2);
	strcat(spawn_order, ";");
	return 0;
}

void svc_exec_collect(struct service *s)
{
	if (s->exec_fd < 0)
		return;
	s->exec_fd = -1;
	if (exec_fail_stage[s->idx]) {
		s->fail_stage = (enum svc_exec_stage)exec_fail_stage[s->idx];
		s->fail_errno = ENOENT;
		svc_dispatch(s, SVC_EV_EXEC_FAIL);
	} else {
		svc_dispatch(s, SVC_EV_EXEC_OK);
	}
}

/* Control commands (ExecStartPre= ...): forked into the group like the
 * main process; ctl_order records "name kind argv0;" in run order. */
static int ctl_rc[MAXS];		/* svc_spawn_ctl() returns this, 0 forks */
static char ctl_order[8192];
static unsigned ctl_kills[MAXS];
static char ctl_env_mainpid[MAXS][16];	/* $MAINPID it would get */

int svc_spawn_ctl(struct service *s, const struct svc_cmd *c)
{
	char rec[256];

	snprintf(rec, sizeof(rec), "%s %s %s;", s->def.name, svc_cmd_kind_name(s->ctl_kind),
		 c->argv[0]);
	strncat(ctl_order, rec, sizeof(ctl_order) - strlen(ctl_order) - 1);
	if (ctl_rc[s->idx])
		return ctl_rc[s->idx];
	snprintf(ctl_env_mainpid[s->idx], sizeof(ctl_env_mainpid[0]), "%d", (int)s->pid);
	s->ctl_pid = next_pid++;
	s->grp->members++;
	return 0;
}

void svc_ctl_collect(struct service *s) { (void)s; }
void svc_ctl_kill(struct service *s, int sig) { (void)sig; ctl_kills[s->idx]++; }

/* ---- fakes: what a dropped service closes ---------------------------------- */

static unsigned outputs_closed, notify_dropped;

void svc_output_close(struct service *s) { (void)s; outputs_closed++; }
void grp_group_unpin(struct grp_group *g) { (void)g; }
void svc_output_free(struct service *s) { (void)s; }
void svc_output_state(struct service *s, enum svc_state st) { (void)s; (void)st; }
void svc_notify_drop(struct service *s) { (void)s; notify_dropped++; }

/* ---- harness ---------------------------------------------------------------- */

static void reset(void)
{
	for (unsigned i = 0; i < sup.nsvcs; i++) {
		free(sup.svcs[i]->deps);
		free(sup.svcs[i]->rdeps);
		free(sup.svcs[i]->detail);
		if (sup.svcs[i]->pending) {
			svc_def_free(sup.svcs[i]->pending);
			free(sup.svcs[i]->pending);
		}
		svc_def_free(&sup.svcs[i]->def);
		free(sup.svcs[i]);
	}
	free(sup.svcs);
	memset(&sup, 0, sizeof(sup));
	sup.ctl_fd = -1;
	ngroups = 0;
	outputs_closed = notify_dropped = 0;
	opened[0] = spawn_order[0] = '\0';
	memset(spawn_rc, 0, sizeof(spawn_rc));
	memset(exec_fail_stage, 0, sizeof(exec_fail_stage));
	memset(spawned, 0, sizeof(spawned));
	memset(ctl_rc, 0, sizeof(ctl_rc));
	memset(ctl_kills, 0, sizeof(ctl_kills));
	ctl_order[0] = '\0';
	loglen = 0;
	logbuf[0] = '\0';
	now += 1000;
}

static struct service *add(const char *name, const char *text)
{
	struct svc_def def;
	char err[600];

	if (svc_load_string(name, text, &def, err, sizeof(err)) < 0) {
		tap_diag("cannot load %s: %s", name, err);
		exit(2);
	}
	if (sup_add(&def) < 0)
		exit(2);
	return svc_find(name);
}

#define SIMPLE "[Service]\nExecStart=/bin/true\n"

static const char *st(const struct service *s)
{
	return svc_state_name(s->state);
}

/* exec-status pipe EOF (the exec happened) reaches the loop */
static void eof(struct service *s)
{
	svc_exec_collect(s);
}

/* the main process dies and is reaped (the exec pipe is read inside);
 * then the engine checks groups, as init/main.c does after SIGCHLD */
static void reap(struct service *s, int status)
{
	s->grp->members--;
	from_loop = true;	/* sup_child_exited() is called by the loop */
	sup_child_exited(s->pid, status);
	from_loop = false;
	loop_engine_check();
}

/* the control command exits and is reaped, as reap() for the main one */
static void reap_ctl(struct service *s, int status)
{
	if (s->ctl_pid <= 0) {
		tap_diag("%s: no control command runs", s->def.name);
		return;
	}
	s->grp->members--;
	from_loop = true;
	sup_child_exited(s->ctl_pid, status);
	from_loop = false;
	loop_engine_check();
}

static bool armed(const struct service *s)
{
	return deadline[s->idx] >= 0;
}

static void fire(struct service *s)
{
	if (!armed(s)) {
		tap_diag("%s: no timer armed", s->def.name);
		return;
	}
	now = deadline[s->idx];
	deadline[s->idx] = -1;
	svc_dispatch(s, SVC_EV_TIMER);
}

/* leftover processes of a group exit; the engine notices */
static void drain_group(struct service *s)
{
	s->grp->members = 0;
	loop_engine_check();
}

static void start(struct service *s) { svc_dispatch(s, SVC_EV_START); }
static void stop(struct service *s) { svc_dispatch(s, SVC_EV_STOP); }
static void restart(struct service *s) { svc_dispatch(s, SVC_EV_RESTART); }

/* bring a simple service to RUNNING */
static struct service *running(const char *name, const char *text)
{
	struct service *s = add(name, text);

	sup_start_all();
	eof(s);
	return s;
}

#define CHECK(s, want, ...) tap_is_str(st(s), want, __VA_ARGS__)

/* ---- every cell of the table --------------------------------------------- */

static void test_down(void)
{
	struct service *s;

	reset();
	s = add("a", SIMPLE);
	sup_link();
	start(s);
	CHECK(s, "starting", "down + START [simple, no deps] -> starting");
	reset();
	s = add("a", SIMPLE);
	sup_link();
	restart(s);
	CHECK(s, "starting", "down + RESTART -> starting");
	reset();
	s = add("a", SIMPLE);
	sup_link();
	stop(s);
	tap_ok(s->state == SVC_DOWN && s->want == SVC_WANT_DOWN, "down + STOP -> down, wanted down");
}

static void test_waiting(void)
{
	struct service *a, *b;

	reset();
	a = add("a", "[Unit]\nRequires=b\n" SIMPLE);
	b = add("b", "[Service]\nType=notify\nExecStart=/bin/true\n");
	sup_start_all();
	CHECK(a, "waiting", "down + START [Requires= unit not running] -> waiting");
	CHECK(b, "starting", "the required unit is started too");
	eof(b);
	svc_dispatch(b, SVC_EV_READY);
	CHECK(a, "starting", "waiting + DEPS [required unit running] -> starting");

	reset();
	a = add("a", "[Unit]\nRequires=b\n" SIMPLE);
	b = add("b", "[Service]\nType=notify\nExecStart=/bin/true\n");
	sup_start_all();
	restart(a);
	tap_ok(a->state == SVC_WAITING && spawned[a->idx] == 0, "waiting + RESTART -> waiting (ignored: it starts when it can)");
	stop(a);
	tap_ok(a->state == SVC_DOWN && a->reason == SVC_REASON_USER, "waiting + STOP -> down (stopped)");

	reset();
	a = add("a", "[Unit]\nRequires=b\n" SIMPLE);
	b = add("b", "[Service]\nType=notify\nExecStart=/bin/true\n");
	sup_start_all();
	stop(b);
	CHECK(a, "down", "waiting + DEPS [required unit wanted down] -> down");
	tap_ok(logged("a: not starting, it requires b"), "  and says why");

	reset();
	a = add("a", "[Unit]\nRequires=b\n" SIMPLE);
	b = add("b", "[Service]\nType=notify\nExecStart=/bin/true\n");
	sup_start_all();
	eof(b);
	reap(b, EXITED(1));
	CHECK(b, "failed", "required unit: starting + EXIT(1) -> failed");
	CHECK(a, "failed", "waiting + DEPS [required unit failed] -> failed");
	tap_ok(a->reason == SVC_REASON_DEPENDENCY && a->detail &&
	       strstr(a->detail, "requires b, which failed"), "  reason: requires b, which failed");
}

static void test_starting(void)
{
	struct service *s;

	/* EXEC_OK per type */
	reset();
	s = add("a", SIMPLE);
	sup_start_all();
	eof(s);
	CHECK(s, "running", "starting + EXEC_OK [simple] -> running");
	reset();
	s = add("a", "[Service]\nType=notify\nExecStart=/bin/true\n");
	sup_start_all();
	eof(s);
	CHECK(s, "starting", "starting + EXEC_OK [notify] -> starting (waits for READY=1)");
	svc_dispatch(s, SVC_EV_READY);
	CHECK(s, "running", "starting + READY [notify] -> running");
	tap_ok(!armed(s), "  the start timeout is disarmed");
	tap_ok(s->nhist == 2 && s->hist[0].st == SVC_STARTING && s->hist[1].st == SVC_RUNNING &&
	       s->start_requested > 0, "  transitions recorded: starting, running");
	reset();
	s = add("a", "[Service]\nType=simple\nExecStart=/bin/true\n");
	sup_start_all();
	svc_dispatch(s, SVC_EV_READY);
	CHECK(s, "starting", "starting + READY [simple] -> starting (ignored)");

	/* EXEC_FAIL then EXIT(127) */
	reset();
	s = add("a", "[Service]\nExecStart=/nonexistent\nRestart=always\n");
	exec_fail_stage[s->idx] = SVC_STAGE_EXEC;
	sup_start_all();
	eof(s);
	CHECK(s, "starting", "starting + EXEC_FAIL -> starting (logged, the exit decides)");
	tap_ok(logged("a: cannot start /nonexistent: stage exec"), "  exec failure logged with its stage");
	reap(s, EXITED(127));
	CHECK(s, "backoff", "starting + EXIT(127) [exec failed, Restart=always] -> backoff");

	reset();
	s = add("a", "[Service]\nExecStart=/nonexistent\n");
	exec_fail_stage[s->idx] = SVC_STAGE_EXEC;
	sup_start_all();
	reap(s, EXITED(127));
	tap_ok(s->state == SVC_FAILED && s->reason == SVC_REASON_EXEC,
	       "starting + EXIT(127) [exec failed, SIGCHLD first] -> failed (exec failed)");

	/* TIMER: start timeout */
	reset();
	s = add("a", "[Service]\nType=notify\nExecStart=/bin/true\nTimeoutStartSec=5\n");
	sup_start_all();
	eof(s);
	fire(s);
	CHECK(s, "stopping", "starting + TIMER [notify, no READY=1] -> stopping");
	tap_ok(s->grp->kills[SIGTERM] == 1, "  the group got SIGTERM");
	reap(s, KILLED(SIGTERM));
	tap_ok(s->state == SVC_FAILED && s->reason == SVC_REASON_START_TIMEOUT,
	       "stopping + RELEASED [after start timeout] -> failed (start timeout)");

	/* STOP, RESTART, DEPS */
	reset();
	s = add("a", "[Service]\nType=notify\nExecStart=/bin/true\n");
	sup_start_all();
	stop(s);
	CHECK(s, "stopping", "starting + STOP -> stopping");
	reap(s, KILLED(SIGTERM));
	tap_ok(s->state == SVC_DOWN && s->reason == SVC_REASON_USER, "stopping + RELEASED [stop] -> down");

	reset();
	s = add("a", "[Service]\nType=notify\nExecStart=/bin/true\n");
	sup_start_all();
	restart(s);
	CHECK(s, "stopping", "starting + RESTART -> stopping");
	reap(s, KILLED(SIGTERM));
	CHECK(s, "starting", "stopping + RELEASED [restart] -> starting");
	tap_is_int(spawned[s->idx], 2, "  forked again");

	reset();
	struct service *b = add("b", "[Service]\nType=notify\nExecStart=/bin/true\n");
	s = add("a", "[Unit]\nRequires=b\nAfter=b\n[Service]\nType=notify\nExecStart=/bin/true\n");
	sup_start_all();
	svc_dispatch(b, SVC_EV_READY);
	CHECK(s, "starting", "dependent starting once b is ready");
	stop(b);
	CHECK(s, "stopping", "starting + DEPS [required unit wanted down] -> stopping");
	CHECK(b, "running", "  b waits for its dependent");
	reap(s, KILLED(SIGTERM));
	CHECK(b, "stopping", "  then b stops");
	reap(b, KILLED(SIGTERM));
	tap_ok(s->state == SVC_DOWN && b->state == SVC_DOWN, "  both down");
}

static void test_running(void)
{
	struct service *s;

	reset();
	s = running("a", SIMPLE);
	stop(s);
	CHECK(s, "stopping", "running + STOP -> stopping");
	tap_ok(s->grp->kills[SIGTERM] == 1 && s->grp->kills[SIGCONT] == 1, "  group got SIGTERM and SIGCONT");
	tap_ok(armed(s), "  stop timeout armed");

	reset();
	s = running("a", SIMPLE);
	s->grp->dies_on_term = true;
	stop(s);
	tap_ok(s->state == SVC_DOWN && s->grp->kills[SIGTERM] == 1,
	       "running + STOP [group empties at SIGTERM] -> stopping -> down, via the engine's check");

	reset();
	s = running("a", SIMPLE);
	restart(s);
	CHECK(s, "stopping", "running + RESTART -> stopping");
	reap(s, KILLED(SIGTERM));
	CHECK(s, "starting", "stopping + RELEASED [restart] -> starting");
	tap_is_int(s->restarts, 0, "  an explicit restart is not an automatic one");

	reset();
	struct service *b = running("b", SIMPLE);
	s = add("a", "[Unit]\nRequires=b\n" SIMPLE);
	sup_link();
	start(s);
	eof(s);
	CHECK(s, "running", "a requires b: running");
	stop(b);
	tap_ok(s->state == SVC_STOPPING && b->state == SVC_RUNNING && logged("a: stopping, it requires b"),
	       "running + DEPS [required unit wanted down] -> stopping, before b");

	reset();
	s = running("a", SIMPLE);
	reap(s, EXITED(3));
	tap_ok(s->state == SVC_FAILED && s->reason == SVC_REASON_EXIT,
	       "running + EXIT(3) [Restart=no] -> stopping -> failed (exited)");

	/* a forking daemon with an unknown main pid: its group empties */
	reset();
	s = add("a", "[Service]\nType=forking\nExecStart=/usr/sbin/d\n");
	sup_start_all();
	s->grp->members++;	/* the daemon and the starter */
	s->grp->members++;
	reap(s, EXITED(0));
	CHECK(s, "running", "starting + EXIT(0) [forking, group not empty] -> running");
	tap_is_int(s->pid, 0, "  main pid unknown (two tasks left)");
	s->grp->members = 0;
	svc_dispatch(s, SVC_EV_RELEASED);
	CHECK(s, "failed", "running + RELEASED [forking, no main pid] -> failed");

	reset();
	s = add("a", "[Service]\nType=forking\nExecStart=/usr/sbin/d\n");
	sup_start_all();
	s->grp->members++;	/* one daemon left after the starter */
	reap(s, EXITED(0));
	tap_ok(s->state == SVC_RUNNING && s->pid == 50000, "starting + EXIT(0) [forking, one task left] -> running, main pid found");
	svc_dispatch(s, SVC_EV_RELEASED);
	CHECK(s, "running", "running + RELEASED [main pid known] -> running (its EXIT decides)");

	reset();
	s = add("a", "[Service]\nType=forking\nExecStart=/usr/sbin/d\n");
	sup_start_all();
	reap(s, EXITED(0));
	CHECK(s, "failed", "starting + EXIT(0) [forking, group empty] -> failed (daemon vanished)");
}

static void test_stopping(void)
{
	struct service *s;

	reset();
	s = running("a", SIMPLE);
	s->grp->members++;	/* a straggler */
	stop(s);
	reap(s, KILLED(SIGTERM));
	CHECK(s, "stopping", "stopping + EXIT [group not empty] -> stopping");
	fire(s);
	tap_ok(s->state == SVC_STOPPING && s->grp->kills[SIGKILL] == 1 && logged("sending SIGKILL"),
	       "stopping + TIMER -> stopping, SIGKILL sent");
	fire(s);
	tap_ok(s->grp->kills[SIGKILL] == 2 && logged("still not empty"),
	       "stopping + TIMER again -> SIGKILL again, logged");
	drain_group(s);
	CHECK(s, "down", "stopping + RELEASED -> down");
	tap_ok(!armed(s), "  no timer left");

	reset();
	s = running("a", "[Group]\nnotify_on_release=no\n" SIMPLE);
	stop(s);
	reap(s, KILLED(SIGTERM));
	CHECK(s, "down", "stopping + RELEASED [notify_on_release=no: told, not removed] -> down");

	reset();
	s = running("a", SIMPLE);
	s->grp->members++;
	stop(s);
	start(s);
	CHECK(s, "stopping", "stopping + START -> stopping (start after release)");
	reap(s, KILLED(SIGTERM));
	drain_group(s);
	CHECK(s, "starting", "stopping + RELEASED [start pending] -> starting");

	reset();
	s = running("a", SIMPLE);
	s->grp->members++;
	stop(s);
	restart(s);
	reap(s, KILLED(SIGTERM));
	drain_group(s);
	CHECK(s, "starting", "stopping + RESTART, RELEASED -> starting");

	reset();
	s = running("a", "[Service]\nExecStart=/bin/true\nRestart=always\n");
	s->grp->members++;
	reap(s, EXITED(1));
	CHECK(s, "stopping", "running + EXIT(1) [Restart=always, straggler] -> stopping");
	stop(s);
	drain_group(s);
	tap_ok(s->state == SVC_DOWN && s->reason == SVC_REASON_USER,
	       "stopping + STOP [restart was due] -> down, no restart");

	reset();
	s = running("a", SIMPLE);
	s->grp->members++;
	stop(s);
	exec_fail_stage[s->idx] = SVC_STAGE_EXEC;
	s->exec_fd = 7;
	svc_exec_collect(s);
	CHECK(s, "stopping", "stopping + EXEC_FAIL -> stopping (logged)");
}

static void test_backoff_cells(void)
{
	struct service *s;

	reset();
	s = running("a", "[Service]\nExecStart=/bin/true\nRestart=always\nRestartSec=5\n");
	reap(s, EXITED(1));
	CHECK(s, "backoff", "running + EXIT(1) [Restart=always] -> stopping -> backoff");
	tap_ok(armed(s) && deadline[s->idx] - now > 4.9, "  restart timer armed for RestartSec");
	fire(s);
	CHECK(s, "starting", "backoff + TIMER -> starting");

	reset();
	s = running("a", "[Service]\nExecStart=/bin/true\nRestart=always\nRestartSec=5\n");
	reap(s, EXITED(1));
	start(s);
	tap_ok(s->state == SVC_STARTING && spawned[s->idx] == 2, "backoff + START -> starting now");

	reset();
	s = running("a", "[Service]\nExecStart=/bin/true\nRestart=always\nRestartSec=5\n");
	reap(s, EXITED(1));
	restart(s);
	CHECK(s, "starting", "backoff + RESTART -> starting now");

	reset();
	s = running("a", "[Service]\nExecStart=/bin/true\nRestart=always\nRestartSec=5\n");
	reap(s, EXITED(1));
	stop(s);
	tap_ok(s->state == SVC_DOWN && !armed(s), "backoff + STOP -> down, timer disarmed");

	reset();
	struct service *b = running("b", SIMPLE);
	s = add("a", "[Unit]\nRequires=b\n[Service]\nExecStart=/bin/true\nRestart=always\nRestartSec=5\n");
	sup_link();
	start(s);
	eof(s);
	reap(s, EXITED(1));
	CHECK(s, "backoff", "dependent in backoff");
	stop(b);
	CHECK(s, "down", "backoff + DEPS [required unit wanted down] -> down");
	tap_ok(logged("a: not restarting, it requires b"), "  and says why");
}

static void test_idle_cells(void)
{
	struct service *s;

	reset();
	s = add("a", "[Service]\nType=oneshot\nExecStart=/bin/true\n");
	sup_start_all();
	eof(s);
	reap(s, EXITED(0));
	CHECK(s, "done", "starting + EXIT(0) [oneshot] -> done");
	start(s);
	CHECK(s, "starting", "done + START -> starting");
	eof(s);
	reap(s, EXITED(0));
	restart(s);
	CHECK(s, "starting", "done + RESTART -> starting");
	eof(s);
	reap(s, EXITED(0));
	stop(s);
	tap_ok(s->state == SVC_DOWN && s->reason == SVC_REASON_USER, "done + STOP -> down");

	reset();
	s = running("a", SIMPLE);
	reap(s, EXITED(2));
	CHECK(s, "failed", "failed after exit 2");
	stop(s);
	tap_ok(s->state == SVC_FAILED && s->want == SVC_WANT_DOWN, "failed + STOP -> failed, wanted down");
	start(s);
	CHECK(s, "starting", "failed + START -> starting");
	eof(s);
	reap(s, EXITED(2));
	restart(s);
	CHECK(s, "starting", "failed + RESTART -> starting");
}

/* Every event a state does not handle leaves it alone. */
static void test_ignored(void)
{
	static const enum svc_event evs[] = { SVC_EV_EXEC_OK, SVC_EV_EXIT, SVC_EV_RELEASED,
					      SVC_EV_TIMER, SVC_EV_READY, SVC_EV_DEPS };
	struct service *s;
	int bad = 0;

	reset();
	s = add("a", "[Service]\nType=oneshot\nExecStart=/bin/true\n");
	sup_start_all();
	eof(s);
	reap(s, EXITED(0));
	for (unsigned i = 0; i < sizeof(evs) / sizeof(*evs); i++) {
		svc_post(s, evs[i], 0);
		bad += s->state != SVC_DONE;
	}
	tap_ok(!bad, "done ignores EXEC_OK, EXIT, RELEASED, TIMER, READY, DEPS");
	stop(s);
	for (unsigned i = 0; i < sizeof(evs) / sizeof(*evs); i++) {
		svc_post(s, evs[i], 0);
		bad += s->state != SVC_DOWN;
	}
	tap_ok(!bad, "down ignores EXEC_OK, EXIT, RELEASED, TIMER, READY, DEPS");
	reset();
	s = running("a", SIMPLE);
	svc_post(s, SVC_EV_START, 0);
	svc_post(s, SVC_EV_EXEC_OK, 0);
	svc_post(s, SVC_EV_READY, 0);
	svc_post(s, SVC_EV_TIMER, 0);
	CHECK(s, "running", "running ignores START, EXEC_OK, READY, TIMER");
}

/* ---- both arrival orders of exec EOF and SIGCHLD --------------------------- */

static void test_orders(void)
{
	static const struct {
		const char *type, *restart;
		int status;
		const char *want;
	} cases[] = {
		{ "simple", "no", 0, "down" },
		{ "simple", "on-failure", 0, "down" },
		{ "simple", "always", 0, "backoff" },
		{ "simple", "no", 1 << 8, "failed" },
		{ "simple", "on-failure", 1 << 8, "backoff" },
		{ "oneshot", "no", 0, "done" },
		{ "oneshot", "on-failure", 0, "done" },
		{ "oneshot", "no", 1 << 8, "failed" },
		{ "notify", "no", 0, "failed" },
		{ "notify", "on-failure", 1 << 8, "backoff" },
		{ "forking", "no", 1 << 8, "failed" },
	};

	for (unsigned i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		for (int eof_first = 1; eof_first >= 0; eof_first--) {
			char text[256];
			struct service *s;

			reset();
			snprintf(text, sizeof(text), "[Service]\nType=%s\nRestart=%s\nExecStart=/bin/x\n",
				 cases[i].type, cases[i].restart);
			s = add("a", text);
			sup_start_all();
			if (eof_first)
				eof(s);
			reap(s, cases[i].status);
			tap_ok(!strcmp(st(s), cases[i].want),
			       "starting + exit(%d) [%s, Restart=%s, %s first] -> %s",
			       WEXITSTATUS(cases[i].status), cases[i].type, cases[i].restart,
			       eof_first ? "EOF" : "SIGCHLD", cases[i].want) ||
				(tap_diag("  got %s", st(s)), 0);
			if (cases[i].status == 0 && !strcmp(cases[i].want, "backoff"))
				tap_is_int(s->failures, 0, "  a clean exit does not grow the backoff");
		}
}

/* ---- backoff: doubling, cap, forgiveness, start limit ---------------------- */

static double next_delay(struct service *s)
{
	return deadline[s->idx] - now;
}

static void test_backoff(void)
{
	struct service *s;
	bool all = true;
	char seq[256] = "";

	/* issue 8 bug 1: killed every 1.5 s with default settings */
	reset();
	s = running("a", "[Service]\nExecStart=/bin/true\nRestart=on-failure\n");
	for (int k = 0; k < 4; k++) {
		now += 1.5;
		reap(s, KILLED(SIGKILL));
		all &= s->state == SVC_BACKOFF && next_delay(s) < 0.15;
		snprintf(seq + strlen(seq), sizeof(seq) - strlen(seq), " %.3f", next_delay(s));
		fire(s);
		eof(s);
		all &= s->state == SVC_RUNNING;
	}
	tap_ok(all && s->restarts == 4, "healthy 1.5 s runs killed 4 times: restarted after 0.1 s each time (%s)", seq);
	tap_ok(logged("a: restarting in 0.100 s"), "  the delay is logged");

	/* a crash loop doubles, capped by RestartMaxDelaySec */
	reset();
	s = running("a", "[Unit]\nStartLimitBurst=32\nStartLimitIntervalSec=1\n"
		    "[Service]\nExecStart=/bin/true\nRestart=always\nRestartSec=1\nRestartMaxDelaySec=10\n");
	double want[] = { 1, 2, 4, 8, 10, 10 };
	seq[0] = '\0';
	all = true;
	for (int k = 0; k < 6; k++) {
		now += 0.2;
		reap(s, EXITED(1));
		snprintf(seq + strlen(seq), sizeof(seq) - strlen(seq), " %g", next_delay(s));
		all &= next_delay(s) > want[k] - 1e-6 && next_delay(s) < want[k] + 1e-6;
		fire(s);
		eof(s);
	}
	tap_ok(all, "failing runs of 0.2 s: delays 1 2 4 8 10 10 (got%s)", seq);
	now += 5;	/* healthy for longer than RestartForgiveSec (1 s) */
	reap(s, EXITED(1));
	tap_ok(next_delay(s) > 0.999 && next_delay(s) < 1.001,
	       "a run healthy for RestartForgiveSec resets the delay to RestartSec (got %g)", next_delay(s));

	reset();
	s = running("a", "[Unit]\nStartLimitBurst=32\nStartLimitIntervalSec=1\n"
		    "[Service]\nExecStart=/bin/true\nRestart=always\nRestartSec=1\nRestartForgiveSec=30\n");
	for (int k = 0; k < 3; k++) {
		now += 10;
		reap(s, EXITED(1));
		fire(s);
		eof(s);
	}
	now += 10;
	reap(s, EXITED(1));
	tap_ok(next_delay(s) > 7.99 && next_delay(s) < 8.01,
	       "RestartForgiveSec=30: runs of 10 s are not forgiven (4th delay %g, want 8)", next_delay(s));

	/* the start limit counts every start, clean ones too */
	reset();
	s = running("a", "[Service]\nExecStart=/bin/true\nRestart=always\nRestartSec=0\n");
	for (int k = 0; k < 6 && s->state != SVC_FAILED; k++) {
		reap(s, EXITED(0));
		if (s->state == SVC_BACKOFF)
			fire(s);
		if (s->state == SVC_STARTING)
			eof(s);
	}
	tap_ok(s->state == SVC_FAILED && s->reason == SVC_REASON_START_LIMIT && spawned[s->idx] == 5,
	       "backoff + TIMER [5 starts in 10 s] -> failed (start limit), Restart=always of a clean exit cannot spin");
	start(s);
	tap_ok(s->state == SVC_STARTING, "failed + START forgives the start limit");

	/* fork failure retries like a failed run */
	reset();
	s = add("a", SIMPLE);
	spawn_rc[s->idx] = -1;
	sup_start_all();
	tap_ok(s->state == SVC_BACKOFF && next_delay(s) >= 1, "down + START [fork fails] -> backoff (at least 1 s)");
	spawn_rc[s->idx] = 0;
	fire(s);
	CHECK(s, "starting", "backoff + TIMER [fork works again] -> starting");

	reset();
	s = add("a", "[Service]\nType=notify\nExecStart=/bin/true\n");
	spawn_rc[s->idx] = -3;
	sup_start_all();
	tap_ok(s->state == SVC_FAILED && s->reason == SVC_REASON_EXEC && !armed(s),
	       "down + START [notify socket cannot be made] -> failed, no retry");

	reset();
	s = add("a", "[Service]\nExecStart=/bin/true\nUser=nosuchuser\n");
	spawn_rc[s->idx] = -2;
	sup_start_all();
	tap_ok(s->state == SVC_FAILED && s->reason == SVC_REASON_EXEC,
	       "down + START [unknown user] -> failed (exec failed), no retry");
}

/* ---- dependencies: chains, diamonds, fan-out, in any load order ------------ */

static unsigned rnd_state = 12345;

static unsigned rnd(unsigned n)
{
	rnd_state = rnd_state * 1103515245u + 12345u;
	return (rnd_state >> 16) % n;
}

/* position of name in an order string "a;b;c;" */
static int pos(const char *order, const char *name)
{
	char key[80];
	const char *p;

	snprintf(key, sizeof(key), ";%s;", name);
	char buf[8200];

	snprintf(buf, sizeof(buf), ";%s", order);
	p = strstr(buf, key);
	return p ? (int)(p - buf) : -1;
}

static char stop_order[16384];

/* Stop events are applied one service at a time, the way they arrive:
 * whoever is STOPPING first gets its release first. */
static void settle_stops(void)
{
	bool progress = true;

	while (progress) {
		progress = false;
		for (unsigned i = 0; i < sup.nsvcs; i++) {
			struct service *s = sup.svcs[i];

			if (s->state == SVC_STOPPING && s->grp->members > 0) {
				strncat(stop_order, s->def.name, sizeof(stop_order) - strlen(stop_order) - 2);
				strcat(stop_order, ";");
				reap(s, KILLED(SIGTERM));
				progress = true;
			}
		}
	}
}

static void start_running(void)
{
	/* ready every started simple service, repeatedly, as the loop would */
	bool progress = true;

	while (progress) {
		progress = false;
		for (unsigned i = 0; i < sup.nsvcs; i++)
			if (sup.svcs[i]->state == SVC_STARTING && sup.svcs[i]->exec_fd >= 0) {
				eof(sup.svcs[i]);
				progress = true;
			}
	}
}

/* Load n services with edges[i] = list of deps, in a shuffled order. */
struct graph {
	unsigned n;
	int deps[320][4];	/* -1 terminated */
};

static void load_graph(const struct graph *g, const unsigned *order)
{
	for (unsigned k = 0; k < g->n; k++) {
		unsigned i = order[k];
		char text[512] = "[Unit]\n", name[16];

		for (int j = 0; g->deps[i][j] >= 0; j++)
			snprintf(text + strlen(text), sizeof(text) - strlen(text),
				 "Requires=s%d\nAfter=s%d\n", g->deps[i][j], g->deps[i][j]);
		strcat(text, SIMPLE);
		snprintf(name, sizeof(name), "s%u", i);
		add(name, text);
	}
}

/* every dependency forked before its dependent; stopped after it */
static bool graph_ordered(const struct graph *g, bool check_stop)
{
	for (unsigned i = 0; i < g->n; i++)
		for (int j = 0; g->deps[i][j] >= 0; j++) {
			char a[16], b[16];

			snprintf(a, sizeof(a), "s%u", i);
			snprintf(b, sizeof(b), "s%d", g->deps[i][j]);
			if (pos(spawn_order, b) < 0 || pos(spawn_order, a) < pos(spawn_order, b))
				return false;
			if (check_stop && (pos(stop_order, a) < 0 || pos(stop_order, b) < pos(stop_order, a)))
				return false;
		}
	return true;
}

static void run_graph(const char *what, const struct graph *g, unsigned orders)
{
	unsigned ok_start = 0, ok_stop = 0, ok_single = 0;

	for (unsigned round = 0; round < orders; round++) {
		unsigned order[320];
		bool all_down = true, all_up = true;

		for (unsigned i = 0; i < g->n; i++)
			order[i] = i;
		if (round == 1)	/* reversed, then random */
			for (unsigned i = 0; i < g->n; i++)
				order[i] = g->n - 1 - i;
		else if (round > 1)
			for (unsigned i = g->n - 1; i > 0; i--) {
				unsigned j = rnd(i + 1), t = order[i];

				order[i] = order[j];
				order[j] = t;
			}
		/* start all, stop all (shutdown) */
		reset();
		load_graph(g, order);
		sup_start_all();
		start_running();
		for (unsigned i = 0; i < sup.nsvcs; i++)
			all_up &= sup.svcs[i]->state == SVC_RUNNING;
		stop_order[0] = '\0';
		sup_stop_all(NULL, NULL);
		settle_stops();
		for (unsigned i = 0; i < sup.nsvcs; i++)
			all_down &= sup.svcs[i]->state == SVC_DOWN;
		ok_start += all_up && graph_ordered(g, false);
		ok_stop += all_down && graph_ordered(g, true);

		/* stop the root (s0): everything requiring it follows */
		reset();
		load_graph(g, order);
		sup_start_all();
		start_running();
		stop_order[0] = '\0';
		stop(svc_find("s0"));
		settle_stops();
		all_down = true;
		for (unsigned i = 0; i < sup.nsvcs; i++)
			all_down &= sup.svcs[i]->state == SVC_DOWN;
		ok_single += all_down && graph_ordered(g, true);
	}
	tap_ok(ok_start == orders, "%s: start in dependency order, %u load orders (%u ok)", what, orders, ok_start);
	tap_ok(ok_stop == orders, "%s: stop all in reverse dependency order (%u ok)", what, ok_stop);
	tap_ok(ok_single == orders, "%s: stop of the root stops every dependent first (%u ok)", what, ok_single);
}

static void done_cb(void *p)
{
	(*(int *)p)++;
}

static void test_deps(void)
{
	struct graph g;

	/* issue 8 bug 3: s0..s10, names that do not sort in dependency order */
	memset(&g, -1, sizeof(g));
	g.n = 11;
	for (unsigned i = 1; i < g.n; i++)
		g.deps[i][0] = (int)i - 1;
	run_graph("chain s0 <- s1 <- ... <- s10", &g, 12);

	memset(&g, -1, sizeof(g));
	g.n = 40;
	for (unsigned i = 1; i < g.n; i++)
		g.deps[i][0] = (int)i - 1;
	run_graph("chain of 40", &g, 6);

	/* diamond: s1, s2 require s0; s3 requires s1 and s2 */
	memset(&g, -1, sizeof(g));
	g.n = 4;
	g.deps[1][0] = 0;
	g.deps[2][0] = 0;
	g.deps[3][0] = 1;
	g.deps[3][1] = 2;
	run_graph("diamond", &g, 24);

	/* fan-out: 300 services all require s0 */
	memset(&g, -1, sizeof(g));
	g.n = 301;
	for (unsigned i = 1; i < g.n; i++)
		g.deps[i][0] = 0;
	run_graph("fan-out of 300", &g, 4);

	/* After= without Requires=: orders starts only */
	struct service *a, *b;

	reset();
	a = add("a", "[Unit]\nAfter=b\n" SIMPLE);
	b = add("b", "[Service]\nType=notify\nExecStart=/bin/true\n");
	sup_start_all();
	CHECK(a, "waiting", "After= b while b is starting -> waiting");
	eof(b);
	reap(b, EXITED(1));
	CHECK(a, "starting", "After= b that failed -> starts anyway");

	/* the shutdown callback fires once, after the last stop */
	static int done_calls;

	reset();
	done_calls = 0;
	a = add("a", SIMPLE);
	b = add("b", "[Unit]\nRequires=a\nAfter=a\n" SIMPLE);
	sup_start_all();
	start_running();
	sup_stop_all(done_cb, &done_calls);
	tap_is_int(done_calls, 0, "shutdown: not done while services stop");
	settle_stops();
	tap_is_int(done_calls, 1, "shutdown: done once, when all are down");
	reset();
	done_calls = 0;
	sup_stop_all(done_cb, &done_calls);
	tap_is_int(done_calls, 1, "shutdown with nothing loaded: done at once");
}

/* ---- cycles ---------------------------------------------------------------- */

static void test_cycles(void)
{
	struct service *a, *b, *c, *d, *e, *self, *x;

	reset();
	a = add("a", "[Unit]\nRequires=b\n" SIMPLE);
	b = add("b", "[Unit]\nRequires=a\n" SIMPLE);
	c = add("c", "[Unit]\nAfter=d\n" SIMPLE);
	d = add("d", "[Unit]\nAfter=c\n" SIMPLE);
	/* the loader refuses Requires= on oneself; a self-edge can still
	 * arise (aliases, reload), so the linker must catch it too */
	self = add("self", "[Unit]\nRequires=x\n" SIMPLE);
	free(self->def.requires[0]);
	self->def.requires[0] = strdup("self");
	e = add("e", "[Unit]\nRequires=a\n" SIMPLE);
	x = add("x", SIMPLE);
	sup_start_all();
	tap_ok(a->state == SVC_FAILED && b->state == SVC_FAILED && a->detail &&
	       (strstr(a->detail, "dependency cycle: a -> b -> a") ||
		strstr(a->detail, "dependency cycle: b -> a -> b")),
	       "Requires= a <-> b: both failed, 'dependency cycle: a -> b -> a' (%s)", a->detail ? a->detail : "-");
	tap_ok(c->state == SVC_FAILED && d->state == SVC_FAILED && c->detail && strstr(c->detail, "dependency cycle"),
	       "After= c <-> d: both failed with the cycle named");
	tap_ok(self->state == SVC_FAILED && self->detail && strstr(self->detail, "self -> self"),
	       "Requires=self: failed, 'dependency cycle: self -> self'");
	tap_ok(logged("dependency cycle: ") && logged("these units will not start"), "cycles are logged");
	tap_ok(e->state == SVC_FAILED && e->reason == SVC_REASON_DEPENDENCY,
	       "a unit requiring a cycle member fails (dependency)");
	CHECK(x, "starting", "other units are unaffected");
	start(a);
	CHECK(a, "failed", "failed + START [in a cycle] -> failed again");
}

/* ---- group limits: parents first, whatever the load order ------------------ */

static void test_group_order(void)
{
	struct service *par, *out, *in;

	/* issue 9 item 6: cpuout sorts (and loads) before par */
	reset();
	out = add("cpuout", "[Group]\nParent=par\ncpuset.cpus=1\n" SIMPLE);
	in = add("cpuin", "[Group]\nParent=par\ncpuset.cpus=0\n" SIMPLE);
	par = add("par", "[Group]\nName=par\ncpuset.cpus=0\n" SIMPLE);
	sup_start_all();
	tap_ok(!strncmp(opened, "par;", 4), "the parent's limits are written before any child's (%s)", opened);
	CHECK(par, "starting", "the parent group's service starts");
	tap_ok(out->state == SVC_FAILED && out->reason == SVC_REASON_GROUP,
	       "a child outside its parent's declared cpus fails (group setup)");
	tap_ok(out->detail && strstr(out->detail, "par/cpuout") && strstr(out->detail, "parent group par") &&
	       strstr(out->detail, "declared by par"),
	       "  the message names both groups (%s)", out->detail ? out->detail : "-");
	CHECK(in, "starting", "a child within its parent's cpus starts");
	tap_ok(!strcmp(in->grp->cpus, "0") && !strcmp(par->grp->cpus, "0"), "  limits applied");
	tap_ok(!group_by_path("par/cpuout"), "  the refused child group is removed (it would hold up par's release)");
}

/* ---- many services ---------------------------------------------------------- */

static void test_many(void)
{
	unsigned up = 0, down = 0;

	reset();
	for (unsigned i = 0; i < 300; i++) {
		char name[16], text[128] = SIMPLE;

		snprintf(name, sizeof(name), "m%u", i);
		if (i)	/* a chain of After=, so the order matters */
			snprintf(text, sizeof(text), "[Unit]\nAfter=m%u\n" SIMPLE, i - 1);
		add(name, text);
	}
	sup_start_all();
	start_running();
	for (unsigned i = 0; i < sup.nsvcs; i++)
		up += sup.svcs[i]->state == SVC_RUNNING;
	sup_stop_all(NULL, NULL);
	settle_stops();
	for (unsigned i = 0; i < sup.nsvcs; i++)
		down += sup.svcs[i]->state == SVC_DOWN;
	tap_ok(up == 300 && down == 300, "300 services (more than the old cap of 128) start and stop (%u up, %u down)",
	       up, down);
}

/* ---- reload and enable/disable (table.c) ------------------------------------ */

static struct svc_def mkdef(const char *name, const char *text)
{
	struct svc_def def;
	char err[600];

	if (svc_load_string(name, text, &def, err, sizeof(err)) < 0) {
		tap_diag("cannot load %s: %s", name, err);
		exit(2);
	}
	return def;
}

/* ---- issue 12 item 1: targets and the other dependency kinds, every load order */

struct unitset {
	unsigned n;
	const char *name[5];
	const char *text[5];
};

static unsigned fact(unsigned n)
{
	return n < 2 ? 1 : n * fact(n - 1);
}

/* load u in its k-th order (k < n!) on an empty table */
static void load_set(const struct unitset *u, unsigned k)
{
	unsigned pool[5], left = u->n;

	reset();
	for (unsigned i = 0; i < u->n; i++)
		pool[i] = i;
	for (unsigned i = u->n; i > 0; i--) {
		unsigned f = fact(i - 1), j = k / f;

		k %= f;
		add(u->name[pool[j]], u->text[pool[j]]);
		memmove(&pool[j], &pool[j + 1], (--left - j) * sizeof(*pool));
	}
}

#define EXPECT(cond) do { \
		if (!(cond)) { \
			snprintf(why, len, "line %d: %s", __LINE__, #cond); \
			return false; \
		} \
	} while (0)

/* check() after loading u in each of its n! orders: one TAP line */
static void each_order(const char *what, const struct unitset *u,
		       bool (*check)(char *why, size_t len))
{
	unsigned orders = fact(u->n), ok = 0;
	char why[256], first[300] = "";

	for (unsigned k = 0; k < orders; k++) {
		why[0] = '\0';
		load_set(u, k);
		if (check(why, sizeof(why)))
			ok++;
		else if (!*first)
			snprintf(first, sizeof(first), "; order %u: %s", k, why);
	}
	tap_ok(ok == orders, "%s: %u load orders (%u ok%s)", what, orders, ok, first);
}

static struct service *S(const char *name)
{
	return svc_find(name);
}

static bool is(const char *name, enum svc_state st)
{
	return S(name) && S(name)->state == st;
}

#define NOTIFY "[Service]\nType=notify\nExecStart=/bin/true\n"

static bool check_net(char *why, size_t len)
{
	struct service *t, *o;

	sup_start_all();
	t = S("network.target");
	o = S("network-online.target");
	EXPECT(t && o && t->def.target && t->def.builtin && o->def.target);
	EXPECT(!S("multi-user.target") && !S("basic.target"));	/* built in, named by nobody */
	EXPECT(is("net", SVC_STARTING) && t->state == SVC_WAITING && o->state == SVC_WAITING);
	EXPECT(is("app", SVC_WAITING) && is("web", SVC_WAITING));
	eof(S("net"));
	reap(S("net"), EXITED(0));
	EXPECT(is("net", SVC_DONE) && t->state == SVC_RUNNING && o->state == SVC_RUNNING);
	EXPECT(is("app", SVC_STARTING) && is("web", SVC_STARTING));
	EXPECT(pos(spawn_order, "net") < pos(spawn_order, "app") &&
	       pos(spawn_order, "net") < pos(spawn_order, "web"));
	sup_stop_all(NULL, NULL);
	settle_stops();
	EXPECT(t->state == SVC_DOWN && o->state == SVC_DOWN && is("app", SVC_DOWN));
	return true;
}

static bool check_multi_user(char *why, size_t len)
{
	struct service *m;

	sup_start_all();
	start_running();
	m = S("multi-user.target");
	EXPECT(m && m->def.target);
	EXPECT(!S("a")->in_cycle && !S("late")->in_cycle && !S("later")->in_cycle && !m->in_cycle);
	EXPECT(is("a", SVC_RUNNING) && is("b", SVC_STARTING));
	EXPECT(m->state == SVC_WAITING && is("late", SVC_WAITING) && is("later", SVC_WAITING));
	svc_dispatch(S("b"), SVC_EV_READY);
	EXPECT(m->state == SVC_RUNNING && is("late", SVC_STARTING) && is("later", SVC_WAITING));
	start_running();
	EXPECT(is("late", SVC_RUNNING) && is("later", SVC_RUNNING) && m->state == SVC_RUNNING);
	return true;
}

static bool check_default_deps(char *why, size_t len)
{
	struct service *si, *ba;

	sup_start_all();
	si = S("sysinit.target");
	ba = S("basic.target");
	EXPECT(si && ba && !S("c")->in_cycle && !ba->in_cycle);
	EXPECT(is("early", SVC_STARTING) && si->state == SVC_WAITING && ba->state == SVC_WAITING);
	EXPECT(is("a", SVC_WAITING));			/* default: after basic.target */
	EXPECT(is("b", SVC_STARTING));			/* DefaultDependencies=no */
	EXPECT(is("c", SVC_STARTING));			/* basic.target is after c */
	svc_dispatch(S("early"), SVC_EV_READY);
	EXPECT(si->state == SVC_RUNNING && ba->state == SVC_WAITING && is("a", SVC_WAITING));
	eof(S("c"));
	EXPECT(ba->state == SVC_RUNNING && is("a", SVC_STARTING));
	return true;
}

static bool check_multi_user_file(char *why, size_t len)
{
	struct service *m = S("multi-user.target");

	sup_start_all();
	EXPECT(m && !m->def.builtin && is("a", SVC_STARTING) && m->state == SVC_WAITING);
	svc_dispatch(S("a"), SVC_EV_READY);
	EXPECT(m->state == SVC_RUNNING);
	return true;
}

static bool check_wants(char *why, size_t len)
{
	sup_link();	/* as at boot, without starting anything */
	start(S("a"));
	EXPECT(S("b")->want == SVC_WANT_UP && S("c")->want == SVC_WANT_UP);
	EXPECT(is("a", SVC_STARTING) && is("b", SVC_STARTING) && is("c", SVC_STARTING));
	EXPECT(!S("a")->in_cycle && !S("c")->in_cycle);	/* Wants= a <-> c: no cycle */
	start_running();
	reap(S("b"), EXITED(1));
	EXPECT(is("b", SVC_FAILED) && is("a", SVC_RUNNING) && is("c", SVC_RUNNING));
	return true;
}

static bool check_before(char *why, size_t len)
{
	sup_start_all();
	EXPECT(is("a", SVC_STARTING) && is("b", SVC_WAITING));
	svc_dispatch(S("a"), SVC_EV_READY);
	EXPECT(is("a", SVC_RUNNING) && is("b", SVC_STARTING));
	start_running();
	stop_order[0] = '\0';
	sup_stop_all(NULL, NULL);
	settle_stops();
	EXPECT(!strcmp(stop_order, "b;a;"));
	return true;
}

static bool check_partof(char *why, size_t len)
{
	struct service *a = S("a"), *b = S("b");

	sup_start_all();
	start_running();
	restart(b);
	EXPECT(b->state == SVC_STOPPING && a->state == SVC_STOPPING);
	settle_stops();
	start_running();
	EXPECT(a->state == SVC_RUNNING && b->state == SVC_RUNNING && spawned[a->idx] == 2);
	stop(b);
	settle_stops();
	EXPECT(a->state == SVC_DOWN && b->state == SVC_DOWN && is("c", SVC_RUNNING));
	/* the other way round, nothing */
	start(b);
	start(a);
	start_running();
	stop(a);
	settle_stops();
	EXPECT(a->state == SVC_DOWN && b->state == SVC_RUNNING);
	/* a restart of b while a is down does not start a */
	restart(b);
	settle_stops();
	start_running();
	EXPECT(a->state == SVC_DOWN && b->state == SVC_RUNNING);
	return true;
}

static bool check_bindsto(char *why, size_t len)
{
	struct service *a = S("a"), *b = S("b");

	sup_link();	/* as at boot, without starting anything */
	start(a);
	EXPECT(b->want == SVC_WANT_UP && b->state == SVC_STARTING && a->state == SVC_WAITING);
	start_running();
	EXPECT(a->state == SVC_RUNNING && b->state == SVC_RUNNING);
	/* b restarted by request: a stays */
	restart(b);
	settle_stops();
	start_running();
	EXPECT(a->state == SVC_RUNNING && b->state == SVC_RUNNING && spawned[a->idx] == 1);
	/* b dies and backs off: a stops and stays down */
	reap(b, EXITED(1));
	EXPECT(b->state == SVC_BACKOFF && a->want == SVC_WANT_DOWN);
	settle_stops();
	EXPECT(a->state == SVC_DOWN);
	fire(b);
	start_running();
	EXPECT(b->state == SVC_RUNNING && a->state == SVC_DOWN);
	/* b stopped: a follows (as Requires= would) */
	start(a);
	start_running();
	EXPECT(a->state == SVC_RUNNING);
	stop(b);
	settle_stops();
	EXPECT(a->state == SVC_DOWN && b->state == SVC_DOWN);
	return true;
}

static bool check_conflicts(char *why, size_t len)
{
	struct service *a = S("a"), *b = S("b");

	sup_start_all();
	/* both enabled: the one that sorts first starts, in any load order */
	EXPECT(a->state == SVC_STARTING && b->state == SVC_DOWN && is("c", SVC_STARTING));
	EXPECT(!a->in_cycle && !b->in_cycle);
	start_running();
	start(b);
	EXPECT(a->want == SVC_WANT_DOWN && b->state == SVC_WAITING);
	settle_stops();
	EXPECT(a->state == SVC_DOWN && b->state == SVC_STARTING);
	start_running();
	start(a);
	EXPECT(b->want == SVC_WANT_DOWN && a->state == SVC_WAITING);
	settle_stops();
	EXPECT(b->state == SVC_DOWN && a->state == SVC_STARTING);
	return true;
}

static bool check_requisite(char *why, size_t len)
{
	struct service *a = S("a"), *b = S("b");

	sup_link();	/* as at boot, without starting anything */
	start(a);
	EXPECT(a->state == SVC_FAILED && spawned[b->idx] == 0 && b->want == SVC_WANT_DOWN);
	EXPECT(a->detail && strstr(a->detail, "requisite b is not running"));
	start(b);
	start_running();
	start(a);
	EXPECT(a->state == SVC_STARTING);
	start_running();
	/* b stopped: a, which needs it up, stops first */
	stop_order[0] = '\0';
	stop(b);
	settle_stops();
	EXPECT(a->state == SVC_DOWN && b->state == SVC_DOWN && !strcmp(stop_order, "a;b;"));
	sup_stop_all(NULL, NULL);
	settle_stops();
	/* at boot, b being started too: a waits for it */
	sup_start_all();
	EXPECT(a->state == SVC_WAITING && b->state == SVC_STARTING);
	start_running();
	EXPECT(a->state == SVC_RUNNING && b->state == SVC_RUNNING);
	return true;
}

static bool check_alias(char *why, size_t len)
{
	struct service *a = S("a"), *b = S("b");

	/* b and c both claim bee: b, the first by name, in any load order */
	EXPECT(svc_find_any("bee") == b && !svc_find("bee"));
	sup_start_all();
	EXPECT(!a->missing && a->state == SVC_WAITING && b->state == SVC_STARTING &&
	       is("c", SVC_STARTING));
	svc_dispatch(b, SVC_EV_READY);
	EXPECT(a->state == SVC_STARTING);
	/* a unit named like another's alias is loaded, and its own name wins */
	EXPECT(S("bee2") && S("bee2") != b && svc_find_any("bee2") == S("bee2"));
	return true;
}

static bool check_target_file(char *why, size_t len)
{
	struct service *x = S("x.target"), *sd;

	sup_start_all();
	sd = S("shutdown.target");
	EXPECT(x && x->def.target && !x->def.builtin && sd && sd->def.builtin);
	EXPECT(x->state == SVC_WAITING && is("a", SVC_STARTING) && is("z", SVC_STARTING));
	EXPECT(sd->state == SVC_DOWN && sd->want == SVC_WANT_DOWN && sd->nhist == 0);
	svc_dispatch(S("a"), SVC_EV_READY);
	EXPECT(x->state == SVC_RUNNING && x->pid == 0 && !x->grp);
	start_running();
	stop_order[0] = '\0';
	sup_stop_all(NULL, NULL);
	settle_stops();
	EXPECT(x->state == SVC_DOWN && is("a", SVC_DOWN) && is("z", SVC_DOWN) && sd->state == SVC_DOWN);
	/* a stopped target stops nothing that does not require it */
	start(S("a"));
	start(x);
	svc_dispatch(S("a"), SVC_EV_READY);
	EXPECT(x->state == SVC_RUNNING);
	stop(x);
	EXPECT(x->state == SVC_DOWN && is("a", SVC_RUNNING));
	return true;
}

static void test_units(void)
{
	static const struct unitset net = { 3, { "net", "app", "web" }, {
		"[Unit]\nBefore=network.target network-online.target\n"
		"[Service]\nType=oneshot\nExecStart=/bin/true\n",
		"[Unit]\nWants=network-online.target\nAfter=network-online.target\n" SIMPLE,
		"[Unit]\nAfter=network.target\n" SIMPLE } };
	static const struct unitset multi = { 4, { "a", "b", "late", "later" }, {
		SIMPLE, NOTIFY, "[Unit]\nAfter=multi-user.target\n" SIMPLE,
		"[Unit]\nAfter=late\n" SIMPLE } };
	static const struct unitset defdeps = { 4, { "early", "a", "b", "c" }, {
		"[Unit]\nDefaultDependencies=no\nBefore=sysinit.target\n" NOTIFY, SIMPLE,
		"[Unit]\nDefaultDependencies=no\n" SIMPLE, "[Unit]\nBefore=basic.target\n" SIMPLE } };
	static const struct unitset mufile = { 2, { "multi-user.target", "a" }, {
		"[Unit]\nWants=a\n", NOTIFY } };
	static const struct unitset wants = { 3, { "a", "b", "c" }, {
		"[Unit]\nWants=b c\n" SIMPLE, "[Service]\nExecStart=/bin/false\n",
		"[Unit]\nWants=a\n" SIMPLE } };
	static const struct unitset before = { 2, { "a", "b" }, {
		"[Unit]\nBefore=b\n" NOTIFY, SIMPLE } };
	static const struct unitset partof = { 3, { "a", "b", "c" }, {
		"[Unit]\nPartOf=b\n" SIMPLE, SIMPLE, SIMPLE } };
	static const struct unitset bindsto = { 3, { "a", "b", "c" }, {
		"[Unit]\nBindsTo=b\nAfter=b\n" SIMPLE,
		"[Service]\nExecStart=/bin/true\nRestart=on-failure\n", SIMPLE } };
	static const struct unitset conflicts = { 3, { "a", "b", "c" }, {
		SIMPLE, "[Unit]\nConflicts=a.service\n" SIMPLE, SIMPLE } };
	static const struct unitset requisite = { 3, { "a", "b", "c" }, {
		"[Unit]\nRequisite=b\n" SIMPLE, SIMPLE, SIMPLE } };
	static const struct unitset alias = { 4, { "a", "b", "bee2", "c" }, {
		"[Unit]\nRequires=bee\nAfter=bee.service\n" SIMPLE,
		NOTIFY "[Install]\nAlias=bee.service bee2\n",
		"[Unit]\nAfter=bee\n" SIMPLE, "[Install]\nAlias=bee\n" SIMPLE } };
	/* z sorts after shutdown.target: the Conflicts= boot rule alone
	 * would not keep shutdown.target down */
	static const struct unitset target = { 3, { "x.target", "a", "z" }, {
		"[Unit]\nWants=a\nAfter=a\n", NOTIFY,
		"[Unit]\nConflicts=shutdown.target\nBefore=shutdown.target\n" SIMPLE } };

	each_order("network.target and network-online.target reached when the oneshot "
		   "ordered before them is done; their dependents start then", &net, check_net);
	each_order("multi-user.target reached once every unit started; units ordered after it "
		   "(directly or not) wait for it, no cycle", &multi, check_multi_user);
	each_order("a multi-user.target file (Wants=a, no After=) still waits for every unit",
		   &mufile, check_multi_user_file);
	each_order("DefaultDependencies=: services after basic.target (once it exists), "
		   "=no not, nor one basic.target is after", &defdeps, check_default_deps);
	each_order("Wants= starts the others, their failure is not ours, a Wants= loop is no "
		   "cycle", &wants, check_wants);
	each_order("Before= orders the other after us (start, and stop in reverse)", &before,
		   check_before);
	each_order("PartOf=b: b's restart restarts a, b's stop stops a; not the other way",
		   &partof, check_partof);
	each_order("BindsTo=b: starts b, survives b's restart, stops when b dies or stops",
		   &bindsto, check_bindsto);
	each_order("Conflicts=: at boot the first by name starts; starting one stops the other "
		   "and waits until it is down", &conflicts, check_conflicts);
	each_order("Requisite=b: fails without starting b when b is down; waits for b being "
		   "started; stops before b stops", &requisite, check_requisite);
	each_order("[Install] Alias=bee.service: named by initctl and Requires=/After=; a unit "
		   "named like an alias still loads",
		   &alias, check_alias);
	each_order("a NAME.target file: reached after its units; shutdown.target never started",
		   &target, check_target_file);

	/* unknown units of other kinds: satisfied, one notice per name */
	struct service *a, *b, *c;
	const char *p;
	unsigned notices = 0;

	reset();
	a = add("a", "[Unit]\nRequires=once.socket\nAfter=once.mount\nBindsTo=once.device\n"
		"Wants=once.timer\nRequisite=once.path\nPartOf=once.slice\n" SIMPLE);
	b = add("b", "[Unit]\nRequires=once.socket\nAfter=nope.target\n" SIMPLE);
	c = add("c", "[Unit]\nRequires=ghost\nAfter=ghost2\n" SIMPLE);
	sup_start_all();
	CHECK(a, "starting", "Requires=/BindsTo=/Requisite= .socket/.device/.path units: satisfied");
	CHECK(b, "starting", "an unknown .target: satisfied");
	for (p = logbuf; (p = strstr(p, "once.socket: corral has no such unit")); p++)
		notices++;
	tap_is_int(notices, 1, "  one notice for once.socket, named by two units");
	tap_ok(logged("a: After=once.mount: corral has no such unit; treated as satisfied"),
	       "  the notice names the unit, the key and the name");
	tap_ok(c->state == SVC_FAILED && c->detail && strstr(c->detail, "requires ghost, which is not loaded"),
	       "Requires= on a service that is not loaded still fails (%s)", c->detail ? c->detail : "-");
	reset();
	add("a", "[Unit]\nRequires=once.socket\n" SIMPLE);
	sup_start_all();
	tap_ok(!logged("once.socket"), "  and is not repeated by a later link (reload)");

	/* ordering loops through Before= are cycles; Conflicts= both ways is not */
	reset();
	a = add("a", "[Unit]\nBefore=b\n" SIMPLE);
	b = add("b", "[Unit]\nBefore=a\n" SIMPLE);
	c = add("c", "[Unit]\nConflicts=d\n" SIMPLE);
	add("d", "[Unit]\nConflicts=c\n" SIMPLE);
	sup_start_all();
	tap_ok(a->in_cycle && b->in_cycle && a->state == SVC_FAILED, "Before= a <-> b: a cycle");
	tap_ok(!c->in_cycle && c->state == SVC_STARTING && S("d")->state == SVC_DOWN,
	       "Conflicts= c <-> d: no cycle; c starts at boot, d does not");

	/* reload: a built-in target is no file that went away; a reload that
	 * brings the first unit naming a target starts that target */
	struct service *nt;
	struct svc_def defs[2];
	char msg[512], err[600];
	const char *ta = "[Unit]\nAfter=network.target\n" SIMPLE;
	const char *tb = "[Unit]\nWants=time-sync.target\nAfter=time-sync.target\n" SIMPLE;

	reset();
	add("a", ta);
	sup_start_all();
	start_running();
	nt = S("network.target");
	if (svc_load_string("a", ta, &defs[0], err, sizeof(err)) < 0)
		exit(2);
	sup_reload(defs, 1, msg, sizeof(msg));
	tap_ok(S("network.target") == nt && nt->state == SVC_RUNNING && !nt->removed &&
	       strstr(msg, "0 removed"), "reload keeps the built-in network.target reached (%s)", msg);
	if (svc_load_string("a", ta, &defs[0], err, sizeof(err)) < 0 ||
	    svc_load_string("b", tb, &defs[1], err, sizeof(err)) < 0)
		exit(2);
	sup_reload(defs, 2, msg, sizeof(msg));
	tap_ok(S("time-sync.target") && S("time-sync.target")->state == SVC_RUNNING &&
	       is("b", SVC_STARTING), "reload adding b (Wants=time-sync.target): the target is "
	       "added and reached, b starts");
}

static void test_reload(void)
{
	struct service *a, *b, *c, *k;
	struct svc_def defs[3];
	char msg[512], dir[] = "/tmp/corral-state-XXXXXX", path[600];
	FILE *f;

	if (!mkdtemp(dir)) {
		tap_diag("mkdtemp: %s", strerror(errno));
		exit(2);
	}
	snprintf(path, sizeof(path), "%s/k.service", dir);
	f = fopen(path, "w");
	fputs(SIMPLE, f);
	fclose(f);

	reset();
	a = add("a", SIMPLE);
	b = add("b", SIMPLE);
	{
		struct svc_def kd;
		char err[600];

		if (svc_load_file(path, &kd, err, sizeof(err)) < 0)
			exit(2);
		sup_add(&kd);
	}
	k = svc_find("k");
	sup_start_all();
	start_running();
	uint64_t old_digest = a->def.digest;

	/* a changed, b gone, c new, k's file there but (say) broken */
	defs[0] = mkdef("a", "[Unit]\nDescription=new a\n" SIMPLE);
	defs[1] = mkdef("c", SIMPLE);
	sup_reload(defs, 2, msg, sizeof(msg));
	tap_ok(strstr(msg, "1 added, 1 changed, 1 removed, 1 kept") != NULL, "reload summary: %s", msg);
	tap_ok(a->state == SVC_RUNNING && a->pending && a->def.digest == old_digest,
	       "reload [running, file changed] -> keeps running the old definition, change pending");
	CHECK(b, "stopping", "reload [file gone] -> stopping");
	c = svc_find("c");
	tap_ok(c && c->state == SVC_STARTING, "reload [new file] -> the new service starts");
	tap_ok(k->state == SVC_RUNNING && !k->removed && logged("k.service does not load; the running definition stays"),
	       "reload [file there but not loading] -> unchanged, logged");
	reap(b, KILLED(SIGTERM));
	tap_ok(!svc_find("b") && sup.nsvcs == 3 && outputs_closed == 1 && notify_dropped == 1,
	       "stopping + RELEASED [removed] -> down, then dropped (pipe and notify socket closed)");
	tap_ok(a->ndeps == 0 && k->idx == 1 && sup.svcs[k->idx] == k, "  the table is relinked and reindexed");
	restart(a);
	reap(a, KILLED(SIGTERM));
	tap_ok(a->state == SVC_STARTING && !a->pending && a->def.digest != old_digest &&
	       !strcmp(a->def.description, "new a"),
	       "restart of a changed service -> runs the new definition");

	/* an idle service takes a change at once; unchanged files change nothing */
	stop(c);
	eof(c);
	reap(c, KILLED(SIGTERM));
	defs[0] = mkdef("a", "[Unit]\nDescription=new a\n" SIMPLE);
	defs[1] = mkdef("c", "[Unit]\nDescription=new c\n" SIMPLE);
	f = fopen(path, "w");
	fputs(SIMPLE, f);
	fclose(f);
	{
		char err[600];

		svc_load_file(path, &defs[2], err, sizeof(err));
	}
	sup_reload(defs, 3, msg, sizeof(msg));
	if (!strstr(msg, "0 added, 1 changed"))
		tap_diag("log:\n%s", logbuf);
	tap_ok(strstr(msg, "0 added, 1 changed, 0 removed, 0 kept") && !c->pending &&
	       !strcmp(c->def.description, "new c") && c->state == SVC_DOWN,
	       "reload [down, file changed] -> the new definition at once, still down (%s)", msg);

	/* two files gone, the first service already down: it is dropped
	 * while the reload still walks the table (ASan saw that once) */
	reset();
	a = add("a", SIMPLE);
	b = add("b", SIMPLE);
	c = add("c", SIMPLE);
	sup_start_all();
	start_running();
	stop(a);
	reap(a, KILLED(SIGTERM));
	defs[0] = mkdef("c", SIMPLE);
	sup_reload(defs, 1, msg, sizeof(msg));
	tap_ok(strstr(msg, "0 added, 0 changed, 2 removed") && !svc_find("a") && b->state == SVC_STOPPING,
	       "reload [a down, b running, both files gone] -> a dropped at once, b stopping (%s)", msg);
	reap(b, KILLED(SIGTERM));
	tap_ok(!svc_find("b") && sup.nsvcs == 1 && sup.svcs[0] == c && c->idx == 0,
	       "  then b is dropped too; c is left, reindexed");

	/* a removed service whose main process exits while its stop waits
	 * for a dependent: dropped at once, and its group is checked before
	 * that (review: read after free in sup_child_exited) */
	reset();
	a = add("a", SIMPLE);
	b = add("b", "[Unit]\nRequires=a\n[Service]\nExecStart=/bin/true\nTimeoutStopSec=30\n");
	sup_start_all();
	start_running();
	b->grp->members++;	/* b ignores SIGTERM: a straggler stays */
	defs[0] = mkdef("b", "[Unit]\nRequires=a\n[Service]\nExecStart=/bin/true\nTimeoutStopSec=30\n");
	sup_reload(defs, 1, msg, sizeof(msg));
	tap_ok(a->removed && a->state == SVC_RUNNING && b->state == SVC_STOPPING,
	       "reload [a gone, b requires a] -> b stopping, a waits for it");
	reap(a, EXITED(0));
	tap_ok(!svc_find("a") && b->state == SVC_STOPPING, "  a's main exits meanwhile -> a dropped, b still stopping");

	/* a reload that makes a cycle and removes a service that is down
	 * (review: the queue ran inside the cycle search) */
	reset();
	add("y", SIMPLE);
	add("z", SIMPLE);
	add("x", SIMPLE);
	sup_link();
	defs[0] = mkdef("y", "[Unit]\nRequires=z\n" SIMPLE);
	defs[1] = mkdef("z", "[Unit]\nRequires=y\n" SIMPLE);
	sup_reload(defs, 2, msg, sizeof(msg));
	tap_ok(!svc_find("x") && svc_find("y")->state == SVC_FAILED && svc_find("z")->state == SVC_FAILED &&
	       sup.nsvcs == 2, "reload [y <-> z made a cycle, x gone] -> y, z failed, x dropped");

	/* two services in one group, the first removed: both hear the release
	 * (review: the table shifted under the release loop) */
	reset();
	a = add("a", "[Group]\nName=shared\n" SIMPLE);
	b = add("b", "[Group]\nName=shared\n" SIMPLE);
	sup_start_all();
	start_running();
	defs[0] = mkdef("b", "[Group]\nName=shared\n" SIMPLE);
	sup_reload(defs, 1, msg, sizeof(msg));
	stop(b);
	tap_ok(a->state == SVC_STOPPING && b->state == SVC_STOPPING, "shared group: a (removed) and b stopping");
	drain_group(b);
	tap_ok(!svc_find("a") && b->state == SVC_DOWN, "  the group's release reaches both: a dropped, b down");

	/* disabled: loaded, not started at boot; enable removes the marker */
	reset();
	sup.o.config_dir = dir;
	a = add("a", SIMPLE);
	b = add("b", SIMPLE);
	tap_ok(sup_enable(b, false, msg, sizeof(msg)) == 0 && !svc_enabled(b), "disable b: %s", msg);
	sup_start_all();
	tap_ok(a->state == SVC_STARTING && b->state == SVC_DOWN && logged("b: disabled; not started at boot"),
	       "boot: a disabled service is not started");
	start(b);
	CHECK(b, "starting", "  but starts by hand");
	tap_ok(sup_enable(b, true, msg, sizeof(msg)) == 0 && svc_enabled(b), "enable b: %s", msg);
	sup.o.config_dir = NULL;
	snprintf(path, sizeof(path), "rm -rf '%s'", dir);
	if (system(path) != 0)
		tap_diag("cannot remove %s", dir);
}


/* ---- Exec*= control commands (issue 12 item 4) ------------------------------ */

static bool ran(const char *rec)
{
	return strstr(ctl_order, rec) != NULL;
}

static void test_start_pre(void)
{
	struct service *s;

	reset();
	s = add("a", "[Service]\nExecStartPre=/p1\nExecStartPre=/p2\nExecStart=/m\nTimeoutStartSec=7\n");
	sup_start_all();
	tap_ok(s->state == SVC_START_PRE && ran("a start-pre /p1;") && !ran("/p2") &&
	       spawned[s->idx] == 0, "down + START [ExecStartPre=] -> start-pre, the first one runs");
	tap_ok(armed(s) && deadline[s->idx] == now + 7, "  TimeoutStartSec armed");
	reap_ctl(s, EXITED(0));
	tap_ok(s->state == SVC_START_PRE && ran("a start-pre /p1;a start-pre /p2;") &&
	       spawned[s->idx] == 0, "start-pre + CMD_EXIT(0) -> start-pre, the next one");
	reap_ctl(s, EXITED(0));
	tap_ok(s->state == SVC_STARTING && spawned[s->idx] == 1 && !armed(s),
	       "start-pre + CMD_EXIT(0) [the last] -> starting, main forked, timer off (simple)");
	eof(s);
	CHECK(s, "running", "  then running");

	/* a failure fails the start; ExecStop= is not for a run never started */
	reset();
	s = add("a", "[Service]\nExecStartPre=/p1\nExecStartPre=/p2\nExecStart=/m\nExecStop=/s\n");
	sup_start_all();
	reap_ctl(s, EXITED(3));
	tap_ok(s->state == SVC_FAILED && s->reason == SVC_REASON_EXIT && spawned[s->idx] == 0 &&
	       !ran("/p2") && !ran("/s;") && s->detail && !strcmp(s->detail, "ExecStartPre /p1: exited 3"),
	       "start-pre + CMD_EXIT(3) -> stopping -> failed, nothing more runs (%s)",
	       s->detail ? s->detail : "");

	reset();
	s = add("a", "[Service]\nExecStartPre=-/p1\nExecStartPre=/p2\nExecStart=/m\n");
	sup_start_all();
	reap_ctl(s, KILLED(SIGSEGV));
	tap_ok(s->state == SVC_START_PRE && ran("/p2;") && logged("ignored ('-' prefix)"),
	       "start-pre + CMD_EXIT(SIGSEGV) ['-'] -> start-pre, the next one runs");

	reset();
	s = add("a", "[Service]\nExecStartPre=/p1\nExecStart=/m\nRestart=on-failure\n");
	ctl_rc[s->idx] = -1;
	sup_start_all();
	tap_ok(s->state == SVC_BACKOFF && spawned[s->idx] == 0 &&
	       logged("ExecStartPre /p1: could not run"),
	       "start-pre [the command cannot be forked] -> backoff (Restart=on-failure)");

	reset();
	s = add("a", "[Service]\nExecStartPre=/p1\nExecStart=/m\n");
	sup_start_all();
	fire(s);
	tap_ok(s->state == SVC_STOPPING && s->grp->kills[SIGTERM] == 1,
	       "start-pre + TIMER -> stopping, the group (and the command) get SIGTERM");
	reap_ctl(s, KILLED(SIGTERM));
	tap_ok(s->state == SVC_FAILED && s->reason == SVC_REASON_START_TIMEOUT,
	       "  its CMD_EXIT is ignored; released -> failed (start timeout)");

	reset();
	s = add("a", "[Service]\nExecStartPre=/p1\nExecStart=/m\n");
	sup_start_all();
	stop(s);
	CHECK(s, "stopping", "start-pre + STOP -> stopping");
	reap_ctl(s, KILLED(SIGTERM));
	tap_ok(s->state == SVC_DOWN && spawned[s->idx] == 0, "  -> down, main never forked");
}

static void test_start_post(void)
{
	struct service *s;

	reset();
	s = add("a", "[Service]\nExecStart=/m\nExecStartPost=/q1\nExecStartPost=/q2\n");
	sup_start_all();
	eof(s);
	tap_ok(s->state == SVC_START_POST && ran("a start-post /q1;") && armed(s),
	       "starting + EXEC_OK [simple, ExecStartPost=] -> start-post, timeout armed");
	reap_ctl(s, EXITED(0));
	reap_ctl(s, EXITED(0));
	tap_ok(s->state == SVC_RUNNING && ran("/q1;a start-post /q2;") && !armed(s),
	       "start-post + CMD_EXIT(0) twice -> running");

	reset();
	s = add("a", "[Service]\nType=notify\nExecStart=/m\nExecStartPost=/q1\n");
	sup_start_all();
	eof(s);
	svc_dispatch(s, SVC_EV_READY);
	CHECK(s, "start-post", "starting + READY [notify, ExecStartPost=] -> start-post");

	/* a failure fails the start; ExecStop= does not run, ExecStopPost= does */
	reset();
	s = add("a", "[Service]\nExecStart=/m\nExecStartPost=/q1\nExecStop=/s\nExecStopPost=/sp\n");
	sup_start_all();
	eof(s);
	reap_ctl(s, EXITED(1));
	tap_ok(s->state == SVC_STOPPING && s->grp->kills[SIGTERM] == 1 && !ran("/s;"),
	       "start-post + CMD_EXIT(1) -> stopping, no ExecStop=");
	reap(s, KILLED(SIGTERM));
	tap_ok(s->state == SVC_STOP_POST && ran("a stop-post /sp;"),
	       "  released -> stop-post, ExecStopPost= runs after a failed start");
	reap_ctl(s, EXITED(0));
	tap_ok(s->state == SVC_FAILED && s->reason == SVC_REASON_EXIT, "  then failed");

	/* both orders of the main process's death and the post command's end */
	reset();
	s = add("a", "[Service]\nExecStart=/m\nExecStartPost=/q1\n");
	sup_start_all();
	eof(s);
	reap(s, EXITED(2));
	CHECK(s, "stopping", "start-post + EXIT(2) [main first] -> stopping");
	reap_ctl(s, KILLED(SIGTERM));
	CHECK(s, "failed", "  then the command's end, released -> failed");
	reset();
	s = add("a", "[Service]\nExecStart=/m\nExecStartPost=/q1\n");
	sup_start_all();
	eof(s);
	reap_ctl(s, EXITED(0));
	reap(s, EXITED(2));
	CHECK(s, "failed", "start-post + CMD_EXIT(0), then EXIT(2) [command first] -> running -> failed");
}

static void test_stop_cmds(void)
{
	struct service *s;

	reset();
	s = running("a", "[Service]\nExecStart=/m\nExecStop=/s1\nExecStop=/s2\nTimeoutStopSec=4\n");
	pid_t main_pid = s->pid;
	char want[16];

	stop(s);
	snprintf(want, sizeof(want), "%d", (int)main_pid);
	tap_ok(s->state == SVC_STOP_CMD && ran("a stop /s1;") && s->grp->kills[SIGTERM] == 0 &&
	       !strcmp(ctl_env_mainpid[s->idx], want) && deadline[s->idx] == now + 4,
	       "running + STOP [ExecStop=] -> stop-cmd, $MAINPID %s, no signal yet, TimeoutStopSec", want);
	reap_ctl(s, EXITED(0));
	tap_ok(s->state == SVC_STOP_CMD && ran("/s1;a stop /s2;"), "stop-cmd + CMD_EXIT -> the next one");
	reap_ctl(s, EXITED(1));
	tap_ok(s->state == SVC_STOPPING && s->grp->kills[SIGTERM] == 1,
	       "stop-cmd + CMD_EXIT(1) [the last; failure logged] -> stopping, SIGTERM");
	reap(s, KILLED(SIGTERM));
	tap_ok(s->state == SVC_DOWN && s->reason == SVC_REASON_USER, "  -> down");

	/* the main process exits (ExecStop= ended it) before ExecStop= does */
	reset();
	s = running("a", "[Service]\nExecStart=/m\nExecStop=/s1\n");
	stop(s);
	reap(s, EXITED(0));
	CHECK(s, "stop-cmd", "stop-cmd + EXIT [main first] -> stop-cmd");
	reap_ctl(s, EXITED(0));
	tap_ok(s->state == SVC_DOWN && s->grp->kills[SIGTERM] == 0,
	       "  + CMD_EXIT, group empty -> down, nothing left to signal");

	reset();
	s = running("a", "[Service]\nExecStart=/m\nExecStop=/s1\n");
	stop(s);
	fire(s);
	tap_ok(s->state == SVC_STOPPING && s->grp->kills[SIGTERM] == 1 && logged("ExecStop= still running"),
	       "stop-cmd + TIMER -> stopping, SIGTERM to the group and the command");
	reap_ctl(s, KILLED(SIGTERM));
	reap(s, KILLED(SIGTERM));
	CHECK(s, "down", "  -> down");

	/* a main process that exits on its own: ExecStop= still runs */
	reset();
	s = running("a", "[Service]\nExecStart=/m\nExecStop=/s1\n");
	reap(s, EXITED(0));
	tap_ok(s->state == SVC_STOP_CMD && !strcmp(ctl_env_mainpid[s->idx], "0"),
	       "running + EXIT(0) [ExecStop=] -> stop-cmd, no $MAINPID");
	reap_ctl(s, EXITED(0));
	CHECK(s, "down", "  -> down");

	/* restart: ExecStop=, ExecStopPost=, then a new run */
	reset();
	s = running("a", "[Service]\nExecStart=/m\nExecStop=/s1\nExecStopPost=/sp\n");
	restart(s);
	CHECK(s, "stop-cmd", "running + RESTART -> stop-cmd");
	reap_ctl(s, EXITED(0));
	reap(s, KILLED(SIGTERM));
	CHECK(s, "stop-post", "  -> stopping -> stop-post");
	svc_dispatch(s, SVC_EV_RELEASED);
	CHECK(s, "stop-post", "stop-post + RELEASED [command running] -> stop-post");
	reap_ctl(s, EXITED(0));
	tap_ok(s->state == SVC_STARTING && spawned[s->idx] == 2, "  + CMD_EXIT -> starting again");
}

static void test_stop_post(void)
{
	struct service *s;

	reset();
	s = running("a", "[Service]\nExecStart=/m\nExecStopPost=/sp1\nExecStopPost=-/sp2\n");
	stop(s);
	reap(s, KILLED(SIGTERM));
	tap_ok(s->state == SVC_STOP_POST && ran("a stop-post /sp1;") && armed(s),
	       "stopping + RELEASED [ExecStopPost=] -> stop-post, timeout armed");
	reap_ctl(s, EXITED(1));
	CHECK(s, "stop-post", "stop-post + CMD_EXIT(1) -> the next one (the stop goes on)");
	s->grp->members++;	/* it leaves a process behind */
	reap_ctl(s, EXITED(0));
	tap_ok(s->state == SVC_STOP_POST && s->grp->kills[SIGTERM] == 2,
	       "stop-post + CMD_EXIT [the last, group not empty] -> SIGTERM to the rest");
	drain_group(s);
	tap_ok(s->state == SVC_DOWN && !armed(s), "stop-post + RELEASED [done] -> down");

	/* exec failure: ExecStopPost= runs for a failed run too */
	reset();
	s = add("a", "[Service]\nExecStart=/nonexistent\nExecStopPost=/sp\n");
	exec_fail_stage[s->idx] = SVC_STAGE_EXEC;
	sup_start_all();
	reap(s, EXITED(127));
	CHECK(s, "stop-post", "starting + EXIT(127) [exec failed] -> stop-post");
	reap_ctl(s, EXITED(0));
	tap_ok(s->state == SVC_FAILED && s->reason == SVC_REASON_EXEC, "  -> failed (exec failed)");

	reset();
	s = running("a", "[Service]\nExecStart=/m\nExecStopPost=/sp1\nExecStopPost=/sp2\n");
	stop(s);
	reap(s, KILLED(SIGTERM));
	fire(s);
	tap_ok(s->state == SVC_STOP_POST && s->grp->kills[SIGKILL] == 1,
	       "stop-post + TIMER -> SIGKILL to the group");
	reap_ctl(s, KILLED(SIGKILL));
	tap_ok(s->state == SVC_DOWN && !ran("/sp2"), "  the rest is skipped; -> down");
}

static void test_reload_cmds(void)
{
	struct service *s, *d;
	double since;

	reset();
	s = running("a", "[Service]\nExecStart=/m\nExecReload=/r1\nExecReload=/r2\n");
	d = add("b", "[Unit]\nRequires=a\nAfter=a\n" SIMPLE);
	sup_link();
	since = s->running_since;
	now += 5;
	svc_dispatch(s, SVC_EV_RELOAD);
	char want[16];

	snprintf(want, sizeof(want), "%d", (int)s->pid);
	tap_ok(s->state == SVC_RELOADING && ran("a reload /r1;") &&
	       !strcmp(ctl_env_mainpid[s->idx], want), "running + RELOAD -> reloading, $MAINPID %s", want);
	start(d);
	CHECK(d, "starting", "  a dependant starts while it reloads (it is up)");
	reap_ctl(s, EXITED(0));
	reap_ctl(s, EXITED(0));
	tap_ok(s->state == SVC_RUNNING && ran("/r1;a reload /r2;") && s->running_since == since,
	       "reloading + CMD_EXIT(0) twice -> running, the run's start kept");

	svc_dispatch(s, SVC_EV_RELOAD);
	reap_ctl(s, EXITED(1));
	tap_ok(s->state == SVC_RUNNING && s->detail && strstr(s->detail, "reload failed: ExecReload /r1: exited 1"),
	       "reloading + CMD_EXIT(1) -> running, detail says so");

	svc_dispatch(s, SVC_EV_RELOAD);
	fire(s);
	tap_ok(ctl_kills[s->idx] == 1 && s->state == SVC_RELOADING, "reloading + TIMER -> the command is killed");
	reap_ctl(s, KILLED(SIGKILL));
	CHECK(s, "running", "  its CMD_EXIT -> running");

	svc_dispatch(s, SVC_EV_RELOAD);
	reap(s, EXITED(1));
	CHECK(s, "stopping", "reloading + EXIT(1) [main died] -> stopping");

	reset();
	s = running("a", SIMPLE);
	svc_dispatch(s, SVC_EV_RELOAD);
	tap_ok(s->state == SVC_RUNNING && !*ctl_order, "running + RELOAD [no ExecReload=] -> running");
}

static void test_oneshot_cmds(void)
{
	struct service *s, *d;

	reset();
	s = add("a", "[Service]\nType=oneshot\nExecStart=/m1\nExecStart=/m2\nExecStart=/m3\n");
	sup_start_all();
	reap(s, EXITED(0));
	tap_ok(s->state == SVC_STARTING && spawned[s->idx] == 2 && s->main_idx == 1,
	       "starting + EXIT(0) [oneshot, more ExecStart=] -> starting, the next forked");
	reap(s, EXITED(0));
	reap(s, EXITED(0));
	tap_ok(s->state == SVC_DONE && spawned[s->idx] == 3, "  all three exit 0 -> done");

	reset();
	s = add("a", "[Service]\nType=oneshot\nExecStart=/m1\nExecStart=/m2\n");
	sup_start_all();
	reap(s, EXITED(1));
	tap_ok(s->state == SVC_FAILED && spawned[s->idx] == 1, "  the first fails -> failed, /m2 never runs");

	reset();
	s = add("a", "[Service]\nType=oneshot\nExecStart=-/m1\nExecStart=/m2\n");
	exec_fail_stage[s->idx] = SVC_STAGE_EXEC;
	sup_start_all();
	reap(s, EXITED(127));
	exec_fail_stage[s->idx] = 0;
	tap_ok(s->state == SVC_STARTING && spawned[s->idx] == 2 && s->fail_stage == SVC_STAGE_NONE,
	       "  '-/m1' cannot exec -> ignored, /m2 forked");
	reap(s, EXITED(0));
	CHECK(s, "done", "  -> done");

	/* RemainAfterExit=yes: up without a process; stop runs ExecStop= */
	reset();
	s = add("a", "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/m\nExecStartPost=/q\n"
		"ExecStop=/s\n");
	d = add("b", "[Unit]\nRequires=a\nAfter=a\n" SIMPLE);
	sup_start_all();
	CHECK(d, "waiting", "a dependant waits for the oneshot");
	reap(s, EXITED(0));
	CHECK(s, "start-post", "starting + EXIT(0) [oneshot, ExecStartPost=] -> start-post");
	reap_ctl(s, EXITED(0));
	tap_ok(s->state == SVC_RUNNING && s->exited_up && s->pid == 0,
	       "  -> running with no process (RemainAfterExit=yes)");
	CHECK(d, "starting", "  the dependant starts");
	svc_dispatch(s, SVC_EV_RELEASED);
	CHECK(s, "running", "running + RELEASED [RemainAfterExit] -> running");
	eof(d);
	stop(s);
	CHECK(s, "running", "running + STOP [a dependant up] -> waits for it");
	reap(d, KILLED(SIGTERM));
	tap_ok(s->state == SVC_STOP_CMD && ran("a stop /s;"), "  then stop-cmd: its ExecStop= runs");
	reap_ctl(s, EXITED(0));
	CHECK(s, "down", "  -> down");

	/* without RemainAfterExit a oneshot's ExecStop= runs once it is done */
	reset();
	s = add("a", "[Service]\nType=oneshot\nExecStart=/m\nExecStop=/s\n");
	sup_start_all();
	reap(s, EXITED(0));
	CHECK(s, "stop-cmd", "starting + EXIT(0) [oneshot, ExecStop=] -> stop-cmd (as systemd)");
	reap_ctl(s, EXITED(0));
	CHECK(s, "done", "  -> done");

	/* RemainAfterExit=yes for a simple service exiting 0 */
	reset();
	s = running("a", "[Service]\nExecStart=/m\nRemainAfterExit=yes\n");
	reap(s, EXITED(0));
	tap_ok(s->state == SVC_RUNNING && s->exited_up, "running + EXIT(0) [simple, RemainAfterExit] -> running");
	reset();
	s = running("a", "[Service]\nExecStart=/m\nRemainAfterExit=yes\n");
	reap(s, EXITED(1));
	CHECK(s, "failed", "running + EXIT(1) [RemainAfterExit] -> failed");
}

/* issue 12: the systemd keys that change transitions (services/exec.h).
 * KillMode=mixed with a main pid would kill() a real pid: only the case
 * without one is driven here (tests/host/exec-kill.sh has the rest). */
static void test_systemd(void)
{
	struct service *s, *d;

	reset();
	s = running("a", "[Service]\nExecStart=/x\nTimeoutStopSec=0\n");
	s->grp->members++;
	stop(s);
	tap_ok(s->state == SVC_STOPPING && s->grp->kills[SIGTERM] == 1 && !armed(s),
	       "running + STOP [TimeoutStopSec=0] -> stopping, SIGTERM, no timer (no timeout)");
	reap(s, EXITED(0));
	drain_group(s);
	CHECK(s, "down", "  stopping + RELEASED -> down, never SIGKILLed");
	tap_ok(s->grp->kills[SIGKILL] == 0, "  no SIGKILL");

	reset();
	s = running("a", "[Service]\nExecStart=/x\nKillSignal=SIGINT\nSendSIGHUP=yes\n");
	stop(s);
	tap_ok(s->grp->kills[SIGINT] == 1 && s->grp->kills[SIGHUP] == 1 && s->grp->kills[SIGTERM] == 0 &&
	       s->grp->kills[SIGCONT] == 1, "running + STOP [KillSignal=SIGINT, SendSIGHUP] -> INT, HUP, CONT");

	reset();
	s = running("a", "[Service]\nExecStart=/x\nSendSIGKILL=no\nTimeoutStopSec=1\n");
	s->grp->members++;
	stop(s);
	fire(s);
	tap_ok(s->state == SVC_STOPPING && s->grp->kills[SIGKILL] == 0 && logged("SendSIGKILL=no") &&
	       !armed(s), "stopping + TIMER [SendSIGKILL=no] -> stopping, nothing sent, logged");

	reset();
	s = running("a", "[Service]\nExecStart=/x\nFinalKillSignal=SIGQUIT\nTimeoutStopSec=1\n");
	s->grp->members++;
	stop(s);
	fire(s);
	tap_ok(s->grp->kills[SIGQUIT] == 1 && s->grp->kills[SIGKILL] == 0,
	       "stopping + TIMER [FinalKillSignal=SIGQUIT] -> SIGQUIT");

	reset();
	s = running("a", "[Service]\nExecStart=/x\nKillMode=mixed\n");
	s->grp->members++;
	reap(s, EXITED(0));	/* main gone, a straggler left: the run ends */
	tap_ok(s->state == SVC_STOPPING && s->grp->kills[SIGKILL] == 1 && s->grp->kills[SIGTERM] == 0,
	       "running + EXIT [KillMode=mixed, no main pid] -> the rest gets SIGKILL, not SIGTERM");

	reset();
	s = running("a", "[Service]\nExecStart=/x\nSuccessExitStatus=42\nRestart=on-failure\n");
	reap(s, EXITED(42));
	CHECK(s, "down", "running + EXIT(42) [SuccessExitStatus=42] -> down, not restarted");
	reset();
	s = running("a", "[Service]\nExecStart=/x\nRestart=on-abnormal\n");
	reap(s, EXITED(3));
	CHECK(s, "failed", "running + EXIT(3) [Restart=on-abnormal] -> failed");
	reset();
	s = running("a", "[Service]\nExecStart=/x\nRestart=on-abnormal\n");
	reap(s, KILLED(SIGUSR1));
	CHECK(s, "backoff", "running + killed by SIGUSR1 [Restart=on-abnormal] -> backoff");
	reset();
	s = running("a", "[Service]\nExecStart=/x\nRestart=on-failure\n");
	reap(s, KILLED(SIGTERM));
	CHECK(s, "down", "running + killed by SIGTERM [Restart=on-failure] -> down (clean)");
	reset();
	s = running("a", "[Service]\nExecStart=/x\nRestart=on-success\n");
	reap(s, EXITED(0));
	CHECK(s, "backoff", "running + EXIT(0) [Restart=on-success] -> backoff");
	reset();
	s = add("a", "[Service]\nType=notify\nExecStart=/x\nRestart=on-abnormal\nTimeoutStartSec=5\n");
	sup_start_all();
	eof(s);
	fire(s);
	reap(s, KILLED(SIGTERM));
	CHECK(s, "backoff", "starting + TIMER [Restart=on-abnormal] -> a timeout restarts");

	reset();
	s = add("a", "[Service]\nType=forking\nExecStart=/x\nTimeoutStartSec=0\n");
	sup_start_all();
	tap_ok(s->state == SVC_STARTING && !armed(s), "down + START [forking, TimeoutStartSec=0] -> starting, no timer");
	reset();
	s = add("a", "[Service]\nType=exec\nExecStart=/x\n");
	sup_start_all();
	eof(s);
	CHECK(s, "running", "starting + EXEC_OK [Type=exec] -> running");

	reset();
	s = add("c", "[Unit]\nConditionPathExists=/nonexistent/corral-test\n" SIMPLE);
	d = add("d", "[Unit]\nRequires=c\nAfter=c\n" SIMPLE);
	sup_link();
	start(d);
	tap_ok(s->state == SVC_DONE && s->reason == SVC_REASON_CONDITION && !spawned[s->idx] &&
	       s->detail && strstr(s->detail, "ConditionPathExists=/nonexistent/corral-test"),
	       "down + START [a Condition fails] -> done (condition failed), nothing forked");
	CHECK(d, "starting", "  its dependant starts");
	reset();
	s = add("c", "[Unit]\nAssertPathExists=/nonexistent/corral-test\n" SIMPLE);
	d = add("d", "[Unit]\nRequires=c\nAfter=c\n" SIMPLE);
	sup_link();
	start(d);
	tap_ok(s->state == SVC_FAILED && s->reason == SVC_REASON_ASSERT && !spawned[s->idx],
	       "down + START [an Assert fails] -> failed (assert failed)");
	CHECK(d, "failed", "  its dependant fails");
}

/* A service Restart= brings back keeps its emptied group between runs
 * (no rmdir and mkdir in every hierarchy per restart); it goes once the
 * service is down for good, as notify_on_release= says. */
static void test_kept_group(void)
{
	struct service *s;
	struct grp_group *g;

	reset();
	s = running("a", "[Service]\nExecStart=/bin/true\nRestart=always\nRestartSec=0\n");
	g = s->grp;
	tap_ok(!g->auto_delete, "Restart=always: its group is not removed when it empties");
	reap(s, KILLED(SIGKILL));
	fire(s);
	eof(s);
	CHECK(s, "running", "killed, restarted at once");
	tap_ok(g->removed == 0, "  the group was kept across the restart");
	stop(s);
	drain_group(s);
	CHECK(s, "down", "then stopped");
	tap_ok(g->removed == 1, "  down for good: the group is removed now");
	start(s);
	eof(s);
	tap_ok(s->state == SVC_RUNNING && !g->auto_delete, "started again: kept again");

	reset();
	s = running("b", "[Service]\nExecStart=/bin/true\nRestart=always\nRestartSec=0\n"
		    "[Group]\nnotify_on_release=no\n");
	stop(s);
	drain_group(s);
	tap_ok(s->state == SVC_DOWN && s->grp->removed == 0,
	       "notify_on_release=no: never removed");

	reset();
	s = running("c", SIMPLE);
	tap_ok(s->grp->auto_delete, "Restart=no: removed as soon as it empties");
	reap(s, EXITED(0));
	tap_ok(s->state == SVC_DOWN && s->grp->removed == 1, "  and it was");
}

int main(void)
{
	test_down();
	test_waiting();
	test_starting();
	test_running();
	test_stopping();
	test_backoff_cells();
	test_idle_cells();
	test_ignored();
	test_orders();
	test_backoff();
	test_deps();
	test_cycles();
	test_group_order();
	test_many();
	test_reload();
	test_start_pre();
	test_start_post();
	test_stop_cmds();
	test_stop_post();
	test_reload_cmds();
	test_oneshot_cmds();
	test_units();
	test_systemd();
	test_kept_group();
	tap_ok(recursions == 0, "no handler ran inside another: engine callbacks from a handler only queue (%u)",
	       recursions);
	reset();
	return tap_done();
}
