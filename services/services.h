/*
 * services/services.h - service files (public header).
 *
 * One INI file per service, NAME.service in the services directory, parsed
 * with inih.  Sections and keys follow systemd where they overlap:
 *
 *   [Unit]    Description, After, Requires, StartLimitBurst,
 *             StartLimitIntervalSec
 *   [Service] Type=simple|notify|forking|oneshot, ExecStart, Restart=
 *             always|on-failure|no, RestartSec, User, Group,
 *             WorkingDirectory, Environment, TimeoutStopSec,
 *             TimeoutStartSec (notify and forking only)
 *   [Group]   Name, Parent, cpuset.cpus (AllowedCPUs), cpuset.mems
 *             (AllowedMemoryNodes), numtasks.max (TasksMax),
 *             notify_on_release
 *
 * Errors name file:line.  A bad file fails alone; unknown keys warn.
 * Parsing is pure (no fork, no cgroup access) so it can be unit tested.
 */
#ifndef CORRAL_SERVICES_H
#define CORRAL_SERVICES_H

#include "../grouping/grouping.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define SVC_NAME_MAX 64
#define SVC_DEPS_MAX 16
#define SVC_ARGS_MAX 64
#define SVC_ENV_MAX 32
#define SVC_STR_MAX 1024	/* ExecStart, WorkingDirectory, ... */
#define SVC_LINE_MAX 199	/* what Debian's libinih accepts per line */
#define SVC_START_LIMIT_MAX 32	/* StartLimitBurst: start times kept per service */

enum svc_type {
	SVC_TYPE_SIMPLE,	/* running once exec succeeded */
	SVC_TYPE_NOTIFY,	/* running once it sends READY=1 */
	SVC_TYPE_FORKING,	/* running once the starter exits 0 */
	SVC_TYPE_ONESHOT,	/* done once it exits 0 */
};

enum svc_restart {
	SVC_RESTART_NO,
	SVC_RESTART_ON_FAILURE,	/* non-zero exit or killed by a signal */
	SVC_RESTART_ALWAYS,
};

struct svc_def {
	char name[SVC_NAME_MAX + 1];	/* file name without .service */
	char file[SVC_STR_MAX];
	char description[256];
	unsigned nafter, nrequires;
	char after[SVC_DEPS_MAX][SVC_NAME_MAX + 1];
	char requires[SVC_DEPS_MAX][SVC_NAME_MAX + 1];
	unsigned start_limit_burst;	/* default 5, at most SVC_START_LIMIT_MAX */
	double start_limit_interval;	/* seconds, default 10 */

	enum svc_type type;
	char exec_start[SVC_STR_MAX];	/* as written, for status */
	int argc;
	char argbuf[SVC_STR_MAX];	/* argv strings, NUL separated */
	char *argv[SVC_ARGS_MAX + 1];	/* into argbuf; see svc_def_fixup */
	enum svc_restart restart;
	double restart_sec;		/* default 0.1 */
	double timeout_stop_sec;	/* default 10 */
	double timeout_start_sec;	/* notify/forking; default 90 */
	char user[64], group[64];
	char workdir[SVC_STR_MAX];
	unsigned nenv;
	char env[SVC_ENV_MAX][256];	/* NAME=value */

	char grp_name[GRP_PATH_MAX];	/* default: the service name */
	char grp_parent[GRP_PATH_MAX];	/* "" = top level */
	struct grp_limits limits;
	bool notify_on_release;		/* default true */
};

/* Parse one file into def.  name is taken from the file name.  Returns 0;
 * or -1 with err "file:line: message" (the file is rejected whole). */
int svc_load_file(const char *path, struct svc_def *def,
		  char *err, size_t errlen);
/* Same, from memory (tests). */
int svc_load_string(const char *name, const char *text, struct svc_def *def,
		    char *err, size_t errlen);
/* Load every *.service in dir, sorted by name.  Bad files are logged and
 * skipped.  Returns the number loaded into defs (at most max), or -1 if
 * dir cannot be read. */
int svc_load_dir(const char *dir, struct svc_def *defs, unsigned max);

/* Split a command line into argv like a shell would quote it, without
 * expanding anything: "double" and 'single' quotes, backslash escapes.
 * Returns argc, or -1 with *why set (unbalanced quote, too many args). */
int svc_split_argv(const char *cmd, char *buf, size_t buflen,
		   char **argv, int maxargs, const char **why);
/* After copying a struct svc_def, re-point argv into its own argbuf. */
void svc_def_fixup(struct svc_def *def);
/* Group path for the service: parent/name. */
void svc_group_path(const struct svc_def *def, char *buf, size_t len);

const char *svc_type_name(enum svc_type t);
const char *svc_restart_name(enum svc_restart r);
/* "1.5", "500ms", "2s", "1min", "infinity" -> seconds; -1 on error */
double svc_parse_seconds(const char *s);

#endif
