/*
 * supervisor/state.c - the service state machine.
 *
 *            START (deps not up)              READY / EXEC_OK(simple)
 *   DOWN ───────────────────▶ WAITING ──DEPS──▶ STARTING ─────────────▶ RUNNING
 *     ▲  ─────START (deps up)──────────────────▶   │  EXIT 0 (oneshot) ──▶ DONE
 *     │                                            │  EXIT 0 (forking) ──▶ RUNNING
 *     │                                 EXIT / STOP│                         │
 *     │                                            ▼          EXIT / STOP    │
 *     └────── RELEASED (next=down) ─────────── STOPPING ◀────────────────────┘
 *   FAILED ◀─ RELEASED (next=failed) ───────────┘   │ RELEASED (next=restart)
 *                                                   ▼
 *                                  BACKOFF ──TIMER──▶ (spawn) STARTING
 *
 * A run always ends through STOPPING: the rest of the group gets SIGTERM,
 * SIGKILL after TimeoutStopSec, and the run is over only when the grouping
 * engine reports the group released, so no process of an old run can
 * survive into the next one.  "next" records what to do after that.
 *
 * Restart policy is data: Restart= decides whether, the death tally and
 * RestartSec decide when (doubling per consecutive failure, capped at 64x
 * or one minute), and StartLimitBurst starts within StartLimitIntervalSec
 * make the service FAILED.
 *
 * Dependencies: START waits in WAITING until every After=/Requires= unit
 * is running, done or failed (Requires= failing fails this one too); a
 * stop of everything waits for dependents first.  svc_dispatch() runs
 * the propagation pass after the outermost handler, so handlers never
 * recurse into each other.
 */
#include "internal.h"
#include "../lib/log.h"

#include <errno.h>
#include <signal.h>
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
					 "start timeout" };

	return (unsigned)r < sizeof(n) / sizeof(*n) ? n[r] : "?";
}

const char *svc_stage_name(enum svc_exec_stage s)
{
	static const char *const n[] = { "none", "attach", "stdio", "chdir", "setgroups",
					 "setgid", "setuid", "exec", "user" };

	return (unsigned)s < sizeof(n) / sizeof(*n) ? n[s] : "?";
}

void svc_state_set(struct service *s, enum svc_state st, const char *why)
{
	if (s->state == st)
		return;
	log_info("%s: %s → %s%s%s%s", s->def.name, svc_state_name(s->state),
		 svc_state_name(st), why ? " (" : "", why ? why : "", why ? ")" : "");
	*(enum svc_state *)&s->state = st;
	sup.changes++;
	/* entry actions */
	if (st == SVC_RUNNING && s->consecutive && ev_now(sup.o.loop) - s->started_at > 10)
		s->consecutive = 0;
	if (st == SVC_DOWN || st == SVC_FAILED || st == SVC_DONE || st == SVC_RUNNING)
		ev_timer_stop(sup.o.loop, &s->timer);	/* start timeout, if any */
}

struct service *svc_find(const char *name)
{
	for (unsigned i = 0; i < sup.nsvcs; i++)
		if (!strcmp(sup.svcs[i]->def.name, name))
			return sup.svcs[i];
	return NULL;
}

struct service *svc_find_pid(pid_t pid)
{
	for (unsigned i = 0; i < sup.nsvcs; i++)
		if (pid > 0 && sup.svcs[i]->pid == pid)
			return sup.svcs[i];
	return NULL;
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

/* ---- helpers used by handlers ------------------------------------------ */

static bool settled(const struct service *d)
{
	return d->state == SVC_RUNNING || d->state == SVC_DONE || d->state == SVC_FAILED;
}

/* 1 ready, 0 wait, -1 a Requires= unit failed */
static int deps_state(struct service *s)
{
	for (unsigned i = 0; i < s->def.nrequires; i++) {
		struct service *d = svc_find(s->def.requires[i]);

		if (!d || d->state == SVC_FAILED)
			return -1;
		if (!settled(d))
			return 0;
	}
	for (unsigned i = 0; i < s->def.nafter; i++) {
		struct service *d = svc_find(s->def.after[i]);

		/* After= only orders start attempts: wait while d is being
		 * started, not while it backs off after a failed attempt */
		if (d && d->want == SVC_WANT_UP &&
		    (d->state == SVC_WAITING || d->state == SVC_STARTING ||
		     (d->state == SVC_DOWN && !settled(d))))
			return 0;
	}
	return 1;
}

static bool in_list(const char list[][SVC_NAME_MAX + 1], unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(list[i], name))
			return true;
	return false;
}

/* Dependents that must be down before s stops: those also going down
 * (shutdown order) and those that Require s (propagation stops them). */
static bool has_active_dependents(const struct service *s)
{
	for (unsigned i = 0; i < sup.nsvcs; i++) {
		const struct service *o = sup.svcs[i];
		bool req = in_list(o->def.requires, o->def.nrequires, s->def.name);
		bool after = in_list(o->def.after, o->def.nafter, s->def.name);

		if (o == s || (!req && !after))
			continue;
		if (o->state == SVC_DOWN || o->state == SVC_FAILED || o->state == SVC_DONE)
			continue;
		if (req || o->want == SVC_WANT_DOWN)
			return true;
	}
	return false;
}

static void arm(struct service *s, double after)
{
	ev_timer_stop(sup.o.loop, &s->timer);
	ev_timer_set(&s->timer, after, 0);
	ev_timer_start(sup.o.loop, &s->timer);
}

static void fail(struct service *s, enum svc_reason r, const char *why)
{
	s->reason = r;
	svc_state_set(s, SVC_FAILED, why);
}

/* Begin a run.  Checks the start limit, makes sure the group exists with
 * its limits, then forks. */
static void spawn(struct service *s)
{
	double now = ev_now(sup.o.loop);
	unsigned recent = 0;
	char err[300];

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
	if (!s->grp) {
		s->grp = grp_group_open(sup.o.engine, s->grp_path);
		if (!s->grp || grp_group_set_limits(s->grp, &s->def.limits, err, sizeof(err)) < 0) {
			log_error("%s: group %s: %s", s->def.name, s->grp_path,
				  s->grp ? err : strerror(errno));
			grp_group_put(s->grp);
			s->grp = NULL;
			fail(s, SVC_REASON_GROUP, "group setup failed");
			return;
		}
		if (s->def.notify_on_release)
			grp_group_set_release(s->grp, true, svc_group_released, NULL);
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
	int rc = svc_spawn(s);

	if (rc == -2) {
		/* User=/Group= do not exist: no retry can fix that */
		fail(s, SVC_REASON_EXEC, "user or group lookup failed");
		return;
	}
	if (rc < 0) {
		/* fork itself failed: retry like a crash */
		s->reason = SVC_REASON_EXEC;
		s->next = SVC_NEXT_RESTART;
		s->consecutive++;
		svc_state_set(s, SVC_BACKOFF, "fork failed");
		arm(s, s->def.restart_sec > 1 ? s->def.restart_sec : 1);
		return;
	}
	svc_state_set(s, SVC_STARTING, NULL);
	/* READY=1 or the starter's exit must come in time */
	if (s->def.type == SVC_TYPE_NOTIFY || s->def.type == SVC_TYPE_FORKING)
		arm(s, s->def.timeout_start_sec);
}

static void try_start(struct service *s)
{
	int d = deps_state(s);

	if (d < 0) {
		fail(s, SVC_REASON_DEPENDENCY, "a required unit failed");
		return;
	}
	if (d == 0) {
		svc_state_set(s, SVC_WAITING, NULL);
		return;
	}
	spawn(s);
}

/* End the run: signal whatever is left of the group and wait for the
 * engine to report it released. */
static void begin_stop(struct service *s, const char *why)
{
	svc_state_set(s, SVC_STOPPING, why);
	if (!s->grp || grp_group_empty(s->grp)) {
		svc_dispatch(s, SVC_EV_RELEASED);
		return;
	}
	grp_group_kill(s->grp, SIGTERM);
	grp_group_kill(s->grp, SIGCONT);	/* stopped tasks must see TERM */
	arm(s, s->def.timeout_stop_sec);
	/* the signals may already have emptied it */
	grp_engine_check(sup.o.engine);
}

static bool wants_restart(const struct service *s, bool failed)
{
	if (s->want != SVC_WANT_UP)
		return false;
	return s->def.restart == SVC_RESTART_ALWAYS ||
	       (s->def.restart == SVC_RESTART_ON_FAILURE && failed);
}

/* The run ended (main exit, or a forking daemon's group emptied). */
static void finish(struct service *s, bool failed, const char *why)
{
	s->exited_ok = !failed;
	if (failed)
		s->consecutive++;
	if (wants_restart(s, failed))
		s->next = SVC_NEXT_RESTART;
	else if (failed) {
		s->next = SVC_NEXT_FAILED;
		s->reason = s->fail_stage ? SVC_REASON_EXEC : SVC_REASON_EXIT;
	} else if (s->def.type == SVC_TYPE_ONESHOT && s->want == SVC_WANT_UP)
		s->next = SVC_NEXT_DONE;
	else
		s->next = SVC_NEXT_DOWN;
	begin_stop(s, why);
}

static bool status_failed(const struct service *s)
{
	return s->fail_stage != SVC_STAGE_NONE || s->last_status < 0 ||
	       !WIFEXITED(s->last_status) || WEXITSTATUS(s->last_status) != 0;
}

/* ---- handlers, named state_event --------------------------------------- */

static void nop(struct service *s) { (void)s; }

static void idle_start(struct service *s)	/* DOWN, FAILED, DONE */
{
	s->want = SVC_WANT_UP;
	s->reason = SVC_REASON_NONE;
	if (s->state == SVC_FAILED) {
		/* an explicit start forgives the past */
		s->nstarts = 0;
		s->consecutive = 0;
	}
	/* Requires= pulls the required units up too */
	for (unsigned i = 0; i < s->def.nrequires; i++) {
		struct service *d = svc_find(s->def.requires[i]);

		if (d && d->want != SVC_WANT_UP)
			svc_dispatch(d, SVC_EV_START);
	}
	try_start(s);
}

static void idle_stop(struct service *s)	/* DOWN, FAILED, DONE, WAITING */
{
	s->want = SVC_WANT_DOWN;
	s->stop_pending = false;
	if (s->state == SVC_DONE || s->state == SVC_WAITING) {
		s->reason = SVC_REASON_USER;
		svc_state_set(s, SVC_DOWN, "stopped");
	}
}

static void waiting_deps(struct service *s)
{
	if (s->want == SVC_WANT_UP)
		try_start(s);
}

static void active_stop(struct service *s)	/* STARTING, RUNNING */
{
	s->want = SVC_WANT_DOWN;
	if (has_active_dependents(s)) {
		s->stop_pending = true;	/* propagation retries */
		return;
	}
	s->stop_pending = false;
	s->reason = SVC_REASON_USER;
	s->next = SVC_NEXT_DOWN;
	begin_stop(s, "stop requested");
}

static void starting_exec_ok(struct service *s)
{
	if (s->def.type == SVC_TYPE_SIMPLE)
		svc_state_set(s, SVC_RUNNING, NULL);
}

static void any_exec_fail(struct service *s)
{
	log_error("%s: cannot start %s: stage %s: %s", s->def.name, s->def.argv[0],
		  svc_stage_name(s->fail_stage), strerror(s->fail_errno));
}

/* The only member of the group we track directly is the main pid; for a
 * forking service it is the daemon left in the group when the starter
 * exits, if there is exactly one. */
static void guess_main_pid(struct service *s)
{
	pid_t pids[2];

	s->pid = 0;
	if (s->grp && grp_group_procs(s->grp, pids, 2) == 1)
		s->pid = pids[0];
}

static void starting_exit(struct service *s)
{
	char st[64];

	svc_exec_collect(s);
	svc_describe_status(s->last_status, st, sizeof(st));
	if (!status_failed(s) && s->def.type == SVC_TYPE_FORKING) {
		guess_main_pid(s);
		if (s->grp && !grp_group_empty(s->grp)) {
			svc_state_set(s, SVC_RUNNING, s->pid ? "daemon started" : "daemon group");
			return;
		}
		finish(s, true, "forked daemon vanished");
		return;
	}
	if (!status_failed(s) && s->def.type == SVC_TYPE_ONESHOT) {
		finish(s, false, st);
		return;
	}
	finish(s, true, st);
}

static void running_exit(struct service *s)
{
	char st[64];

	svc_describe_status(s->last_status, st, sizeof(st));
	/* a main process that exits cleanly on its own still ends the run;
	 * only Restart=always brings it back */
	finish(s, status_failed(s), st);
}

static void running_released(struct service *s)
{
	/* forking daemon without a known main pid: its group emptied */
	if (s->pid == 0)
		finish(s, true, "group empty");
}

static void starting_timer(struct service *s)
{
	log_error("%s: not ready %.1f s after start; stopping it", s->def.name,
		  s->def.timeout_start_sec);
	s->reason = SVC_REASON_START_TIMEOUT;
	finish(s, true, "start timeout");
	if (s->next == SVC_NEXT_FAILED)
		s->reason = SVC_REASON_START_TIMEOUT;
}

static void starting_ready(struct service *s)
{
	if (s->def.type == SVC_TYPE_NOTIFY)
		svc_state_set(s, SVC_RUNNING, "ready");
}

static void stopping_released(struct service *s)
{
	double delay;

	ev_timer_stop(sup.o.loop, &s->timer);
	s->pid = 0;
	switch (s->next) {
	case SVC_NEXT_RESTART:
		if (s->want != SVC_WANT_UP) {
			svc_state_set(s, SVC_DOWN, "stopped");
			break;
		}
		s->restarts++;
		delay = s->def.restart_sec;
		for (unsigned i = 1; i < s->consecutive && i < 7; i++)
			delay *= 2;	/* 2^6 = 64x at most */
		if (delay > 60 && delay > s->def.restart_sec)
			delay = s->def.restart_sec > 60 ? s->def.restart_sec : 60;
		svc_state_set(s, SVC_BACKOFF, NULL);
		log_info("%s: restarting in %.1f s", s->def.name, delay);
		arm(s, delay);
		break;
	case SVC_NEXT_RESTART_NOW:
		s->want = SVC_WANT_UP;
		s->nstarts = 0;
		try_start(s);
		break;
	case SVC_NEXT_FAILED:
		svc_state_set(s, SVC_FAILED, svc_reason_name(s->reason));
		break;
	case SVC_NEXT_DONE:
		svc_state_set(s, SVC_DONE, NULL);
		break;
	case SVC_NEXT_DOWN:
		svc_state_set(s, SVC_DOWN, NULL);
		break;
	}
}

static void stopping_timer(struct service *s)
{
	if (!s->kill_sent) {
		log_warn("%s: still running %.1f s after SIGTERM; sending SIGKILL",
			 s->def.name, s->def.timeout_stop_sec);
		s->kill_sent = true;
	} else {
		log_warn("%s: group %s still not empty", s->def.name, s->grp_path);
	}
	if (s->grp)
		grp_group_kill(s->grp, SIGKILL);
	arm(s, 5);
	grp_engine_check(sup.o.engine);
}

static void stopping_stop(struct service *s)
{
	s->want = SVC_WANT_DOWN;
	s->reason = SVC_REASON_USER;
	s->next = SVC_NEXT_DOWN;
}

static void stopping_start(struct service *s)
{
	s->want = SVC_WANT_UP;
	s->next = SVC_NEXT_RESTART_NOW;
}

static void backoff_timer(struct service *s)
{
	try_start(s);
}

static void backoff_stop(struct service *s)
{
	s->want = SVC_WANT_DOWN;
	s->reason = SVC_REASON_USER;
	svc_state_set(s, SVC_DOWN, "stopped");
}

static void backoff_start(struct service *s)
{
	ev_timer_stop(sup.o.loop, &s->timer);
	try_start(s);
}

typedef void (*svc_handler)(struct service *s);

/* [state][event]; nop where a state ignores the event */
static const svc_handler actions[SVC_NSTATES][SVC_NEVENTS] = {
	/*                START          STOP          EXEC_OK           EXEC_FAIL      EXIT           RELEASED           TIMER           DEPS          READY */
	[SVC_DOWN]     = { idle_start,    idle_stop,    nop,              nop,           nop,           nop,               nop,            nop,          nop },
	[SVC_WAITING]  = { waiting_deps,  idle_stop,    nop,              nop,           nop,           nop,               nop,            waiting_deps, nop },
	[SVC_STARTING] = { nop,           active_stop,  starting_exec_ok, any_exec_fail, starting_exit, nop,               starting_timer, nop,          starting_ready },
	[SVC_RUNNING]  = { nop,           active_stop,  nop,              nop,           running_exit,  running_released,  nop,            nop,          nop },
	[SVC_STOPPING] = { stopping_start, stopping_stop, nop,            any_exec_fail, nop,           stopping_released, stopping_timer, nop,          nop },
	[SVC_BACKOFF]  = { backoff_start, backoff_stop, nop,              nop,           nop,           nop,               backoff_timer,  nop,          nop },
	[SVC_DONE]     = { idle_start,    idle_stop,    nop,              nop,           nop,           nop,               nop,            nop,          nop },
	[SVC_FAILED]   = { idle_start,    idle_stop,    nop,              nop,           nop,           nop,               nop,            nop,          nop },
};

/* Let services react to each other until nothing changes: waiting ones
 * may start, pending stops may proceed, Requires= stops propagate. */
static void propagate(void)
{
	unsigned before;

	do {
		before = sup.changes;
		for (unsigned i = 0; i < sup.nsvcs; i++) {
			struct service *s = sup.svcs[i];

			if (s->state == SVC_WAITING)
				svc_dispatch(s, SVC_EV_DEPS);
			else if (s->stop_pending && !has_active_dependents(s))
				svc_dispatch(s, SVC_EV_STOP);
			/* a unit we Require was stopped or failed: follow it */
			if (s->want == SVC_WANT_UP &&
			    (s->state == SVC_RUNNING || s->state == SVC_STARTING))
				for (unsigned r = 0; r < s->def.nrequires; r++) {
					struct service *d = svc_find(s->def.requires[r]);

					if (d && d->want == SVC_WANT_DOWN) {
						log_info("%s: stopping, it requires %s",
							 s->def.name, d->def.name);
						svc_dispatch(s, SVC_EV_STOP);
						break;
					}
				}
		}
		if (sup.stop_done) {
			bool all = true;

			for (unsigned i = 0; i < sup.nsvcs; i++) {
				enum svc_state st = sup.svcs[i]->state;

				all &= st == SVC_DOWN || st == SVC_FAILED || st == SVC_DONE;
			}
			if (all) {
				void (*done)(void *) = sup.stop_done;

				sup.stop_done = NULL;
				done(sup.stop_data);
			}
		}
	} while (sup.changes != before);
}

void svc_dispatch(struct service *s, enum svc_event ev)
{
	log_debug("%s: %s in %s", s->def.name, svc_event_name(ev), svc_state_name(s->state));
	sup.depth++;
	actions[s->state][ev](s);
	sup.depth--;
	if (sup.depth == 0) {
		sup.depth++;
		propagate();
		sup.depth--;
	}
}

/* ---- glue to the outside ----------------------------------------------- */

void svc_group_released(struct grp_group *g, void *data)
{
	(void)data;
	/* groups may be shared: every service in it hears about it */
	for (unsigned i = 0; i < sup.nsvcs; i++)
		if (sup.svcs[i]->grp == g)
			svc_dispatch(sup.svcs[i], SVC_EV_RELEASED);
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	svc_dispatch(w->data, SVC_EV_TIMER);
}

void sup_child_exited(pid_t pid, int status)
{
	struct service *s = svc_find_pid(pid);

	if (!s) {
		log_debug("reaped pid %d (not a main process)", (int)pid);
		return;
	}
	s->pid = 0;
	s->last_status = status;
	svc_dispatch(s, SVC_EV_EXIT);
}

int sup_init(const struct sup_options *o)
{
	sup.o = *o;
	snprintf(sup.run_dir, sizeof(sup.run_dir), "%s", o->run_dir ? o->run_dir : "/run/corral");
	sup.o.run_dir = sup.run_dir;
	return 0;
}

int sup_add(const struct svc_def *def)
{
	struct service *s;

	if (svc_find(def->name)) {
		log_error("%s: a service named %s is already loaded", def->file, def->name);
		errno = EEXIST;
		return -1;
	}
	if (sup.nsvcs == SUP_MAX_SERVICES) {
		log_error("%s: more than %d services", def->file, SUP_MAX_SERVICES);
		errno = ENOSPC;
		return -1;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		log_error_sys("allocate service", def->name);
		return -1;
	}
	s->def = *def;
	svc_def_fixup(&s->def);
	svc_group_path(&s->def, s->grp_path, sizeof(s->grp_path));
	s->last_status = -1;
	s->exec_fd = -1;
	s->out_rd = s->out_wr = -1;
	ev_init(&s->timer, timer_cb);
	s->timer.data = s;
	for (unsigned i = 0; i < def->nrequires; i++)
		if (!svc_find(def->requires[i]))
			log_debug("%s: requires %s (not loaded yet)", def->name, def->requires[i]);
	sup.svcs[sup.nsvcs++] = s;
	return 0;
}

void sup_start_all(void)
{
	for (unsigned i = 0; i < sup.nsvcs; i++)
		sup.svcs[i]->want = SVC_WANT_UP;
	for (unsigned i = 0; i < sup.nsvcs; i++) {
		struct service *s = sup.svcs[i];

		for (unsigned r = 0; r < s->def.nrequires; r++)
			if (!svc_find(s->def.requires[r]))
				log_error("%s: requires %s, which is not loaded",
					  s->def.name, s->def.requires[r]);
		svc_dispatch(s, SVC_EV_START);
	}
}

void sup_stop_all(void (*done)(void *), void *data)
{
	sup.stop_done = NULL;
	for (unsigned i = 0; i < sup.nsvcs; i++)
		sup.svcs[i]->want = SVC_WANT_DOWN;
	/* Ask everyone first, reverse load order; dependents hold their
	 * dependencies back.  Only then watch for "all down", or the first
	 * service to finish would end the shutdown early. */
	for (unsigned i = sup.nsvcs; i-- > 0;)
		svc_dispatch(sup.svcs[i], SVC_EV_STOP);
	sup.stop_done = done;
	sup.stop_data = data;
	sup.depth++;
	propagate();
	sup.depth--;
}

void sup_set_action_cb(void (*cb)(enum sup_action a))
{
	sup.action_cb = cb;
}
