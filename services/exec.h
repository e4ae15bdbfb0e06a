/*
 * services/exec.h - the systemd keys that shape how a service's process
 * is run and ended (systemd.exec(5), systemd.kill(5), parts of
 * systemd.service(5)), its Condition*=/Assert*= checks, and the list of
 * systemd keys corral knows but does not enforce.
 *
 * Parsing is pure (services/exec.c, services/conditions.c); what is done
 * with the values lives in the supervisor (supervisor/sandbox.c prepares
 * everything in the parent, the child only makes plain syscalls).
 *
 *   [Service] PIDFile, KillMode=control-group|mixed|process|none,
 *             KillSignal, FinalKillSignal, SendSIGKILL, SendSIGHUP,
 *             SuccessExitStatus, RestartPreventExitStatus,
 *             RestartForceExitStatus, Limit{CPU,FSIZE,DATA,STACK,CORE,RSS,
 *             AS,NPROC,MEMLOCK,LOCKS,SIGPENDING,MSGQUEUE,NICE,RTPRIO,
 *             RTTIME}, UMask, Nice, OOMScoreAdjust, SupplementaryGroups,
 *             {Runtime,State,Cache,Logs,Configuration}Directory[Mode],
 *             RuntimeDirectoryPreserve, NoNewPrivileges,
 *             CapabilityBoundingSet, AmbientCapabilities, PrivateTmp,
 *             PrivateDevices, ProtectSystem, ProtectHome, ReadWritePaths,
 *             ReadOnlyPaths, InaccessiblePaths, BusName (Type=dbus),
 *             Delegate=yes|no|CONTROLLERS (the group becomes the service's
 *             own subtree: grp_group_delegate(), done by supervisor/spawn.c)
 *   [Unit]    Condition*= and Assert*= (see svc_cond_kind)
 *
 * A known systemd key corral does not enforce is never silent and never
 * one warning each: the loader collects them into one line per file,
 * "FILE: not enforced: ProtectKernelTunables, MemoryDenyWriteExecute",
 * kept in x.unenforced for `verify`.
 */
#ifndef CORRAL_SERVICES_EXEC_H
#define CORRAL_SERVICES_EXEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

struct svc_def;

/* systemd.kill(5) KillMode=.  corral ends a run only when its group is
 * empty, so process and none are approximated (see svc_kill_effective). */
enum svc_kill_mode {
	SVC_KILL_CONTROL_GROUP,	/* KillSignal to every process of the group */
	SVC_KILL_MIXED,		/* KillSignal to the main process, SIGKILL to the rest */
	SVC_KILL_PROCESS,	/* as mixed, with a load-time notice */
	SVC_KILL_NONE,		/* as mixed, with a load-time notice */
};

/* SuccessExitStatus= and the Restart*ExitStatus= lists: exit codes
 * 0..255 and signals 1..64. */
struct svc_exit_set {
	uint64_t codes[4];
	uint64_t sigs;		/* bit n-1 for signal n */
};

enum svc_dir_kind {
	SVC_DIR_RUNTIME,	/* /run */
	SVC_DIR_STATE,		/* /var/lib */
	SVC_DIR_CACHE,		/* /var/cache */
	SVC_DIR_LOGS,		/* /var/log */
	SVC_DIR_CONFIG,		/* /etc */
	SVC_NDIRS
};

struct svc_dirs {
	unsigned n;
	char **names;		/* relative paths, "a" or "a/b"; no "..", no "." */
	mode_t mode;		/* default 0755 */
};

enum svc_preserve { SVC_PRESERVE_NO, SVC_PRESERVE_YES, SVC_PRESERVE_RESTART };
enum svc_protect_system {
	SVC_PROTECT_SYSTEM_NO, SVC_PROTECT_SYSTEM_YES, SVC_PROTECT_SYSTEM_FULL,
	SVC_PROTECT_SYSTEM_STRICT,
};
enum svc_protect_home {
	SVC_PROTECT_HOME_NO, SVC_PROTECT_HOME_YES, SVC_PROTECT_HOME_RO,
	SVC_PROTECT_HOME_TMPFS,
};

/* Condition*=/Assert*= kinds: X(ID, key suffix) */
#define SVC_COND_KINDS(X) \
	X(PATH_EXISTS, "PathExists") \
	X(PATH_EXISTS_GLOB, "PathExistsGlob") \
	X(PATH_IS_DIRECTORY, "PathIsDirectory") \
	X(PATH_IS_SYMLINK, "PathIsSymbolicLink") \
	X(PATH_IS_MOUNT_POINT, "PathIsMountPoint") \
	X(PATH_IS_READ_WRITE, "PathIsReadWrite") \
	X(DIRECTORY_NOT_EMPTY, "DirectoryNotEmpty") \
	X(FILE_NOT_EMPTY, "FileNotEmpty") \
	X(FILE_IS_EXECUTABLE, "FileIsExecutable") \
	X(VIRTUALIZATION, "Virtualization") \
	X(CAPABILITY, "Capability") \
	X(KERNEL_COMMAND_LINE, "KernelCommandLine") \
	X(HOST, "Host") \
	X(ARCHITECTURE, "Architecture")

enum svc_cond_kind {
#define X(id, name) SVC_COND_##id,
	SVC_COND_KINDS(X)
#undef X
	SVC_NCONDS
};

struct svc_cond {
	enum svc_cond_kind kind;
	bool assert;		/* Assert*=: failing fails the start */
	bool trigger;		/* '|': one trigger of the set must hold */
	bool negate;		/* '!' */
	char *arg;		/* the value after the prefixes */
};

#define SVC_RLIMITS RLIM_NLIMITS
#define SVC_RLIM_INFINITY (~0ULL)

/*
 * What a definition holds beyond the core keys (struct svc_def's x).
 * Owned like the rest of the definition: strings and lists are heap
 * memory (NULL or 0 when unset), released by svc_exec_free().
 */
struct svc_exec {
	char *pidfile;			/* PIDFile=, absolute; NULL = none */
	enum svc_kill_mode kill_mode;
	int kill_signal;		/* default SIGTERM */
	int final_kill_signal;		/* default SIGKILL */
	bool send_sigkill;		/* default yes */
	bool send_sighup;		/* default no */
	struct svc_exit_set success, restart_prevent, restart_force;

	/* Limit*= (LimitNOFILE= stays the core's nofile_*) */
	bool rlim_set[SVC_RLIMITS];
	unsigned long long rlim_soft[SVC_RLIMITS], rlim_hard[SVC_RLIMITS];
	mode_t umask;			/* default 0022 */
	bool nice_set, oom_set;
	int nice;			/* -20..19 */
	int oom_score_adj;		/* -1000..1000 */
	unsigned ngroups;
	char **groups;			/* SupplementaryGroups= names */

	struct svc_dirs dirs[SVC_NDIRS];
	enum svc_preserve runtime_preserve;

	bool no_new_privs;
	bool capbset_set, ambient_set;
	uint64_t capbset;		/* capabilities kept in the bounding set */
	uint64_t ambient;		/* raised into the ambient set */
	bool private_tmp, private_devices;
	enum svc_protect_system protect_system;
	enum svc_protect_home protect_home;
	/* path lists; an entry may start with '-' (ignored if missing) */
	unsigned nrw, nro, ninacc;
	char **rw, **ro, **inacc;

	/* Delegate=: the group is handed to the service (owned by its
	 * User=/Group=, populated by the service itself).  A controller list
	 * also delegates; it names (space-separated) the controllers the
	 * service expects in its group, each missing one warned about at the
	 * first start; NULL with yes (no expectation) */
	bool delegate;
	char *delegate_controllers;

	unsigned nconds;
	struct svc_cond *conds;

	/* "KillMode=process (as mixed), ProtectKernelTunables, ..." or NULL */
	char *unenforced;
};

/* Defaults for a fresh definition. */
void svc_exec_init(struct svc_exec *x);
void svc_exec_free(struct svc_exec *x);
/*
 * One key of section sec for d.  Returns 1 if it is one of the keys above
 * (value accepted), -1 if it is one of them with a bad value (why says
 * what is wrong, naming the key), 0 if it is not ours.
 */
int svc_exec_key(struct svc_def *d, const char *sec, const char *key, const char *v,
		 char *why, size_t len);
/* A key nobody handled: 1 if systemd documents it (it goes into the
 * not-enforced line, or is accepted quietly: [Install], Documentation=),
 * 0 if it is unknown.  sec NULL or "" asks about a whole section. */
int svc_exec_note(struct svc_def *d, const char *sec, const char *key);
/* After the parse: log the one not-enforced line for file, if any. */
void svc_exec_report(const struct svc_def *d, const char *file);

/* Signal by name ("SIGTERM", "TERM") or number; -1 if unknown. */
int svc_signal_parse(const char *s);
const char *svc_signal_name(int sig);
/* Capability by name ("CAP_NET_ADMIN", case-insensitive); -1 if unknown. */
int svc_cap_parse(const char *s);
/* Is the wait status a clean end, by systemd's rule: exit 0, for a daemon
 * (any type but oneshot) SIGHUP, SIGINT, SIGTERM, SIGPIPE, or listed in
 * SuccessExitStatus=. */
bool svc_status_clean(const struct svc_exec *x, int status, bool daemon);
bool svc_exit_set_has(const struct svc_exit_set *s, int status);

/* How a run ended, for Restart= (systemd.service(5)'s table). */
enum svc_end {
	SVC_END_CLEAN,		/* svc_status_clean() */
	SVC_END_EXIT_CODE,	/* an unclean exit code (or exec failure) */
	SVC_END_SIGNAL,		/* an unclean signal (core dump or not) */
	SVC_END_TIMEOUT,	/* start timeout */
	SVC_END_WATCHDOG,	/* never: corral has no watchdog */
};
/* Restart= value r (enum svc_restart) after an end e with wait status
 * status (-1 none): the table, then Restart{Prevent,Force}ExitStatus=. */
bool svc_restart_wanted(const struct svc_exec *x, int r, enum svc_end e, int status);

/* ---- conditions (services/conditions.c) ---- */

/* Where the conditions look: "" for the real system; tests pass a
 * directory holding proc/, sys/, etc. for the virtualization checks. */
struct svc_cond_env {
	const char *root;
};
/* Check d's conditions, then its asserts.  0 all hold; 1 a condition
 * failed (skip); 2 an assert failed (fail); why names the first failing
 * one ("ConditionPathExists=/x"). */
int svc_conds_check(const struct svc_exec *x, const struct svc_cond_env *env,
		    char *why, size_t len);
/* Parse one Condition*=/Assert*= value into x (key without the prefix);
 * 1 ours, 0 not a kind we know, -1 bad (why). */
int svc_cond_add(struct svc_exec *x, bool assert, const char *kind, const char *v,
		 char *why, size_t len);
void svc_conds_free(struct svc_exec *x);
const char *svc_cond_name(enum svc_cond_kind k);
/* Virtualization as systemd-detect-virt names it: "none", "qemu", "kvm",
 * "docker", ... (simplified: see conditions.c); *container set when it
 * is a container. */
const char *svc_virt_detect(const char *root, bool *container);

#endif
