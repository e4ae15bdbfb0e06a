/*
 * services/services.h - service files (public header).
 *
 * One INI file per service, NAME.service in the services directory, parsed
 * with inih.  Sections and keys follow systemd where they overlap:
 *
 *   [Unit]    Description, Documentation (accepted quietly), After,
 *             Requires, Wants, Before, PartOf, BindsTo, Conflicts,
 *             Requisite, DefaultDependencies, StartLimitBurst,
 *             StartLimitIntervalSec
 *   [Install] Alias (more names for the service); WantedBy, RequiredBy,
 *             Also, DefaultInstance accepted quietly (every service in
 *             the directory is enabled unless disabled)
 *   [Service] Type=simple|exec|notify|forking|oneshot|dbus|idle, ExecStart,
 *             Restart=no|always|on-success|on-failure|on-abnormal|on-abort|
 *             on-watchdog, RestartSec, User, Group,
 *             WorkingDirectory, Environment, EnvironmentFile (read at
 *             each start: envfile.c), TimeoutStopSec,
 *             TimeoutStartSec (notify and forking only), TimeoutSec (both;
 *             0 or infinity: no timeout), LimitNOFILE, ExecStartPre,
 *             ExecStartPost, ExecReload, ExecStop, ExecStopPost,
 *             RemainAfterExit, and the keys of services/exec.h (PIDFile,
 *             KillMode, Limit*, UMask, the *Directory= keys, sandboxing,
 *             Condition*=/Assert*= in [Unit])
 *   [Group]   Name, Parent, notify_on_release, auto_delete (with
 *             Delegate=: remove the child groups the service made once
 *             they empty, while it runs), and every limit key a
 *             grouping subsystem declares (cpuset.cpus, numtasks.max, ...;
 *             grp_limits_set()); the same keys by their systemd names
 *             (AllowedCPUs=, TasksMax=, ...) in [Service] too, [Group]
 *             winning when both set one
 *
 * NAME.target files hold a [Unit] section only: a target has no process
 * and is reached once its dependencies are (supervisor/units.c, which
 * also has the built-in targets).  Dependency names keep their unit
 * suffix, except .service, which is dropped: "network.target", "ssh".
 *
 * Errors name file:line.  A bad file fails alone and whole: a NUL byte, a
 * logical line longer than SVC_LOGICAL_MAX, an empty User=/Group=, any bad
 * value.  Leading whitespace on a line is not significant (as in systemd):
 * an indented line is a line of its own, never a continuation of the key
 * above it (Debian's libinih would otherwise append it to that key).  A
 * line ending in an odd number of backslashes continues on the next one
 * (systemd's rule: the backslash becomes a space; comment lines inside a
 * continuation are skipped); errors name the logical line's first line.
 *
 * Exec*= lines (struct svc_cmd) take systemd's prefixes, in any order and
 * combination: '-' a failure is ignored, '@' the second word is argv[0],
 * '+' full privileges (no User=/Group=), '!' and '!!' the same as '+'
 * (corral has no ambient-capability mode to approximate them more
 * closely), ':' no $VAR expansion.  An empty assignment (ExecStop=)
 * empties that list; several ExecStart= only with Type=oneshot.
 * Only regular files (or symlinks to them) of at most SVC_FILE_MAX bytes
 * are read; anything else named *.service is skipped with a warning.
 * Unknown keys and sections warn: SVC_WARN_LINES lines per file at most,
 * then one "... and N more unknown keys" line.
 * Parsing is pure (no fork, no cgroup access) so it can be unit tested.
 *
 * NAME@.service is a template, not loaded by svc_load_dir(); NAME@INST
 * files are its instances.  Every value goes through systemd's
 * %-specifiers first (%i %I %p %n %u %h %t %%...: specifier.c); an
 * unknown one rejects the file.  $VAR in ExecStart= stays as written
 * and is expanded at each start (expand.c).
 *
 * Time spans (every *Sec= key): NUMBER[UNIT], NUMBER is digits with an optional
 * .fraction, UNIT one of us, ms, s, sec, m, min, h (none: seconds); parts
 * may be summed, "1min 30s" or "1min30s"; or "infinity".  Nothing else:
 * no sign, hex, exponent, nan/inf, and at most SVC_SECONDS_MAX.
 */
#ifndef CORRAL_SERVICES_H
#define CORRAL_SERVICES_H

#include "../grouping/grouping.h"
#include "exec.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* A name is also a group name (grp_name_valid), so it has the group
 * engine's bound; everything else in a definition is sized by what is
 * loaded (a value is at most one logical line: SVC_LOGICAL_MAX). */
#define SVC_NAME_MAX 64
#define SVC_LINE_MAX 199	/* what Debian's libinih holds per line */
/* a logical line (continuations joined), whatever libinih holds: a
 * longer one is handed to inih shortened and its value passed aside */
#define SVC_LOGICAL_MAX (64 * 1024)
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
	/* corral's simple is already systemd's exec (running once exec
	 * succeeded; systemd's simple is running at fork), so exec is the
	 * same; idle is simple without systemd's wait for the job queue;
	 * dbus is running once exec succeeded (no bus to watch for BusName) */
	SVC_TYPE_EXEC,
	SVC_TYPE_DBUS,
	SVC_TYPE_IDLE,
};

enum svc_restart {
	SVC_RESTART_NO,
	SVC_RESTART_ON_FAILURE,	/* unclean exit code or signal, start timeout */
	SVC_RESTART_ALWAYS,
	/* systemd.service(5)'s table: svc_restart_wanted() (services/exec.c) */
	SVC_RESTART_ON_SUCCESS,
	SVC_RESTART_ON_ABNORMAL,
	SVC_RESTART_ON_ABORT,
	SVC_RESTART_ON_WATCHDOG,	/* never: corral has no watchdog */
};

/* Exec*= kinds, in the order a run uses them. */
enum svc_cmd_kind {
	SVC_CMD_START_PRE,	/* ExecStartPre=: before the main process */
	SVC_CMD_START,		/* ExecStart=: the main process (several: oneshot) */
	SVC_CMD_START_POST,	/* ExecStartPost=: once started, before running */
	SVC_CMD_RELOAD,		/* ExecReload=: initctl reload NAME */
	SVC_CMD_STOP,		/* ExecStop=: to stop a run that got started */
	SVC_CMD_STOP_POST,	/* ExecStopPost=: after every run, failed too */
	SVC_NCMD_KINDS
};

/* Exec*= prefixes (see the top of this file) */
#define SVC_CMD_F_IGNORE 1u	/* '-' */
#define SVC_CMD_F_ARGV0 2u	/* '@' */
#define SVC_CMD_F_PRIV 4u	/* '+', '!', '!!' */
#define SVC_CMD_F_NOEXPAND 8u	/* ':' */

/* One Exec*= line.  text is the command after the prefixes (what a $VAR
 * expansion starts from), argv its words as svc_split_argv() splits them:
 * argv[0] is the file to run; with '@' argv[1] is the argv[0] it gets
 * (svc_cmd_argv()). */
struct svc_cmd {
	const char *line;	/* the value as written, prefixes included */
	const char *text;	/* points into line */
	int argc;
	char **argv;		/* argc words and NULL, one allocation */
	unsigned flags;		/* SVC_CMD_F_* */
};

struct svc_cmds {
	unsigned n;
	struct svc_cmd *v;
};

/* Dependency kinds beyond After= and Requires=, one list of names each
 * (svc_rel_key() gives the key) */
enum svc_rel {
	SVC_REL_WANTS,		/* start it too; its failure is not ours */
	SVC_REL_BEFORE,		/* it is ordered After= us */
	SVC_REL_PARTOF,		/* its stop and restart are ours */
	SVC_REL_BINDSTO,	/* Requires=, and we stop when it goes */
	SVC_REL_CONFLICTS,	/* never up together with it */
	SVC_REL_REQUISITE,	/* must be up already; never started for us */
	SVC_NREL
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
	unsigned nrel[SVC_NREL];
	char **rel[SVC_NREL];		/* unit names, per enum svc_rel */
	unsigned nalias;
	char **alias;			/* [Install] Alias=, without .service */
	bool target;			/* NAME.target: no process, no group */
	bool builtin;			/* a built-in target (supervisor/units.c) */
	bool default_deps;		/* DefaultDependencies=, default yes:
					 * after basic.target (units.c) */
	unsigned start_limit_burst;	/* default 5, at most SVC_START_LIMIT_MAX */
	double start_limit_interval;	/* seconds, default 10 */

	enum svc_type type;
	/* every Exec*= line, by kind, in file order */
	struct svc_cmds cmds[SVC_NCMD_KINDS];
	/* the first ExecStart=: views of cmds[SVC_CMD_START].v[0] (line,
	 * argc, argv), not separately owned */
	const char *exec_start;		/* as written, for status */
	int argc;
	char **argv;
	bool remain_after_exit;		/* RemainAfterExit=: up after a clean exit */
	enum svc_restart restart;
	double restart_sec;		/* default 0.1 */
	double restart_max_delay;	/* backoff cap; default 60 */
	double restart_forgive;		/* a run this long resets the backoff; default 1 */
	double timeout_stop_sec;	/* default 10; 0 given = SVC_SECONDS_INFINITY */
	double timeout_start_sec;	/* notify/forking; default 90; 0 = infinity */
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
	/* EnvironmentFile= paths in order, "-" in front if it may be
	 * missing; read at each start (envfile.c) */
	unsigned nenv_files;
	char **env_files;

	const char *grp_name;		/* default: the service name */
	const char *grp_parent;		/* "" = top level */
	struct grp_limits limits;	/* owned, like the strings */
	bool notify_on_release;		/* default true */
	bool auto_delete;		/* [Group] auto_delete=, default false:
					 * with x.delegate, prune the service's
					 * own emptied child groups */
	struct svc_exec x;		/* services/exec.h */
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
/* One Exec*= value: prefixes, then svc_split_argv().  Returns 0 with *c
 * filled (free it with svc_cmd_free()), or -1 with *why. */
int svc_cmd_parse(const char *value, struct svc_cmd *c, const char **why);
void svc_cmd_free(struct svc_cmd *c);
void svc_cmds_free(struct svc_cmds *l);
/* The vector a command is exec'ed with: argv, or argv + 1 after '@'. */
char *const *svc_cmd_argv(const struct svc_cmd *c);
/* "start-pre", "start", ... and the key: "ExecStartPre", ... */
const char *svc_cmd_kind_name(enum svc_cmd_kind k);
const char *svc_cmd_key(enum svc_cmd_kind k);
/* Same, from path, for the service called name (a template's file read
 * for one of its instances: svc_load_file_as("x@.service", "x@a", ...)). */
int svc_load_file_as(const char *path, const char *name, struct svc_def *def,
		     char *err, size_t errlen);

/* ---- $VAR in command lines (expand.c) ---- */
/* [A-Za-z_][A-Za-z0-9_]*, n bytes of s */
bool svc_env_name_valid(const char *s, size_t n);
/* Whether any word has a "$": the cheap test before svc_expand_argv(). */
bool svc_argv_has_vars(char *const argv[]);
/* The first word that is "$" and no variable name (it expands to no
 * word, as in systemd: worth a warning at load), or NULL. */
const char *svc_argv_check_vars(char *const argv[]);
/* argv (as split at load) with $NAME, ${NAME} and $$ expanded from envp
 * ("NAME=value" entries) by systemd's rules (see expand.c): a vector of
 * *argc words in one allocation (one free()), or NULL with *why and errno
 * (ENOMEM; EINVAL: no words left).  Every Exec*= line uses this. */
char **svc_expand_argv(char *const argv[], char *const envp[], int *argc, const char **why);

/* ---- EnvironmentFile= (envfile.c) ---- */
/* "NAME=value" strings, NULL-terminated (v[n] == NULL once n > 0). */
struct svc_vars {
	char **v;
	unsigned n, cap;
};
void svc_vars_free(struct svc_vars *v);
/* Append the assignments of len bytes of an environment file to out;
 * bad lines are logged as file:line and skipped.  0, or -1 (ENOMEM). */
int svc_envfile_parse(const char *file, const char *text, size_t len, struct svc_vars *out);
/* Read one file (regular, at most SVC_FILE_MAX bytes) and parse it.
 * 0, or -1 with errno and err "path: why". */
int svc_envfile_read(const char *path, struct svc_vars *out, char *err, size_t errlen);
/* Every file of EnvironmentFile= in order into *out (initialised here),
 * one entry per name, the last one winning.  A missing "-" file is
 * skipped.  0, or -1 with err "EnvironmentFile=path: why" and errno. */
int svc_env_files_load(char *const files[], unsigned n, struct svc_vars *out,
		       char *err, size_t errlen);

/* ---- templates and instances (specifier.c) ---- */
/* "NAME@": a template, which is never run itself */
bool svc_name_is_template(const char *name);
/* "NAME@INST" -> "NAME@" into buf; -1 if name is no instance. */
int svc_name_template(const char *name, char *buf, size_t len);
/* systemd's unescaping of n bytes of a name: "-" is "/", "\xNN" a byte.
 * 0 with a malloc'd *out, or -1 with *why. */
int svc_name_unescape(const char *in, size_t n, char **out, const char **why);

/* Group path for the service: parent/name. */
void svc_group_path(const struct svc_def *def, char *buf, size_t len);

const char *svc_type_name(enum svc_type t);
const char *svc_restart_name(enum svc_restart r);
/* "Wants", "Before", ... */
const char *svc_rel_key(enum svc_rel r);
/* A time span as above ("1.5", "500ms", "1min 30s", "infinity") into *sec
 * (infinity is SVC_SECONDS_INFINITY).  Returns 0, or -1 with *why set. */
int svc_parse_timespan(const char *s, double *sec, const char **why);
/* Same, returning the seconds, or -1 on error. */
double svc_parse_seconds(const char *s);
/* A digest of a file's bytes; a reload compares it to find changes. */
uint64_t svc_digest(const void *data, size_t len);

#endif
