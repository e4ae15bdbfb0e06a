/*
 * supervisor/internal.h - run-time service structures, shared by the
 * supervisor's files only.
 */
#ifndef CORRAL_SUPERVISOR_INTERNAL_H
#define CORRAL_SUPERVISOR_INTERNAL_H

#include "supervisor.h"

#include <ev.h>
#include <time.h>

#define SUP_MAX_SERVICES 128
#define SVC_LOG_RING 8192	/* bytes of recent output kept per service */
#define SVC_LINE_BUF 512	/* longest line forwarded whole */

enum svc_want { SVC_WANT_DOWN, SVC_WANT_UP };

/* what happens once the group is released after a stop */
enum svc_next { SVC_NEXT_DOWN, SVC_NEXT_FAILED, SVC_NEXT_DONE,
		SVC_NEXT_RESTART, SVC_NEXT_RESTART_NOW };

struct service {
	struct svc_def def;
	const enum svc_state state;	/* only svc_state_set() writes it */
	enum svc_want want;
	enum svc_reason reason;
	enum svc_next next;
	bool stop_pending;		/* stop waits for dependents */
	bool kill_sent;			/* SIGKILL already sent this stop */

	struct grp_group *grp;
	char grp_path[GRP_PATH_MAX];

	pid_t pid;			/* main process, 0 if none known */
	int last_status;		/* wait status of the last exit, -1 none */
	bool exited_ok;			/* last run counted as success */
	enum svc_exec_stage fail_stage;
	int fail_errno;
	double started_at;		/* ev_now() of the current run */
	unsigned restarts;		/* automatic restarts so far */
	unsigned consecutive;		/* failures in a row, for backoff */
	/* the newest start times, a ring indexed by nstarts */
	double starts[SVC_START_LIMIT_MAX];
	unsigned nstarts;		/* starts since the limit was reset */
	char status_text[128];		/* sd_notify STATUS= */

	/* environment built before fork: no allocation in the child */
	char *envp[SVC_ENV_MAX + 8];
	char envbuf[SVC_ENV_MAX + 8][300];

	ev_timer timer;
	/* close-on-exec status pipe; while it is open the group is pinned */
	ev_io exec_io;
	int exec_fd;
	ev_io out_io;			/* stdout+stderr pipe, read end */
	int out_rd, out_wr;

	/* recent output, a ring */
	char ring[SVC_LOG_RING];
	size_t ring_head, ring_len;
	char line[SVC_LINE_BUF];
	size_t line_len;
};

struct supervisor {
	struct sup_options o;
	char run_dir[4096];
	struct service *svcs[SUP_MAX_SERVICES];
	unsigned nsvcs;
	unsigned depth;			/* dispatch nesting */
	unsigned changes;		/* state changes, for propagation */
	void (*stop_done)(void *);
	void *stop_data;
	void (*action_cb)(enum sup_action);
	int ctl_fd;
	ev_io ctl_io;
};

extern struct supervisor sup;

/* state.c */
void svc_dispatch(struct service *s, enum svc_event ev);
void svc_state_set(struct service *s, enum svc_state st, const char *why);
struct service *svc_find(const char *name);
struct service *svc_find_pid(pid_t pid);
void svc_group_released(struct grp_group *g, void *data);
/* "exited 3", "killed by signal 9 (Killed)", "-" for none */
void svc_describe_status(int status, char *buf, size_t len);
/* spawn.c */
int svc_spawn(struct service *s);
void svc_exec_collect(struct service *s);
/* output.c */
int svc_output_open(struct service *s);
void svc_output_drain(struct service *s);
size_t svc_output_copy(const struct service *s, char *buf, size_t len);
/* status.c */
size_t svc_status_text(struct service *s, char *buf, size_t len);
size_t svc_status_json(struct service *s, char *buf, size_t len);

#endif
