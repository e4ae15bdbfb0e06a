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
 *             TimeoutStartSec (notify and forking only), LimitNOFILE
 *   [Group]   Name, Parent, cpuset.cpus (AllowedCPUs), cpuset.mems
 *             (AllowedMemoryNodes), numtasks.max (TasksMax),
 *             notify_on_release
 *
 * Errors name file:line.  A bad file fails alone and whole: a NUL byte, a
 * line longer than libinih holds, an empty User=/Group=, any bad value.
 * Leading whitespace on a line is not significant (as in systemd): an
 * indented line is a line of its own, never a continuation of the key
 * above it (Debian's libinih would otherwise append it to that key).
 * Only regular files (or symlinks to them) of at most SVC_FILE_MAX bytes
 * are read; anything else named *.service is skipped with a warning.
 * Unknown keys and sections warn: SVC_WARN_LINES lines per file at most,
 * then one "... and N more unknown keys" line.
 * Parsing is pure (no fork, no cgroup access) so it can be unit tested.
 *
 * Time spans (every *Sec= key): NUMBER[UNIT], NUMBER is digits with an optional
 * .fraction, UNIT one of us, ms, s, sec, m, min, h (none: seconds); parts
 * may be summed, "1min 30s" or "1min30s"; or "infinity".  Nothing else:
 * no sign, hex, exponent, nan/inf, and at most SVC_SECONDS_MAX.
 */
#ifndef CORRAL_SERVICES_H
#define CORRAL_SERVICES_H

#include "../grouping/grouping.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A name is also a group name (grp_name_valid), so it has the group
 * engine's bound; everything else in a definition is sized by what is
 * loaded (a value is at most one line: SVC_LINE_MAX). */
#define SVC_NAME_MAX 64
#define SVC_LINE_MAX 199	/* what Debian's libinih accepts per line */
#define SVC_START_LIMIT_MAX 32	/* StartLimitBurst: start times kept per service */
#define SVC_NOFILE_INFINITY (~0ULL)	/* LimitNOFILE=infinity */
#define SVC_NOFILE_MAX 2147483584ULL	/* the kernel's highest fs.nr_open */
#define SVC_FILE_MAX (1024 * 1024)	/* bytes per service file */
/* warning lines per file; the rest are counted and summarised in one line,
 * so a file full of unknown keys cannot flood the console */
#define SVC_WARN_LINES 5
#define SVC_SECONDS_MAX (10.0 * 365 * 24 * 3600)	/* 10 years: 315,360,000 s */
#define SVC_SECONDS_INFINITY 1e9	/* "infinity": longer than any SVC_SECONDS_MAX */

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

/*
 * A definition owns its storage: every string and list below is heap
 * memory sized by the file (never NULL after a load: an unset string is
 * ""), released by svc_def_free().  A bitwise copy shares it, so a
 * definition has one owner at a time: hand it on by moving (copy the
 * struct, then forget the original, as sup_add() does), or keep it and
 * free it.  A zeroed struct svc_def is empty and may be freed.
 */
struct svc_def {
	char name[SVC_NAME_MAX + 1];	/* file name without .service */
	const char *file;		/* the path it was read from */
	const char *description;
	unsigned nafter, nrequires;
	char **after;			/* nafter unit names */
	char **requires;		/* nrequires unit names */
	unsigned start_limit_burst;	/* default 5, at most SVC_START_LIMIT_MAX */
	double start_limit_interval;	/* seconds, default 10 */

	enum svc_type type;
	const char *exec_start;		/* as written, for status */
	int argc;
	char **argv;			/* argc words and NULL, one allocation */
	enum svc_restart restart;
	double restart_sec;		/* default 0.1 */
	double restart_max_delay;	/* backoff cap; default 60 */
	double restart_forgive;		/* a run this long resets the backoff; default 1 */
	double timeout_stop_sec;	/* default 10 */
	double timeout_start_sec;	/* notify/forking; default 90 */
	const char *user, *group;	/* "" = not set */
	const char *workdir;		/* "" = / */
	/* LimitNOFILE=N, SOFT:HARD or infinity (SVC_NOFILE_INFINITY); when
	 * not given, a service gets soft 1024 (at most the hard limit) */
	bool nofile_set;
	unsigned long long nofile_soft, nofile_hard;
	uint64_t digest;		/* svc_digest() of the file's bytes */
	/* NAME=value, one per name: a later Environment= assignment of a
	 * name replaces the earlier one (systemd's rule) */
	unsigned nenv;
	char **env;

	const char *grp_name;		/* default: the service name */
	const char *grp_parent;		/* "" = top level */
	struct grp_limits limits;
	bool notify_on_release;		/* default true */
};

/* Parse one file into def, which is taken as uninitialised (free an
 * earlier definition first).  name is taken from the file name.  Returns
 * 0 (def is the caller's to free); -1 with err "file:line: message" (the
 * file is rejected whole); or -2 with err if path is not a regular file (a
 * FIFO, socket, device, directory: never opened, so it cannot block).  On
 * failure def is left empty. */
int svc_load_file(const char *path, struct svc_def *def,
		  char *err, size_t errlen);
/* Same, from len bytes in memory (any bytes: NUL is rejected); name is the
 * service name and the file name in messages.  Returns 0 or -1. */
int svc_load_mem(const char *name, const void *data, size_t len, struct svc_def *def,
		 char *err, size_t errlen);
/* Same, from a C string (tests). */
int svc_load_string(const char *name, const char *text, struct svc_def *def,
		    char *err, size_t errlen);
/* Release what def owns and leave it empty (zeroed): freeing twice, or
 * freeing a zeroed or moved-from definition, is harmless. */
void svc_def_free(struct svc_def *def);
/* Load every *.service in dir, sorted by name, however many there are.
 * Bad files are logged and skipped; so is anything that is not a regular
 * file, without opening it, and a hidden .*.service.  Returns the number
 * loaded with *defs a malloc'd array of them (NULL when 0; the caller
 * frees each with svc_def_free(), or moves it away, then the array), or
 * -1 if dir cannot be read. */
int svc_load_dir(const char *dir, struct svc_def **defs);
/* Where the loader's warnings go: NULL (the default) logs them, at most
 * SVC_WARN_LINES per file; set (initctl verify), it gets every one, none
 * logged, with the file, the line (0: the whole file), whether it is an
 * ignored unknown key or section, and the message. */
extern void (*svc_warn_hook)(void *ctx, const char *file, unsigned line, bool unknown,
			     const char *msg);
extern void *svc_warn_ctx;

/* Split a command line into argv like a shell would quote it, without
 * expanding anything: "double" and 'single' quotes, backslash escapes.
 * Returns a NULL-terminated vector of *argc words in one allocation (one
 * free()), or NULL with *why set (unbalanced quote, trailing backslash,
 * empty command; with errno ENOMEM: out of memory). */
char **svc_split_argv(const char *cmd, int *argc, const char **why);
/* Group path for the service: parent/name. */
void svc_group_path(const struct svc_def *def, char *buf, size_t len);

const char *svc_type_name(enum svc_type t);
const char *svc_restart_name(enum svc_restart r);
/* A time span as above ("1.5", "500ms", "1min 30s", "infinity") into *sec
 * (infinity is SVC_SECONDS_INFINITY).  Returns 0, or -1 with *why set. */
int svc_parse_timespan(const char *s, double *sec, const char **why);
/* Same, returning the seconds, or -1 on error. */
double svc_parse_seconds(const char *s);
/* A digest of a file's bytes; a reload compares it to find changes. */
uint64_t svc_digest(const void *data, size_t len);

#endif
