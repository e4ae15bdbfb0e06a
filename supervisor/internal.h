/*
 * supervisor/internal.h - run-time service structures, shared by the
 * supervisor's files only.
 */
#ifndef CORRAL_SUPERVISOR_INTERNAL_H
#define CORRAL_SUPERVISOR_INTERNAL_H

#include "supervisor.h"

#include <ev.h>
#include <time.h>

#define SVC_LOG_RING 8192	/* bytes of recent output kept per service */
#define SVC_LINE_BUF 512	/* longest line forwarded whole */
#define SVC_HIST_MAX 16		/* transitions remembered per service */

enum svc_want { SVC_WANT_DOWN, SVC_WANT_UP };

/* What the release of the group ends a stop with.  A stop always waits
 * for the group to be released; this says where the service goes then. */
enum svc_after_stop {
	SVC_AFTER_DOWN,		/* stopped (by request, or a clean end) */
	SVC_AFTER_FAILED,	/* the run failed and is not restarted */
	SVC_AFTER_DONE,		/* a oneshot finished successfully */
	SVC_AFTER_BACKOFF,	/* Restart= brings it back after a delay */
	SVC_AFTER_RESTART,	/* initctl restart: start again at once */
};

/* One dependency edge, resolved from the names when services are linked. */
#define SVC_DEP_REQUIRES 1u
#define SVC_DEP_AFTER 2u
#define SVC_DEP_WANTS 4u	/* start it with us; its failure is not ours */
#define SVC_DEP_BINDS 8u	/* (with REQUIRES) stop when it goes away */
#define SVC_DEP_PARTOF 16u	/* its stop and restart reach us */
#define SVC_DEP_CONFLICTS 32u	/* never up together (an edge each way) */
#define SVC_DEP_REQUISITE 64u	/* up already, or being started by others */
/* the kinds that order starts (stops in reverse): only they make cycles */
#define SVC_DEP_ORDER (SVC_DEP_REQUIRES | SVC_DEP_AFTER | SVC_DEP_REQUISITE)
struct svc_edge {
	struct service *svc;
	unsigned kind;		/* SVC_DEP_* bits */
};

struct service {
	struct svc_def def;
	const enum svc_state state;	/* only svc_state_set() writes it */
	enum svc_want want;
	enum svc_reason reason;
	enum svc_after_stop after_stop;	/* meaningful in STOP_CMD, STOPPING, STOP_POST */
	bool kill_sent;			/* SIGKILL already sent this stop */
	bool release_armed;		/* release notification asked for */
	bool deps_queued;		/* a DEPS event is already queued */
	char *detail;			/* why it failed, beyond the reason */

	/* resolved by sup_link(): what it depends on, what depends on it */
	struct svc_edge *deps, *rdeps;
	unsigned ndeps, nrdeps, capdeps;
	bool in_cycle;			/* part of a dependency cycle */
	/* reload (table.c): a changed definition waiting for the run to end;
	 * the file is gone (dropped once down); new in this reload */
	struct svc_def *pending;
	bool removed, added_by_reload;
	bool transient;			/* made by initctl start from a template (instance.c) */
	const char *missing;		/* a Requires= name that is not loaded */
	unsigned idx;			/* position in sup.svcs */

	struct grp_group *grp;
	char grp_path[GRP_PATH_MAX];

	pid_t pid;			/* main process, 0 if none known */
	/* the control command (an Exec*= line other than the main one) that
	 * runs now, one at a time, in the service's group (state.c runs them) */
	enum svc_cmd_kind ctl_kind;
	unsigned ctl_idx;		/* in def.cmds[ctl_kind] */
	pid_t ctl_pid;			/* > 0 running; < 0 could not run; 0 none */
	unsigned ctl_seq;		/* ctl_pid of a command that could not run */
	int ctl_status;			/* its wait status, -1 could not run */
	enum svc_exec_stage ctl_fail_stage;
	int ctl_fail_errno;
	int ctl_exec_fd;		/* its exec-status pipe, -1 none */
	ev_io ctl_exec_io;
	unsigned main_idx;		/* Type=oneshot: the ExecStart= that runs */
	bool run_started;		/* this run got started: ExecStop= applies */
	bool exited_up;			/* RemainAfterExit=: main gone, still up */
	bool post_done;			/* STOP_POST: every command has run */
	int last_status;		/* wait status of the last exit, -1 none */
	enum svc_exec_stage fail_stage;
	int fail_errno;			/* SVC_STAGE_USER: 0 when the name does not exist */
	bool fail_nogroup;		/* ... and it was Group=, not User= */
	double started_at;		/* svc_now() at the current run's fork */
	double running_since;		/* svc_now() when RUNNING, 0 if not */
	unsigned restarts;		/* automatic restarts so far */
	unsigned failures;		/* failed runs in a row, for backoff */
	/* the newest start times, a ring indexed by nstarts */
	double starts[SVC_START_LIMIT_MAX];
	unsigned nstarts;		/* starts since the limit was reset */
	char status_text[128];		/* sd_notify STATUS= */
	/* the newest transitions, a ring indexed by nhist, for boot
	 * analysis: monotonic seconds (svc_mono) and the state entered */
	struct svc_hist {
		double t;
		enum svc_state st;
	} hist[SVC_HIST_MAX];
	unsigned nhist;			/* transitions ever recorded */
	double start_requested;		/* svc_mono() of the last START, 0 none */
	/* Type=notify: the service's own NOTIFY_SOCKET (notify.c), made at
	 * its first start, kept across restarts, removed when dropped */
	bool notify_open;		/* notify_fd and notify_path are valid */
	int notify_fd;
	uid_t notify_uid;		/* who besides root may send on it */
	ev_io notify_io;
	char *notify_path;		/* RUNDIR/notify/NAME.sock */

	ev_timer timer;
	/* close-on-exec status pipe; while it is open the group is pinned */
	ev_io exec_io;
	int exec_fd;
	ev_io out_io;			/* stdout+stderr pipe, read end */
	int out_rd, out_wr;

	/* output.c: recent output (a ring of timestamped lines), the line
	 * being read, the log file; NULL until the service first writes */
	struct svc_log *log;
	bool boot_wait;			/* started at boot, not yet up or failed */
};

struct supervisor {
	struct sup_options o;
	char run_dir[4096];
	struct service **svcs;		/* load order; grown by sup_add() */
	unsigned nsvcs, capsvcs;
	unsigned nactive;		/* services not down, failed or done */
	bool linked;			/* deps resolved since the last sup_add() */
	void (*stop_done)(void *);
	void *stop_data;
	void (*action_cb)(enum sup_action);
	int (*reload_cb)(char *msg, size_t len);
	int ctl_fd;
	ev_io ctl_io;
};

extern struct supervisor sup;

/* state.c */
/* Queue an event for s; handle the queue unless a handler is running
 * (then the event waits its turn: handlers never recurse). */
void svc_dispatch(struct service *s, enum svc_event ev);
/* The same with the event's argument (EXIT: the wait status). */
void svc_post(struct service *s, enum svc_event ev, int arg);
void svc_state_set(struct service *s, enum svc_state st, const char *why);
struct service *svc_find(const char *name);
/* by name, else by [Install] Alias= (what initctl names) */
struct service *svc_find_any(const char *name);
struct service *svc_find_pid(pid_t pid);
void svc_group_released(struct grp_group *g, void *data);
/* Hold the queue: events posted until sup_batch_end() are only queued
 * (no handler runs, no service is dropped), then handled in order. */
void sup_batch_begin(void);
void sup_batch_end(void);
/* Resolve dependency names and find cycles; run before the first start. */
void sup_link(void);
/* "exited 3", "killed by signal 9 (Killed)", "-" for none */
void svc_describe_status(int status, char *buf, size_t len);
/* units.c: targets and dependency names */
/* Turn every service's dependency names into edges (s->deps; s->missing
 * for a Requires= service that is not loaded): built-in targets that a
 * unit names are added to the table first, unknown units of other kinds
 * are satisfied with one notice per name.  From sup_link() only. */
void units_resolve(void);
/* false: sup_start_all() leaves s down (a target only reached on request,
 * or the loser of two enabled units that conflict); logs why */
bool units_boot_start(const struct service *s);
/* table.c */
/* false if the configuration directory has a disabled/NAME marker */
bool svc_enabled(const struct service *s);
int sup_enable(struct service *s, bool on, char *msg, size_t len);
/* Between runs: make the pending definition the service's own. */
void svc_apply_pending(struct service *s);
/* Drop removed services that are down; only with the event queue empty. */
void sup_sweep(void);
/* instance.c */
/* NAME@INST from the template NAME@.service, added and linked; NULL if
 * there is none (err "") or it does not load (err says why). */
struct service *sup_instance_add(const char *name, char *err, size_t len);
/* After a control command on s was answered: a run-time instance that
 * was stopped goes once down (s may be freed on return). */
void sup_instance_request(struct service *s, enum ctl_cmd cmd);
/* For a reload: the n definitions read, moved into a new array with the
 * run-time instances read again from their templates (*n grows); NULL
 * when there are none (use defs as it is). */
struct svc_def *sup_instances_reread(struct svc_def *defs, unsigned *n);
/* output.c */
void svc_output_close(struct service *s);
/* timer.c: the clocks and the one timer of each service */
double svc_now(void);
/* CLOCK_MONOTONIC in seconds: since boot when corral is PID 1 */
double svc_mono(void);
void svc_timer_init(struct service *s);
void svc_timer_arm(struct service *s, double after);
void svc_timer_stop(struct service *s);
/* spawn.c */
/* 0 forked; -1 a passing failure (fork, pipe: retried like a failed run);
 * -2 User=/Group= unknown; -3 its notify socket cannot be made; -4 an
 * EnvironmentFile= cannot be read, ExecStart= expands to nothing, or its
 * directories or sandbox cannot be prepared (all permanent: the service
 * fails; s->fail_stage says which) */
int svc_spawn(struct service *s);
/* The same for a control command c of s (its kind and index are in
 * s->ctl_kind, s->ctl_idx): runs in the service's group with its
 * environment and $MAINPID, as its User=/Group= unless c has '+';
 * sets s->ctl_pid.  Its exit comes as CMD_EXIT. */
int svc_spawn_ctl(struct service *s, const struct svc_cmd *c);
/* Read the control command's exec-status pipe (as svc_exec_collect). */
void svc_ctl_collect(struct service *s);
/* Signal the control command alone (a reload that timed out). */
void svc_ctl_kill(struct service *s, int sig);
/* runenv.c: the final environment and argv of a start, made in the
 * parent before fork (EnvironmentFile= read, $VAR expanded) */
struct svc_runenv {
	char **envp;		/* the base vector, or an overlay of it */
	char **argv;		/* s->def.argv, or its expansion */
	struct svc_vars vars;	/* what the files set (owned) */
	bool envp_own, argv_own;
};
/* From base (corral's defaults and Environment=, which must outlive re):
 * 0; -1 out of memory (a passing failure); -4 with fail_stage
 * SVC_STAGE_ENVIRONMENT and the reason in s->detail. */
/* ... for command c (ExecStart= or a control command): its argv, expanded
 * unless c has ':' */
int svc_runenv_build(struct service *s, const struct svc_cmd *c, char **base,
		     struct svc_runenv *re);
void svc_runenv_free(struct svc_runenv *re);
/* "stage S: why" of the last failed start ("" if none), for status */
void svc_exec_error(const struct service *s, char *buf, size_t len);
void svc_exec_collect(struct service *s);
/* output.c */
int svc_output_open(struct service *s);
void svc_output_drain(struct service *s);
/* The ring: lines "SECONDS.MICROS text\n" (realtime when corral read
 * them), oldest first; the newest that fit in len.  0 if none yet. */
size_t svc_output_copy(const struct service *s, char *buf, size_t len);
bool svc_output_any(const struct service *s);
/* Take over a control connection for `initctl log -f` (CTL_F_FOLLOW). */
void svc_output_follow(struct service *s, int fd);
/* Free the ring, the log file and close the followers (service dropped). */
void svc_output_free(struct service *s);
/* From svc_state_set(): "NAME: running after 0.123 s", the boot summary. */
void svc_output_state(struct service *s, enum svc_state st);
/* notify.c */
#define SVC_NOTIFY_MAX 4096	/* longest datagram accepted (systemd's too) */
/* One sd_notify datagram, parsed.  status points into the parsed buffer. */
struct notify_msg {
	bool ready;			/* READY=1 */
	bool stopping;			/* STOPPING=1 */
	const char *status;		/* STATUS= value, NULL if none */
	size_t status_len;		/* (not NUL-terminated) */
	pid_t mainpid;			/* MAINPID=, 0 if none */
	const char *why;		/* what is wrong, when -1 is returned */
};
/* Pure: validate the whole datagram (1..SVC_NOTIFY_MAX bytes, no NUL,
 * every line KEY=VALUE with KEY of [A-Z0-9_], no control characters but
 * tab, MAINPID= a positive decimal) and parse it; 0, or -1 with out->why. */
int notify_parse(const char *buf, size_t len, struct notify_msg *out);
/* Before a Type=notify service forks: open its socket if it has none
 * (owned by uid, mode 0600) and discard what an earlier run left queued. */
int svc_notify_prepare(struct service *s, uid_t uid);
/* Close and remove its socket (service dropped; shutdown). */
void svc_notify_drop(struct service *s);
/* kill.c: KillMode=, KillSignal=, SendSIGKILL=, ... (systemd.kill(5)) */
/* Begin a stop of a non-empty group; arms TimeoutStopSec unless infinite. */
void svc_kill_stop(struct service *s);
/* STOPPING, the main process exited: mixed sends the rest FinalKillSignal. */
void svc_kill_main_exited(struct service *s);
/* STOPPING, the timer: FinalKillSignal, unless SendSIGKILL=no. */
void svc_kill_timeout(struct service *s);
/* Type=forking with PIDFile=: the pid in it if it is in the group, else 0. */
pid_t svc_pidfile_read(struct service *s);
/* sandbox.c: prepared in the parent, walked by the child (plain syscalls) */
struct sbx_plan;
extern const char *const sbx_dir_base[SVC_NDIRS];
/* Create the *Directory= directories, compute limits, groups, caps and
 * the mount plan.  0 with *out (NULL-safe for the child calls), or -1
 * with s->fail_stage/fail_errno set and the reason logged. */
int sbx_prepare(struct service *s, uid_t uid, gid_t gid, bool setids,
		const char *username, struct sbx_plan **out);
void sbx_free(struct sbx_plan *p);
/* SupplementaryGroups= with the user's own groups, for setgroups() */
bool sbx_groups(const struct sbx_plan *p, const gid_t **g, size_t *n);
/* In the child: before the ids change / after setuid.  0 or a stage. */
int sbx_child_setup(const struct sbx_plan *p);
int sbx_child_late(const struct sbx_plan *p);
/* base/rel created (components not followed if symlinks), the innermost
 * with mode and, with own, uid:gid.  0 or -1 with errno. */
int sbx_mkdir_owned(const char *base, const char *rel, mode_t mode, bool own,
		    uid_t uid, gid_t gid);
int sbx_rmtree(const char *base, const char *rel);
/* The run is over: remove RuntimeDirectory= unless preserved. */
void sbx_dirs_release(struct service *s, bool restarting);

/* status.c */
size_t svc_status_text(struct service *s, char *buf, size_t len);
size_t svc_status_json(struct service *s, char *buf, size_t len);
/* status_list.c: the CTL_F_SUMMARY block of initctl list */
size_t svc_status_summary(struct service *s, char *buf, size_t len);

#endif
