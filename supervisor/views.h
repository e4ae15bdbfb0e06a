/*
 * supervisor/views.h - initctl's views over `initctl status` (top,
 * analyze, metrics).  Linked into initctl only: PID 1 answers the plain
 * text status and every view is computed here, in the client.
 *
 * The status text is blocks of "key value" lines, one block per service,
 * starting with "service NAME" (supervisor/status.c).  vw_parse() reads
 * the keys the views use and ignores the others, so corral can add keys
 * without breaking an older initctl.
 */
#ifndef CORRAL_SUPERVISOR_VIEWS_H
#define CORRAL_SUPERVISOR_VIEWS_H

#include "supervisor.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One transition: corral's monotonic clock (seconds) and the state entered. */
struct vw_hist {
	double t;
	int st;			/* enum svc_state; -1 for a name this initctl does not know */
};

struct vw_svc {
	char *name, *state, *type, *group, *last_exit, *cpus, *mems;
	int st;			/* enum svc_state of state, -1 unknown */
	long pid;
	unsigned long restarts;
	bool have_tasks;	/* numtasks_* and fork_failures present */
	long long tasks, tasks_max;	/* tasks_max -1: no limit ("max") */
	unsigned long long fork_failures;
	bool have_cpu;		/* cpu_* present */
	unsigned long long user_ms, system_ms, usage_ns;
	bool have_mem;		/* memory_current present (memory controller) */
	unsigned long long mem, mem_max;	/* mem_max 0: no limit */
	double now_mono;	/* corral's clock when the block was written */
	double start_requested;	/* 0: never requested */
	struct vw_hist *hist;
	unsigned nhist;
	char **after, **requires;
	unsigned nafter, nrequires;
};

struct vw_status {
	struct vw_svc *svc;
	unsigned n;
};

/* The control socket initctl was told to use (-s / -r / CORRAL_SOCKET). */
extern const char *vw_socket;

/* Send one request; on success *out is the answer after the "ok" line
 * (malloc'd, NUL-terminated, *len bytes).  Returns 0, 1 if corral refused
 * (its message printed), 3 if it cannot be reached (printed). */
/* realloc, or "initctl: out of memory" and exit 1 (a client may) */
void *vw_xrealloc(void *p, size_t n);
int vw_call(enum ctl_cmd cmd, const char *name, uint32_t flags, char **out, size_t *len);
/* Parse a status answer; 0, or -1 with a message naming the answer's line. */
int vw_parse(char *text, struct vw_status *st);
void vw_free(struct vw_status *st);
/* Fetch and parse `status` of every service: 0, or an exit status. */
int vw_fetch(struct vw_status *st);
struct vw_svc *vw_find(struct vw_status *st, const char *name);

/* Boot timeline of one service, from its history since the last start
 * request; each is -1 when it did not happen. */
double vw_started(const struct vw_svc *s);	/* entered starting */
double vw_ready(const struct vw_svc *s);	/* entered running or done */
/* The earliest start request or transition of all: the plots' origin. */
double vw_origin(const struct vw_status *st);

/* initctl-only request flag (never sent): status as "key value" lines */
#define VW_F_KV (1u << 31)

/* The arguments after a plain command argv[0] (argc counts it): --json,
 * -k/--kv, and the NAME (".service" stripped) when needs_name is 1 (must)
 * or -1 (may); anything else is a usage error.  0, or exit status 2. */
int vw_cmd_args(const char *cmd, int needs_name, int argc, char **argv,
		uint32_t *flags, char **name);
/* The human views of status and list (supervisor/view_status.c). */
int vw_status_human(const char *name);
int vw_list_table(void);

/* Commands: argv[0] is the command name; return initctl's exit status. */
int vw_top(int argc, char **argv);
int vw_analyze(int argc, char **argv);
int vw_metrics(int argc, char **argv);
/* view_log.c: initctl log NAME [-n N] [-f] */
int vw_log(int argc, char **argv);
/* Print one line of a CTL_LOG answer ("SECONDS.MICROS text", no '\n') as
 * "YYYY-MM-DD HH:MM:SS.mmm text\n" in local time. */
void vw_log_print(const char *line, size_t n);

#endif
