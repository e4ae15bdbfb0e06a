/*
 * supervisor/state.c - the service state machine.
 *
 *            START (deps not up)              READY / EXEC_OK(simple)
 *   DOWN ───────────────────▶ WAITING ──DEPS──▶ STARTING ─────────────▶ RUNNING
 *     ▲  ─────START (deps up)──────────────────▶   │                        │
 *     │                                            │ EXIT / STOP / RESTART  │
 *     │                                            ▼                        │
 *     └── RELEASED (after_stop=down) ────────── STOPPING ◀──────────────────┘
 *   FAILED ◀── RELEASED (after_stop=failed) ───┘ │   │ RELEASED (after_stop=done)
 *                                                │   └──────────────▶ DONE
 *                     RELEASED (after_stop=backoff)
 *                                                ▼
 *                                  BACKOFF ──TIMER──▶ (spawn) STARTING
 *
 * A run always ends through STOPPING: the rest of the group gets
 * KillSignal= (SIGTERM), FinalKillSignal= (SIGKILL) after TimeoutStopSec
 * (none if 0 or infinity; KillMode= says who hears what first: kill.c),
 * and the run is over only when the grouping
 * engine reports the group released, so no process of an old run can
 * survive into the next one.  after_stop, an explicit enum chosen when
 * the stop begins, says where the service goes then.
 *
 * Events are queued.  svc_post() appends to one FIFO; if no handler is
 * running, the queue is drained at once, otherwise the event waits its
 * turn, so a handler never runs inside another one and every service sees
 * its events in the order they happened.  Handlers read the outside world
 * only through the event (EXIT carries the wait status) and the service.
 * The exec-status pipe is read before an EXIT is queued (see
 * sup_child_exited), so "exec succeeded" always comes before "exited",
 * whichever of the pipe's EOF and SIGCHLD the loop saw first.
 *
 * Restart policy is data: Restart= decides whether (systemd's table in
 * services/exec.c, from how the run ended); RestartSec decides
 * when, doubling for each failed run in a row up to RestartMaxDelaySec;
 * a run that was RUNNING for RestartForgiveSec or longer resets the count
 * of failures in a row when it ends.  A clean exit (status 0, for a daemon
 * also SIGHUP/INT/TERM/PIPE, and SuccessExitStatus=) is never a failure.
 * StartLimitBurst starts within StartLimitIntervalSec (every start counts,
 * clean or not; a start skipped by a Condition*= does not) make the
 * service FAILED.  Conditions are checked at every start: a failed one
 * leaves the service DONE (reason "condition failed") so its dependants
 * go on; a failed Assert*= makes it FAILED.
 *
 * Exec*= lines besides ExecStart= are control commands, run one at a
 * time in the service's group (s->ctl_pid; their end is CMD_EXIT):
 *
 *   (spawn) START_PRE ──last ok──▶ STARTING ──started per Type=──▶ START_POST
 *      │ a failure (no '-')            (oneshot: each ExecStart= in turn)  │
 *      ▼                                                     last ok ▼
 *   STOPPING ◀── (no ExecStop=, or not started) ── stop ◀── RUNNING ⇄ RELOADING
 *      ▲                                             │  (ExecReload=, initctl reload NAME)
 *      └──── last done / TimeoutStopSec ── STOP_CMD ◀┘  (ExecStop=, $MAINPID)
 *   STOPPING ──RELEASED──▶ STOP_POST (ExecStopPost=, after every run,
 *      failed ones too) ──commands done, group empty──▶ where after_stop says
 *
 * ExecStop= runs only for a run that got started (reached START_POST's
 * end), as in systemd, also when its main process ended on its own.
 * Pre and post commands have TimeoutStartSec, ExecStop= and ExecStopPost=
 * TimeoutStopSec.  A Type=oneshot with RemainAfterExit=yes whose commands
 * succeeded stays RUNNING with no process (exited_up), so its dependants
 * see it up and its stop runs ExecStop=.
 *
 * Dependencies are resolved into edges once (sup_link) and cycles are
 * failed there.  Every change of a service's state or wanted state queues
 * a DEPS event for the services on both ends of its edges, and DEPS lets
 * each of them decide again: a WAITING one may start, a pending stop may
 * proceed now that its dependents are down, a Requires= stop follows the
 * unit it requires.  Nothing depends on load order or on names (but which
 * of two enabled units that conflict starts at boot: the first by name).
 * The other kinds (supervisor/units.c) use the same events: Wants= and
 * Conflicts= act when a unit is wanted up (want_up), a BindsTo= stop
 * follows the unit going away (DEPS), PartOf= carries a stop (want_set)
 * and a restart (handle) to the units that are part of it.  Targets run
 * nothing: spawn() makes them RUNNING ("reached") at once.
 */
#include "internal.h"
#include "../lib/log.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

struct supervisor sup = { .ctl_fd = -1 };

static const char *const state_names[] = {
#define X(id, name) name,
	SVC_STATES(X)
#undef X
};
static const char *const event_names[] = {
#define X(id) #id,
	SVC_EVENTS(X)
#undef X
};

static void finish(struct service *s, bool failed, enum svc_reason reason, const char *why);

const char *svc_state_name(enum svc_state s)
{
	return (unsigned)s < SVC_NSTATES ? state_names[s] : "?";
}

const char *svc_event_name(enum svc_event e)
{
	return (unsigned)e < SVC_NEVENTS ? event_names[e] : "?";
}

const char *svc_reason_name(enum svc_reason r)
{
	static const char *const n[] = { "", "stopped", "exec failed", "exited",
					 "start limit", "dependency failed", "group setup failed",
					 "start timeout", "condition failed", "assert failed" };

	return (unsigned)r < sizeof(n) / sizeof(*n) ? n[r] : "?";
}

const char *svc_stage_name(enum svc_exec_stage s)
{
	static const char *const n[] = { "none", "attach", "stdio", "chdir", "setgroups",
					 "setgid", "setuid", "exec", "user", "rlimit",
					 "environment", "sandbox", "directories", "nice",
					 "oom-score", "capabilities" };

	return (unsigned)s < sizeof(n) / sizeof(*n) ? n[s] : "?";
}

void svc_describe_status(int status, char *buf, size_t len)
{
	if (status < 0)
		snprintf(buf, len, "-");
	else if (WIFEXITED(status))
		snprintf(buf, len, "exited %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "status 0x%x", status);
}

struct service *svc_find(const char *name)
{
	for (unsigned i = 0; i < sup.nsvcs; i++)
		if (!strcmp(sup.svcs[i]->def.name, name))
			return sup.svcs[i];
	return NULL;
}

struct service *svc_find_any(const char *name)
{
	struct service *s = svc_find(name), *found = NULL;

	if (s)
		return s;
	/* [Install] Alias=: a unit's own name wins over another's alias; of
	 * two units with the same alias, the first by name (as in units.c) */
	for (unsigned i = 0; i < sup.nsvcs; i++)
		for (unsigned a = 0; a < sup.svcs[i]->def.nalias; a++)
			if (!strcmp(sup.svcs[i]->def.alias[a], name) &&
			    (!found || strcmp(sup.svcs[i]->def.name, found->def.name) < 0))
				found = sup.svcs[i];
	return found;
}

struct service *svc_find_pid(pid_t pid)
{
	for (unsigned i = 0; i < sup.nsvcs; i++)
		if (pid > 0 && sup.svcs[i]->pid == pid)
			return sup.svcs[i];
	return NULL;
}

/* ---- the event queue ----------------------------------------------------- */

struct evq_item {
	struct service *s;
	enum svc_event ev;
	int arg;		/* EXIT: the wait status */
	pid_t pid;		/* EXIT: who exited */
};

static struct {
	struct evq_item *q;	/* a ring of cap items */
	size_t head, len, cap;
	bool draining;
} evq;

static void handle(struct service *s, enum svc_event ev, int arg, pid_t pid);

static bool evq_grow(void)
{
	size_t cap = evq.cap ? evq.cap * 2 : 64;
	struct evq_item *q = malloc(cap * sizeof(*q));

	if (!q)
		return false;
	for (size_t i = 0; i < evq.len; i++)
		q[i] = evq.q[(evq.head + i) % evq.cap];
	free(evq.q);
	evq.q = q;
	evq.head = 0;
	evq.cap = cap;
	return true;
}

/* Drain the queue; then, if a stop of everything is pending and nothing
 * is active any more, report it.  Re-entered calls only queue. */
static void run_queue(void)
{
	if (evq.draining)
		return;
	evq.draining = true;
	while (evq.len) {
		struct evq_item it = evq.q[evq.head];

		evq.head = (evq.head + 1) % evq.cap;
		evq.len--;
		handle(it.s, it.ev, it.arg, it.pid);
	}
	evq.draining = false;
	sup_sweep();	/* removed services that are down: nothing refers to them now */
	if (sup.stop_done && sup.nactive == 0) {
		void (*done)(void *) = sup.stop_done;

		sup.stop_done = NULL;
		done(sup.stop_data);
	}
}

static void post(struct service *s, enum svc_event ev, int arg, pid_t pid)
{
	if (ev == SVC_EV_DEPS) {
		/* one pending DEPS says it all: the handler looks at the
		 * neighbours as they are when it runs */
		if (s->deps_queued)
			return;
		s->deps_queued = true;
	}
	if (evq.len == evq.cap && !evq_grow()) {
		log_error("%s: out of memory queueing %s; event lost", s->def.name,
			  svc_event_name(ev));
		if (ev == SVC_EV_DEPS)
			s->deps_queued = false;
		return;
	}
	evq.q[(evq.head + evq.len++) % evq.cap] = (struct evq_item){ s, ev, arg, pid };
	run_queue();
}

void svc_post(struct service *s, enum svc_event ev, int arg)
{
	post(s, ev, arg, ev == SVC_EV_EXIT ? s->pid : 0);
}

void svc_dispatch(struct service *s, enum svc_event ev)
{
	svc_post(s, ev, 0);
}

/* ---- state, wanted state, and telling the neighbours ------------------- */

static bool is_idle(enum svc_state st)
{
	return st == SVC_DOWN || st == SVC_FAILED || st == SVC_DONE;
}

static void notify_neighbours(struct service *s)
{
	for (unsigned i = 0; i < s->ndeps; i++)
		if (s->deps[i].svc != s)
			svc_post(s->deps[i].svc, SVC_EV_DEPS, 0);
	for (unsigned i = 0; i < s->nrdeps; i++)
		if (s->rdeps[i].svc != s)
			svc_post(s->rdeps[i].svc, SVC_EV_DEPS, 0);
}

/* A service that Restart= brings back keeps its emptied group between
 * runs: removing and re-making a directory in every hierarchy (and
 * copying the cpuset) was most of the time from a death to the next
 * exec.  The group goes when the service stops for good (group_drop(),
 * an entry action of the idle states). */
static bool group_kept(const struct service *s)
{
	return s->def.notify_on_release && s->def.restart != SVC_RESTART_NO;
}

/* The end of the line (down, failed, done): a kept group goes now, as
 * notify_on_release= says; its release is asked for again, so the next
 * start arms it as kept again. */
static void group_drop(struct service *s)
{
	if (!s->grp || !group_kept(s) || !s->release_armed)
		return;
	grp_group_set_release(s->grp, true, svc_group_released, NULL);
	s->release_armed = false;
	grp_group_check(s->grp);
}

void svc_state_set(struct service *s, enum svc_state st, const char *why)
{
	enum svc_state old = s->state;

	if (s->state == st)
		return;
	log_info("%s: %s → %s%s%s%s", s->def.name, svc_state_name(s->state),
		 svc_state_name(st), why ? " (" : "", why ? why : "", why ? ")" : "");
	if (is_idle(s->state) && !is_idle(st))
		sup.nactive++;
	else if (!is_idle(s->state) && is_idle(st))
		sup.nactive--;
	*(enum svc_state *)&s->state = st;
	s->hist[s->nhist++ % SVC_HIST_MAX] = (struct svc_hist){ svc_mono(), st };
	svc_output_state(s, st);	/* "running after", boot summary */
	/* entry actions: the start timeout ends with STARTING */
	if (st == SVC_RUNNING) {
		if (old != SVC_RELOADING)	/* a reload does not start a new run */
			s->running_since = svc_now();
		svc_timer_stop(s);
	} else if (st != SVC_STOPPING && st != SVC_RELOADING && st != SVC_STOP_CMD &&
		   st != SVC_STOP_POST) {
		s->running_since = 0;
	}
	if (is_idle(st)) {
		svc_timer_stop(s);
		group_drop(s);
	}
	notify_neighbours(s);
}

static void want_set(struct service *s, enum svc_want w)
{
	if (s->want == w)
		return;
	s->want = w;
	notify_neighbours(s);
	/* PartOf= s: whatever stops s stops them (a request, a Requires=
	 * follow, a conflict); queued, so each decides in its own turn */
	for (unsigned i = 0; w == SVC_WANT_DOWN && i < s->nrdeps; i++)
		if ((s->rdeps[i].kind & SVC_DEP_PARTOF) && s->rdeps[i].svc != s)
			svc_post(s->rdeps[i].svc, SVC_EV_STOP, 0);
}

static void set_detail(struct service *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void set_detail(struct service *s, const char *fmt, ...)
{
	va_list ap;
	char *d = NULL;

	va_start(ap, fmt);
	if (vasprintf(&d, fmt, ap) < 0)
		d = NULL;
	va_end(ap);
	free(s->detail);
	s->detail = d;
}

static void clear_detail(struct service *s)
{
	free(s->detail);
	s->detail = NULL;
}

/* ---- helpers used by handlers ------------------------------------------ */

static bool settled(const struct service *d)
{
	return d->state == SVC_RUNNING || d->state == SVC_RELOADING ||
	       d->state == SVC_DONE || d->state == SVC_FAILED;
}

static bool active(const struct service *d)
{
	return d->state == SVC_STARTING || d->state == SVC_RUNNING ||
	       d->state == SVC_STOPPING || d->state == SVC_START_PRE ||
	       d->state == SVC_START_POST || d->state == SVC_RELOADING ||
	       d->state == SVC_STOP_CMD || d->state == SVC_STOP_POST;
}

/* 1 ready, 0 wait, -1 a Requires= unit failed or is missing (*culprit),
 * -2 a Requisite= unit is neither up nor being started */
static int deps_state(struct service *s, const char **culprit)
{
	int ready = 1;

	if (s->missing) {
		*culprit = s->missing;
		return -1;
	}
	for (unsigned i = 0; i < s->ndeps; i++) {
		struct service *d = s->deps[i].svc;
		unsigned kind = s->deps[i].kind;

		if (kind & SVC_DEP_REQUISITE) {
			/* never started for us; ordered like Requires= */
			if (d->state == SVC_RUNNING || d->state == SVC_DONE)
				;
			else if (d->want == SVC_WANT_UP && d->state != SVC_FAILED)
				ready = 0;
			else {
				*culprit = d->def.name;
				return -2;
			}
		}
		/* Conflicts=: wait until the other (being stopped) is down */
		if ((kind & SVC_DEP_CONFLICTS) && active(d))
			ready = 0;
		if (kind & SVC_DEP_REQUIRES) {
			if (d->state == SVC_FAILED) {
				*culprit = d->def.name;
				return -1;
			}
			if (!settled(d))
				ready = 0;
		} else if ((kind & SVC_DEP_AFTER) && d->want == SVC_WANT_UP &&
			   (d->state == SVC_WAITING || d->state == SVC_STARTING ||
			    d->state == SVC_START_PRE || d->state == SVC_START_POST ||
			    d->state == SVC_DOWN)) {
			/* After= only orders start attempts: wait while d
			 * is being started, not while it backs off after a
			 * failed attempt */
			ready = 0;
		}
	}
	return ready;
}

/* A unit s Requires= (or Requisite=, BindsTo=) is wanted down: s
 * follows it. */
static struct service *required_going_down(const struct service *s)
{
	for (unsigned i = 0; i < s->ndeps; i++)
		if ((s->deps[i].kind & (SVC_DEP_REQUIRES | SVC_DEP_REQUISITE)) &&
		    s->deps[i].svc != s && s->deps[i].svc->want == SVC_WANT_DOWN)
			return s->deps[i].svc;
	return NULL;
}

/* A unit s is BindsTo= that went away (stopped, failed, died) while s
 * is up; a restart of it is not going away. */
static struct service *bound_gone(const struct service *s)
{
	for (unsigned i = 0; i < s->ndeps; i++) {
		struct service *d = s->deps[i].svc;

		if (!(s->deps[i].kind & SVC_DEP_BINDS) || d == s)
			continue;
		if (d->state == SVC_FAILED || d->state == SVC_DOWN || d->state == SVC_BACKOFF ||
		    (d->state == SVC_STOPPING && d->after_stop != SVC_AFTER_RESTART))
			return d;
	}
	return NULL;
}

/* Dependents that must be down before s stops: those that Require s
 * (they are being stopped with it) and those ordered After= s that are
 * going down too (shutdown runs in reverse dependency order). */
static bool has_active_dependents(const struct service *s)
{
	for (unsigned i = 0; i < s->nrdeps; i++) {
		const struct service *o = s->rdeps[i].svc;

		if (o == s || !active(o) || !(s->rdeps[i].kind & SVC_DEP_ORDER))
			continue;
		if ((s->rdeps[i].kind & (SVC_DEP_REQUIRES | SVC_DEP_REQUISITE)) ||
		    o->want == SVC_WANT_DOWN)
			return true;
	}
	return false;
}

static void fail(struct service *s, enum svc_reason r, const char *why)
{
	s->reason = r;
	svc_state_set(s, SVC_FAILED, why);
}

/* The service that declares the group one level above s's, if any. */
static struct service *parent_declarer(const struct service *s)
{
	const char *slash = strrchr(s->grp_path, '/');
	size_t n = slash ? (size_t)(slash - s->grp_path) : 0;

	for (unsigned i = 0; slash && i < sup.nsvcs; i++) {
		struct service *o = sup.svcs[i];

		if (!strncmp(o->grp_path, s->grp_path, n) && o->grp_path[n] == '\0')
			return o;
	}
	return NULL;
}

/* Open the service's group and write its limits.  The parent group's
 * limits, declared by another service, are written first (recursively,
 * at most GRP_DEPTH_MAX levels), so a child is always checked against
 * what its parent declares, whatever the load or start order.  An error
 * names the parent group and who declared it. */
static int open_group(struct service *s)
{
	struct service *decl = parent_declarer(s);
	char err[400];

	if (decl && !decl->grp && decl != s)
		(void)open_group(decl);	/* its own start reports its errors */
	s->grp = grp_group_open(sup.o.engine, s->grp_path);
	if (s->grp && grp_group_set_limits(s->grp, &s->def.limits, err, sizeof(err)) == 0)
		return 0;
	if (!s->grp)
		snprintf(err, sizeof(err), "%s", strerror(errno));
	grp_group_discard(s->grp);
	s->grp = NULL;
	if (decl)
		set_detail(s, "group %s: %s (parent group %s, declared by %s)", s->grp_path,
			   err, decl->grp_path, decl->def.name);
	else
		set_detail(s, "group %s: %s", s->grp_path, err);
	log_error("%s: %s", s->def.name, s->detail ? s->detail : err);
	return -1;
}

/* The delay before the next automatic start: RestartSec, doubled for
 * each failed run in a row after the first, capped. */
static double backoff_delay(const struct service *s)
{
	double d = s->def.restart_sec;
	double cap = s->def.restart_max_delay > d ? s->def.restart_max_delay : d;

	for (unsigned i = 1; i < s->failures && d < cap; i++)
		d *= 2;
	return d < cap ? d : cap;
}

static void exec_main(struct service *s);
static void run_cmd(struct service *s, enum svc_cmd_kind k, unsigned idx);
/* Condition*=/Assert*= (services/conditions.c), at every start: 0 they
 * hold; otherwise the service is done (condition: skipped, dependants go
 * on) or failed (assert), and nothing is forked. */
static int check_conditions(struct service *s)
{
	char why[600];
	int r;

	if (!s->def.x.nconds)
		return 0;
	r = svc_conds_check(&s->def.x, NULL, why, sizeof(why));
	if (r == 0)
		return 0;
	set_detail(s, "%s", why);
	if (r == 1) {
		log_info("%s: skipped: %s does not hold", s->def.name, why);
		s->reason = SVC_REASON_CONDITION;
		svc_state_set(s, SVC_DONE, "condition failed");
	} else {
		log_error("%s: %s does not hold", s->def.name, why);
		fail(s, SVC_REASON_ASSERT, "assert failed");
	}
	return r;
}

/* Begin a run.  Checks the start limit, makes sure the group exists with
 * its limits, then runs ExecStartPre= or forks the main process. */
static void spawn(struct service *s)
{
	double now = svc_now();
	unsigned recent = 0;

	if (s->def.target) {
		/* nothing to run: reached now that its dependencies are */
		s->started_at = now;
		svc_state_set(s, SVC_RUNNING, "reached");
		return;
	}
	/* a skipped start is no start: not counted towards the limit */
	if (check_conditions(s) != 0)
		return;
	/* the ring holds as many starts as the largest burst allowed, so
	 * "burst starts within the interval" is always decidable */
	for (unsigned i = 0; i < s->nstarts && i < SVC_START_LIMIT_MAX; i++)
		if (now - s->starts[i] <= s->def.start_limit_interval)
			recent++;
	if (recent >= s->def.start_limit_burst) {
		fail(s, SVC_REASON_START_LIMIT, "started too often");
		return;
	}
	s->starts[s->nstarts++ % SVC_START_LIMIT_MAX] = now;
	if (!s->grp && open_group(s) < 0) {
		fail(s, SVC_REASON_GROUP, "group setup failed");
		return;
	}
	if (!s->release_armed) {
		/* always told: a run ends when its group is empty; whether
		 * the emptied directory goes is notify_on_release=, and
		 * when: a restarting service keeps it (group_kept()) */
		grp_group_set_release(s->grp, s->def.notify_on_release && !group_kept(s),
				      svc_group_released, NULL);
		s->release_armed = true;
	}
	if (grp_group_prepare(s->grp) < 0) {
		log_error("%s: cannot re-create group %s: %s", s->def.name, s->grp_path,
			  strerror(errno));
		fail(s, SVC_REASON_GROUP, "group setup failed");
		return;
	}
	s->fail_stage = SVC_STAGE_NONE;
	s->fail_errno = 0;
	s->status_text[0] = '\0';
	s->started_at = now;
	s->kill_sent = false;
	clear_detail(s);
	s->main_idx = 0;
	s->run_started = false;
	s->exited_up = false;
	if (s->def.cmds[SVC_CMD_START_PRE].n) {
		svc_state_set(s, SVC_START_PRE, NULL);
		svc_timer_arm(s, s->def.timeout_start_sec);
		run_cmd(s, SVC_CMD_START_PRE, 0);
		return;
	}
	exec_main(s);
}

/* Fork the main process: ExecStart= number main_idx. */
static void exec_main(struct service *s)
{
	/* after ExecStartPre= or an earlier ExecStart= (oneshot): something
	 * ran in the group, which may have emptied and been removed since */
	bool again = s->state == SVC_START_PRE || s->main_idx > 0;
	int rc;

	s->fail_stage = SVC_STAGE_NONE;
	s->fail_errno = 0;
	if (again && grp_group_prepare(s->grp) < 0) {
		log_error("%s: cannot re-create group %s: %s", s->def.name, s->grp_path,
			  strerror(errno));
		finish(s, true, SVC_REASON_GROUP, "group setup failed");
		return;
	}
	rc = svc_spawn(s);
	/* nothing was forked: the group prepared above stays empty, and no
	 * event will say so */
	if (rc < 0)
		grp_group_check(s->grp);
	if (rc == -4)
		sbx_dirs_release(s, false);	/* what was made before the failure */
	if (rc < 0 && again) {
		/* commands ran before: end the run through stopping */
		finish(s, true, SVC_REASON_EXEC, rc == -1 ? "fork failed" : rc == -2 ?
		       "user or group lookup failed" : rc == -4 ?
		       "environment, directory or sandbox setup failed" :
		       "notify socket setup failed");
		return;
	}
	if (rc == -2 || rc == -3 || rc == -4) {
		/* no retry can fix these */
		fail(s, SVC_REASON_EXEC, rc == -2 ? "user or group lookup failed" :
			 rc == -3 ? "notify socket setup failed" :
			 "environment, directory or sandbox setup failed");
		return;
	}
	if (rc < 0) {
		/* fork itself failed: retry like a failed run */
		s->reason = SVC_REASON_EXEC;
		s->failures++;
		svc_state_set(s, SVC_BACKOFF, "fork failed");
		svc_timer_arm(s, backoff_delay(s) > 1 ? backoff_delay(s) : 1);
		return;
	}
	svc_state_set(s, SVC_STARTING, NULL);
	/* READY=1 or the starter's exit must come in time */
	if ((s->def.type == SVC_TYPE_NOTIFY || s->def.type == SVC_TYPE_FORKING) &&
	    s->def.timeout_start_sec < SVC_SECONDS_INFINITY)
		svc_timer_arm(s, s->def.timeout_start_sec);
	else
		svc_timer_stop(s);	/* ExecStartPre='s timeout is over */
}

/* Run Exec*= line idx of kind k as the control command.  One that cannot
 * run (fork failed, no such user) gets its CMD_EXIT queued at once with
 * status -1, under a pid of its own that no process has (< 0), so a
 * handler sees one kind of end and a stale one is told apart. */
static void run_cmd(struct service *s, enum svc_cmd_kind k, unsigned idx)
{
	s->ctl_kind = k;
	s->ctl_idx = idx;
	s->ctl_status = -1;
	/* the group may have emptied (and been removed) since the last one */
	if (s->grp && grp_group_prepare(s->grp) < 0)
		log_error("%s: cannot re-create group %s: %s", s->def.name, s->grp_path,
			  strerror(errno));
	else if (svc_spawn_ctl(s, &s->def.cmds[k].v[idx]) == 0)
		return;
	if (s->grp)
		grp_group_check(s->grp);
	s->ctl_seq++;
	s->ctl_pid = -(pid_t)(s->ctl_seq % 1000000) - 1;
	post(s, SVC_EV_CMD_EXIT, -1, s->ctl_pid);
}

static void try_start(struct service *s)
{
	const char *culprit = NULL;
	int d;

	if (s->in_cycle) {
		fail(s, SVC_REASON_DEPENDENCY, s->detail);
		return;
	}
	d = deps_state(s, &culprit);
	if (d == -2) {
		set_detail(s, "requisite %s is not running", culprit);
		fail(s, SVC_REASON_DEPENDENCY, s->detail);
		return;
	}
	if (d < 0) {
		if (s->missing)
			set_detail(s, "requires %s, which is not loaded", culprit);
		else
			set_detail(s, "requires %s, which failed", culprit);
		fail(s, SVC_REASON_DEPENDENCY, s->detail);
		return;
	}
	if (d == 0) {
		svc_state_set(s, SVC_WAITING, NULL);
		return;
	}
	spawn(s);
}

/* Signal whatever is left of the group and wait for the engine to
 * report it released. */
static void signal_stop(struct service *s, const char *why)
{
	svc_state_set(s, SVC_STOPPING, why);
	if (!s->grp || grp_group_empty(s->grp)) {
		svc_post(s, SVC_EV_RELEASED, 0);
		return;
	}
	svc_kill_stop(s);	/* KillMode=, KillSignal=; arms TimeoutStopSec */
	/* the signals may already have emptied it */
	grp_group_check(s->grp);
}

/* End the run: ExecStop= first if the run got started, then the
 * signals (signal_stop). */
static void begin_stop(struct service *s, enum svc_after_stop after,
		       enum svc_reason reason, const char *why)
{
	s->after_stop = after;
	s->reason = reason;
	s->post_done = false;
	if (s->run_started && s->def.cmds[SVC_CMD_STOP].n) {
		s->run_started = false;		/* once per run */
		svc_state_set(s, SVC_STOP_CMD, why);
		svc_timer_arm(s, s->def.timeout_stop_sec);
		run_cmd(s, SVC_CMD_STOP, 0);
		return;
	}
	s->run_started = false;
	signal_stop(s, why);
}

/* Stop now, or once no dependent that must go first is active (the
 * dependents' own state changes bring DEPS back here). */
static void stop_when_free(struct service *s)
{
	if (has_active_dependents(s)) {
		log_debug("%s: stop waits for its dependents", s->def.name);
		return;
	}
	begin_stop(s, SVC_AFTER_DOWN, SVC_REASON_USER, "stop requested");
}

/* Restart= and systemd's table (svc_restart_wanted): how did it end? */
static bool wants_restart(const struct service *s, bool failed, enum svc_reason reason)
{
	enum svc_end e = SVC_END_CLEAN;

	if (s->want != SVC_WANT_UP)
		return false;
	if (reason == SVC_REASON_START_TIMEOUT)
		e = SVC_END_TIMEOUT;
	else if (failed)
		e = s->last_status >= 0 && WIFSIGNALED(s->last_status) && !s->fail_stage ?
		    SVC_END_SIGNAL : SVC_END_EXIT_CODE;
	return svc_restart_wanted(&s->def.x, s->def.restart, e,
				  s->fail_stage ? -1 : s->last_status);
}

/* The run ended (main exit, start timeout, or a forking daemon's group
 * emptied): settle the backoff count and stop whatever is left. */
static void finish(struct service *s, bool failed, enum svc_reason reason, const char *why)
{
	if (s->running_since > 0 && svc_now() - s->running_since >= s->def.restart_forgive)
		s->failures = 0;	/* it was healthy: forgive the past */
	if (failed)
		s->failures++;
	if (wants_restart(s, failed, reason))
		begin_stop(s, SVC_AFTER_BACKOFF, reason, why);
	else if (failed)
		begin_stop(s, SVC_AFTER_FAILED, reason, why);
	else if (s->def.type == SVC_TYPE_ONESHOT && s->want == SVC_WANT_UP)
		begin_stop(s, SVC_AFTER_DONE, SVC_REASON_NONE, why);
	else
		begin_stop(s, SVC_AFTER_DOWN, reason, why);
}

static bool status_failed(const struct service *s)
{
	/* exit 0, SIGHUP/INT/TERM/PIPE or SuccessExitStatus= is clean */
	return s->fail_stage != SVC_STAGE_NONE ||
	       !svc_status_clean(&s->def.x, s->last_status, s->def.type != SVC_TYPE_ONESHOT);
}

/* The ExecStart= that runs now has '-': its failure is not acted on. */
static bool main_ignored(const struct service *s)
{
	const struct svc_cmds *l = &s->def.cmds[SVC_CMD_START];

	return l->n && (l->v[s->main_idx < l->n ? s->main_idx : 0].flags & SVC_CMD_F_IGNORE);
}

/* Whether the main process failed, '-' considered (logged if ignored). */
static bool main_failed(struct service *s, const char *st)
{
	if (!status_failed(s))
		return false;
	if (!main_ignored(s))
		return true;
	log_info("%s: %s; ignored ('-' prefix)", s->def.name, st);
	return false;
}

/* Want s up, and the units it Requires= with it.  Their wanted state is
 * set here, not by their queued START, so that a DEPS event s handles
 * before that START does not read "required unit wanted down". */
static void want_up(struct service *s)
{
	s->start_requested = svc_mono();
	want_set(s, SVC_WANT_UP);
	for (unsigned i = 0; i < s->ndeps; i++) {
		struct service *d = s->deps[i].svc;

		if ((s->deps[i].kind & (SVC_DEP_REQUIRES | SVC_DEP_WANTS)) && d != s &&
		    d->want != SVC_WANT_UP) {
			d->start_requested = svc_mono();
			want_set(d, SVC_WANT_UP);
			svc_post(d, SVC_EV_START, 0);
		}
		if ((s->deps[i].kind & SVC_DEP_CONFLICTS) && d != s &&
		    (d->want == SVC_WANT_UP || active(d))) {
			log_info("%s: stopping %s, they conflict", s->def.name, d->def.name);
			svc_post(d, SVC_EV_STOP, 0);
		}
	}
}

/* Up for good: dependants may rely on it, and its stop runs ExecStop=. */
static void up(struct service *s, const char *why)
{
	s->run_started = true;
	if (s->def.type == SVC_TYPE_ONESHOT) {
		/* every ExecStart= (and ExecStartPost=) has exited 0 */
		if (s->def.remain_after_exit) {
			s->exited_up = true;
			svc_state_set(s, SVC_RUNNING, "exited, RemainAfterExit=yes");
			return;
		}
		finish(s, false, SVC_REASON_EXIT, why);
		return;
	}
	svc_state_set(s, SVC_RUNNING, why);
}

/* Started as its Type= says (exec, READY=1, the starter's exit, a
 * oneshot's last command): ExecStartPost= first, if any. */
static void started(struct service *s, const char *why)
{
	if (s->def.cmds[SVC_CMD_START_POST].n) {
		svc_state_set(s, SVC_START_POST, why);
		svc_timer_arm(s, s->def.timeout_start_sec);
		run_cmd(s, SVC_CMD_START_POST, 0);
		return;
	}
	up(s, why);
}

/* ---- handlers, named state_event --------------------------------------- */

static void idle_start(struct service *s)	/* DOWN, FAILED, DONE: START, RESTART */
{
	if (s->state == SVC_FAILED) {
		/* an explicit start forgives the past */
		s->nstarts = 0;
		s->failures = 0;
	}
	s->reason = SVC_REASON_NONE;
	want_up(s);
	try_start(s);
}

static void idle_stop(struct service *s)	/* DOWN, FAILED, DONE */
{
	want_set(s, SVC_WANT_DOWN);
	if (s->state == SVC_DONE) {
		s->reason = SVC_REASON_USER;
		svc_state_set(s, SVC_DOWN, "stopped");
	}
}

static void waiting_stop(struct service *s)
{
	want_set(s, SVC_WANT_DOWN);
	s->reason = SVC_REASON_USER;
	svc_state_set(s, SVC_DOWN, "stopped");
}

static void waiting_deps(struct service *s)
{
	struct service *d = required_going_down(s);

	if (d) {
		log_info("%s: not starting, it requires %s", s->def.name, d->def.name);
		waiting_stop(s);
		return;
	}
	try_start(s);
}

static void active_stop(struct service *s)	/* STARTING, RUNNING */
{
	want_set(s, SVC_WANT_DOWN);
	stop_when_free(s);
}

static void active_restart(struct service *s)	/* STARTING, RUNNING */
{
	begin_stop(s, SVC_AFTER_RESTART, SVC_REASON_USER, "restart requested");
}

static void active_deps(struct service *s)	/* STARTING, RUNNING */
{
	struct service *d;

	if (s->want == SVC_WANT_DOWN) {
		stop_when_free(s);	/* a pending stop: are the dependents down? */
		return;
	}
	d = required_going_down(s);
	if (d) {
		log_info("%s: stopping, it requires %s", s->def.name, d->def.name);
		want_set(s, SVC_WANT_DOWN);
		stop_when_free(s);
		return;
	}
	d = bound_gone(s);
	if (d) {
		log_info("%s: stopping, it is bound to %s, which is %s", s->def.name,
			 d->def.name, svc_state_name(d->state));
		want_set(s, SVC_WANT_DOWN);
		stop_when_free(s);
	}
}

static void starting_exec_ok(struct service *s)
{
	/* simple, exec, idle and dbus are up once exec succeeded */
	if (s->def.type == SVC_TYPE_SIMPLE || s->def.type == SVC_TYPE_EXEC ||
	    s->def.type == SVC_TYPE_IDLE || s->def.type == SVC_TYPE_DBUS)
		started(s, NULL);
}

static void any_exec_fail(struct service *s)	/* STARTING, STOPPING */
{
	const struct svc_cmds *l = &s->def.cmds[SVC_CMD_START];

	log_error("%s: cannot start %s: stage %s: %s", s->def.name,
		  l->v[s->main_idx < l->n ? s->main_idx : 0].argv[0],
		  svc_stage_name(s->fail_stage), strerror(s->fail_errno));
}

/* The only member of the group we track directly is the main pid; for a
 * forking service it is the daemon left in the group when the starter
 * exits, if there is exactly one. */
static void guess_main_pid(struct service *s)
{
	pid_t pids[2];

	s->pid = svc_pidfile_read(s);	/* PIDFile=, if it names one of the group */
	if (!s->pid && s->grp && grp_group_procs(s->grp, pids, 2) == 1)
		s->pid = pids[0];
}

static void starting_exit(struct service *s)
{
	char st[64];

	svc_describe_status(s->last_status, st, sizeof(st));
	if (main_failed(s, st)) {
		finish(s, true, s->fail_stage ? SVC_REASON_EXEC : SVC_REASON_EXIT, st);
		return;
	}
	switch (s->def.type) {
	case SVC_TYPE_FORKING:
		guess_main_pid(s);
		if (s->grp && !grp_group_empty(s->grp))
			started(s, s->pid ? "daemon started" : "daemon group");
		else
			finish(s, true, SVC_REASON_EXIT, "forked daemon vanished");
		break;
	case SVC_TYPE_NOTIFY:
		finish(s, true, SVC_REASON_EXIT, "exited 0 before READY=1");
		break;
	case SVC_TYPE_SIMPLE:	/* only if exec was never reported */
	case SVC_TYPE_EXEC:
	case SVC_TYPE_DBUS:
	case SVC_TYPE_IDLE:
		finish(s, false, SVC_REASON_EXIT, st);
		break;
	case SVC_TYPE_ONESHOT:
		/* several ExecStart=: one after the other, each must succeed */
		if (s->main_idx + 1 < s->def.cmds[SVC_CMD_START].n) {
			s->main_idx++;
			exec_main(s);
			break;
		}
		started(s, st);
		break;
	}
}

static void running_exit(struct service *s)
{
	char st[64];

	bool failed;

	svc_describe_status(s->last_status, st, sizeof(st));
	failed = main_failed(s, st);
	if (!failed && s->def.remain_after_exit) {
		s->exited_up = true;
		log_info("%s: main process %s; up still (RemainAfterExit=yes)", s->def.name, st);
		return;
	}
	/* a main process that exits cleanly on its own still ends the run;
	 * only Restart=always brings it back */
	finish(s, failed, SVC_REASON_EXIT, st);
}

static void running_released(struct service *s)
{
	/* forking daemon without a known main pid: its group emptied (not
	 * a service that stays up without processes) */
	if (s->pid == 0 && !s->exited_up)
		finish(s, true, SVC_REASON_EXIT, "group empty");
}

static void starting_timer(struct service *s)
{
	log_error("%s: not ready %.1f s after start; stopping it", s->def.name,
		  s->def.timeout_start_sec);
	finish(s, true, SVC_REASON_START_TIMEOUT, "start timeout");
}

static void starting_ready(struct service *s)
{
	if (s->def.type == SVC_TYPE_NOTIFY)
		started(s, "ready");
}

/* The run is over, ExecStopPost= included: where after_stop says. */
static void settle(struct service *s)
{
	double delay;

	svc_timer_stop(s);
	/* the run is over: a definition changed by a reload applies now */
	if (s->pending) {
		svc_apply_pending(s);
		sup_link();
	}
	/* RuntimeDirectory= goes with the run (unless preserved) */
	sbx_dirs_release(s, s->want == SVC_WANT_UP && (s->after_stop == SVC_AFTER_BACKOFF ||
							s->after_stop == SVC_AFTER_RESTART));
	switch (s->after_stop) {
	case SVC_AFTER_BACKOFF:
		if (s->want != SVC_WANT_UP) {
			svc_state_set(s, SVC_DOWN, "stopped");
			break;
		}
		s->restarts++;
		delay = backoff_delay(s);
		svc_state_set(s, SVC_BACKOFF, NULL);
		log_info("%s: restarting in %.3f s", s->def.name, delay);
		svc_timer_arm(s, delay);
		break;
	case SVC_AFTER_RESTART:
		/* an explicit restart forgives the past */
		s->nstarts = 0;
		s->failures = 0;
		s->reason = SVC_REASON_NONE;
		want_up(s);
		try_start(s);
		break;
	case SVC_AFTER_FAILED:
		svc_state_set(s, SVC_FAILED, svc_reason_name(s->reason));
		break;
	case SVC_AFTER_DONE:
		svc_state_set(s, SVC_DONE, NULL);
		break;
	case SVC_AFTER_DOWN:
		svc_state_set(s, SVC_DOWN, NULL);
		break;
	}
}

static void stopping_released(struct service *s)
{
	svc_timer_stop(s);
	if (!s->post_done && s->def.cmds[SVC_CMD_STOP_POST].n && s->grp) {
		s->kill_sent = false;
		svc_state_set(s, SVC_STOP_POST, NULL);
		svc_timer_arm(s, s->def.timeout_stop_sec);
		run_cmd(s, SVC_CMD_STOP_POST, 0);
		return;
	}
	settle(s);
}

/* ---- control commands ------------------------------------------------------ */

/* Whether the control command that just ended failed; why says which and
 * how.  A failure of a '-' command is logged and not counted. */
static bool ctl_failed(struct service *s, char *why, size_t len)
{
	const struct svc_cmds *l = &s->def.cmds[s->ctl_kind];
	const char *file = s->ctl_idx < l->n ? l->v[s->ctl_idx].argv[0] : "?";
	bool ignore = s->ctl_idx < l->n && (l->v[s->ctl_idx].flags & SVC_CMD_F_IGNORE);
	char st[64];
	bool failed = s->ctl_status < 0 || !WIFEXITED(s->ctl_status) ||
		      WEXITSTATUS(s->ctl_status) != 0;

	if (s->ctl_status < 0)
		snprintf(st, sizeof(st), "could not run");
	else
		svc_describe_status(s->ctl_status, st, sizeof(st));
	snprintf(why, len, "%s %s: %s", svc_cmd_key(s->ctl_kind), file, st);
	if (failed && ignore) {
		log_info("%s: %s; ignored ('-' prefix)", s->def.name, why);
		return false;
	}
	if (failed)
		log_warn("%s: %s", s->def.name, why);
	return failed;
}

/* The next command of the kind running now: false if that was the last. */
static bool run_next(struct service *s)
{
	if (s->ctl_idx + 1 >= s->def.cmds[s->ctl_kind].n)
		return false;
	run_cmd(s, s->ctl_kind, s->ctl_idx + 1);
	return true;
}

static void start_pre_cmd_exit(struct service *s)
{
	char why[256];

	if (ctl_failed(s, why, sizeof(why))) {
		set_detail(s, "%s", why);
		finish(s, true, SVC_REASON_EXIT, why);
		return;
	}
	if (!run_next(s))
		exec_main(s);
}

static void start_post_cmd_exit(struct service *s)
{
	char why[256];

	if (ctl_failed(s, why, sizeof(why))) {
		set_detail(s, "%s", why);
		finish(s, true, SVC_REASON_EXIT, why);
		return;
	}
	if (!run_next(s))
		up(s, NULL);
}

static void running_reload(struct service *s)
{
	if (!s->def.cmds[SVC_CMD_RELOAD].n)
		return;		/* control.c says so to the client */
	svc_state_set(s, SVC_RELOADING, "reload requested");
	svc_timer_arm(s, s->def.timeout_start_sec);
	run_cmd(s, SVC_CMD_RELOAD, 0);
}

/* A failed reload leaves the service running (systemd's rule): the main
 * process is what counts; detail says what failed. */
static void reloading_cmd_exit(struct service *s)
{
	char why[256];

	if (ctl_failed(s, why, sizeof(why))) {
		set_detail(s, "reload failed: %s", why);
		svc_state_set(s, SVC_RUNNING, "reload failed");
		return;
	}
	if (run_next(s))
		return;
	clear_detail(s);
	svc_state_set(s, SVC_RUNNING, "reloaded");
}

static void reloading_timer(struct service *s)
{
	log_error("%s: ExecReload= still running %.1f s after it began; killing it",
		  s->def.name, s->def.timeout_start_sec);
	svc_ctl_kill(s, SIGKILL);	/* its CMD_EXIT ends the reload */
}

/* ExecStop= done (or failed: the stop goes on regardless): the signals */
static void stop_cmd_cmd_exit(struct service *s)
{
	char why[256];

	(void)ctl_failed(s, why, sizeof(why));
	if (!run_next(s))
		signal_stop(s, NULL);
}

static void stop_cmd_timer(struct service *s)
{
	log_warn("%s: ExecStop= still running %.1f s after it began; signalling the group",
		 s->def.name, s->def.timeout_stop_sec);
	signal_stop(s, "stop timeout");
}

/* Every ExecStopPost= ran: what the commands left goes as a run's rest
 * does (SIGTERM, then SIGKILL), and the run is over once it has. */
static void stop_post_cmd_exit(struct service *s)
{
	char why[256];

	if (s->post_done)
		return;		/* timed out: the rest is skipped */
	(void)ctl_failed(s, why, sizeof(why));
	if (run_next(s))
		return;
	s->post_done = true;
	if (!s->grp || grp_group_empty(s->grp)) {
		settle(s);
		return;
	}
	grp_group_kill(s->grp, SIGTERM);
	grp_group_kill(s->grp, SIGCONT);
	svc_timer_arm(s, s->def.timeout_stop_sec);
	grp_group_check(s->grp);
}

static void stop_post_released(struct service *s)
{
	if (s->post_done)
		settle(s);
}

static void stop_post_timer(struct service *s)
{
	log_warn("%s: ExecStopPost= (or what it left) still running %.1f s on; sending SIGKILL",
		 s->def.name, s->def.timeout_stop_sec);
	s->post_done = true;
	if (s->grp)
		grp_group_kill(s->grp, SIGKILL);
	svc_timer_arm(s, 5);
	grp_group_check(s->grp);
}

static void stopping_timer(struct service *s)
{
	svc_kill_timeout(s);	/* FinalKillSignal, unless SendSIGKILL=no */
}

static void stopping_exit(struct service *s)
{
	svc_kill_main_exited(s);	/* KillMode=mixed: now the rest */
}

static void stopping_stop(struct service *s)
{
	want_set(s, SVC_WANT_DOWN);
	s->reason = SVC_REASON_USER;
	s->after_stop = SVC_AFTER_DOWN;
}

static void stopping_start(struct service *s)	/* START, RESTART */
{
	want_set(s, SVC_WANT_UP);
	s->after_stop = SVC_AFTER_RESTART;
}

static void backoff_timer(struct service *s)
{
	try_start(s);
}

static void backoff_stop(struct service *s)
{
	want_set(s, SVC_WANT_DOWN);
	s->reason = SVC_REASON_USER;
	svc_state_set(s, SVC_DOWN, "stopped");
}

static void backoff_start(struct service *s)	/* START, RESTART: now */
{
	svc_timer_stop(s);
	want_up(s);
	try_start(s);
}

static void backoff_deps(struct service *s)
{
	struct service *d = required_going_down(s);

	if (d) {
		log_info("%s: not restarting, it requires %s", s->def.name, d->def.name);
		backoff_stop(s);
	}
}

typedef void (*svc_handler)(struct service *s);

/* [state][event]; NULL where a state ignores the event */
static const svc_handler actions[SVC_NSTATES][SVC_NEVENTS] = {
	[SVC_DOWN] = {
		[SVC_EV_START] = idle_start,
		[SVC_EV_RESTART] = idle_start,
		[SVC_EV_STOP] = idle_stop,
	},
	[SVC_WAITING] = {
		[SVC_EV_STOP] = waiting_stop,
		[SVC_EV_DEPS] = waiting_deps,
	},
	[SVC_STARTING] = {
		[SVC_EV_STOP] = active_stop,
		[SVC_EV_RESTART] = active_restart,
		[SVC_EV_EXEC_OK] = starting_exec_ok,
		[SVC_EV_EXEC_FAIL] = any_exec_fail,
		[SVC_EV_EXIT] = starting_exit,
		[SVC_EV_TIMER] = starting_timer,
		[SVC_EV_DEPS] = active_deps,
		[SVC_EV_READY] = starting_ready,
	},
	[SVC_RUNNING] = {
		[SVC_EV_STOP] = active_stop,
		[SVC_EV_RESTART] = active_restart,
		[SVC_EV_EXIT] = running_exit,
		[SVC_EV_RELEASED] = running_released,
		[SVC_EV_DEPS] = active_deps,
		[SVC_EV_RELOAD] = running_reload,
	},
	[SVC_STOPPING] = {
		[SVC_EV_START] = stopping_start,
		[SVC_EV_RESTART] = stopping_start,
		[SVC_EV_STOP] = stopping_stop,
		[SVC_EV_EXEC_FAIL] = any_exec_fail,
		[SVC_EV_RELEASED] = stopping_released,
		[SVC_EV_TIMER] = stopping_timer,
		[SVC_EV_EXIT] = stopping_exit,
	},
	[SVC_BACKOFF] = {
		[SVC_EV_START] = backoff_start,
		[SVC_EV_RESTART] = backoff_start,
		[SVC_EV_STOP] = backoff_stop,
		[SVC_EV_TIMER] = backoff_timer,
		[SVC_EV_DEPS] = backoff_deps,
	},
	[SVC_DONE] = {
		[SVC_EV_START] = idle_start,
		[SVC_EV_RESTART] = idle_start,
		[SVC_EV_STOP] = idle_stop,
	},
	[SVC_FAILED] = {
		[SVC_EV_START] = idle_start,
		[SVC_EV_RESTART] = idle_start,
		[SVC_EV_STOP] = idle_stop,
	},
	[SVC_START_PRE] = {
		[SVC_EV_STOP] = active_stop,
		[SVC_EV_RESTART] = active_restart,
		[SVC_EV_CMD_EXIT] = start_pre_cmd_exit,
		[SVC_EV_TIMER] = starting_timer,
		[SVC_EV_DEPS] = active_deps,
	},
	[SVC_START_POST] = {
		[SVC_EV_STOP] = active_stop,
		[SVC_EV_RESTART] = active_restart,
		[SVC_EV_EXIT] = running_exit,
		[SVC_EV_CMD_EXIT] = start_post_cmd_exit,
		[SVC_EV_TIMER] = starting_timer,
		[SVC_EV_DEPS] = active_deps,
	},
	[SVC_RELOADING] = {
		[SVC_EV_STOP] = active_stop,
		[SVC_EV_RESTART] = active_restart,
		[SVC_EV_EXIT] = running_exit,
		[SVC_EV_CMD_EXIT] = reloading_cmd_exit,
		[SVC_EV_TIMER] = reloading_timer,
		[SVC_EV_DEPS] = active_deps,
	},
	[SVC_STOP_CMD] = {
		[SVC_EV_START] = stopping_start,
		[SVC_EV_RESTART] = stopping_start,
		[SVC_EV_STOP] = stopping_stop,
		[SVC_EV_EXEC_FAIL] = any_exec_fail,
		[SVC_EV_CMD_EXIT] = stop_cmd_cmd_exit,
		[SVC_EV_TIMER] = stop_cmd_timer,
	},
	[SVC_STOP_POST] = {
		[SVC_EV_START] = stopping_start,
		[SVC_EV_RESTART] = stopping_start,
		[SVC_EV_STOP] = stopping_stop,
		[SVC_EV_EXEC_FAIL] = any_exec_fail,
		[SVC_EV_CMD_EXIT] = stop_post_cmd_exit,
		[SVC_EV_RELEASED] = stop_post_released,
		[SVC_EV_TIMER] = stop_post_timer,
	},
};

static void handle(struct service *s, enum svc_event ev, int arg, pid_t pid)
{
	svc_handler h = actions[s->state][ev];

	log_debug("%s: %s in %s", s->def.name, svc_event_name(ev), svc_state_name(s->state));
	if (ev == SVC_EV_DEPS)
		s->deps_queued = false;
	if (ev == SVC_EV_EXIT) {
		/* a process of an earlier run, reaped after a new one began:
		 * its end is not this run's */
		if (pid != s->pid) {
			log_debug("%s: pid %d of an earlier run exited", s->def.name, (int)pid);
			return;
		}
		/* whatever the state, the main process is gone */
		s->pid = 0;
		s->last_status = arg;
	}
	if (ev == SVC_EV_CMD_EXIT) {
		/* a control command the run has moved past (a stop began
		 * while it ran): its end is not the current one's */
		if (pid != s->ctl_pid) {
			log_debug("%s: an earlier control command %d exited", s->def.name, (int)pid);
			return;
		}
		s->ctl_pid = 0;
		s->ctl_status = arg;
	}
	/* PartOf= s: a restart of s restarts them if they are up */
	for (unsigned i = 0; ev == SVC_EV_RESTART && i < s->nrdeps; i++) {
		struct service *o = s->rdeps[i].svc;

		if ((s->rdeps[i].kind & SVC_DEP_PARTOF) && o != s &&
		    (o->state == SVC_STARTING || o->state == SVC_RUNNING))
			svc_post(o, SVC_EV_RESTART, 0);
	}
	if (h)
		h(s);
}

/* ---- linking: names to edges, and cycles -------------------------------- */

/* Fail every unit of one strongly connected component that is a cycle,
 * naming one cycle through it: walk edges inside the component until a
 * unit repeats. */
static void fail_cycle(struct service **members, unsigned n, const unsigned *comp,
		       unsigned id)
{
	struct service **path = calloc(n + 1, sizeof(*path));
	size_t len = sizeof("dependency cycle: ");
	unsigned np = 0, from = 0;
	struct service *cur = members[0];
	char *msg;

	if (!path) {
		log_error("out of memory describing a dependency cycle");
		return;
	}
	for (;;) {
		unsigned i;

		for (i = 0; i < np && path[i] != cur; i++)
			;
		if (i < np) {
			from = i;
			break;
		}
		path[np++] = cur;
		for (i = 0; i < cur->ndeps && (comp[cur->deps[i].svc->idx] != id ||
					       !(cur->deps[i].kind & SVC_DEP_ORDER)); i++)
			;
		cur = cur->deps[i].svc;	/* in a component, one always exists */
	}
	path[np++] = cur;
	for (unsigned i = from; i < np; i++)
		len += strlen(path[i]->def.name) + 4;
	msg = malloc(len);
	if (msg) {
		char *p = msg + sprintf(msg, "dependency cycle: ");

		for (unsigned i = from; i < np; i++)
			p += sprintf(p, "%s%s", i > from ? " -> " : "", path[i]->def.name);
		log_error("%s; these units will not start", msg);
	}
	for (unsigned i = 0; i < n; i++) {
		struct service *m = members[i];

		m->in_cycle = true;
		set_detail(m, "%s", msg ? msg : "dependency cycle");
		if (m->state == SVC_DOWN)
			fail(m, SVC_REASON_DEPENDENCY, m->detail);
	}
	free(msg);
	free(path);
}

/* Tarjan's strongly connected components, iterative so a chain of
 * thousands of units needs no deep C stack. */
static void find_cycles(void)
{
	unsigned n = sup.nsvcs, next = 1, sp = 0, cp = 0, ncomp = 0;
	unsigned *index = calloc(n, sizeof(unsigned)), *low = calloc(n, sizeof(unsigned));
	unsigned *edge = calloc(n, sizeof(unsigned)), *comp = calloc(n, sizeof(unsigned));
	unsigned *stack = calloc(n, sizeof(unsigned)), *call = calloc(n, sizeof(unsigned));
	bool *on = calloc(n, sizeof(bool));
	struct service **members = calloc(n, sizeof(*members));

	if (!index || !low || !edge || !comp || !stack || !call || !on || !members) {
		log_error("out of memory looking for dependency cycles");
		goto out;
	}
	for (unsigned root = 0; root < n; root++) {
		if (index[root])
			continue;
		index[root] = low[root] = next++;
		stack[sp++] = root;
		on[root] = true;
		call[cp++] = root;
		while (cp) {
			unsigned v = call[cp - 1];
			struct service *s = sup.svcs[v];

			if (edge[v] < s->ndeps) {
				const struct svc_edge *e = &s->deps[edge[v]++];
				unsigned w = e->svc->idx;

				if (!(e->kind & SVC_DEP_ORDER))
					continue;	/* Wants=, Conflicts=, PartOf= */
				if (!index[w]) {
					index[w] = low[w] = next++;
					stack[sp++] = w;
					on[w] = true;
					call[cp++] = w;
				} else if (on[w] && index[w] < low[v]) {
					low[v] = index[w];
				}
				continue;
			}
			cp--;
			if (cp && low[v] < low[call[cp - 1]])
				low[call[cp - 1]] = low[v];
			if (low[v] != index[v])
				continue;
			/* v roots a component: pop it */
			unsigned m = 0, w;
			bool self = false;

			ncomp++;
			do {
				w = stack[--sp];
				on[w] = false;
				comp[w] = ncomp;
				members[m++] = sup.svcs[w];
			} while (w != v);
			for (unsigned i = 0; i < s->ndeps; i++)
				self |= s->deps[i].svc == s && (s->deps[i].kind & SVC_DEP_ORDER);
			if (m > 1 || self)
				fail_cycle(members, m, comp, ncomp);
		}
	}
out:
	free(index);
	free(low);
	free(edge);
	free(comp);
	free(stack);
	free(call);
	free(on);
	free(members);
}

static void link_edges(void);

/* Held: failing a cycle's units queues DEPS, and nothing may run (or drop
 * a service) while the edges are being rebuilt. */
void sup_link(void)
{
	sup_batch_begin();
	link_edges();
	sup_batch_end();
}

static void link_edges(void)
{
	units_resolve();	/* units.c: names to s->deps, unknown units */
	/* reverse edges: count, allocate, fill */
	unsigned *cnt = calloc(sup.nsvcs + 1, sizeof(unsigned));

	if (!cnt) {
		log_error("out of memory resolving dependencies");
		return;
	}
	for (unsigned i = 0; i < sup.nsvcs; i++)
		for (unsigned e = 0; e < sup.svcs[i]->ndeps; e++)
			cnt[sup.svcs[i]->deps[e].svc->idx]++;
	for (unsigned i = 0; i < sup.nsvcs; i++)
		sup.svcs[i]->rdeps = cnt[i] ? calloc(cnt[i], sizeof(struct svc_edge)) : NULL;
	for (unsigned i = 0; i < sup.nsvcs; i++) {
		struct service *s = sup.svcs[i];

		for (unsigned e = 0; e < s->ndeps; e++) {
			struct service *d = s->deps[e].svc;

			if (d->rdeps)
				d->rdeps[d->nrdeps++] = (struct svc_edge){ s, s->deps[e].kind };
			else
				log_error("%s: out of memory recording dependents", d->def.name);
		}
	}
	free(cnt);
	find_cycles();
	sup.linked = true;
}

/* ---- glue to the outside ----------------------------------------------- */

void svc_group_released(struct grp_group *g, void *data)
{
	(void)data;
	/* groups may be shared: every service in it hears about it; held,
	 * so no service is dropped (and the table shifted) under the loop */
	sup_batch_begin();
	for (unsigned i = 0; i < sup.nsvcs; i++)
		if (sup.svcs[i]->grp == g)
			svc_post(sup.svcs[i], SVC_EV_RELEASED, 0);
	sup_batch_end();
}

/* The service whose control command pid is. */
static struct service *find_ctl_pid(pid_t pid)
{
	for (unsigned i = 0; i < sup.nsvcs; i++)
		if (pid > 0 && sup.svcs[i]->ctl_pid == pid)
			return sup.svcs[i];
	return NULL;
}

void sup_child_exited(pid_t pid, int status)
{
	struct service *s = svc_find_pid(pid);

	if (!s && (s = find_ctl_pid(pid))) {
		/* as for the main process: the pipe's answer first */
		svc_ctl_collect(s);
		sup_batch_begin();
		post(s, SVC_EV_CMD_EXIT, status, pid);
		grp_group_check(s->grp);
		sup_batch_end();
		return;
	}
	if (!s) {
		log_debug("reaped pid %d (not a main process)", (int)pid);
		return;
	}
	/* Read the exec-status pipe first: once the child is gone it holds
	 * its final answer (EOF after exec, or a stage record), and EXEC_OK
	 * or EXEC_FAIL must precede EXIT whatever the loop saw first. */
	svc_exec_collect(s);
	/* held: the exit is queued before the release it may cause, and s
	 * cannot be dropped before its group is checked */
	sup_batch_begin();
	post(s, SVC_EV_EXIT, status, pid);
	/* its group may be empty now, and no event comes for a group that
	 * never had a task (the child failed before it attached) */
	grp_group_check(s->grp);
	sup_batch_end();
}

int sup_init(const struct sup_options *o)
{
	sup.o = *o;
	snprintf(sup.run_dir, sizeof(sup.run_dir), "%s", o->run_dir ? o->run_dir : "/run/corral");
	sup.o.run_dir = sup.run_dir;
	return 0;
}

int sup_add(struct svc_def *def)
{
	struct service *s;

	if (svc_find(def->name)) {
		log_error("%s: a service named %s is already loaded", def->file, def->name);
		svc_def_free(def);
		errno = EEXIST;
		return -1;
	}
	if (sup.nsvcs == sup.capsvcs) {
		unsigned cap = sup.capsvcs ? sup.capsvcs * 2 : 64;
		struct service **v = realloc(sup.svcs, cap * sizeof(*v));

		if (!v) {
			log_error_sys("allocate the service table for", def->name);
			svc_def_free(def);
			return -1;
		}
		sup.svcs = v;
		sup.capsvcs = cap;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		log_error_sys("allocate service", def->name);
		svc_def_free(def);
		return -1;
	}
	/* moved: the service owns the storage now, the caller's copy is empty */
	s->def = *def;
	memset(def, 0, sizeof(*def));
	svc_group_path(&s->def, s->grp_path, sizeof(s->grp_path));
	s->last_status = -1;
	s->exec_fd = -1;
	s->ctl_exec_fd = -1;
	s->out_rd = s->out_wr = -1;
	s->idx = sup.nsvcs;
	svc_timer_init(s);
	sup.svcs[sup.nsvcs++] = s;
	sup.linked = false;
	return 0;
}

/* Batches nest: only the outermost end runs the queue, and inside a
 * handler (the queue is being drained) ends run nothing. */
static unsigned batch_depth;
static bool batch_was_draining;

void sup_batch_begin(void)
{
	if (batch_depth++ == 0) {
		batch_was_draining = evq.draining;
		evq.draining = true;
	}
}

void sup_batch_end(void)
{
	if (--batch_depth > 0 || batch_was_draining)
		return;
	evq.draining = false;
	run_queue();
}

void sup_start_all(void)
{
	if (!sup.linked)
		sup_link();
	/* hold the queue: every service is wanted up before any of them
	 * reacts, so the result is the same for any load order */
	sup_batch_begin();
	for (unsigned i = 0; i < sup.nsvcs; i++) {
		struct service *s = sup.svcs[i];

		if (s->in_cycle)
			continue;
		if (!svc_enabled(s)) {
			log_info("%s: disabled; not started at boot", s->def.name);
			continue;
		}
		if (!units_boot_start(s))
			continue;
		s->start_requested = svc_mono();
		want_set(s, SVC_WANT_UP);
		svc_post(s, SVC_EV_START, 0);
	}
	sup_batch_end();
}

void sup_stop_all(void (*done)(void *), void *data)
{
	if (!sup.linked)
		sup_link();
	/* hold the queue: everything is wanted down before the first
	 * STOP is handled, so each service waits for all of its dependents */
	sup_batch_begin();
	for (unsigned i = 0; i < sup.nsvcs; i++)
		want_set(sup.svcs[i], SVC_WANT_DOWN);
	sup.stop_done = done;
	sup.stop_data = data;
	for (unsigned i = sup.nsvcs; i-- > 0;)
		svc_post(sup.svcs[i], SVC_EV_STOP, 0);
	sup_batch_end();	/* also reports at once when nothing was running */
}

void sup_set_action_cb(void (*cb)(enum sup_action a))
{
	sup.action_cb = cb;
}

void sup_set_reload_cb(int (*cb)(char *msg, size_t len))
{
	sup.reload_cb = cb;
}
