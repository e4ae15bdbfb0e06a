/*
 * supervisor/supervisor.h - services at run time (public header).
 *
 * Each loaded service has a current state and a wanted state (up/down).
 * Events (start, stop, exec result, exit, group released, timer, ...) are
 * dispatched through a [state][event] table of handlers; svc_state_set()
 * is the only writer of the state and logs every transition.
 * The prose state diagram is at the top of supervisor/state.c.
 *
 * The control protocol (fixed-size request, text answer) is here too, so
 * initctl and the server share one definition.
 */
#ifndef CORRAL_SUPERVISOR_H
#define CORRAL_SUPERVISOR_H

#include "../services/services.h"
#include "../grouping/grouping.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct ev_loop;

/* X(ID, name, comment) */
#define SVC_STATES(X) \
	X(DOWN, "down")		/* not running; not wanted or never started */ \
	X(WAITING, "waiting")	/* wanted; its After/Requires units are not up yet */ \
	X(STARTING, "starting")	/* forked; not yet running (exec, READY=1, starter exit) */ \
	X(RUNNING, "running")	/* up */ \
	X(STOPPING, "stopping")	/* group signalled; waiting for the group to be released */ \
	X(BACKOFF, "backoff")	/* died; waiting before the next restart */ \
	X(DONE, "done")		/* oneshot finished successfully */ \
	X(FAILED, "failed")	/* gave up: exec failure, start limit, dependency, exit */ \
	X(START_PRE, "start-pre")	/* ExecStartPre= commands run, in order */ \
	X(START_POST, "start-post")	/* started per Type=; ExecStartPost= commands run */ \
	X(RELOADING, "reloading")	/* running; ExecReload= commands run */ \
	X(STOP_CMD, "stop-cmd")	/* ExecStop= commands run, before the signals */ \
	X(STOP_POST, "stop-post")	/* group released; ExecStopPost= commands run */

enum svc_state {
#define X(id, name) SVC_##id,
	SVC_STATES(X)
#undef X
	SVC_NSTATES
};

#define SVC_EVENTS(X) \
	X(START)	/* wanted up (boot, initctl start, a dependent) */ \
	X(STOP)		/* wanted down */ \
	X(RESTART)	/* initctl restart: stop if running, then start again */ \
	X(EXEC_OK)	/* the child reached exec */ \
	X(EXEC_FAIL)	/* the child reported a stage and errno before exec */ \
	X(EXIT)		/* the main process was reaped */ \
	X(RELEASED)	/* the engine reports the group empty */ \
	X(TIMER)	/* stop timeout or backoff expired */ \
	X(DEPS)		/* a dependency or dependent changed state or want */ \
	X(READY)	/* sd_notify READY=1 */ \
	X(CMD_EXIT)	/* the control command (ExecStartPre= ...) was reaped */ \
	X(RELOAD)	/* initctl reload NAME */

enum svc_event {
#define X(id) SVC_EV_##id,
	SVC_EVENTS(X)
#undef X
	SVC_NEVENTS
};

/* Why a service is down or failed (finit's svc_block_t). */
enum svc_reason {
	SVC_REASON_NONE,
	SVC_REASON_USER,	/* stopped by request */
	SVC_REASON_EXEC,	/* could not be started (stage + errno) */
	SVC_REASON_EXIT,	/* exited or was killed and is not restarted */
	SVC_REASON_START_LIMIT,	/* restarted too often */
	SVC_REASON_DEPENDENCY,	/* a Requires= unit failed */
	SVC_REASON_GROUP,	/* its group could not be set up */
	SVC_REASON_START_TIMEOUT,/* no READY=1 / starter exit in TimeoutStartSec */
	SVC_REASON_CONDITION,	/* DONE: a Condition*= did not hold; skipped */
	SVC_REASON_ASSERT,	/* FAILED: an Assert*= did not hold */
};

/* Where a child failed between fork and exec (dinit's exec_stage). */
enum svc_exec_stage {
	SVC_STAGE_NONE,
	SVC_STAGE_ATTACH,	/* entering its containers */
	SVC_STAGE_STDIO,
	SVC_STAGE_CHDIR,
	SVC_STAGE_SETGROUPS,
	SVC_STAGE_SETGID,
	SVC_STAGE_SETUID,
	SVC_STAGE_EXEC,
	SVC_STAGE_USER,		/* User=/Group= lookup, in the parent */
	SVC_STAGE_RLIMIT,	/* LimitNOFILE= / the default soft 1024, Limit*= */
	SVC_STAGE_ENVIRONMENT,	/* EnvironmentFile=, $VAR in ExecStart=: in the parent */
	/* supervisor/sandbox.c */
	SVC_STAGE_SANDBOX,	/* mount namespace, NoNewPrivileges= */
	SVC_STAGE_DIRS,		/* *Directory=, made in the parent */
	SVC_STAGE_NICE,
	SVC_STAGE_OOM,		/* OOMScoreAdjust= */
	SVC_STAGE_CAPS,		/* CapabilityBoundingSet=, AmbientCapabilities= */
};

struct sup_options {
	struct grp_engine *engine;
	struct ev_loop *loop;
	int console_fd;		/* service output goes here */
	const char *run_dir;	/* control socket directory */
	const char *notify_path;/* NOTIFY_SOCKET path, NULL = none */
	const char *config_dir;	/* where disabled/NAME markers live; NULL = none */
};

/* system actions requested through the control socket */
enum sup_action { SUP_REBOOT, SUP_POWEROFF, SUP_HALT };

int sup_init(const struct sup_options *o);
/* Move def into the table: it takes the definition's storage whether it
 * succeeds or not (on return *def is empty; freeing it is harmless).
 * Fails on a duplicate name or when out of memory. */
int sup_add(struct svc_def *def);
/* Re-read services: take the n definitions (moved, as by sup_add) and
 * add, mark changed or drop services (see supervisor/table.c); a one-line
 * summary goes to msg. */
void sup_reload(struct svc_def *defs, unsigned n, char *msg, size_t len);
/* How a reload is carried out (init/main.c reads the directory): returns
 * 0 with a summary in msg, or -1 with the reason. */
void sup_set_reload_cb(int (*cb)(char *msg, size_t len));
/* Want every enabled service up, in dependency order. */
void sup_start_all(void);
/* Want everything down, dependents before their dependencies; done is
 * called once all services are down, failed or done. */
void sup_stop_all(void (*done)(void *), void *data);
/* A reaped child (from the SIGCHLD loop). */
void sup_child_exited(pid_t pid, int status);
/* How system actions from initctl are carried out. */
void sup_set_action_cb(void (*cb)(enum sup_action a));
/* Start the sd_notify socket at run_dir/notify.sock; its path, or NULL. */
const char *sup_notify_open(void);
void sup_notify_close(void);
/* Make the console non-blocking (lib/log.h): corral's log lines on
 * log_fd and service output on out_fd (one console if both are the same
 * file), flushed from loop.  Call before anything is logged in earnest. */
int sup_console_open(struct ev_loop *loop, int out_fd, int log_fd);
/* Persistent service logs (output.c): DIR/NAME/current, rotated past
 * max bytes into current.1 .. current.KEEP.  NULL dir: none. */
void sup_log_files(const char *dir, size_t max, unsigned keep);
/* Close every log file and write no more (shutdown, before the remount). */
void sup_log_files_close(void);
/* After sup_start_all() at boot: log one summary line once every service
 * wanted up then is running, done or failed. */
void sup_boot_watch(void);
/* Start the control socket at run_dir/corral.sock (0600). */
int sup_control_open(void);
void sup_shutdown_sockets(void);

const char *svc_state_name(enum svc_state s);
const char *svc_event_name(enum svc_event e);
const char *svc_reason_name(enum svc_reason r);
const char *svc_stage_name(enum svc_exec_stage s);

/* ---- control protocol ---- */

#define CTL_MAGIC 0x52524f43u	/* "CORR" little endian */
#define CTL_VERSION 1
#define CTL_SOCKET "corral.sock"
#define CTL_REPLY_MAX (256 * 1024)

enum ctl_cmd {
	CTL_LIST = 1,
	CTL_STATUS,		/* name "" = all */
	CTL_START,
	CTL_STOP,
	CTL_RESTART,
	CTL_LOG,
	CTL_REBOOT,
	CTL_POWEROFF,
	CTL_HALT,
	CTL_RELOAD,		/* re-read the services directory */
	CTL_ENABLE,		/* start NAME at boot */
	CTL_DISABLE,		/* do not start NAME at boot */
	CTL_NCMDS
};

struct ctl_request {
	uint32_t magic;
	uint16_t version;
	uint16_t size;		/* sizeof(struct ctl_request) */
	uint32_t cmd;
	uint32_t flags;		/* CTL_F_* */
	char name[SVC_NAME_MAX + 1];
};

#define CTL_F_JSON 1u
#define CTL_F_FOLLOW 2u	/* log: keep the connection and stream new lines */
#define CTL_F_SUMMARY 4u	/* status, text: only what initctl list shows */

/* Pure check of a received request: 0, or -1 with *why. */
int ctl_request_check(const struct ctl_request *r, size_t len, const char **why);

#endif
