/*
 * grouping/grouping.h - corral's process-grouping engine (public header).
 *
 * Follows the "generic process containers" design that became cgroups:
 *
 *   subsystem   a resource controller (cpuset, cpuacct, numtasks, ...),
 *               described by one ops table (struct grp_subsys in
 *               internal.h) that also declares the limit keys it owns and
 *               the status fields it reports; everything outside the
 *               subsystem's file goes through those descriptors.
 *   hierarchy   a tree of containers with a set of subsystems bound to it;
 *               backed by one mounted cgroup (v1) or cgroup2 filesystem.
 *   container   one node of one hierarchy: a directory in that filesystem.
 *   group       struct grp_group, the seed's container_group: the tuple of
 *               containers (one per hierarchy) a task belongs to.  Tuples
 *               are reference counted, found by hash and shared by every
 *               user with identical membership.
 *
 * Layouts: "v1" mounts/uses one hierarchy per subsystem;
 * "v1:cpuset,cpuacct" binds several subsystems into one hierarchy (any
 * subsystem not named gets a hierarchy of its own); "v2" is the unified
 * hierarchy; "auto" picks from what is mounted.  On v1 a controller-less cgroup2 tree (if mounted or mountable)
 * is used only to get event-driven "populated" notifications.
 *
 * Everything corral creates lives under a subtree (config.subtree) of each
 * hierarchy, so tests and nested instances use private roots.  Unless
 * corral owns the hierarchies' roots (own_root: the machine's init), the
 * subtree goes below the cgroup corral itself is in, in each hierarchy
 * (from /proc/self/cgroup): a supervisor started inside a limited cgroup
 * (a container, a user session, a CI job) stays inside its limits.  The kernel's
 * release_agent and notify_on_release files are never written: release is
 * detected in-process (see grp_engine_start()).
 *
 * Functions return 0 or a pointer on success; -1 or NULL with errno set on
 * failure, after logging the failing verb, path and errno.
 */
#ifndef CORRAL_GROUPING_H
#define CORRAL_GROUPING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct ev_loop;

enum grp_subsys_id {
#define SUBSYS(n, k) GRP_SUBSYS_##n,
#include "subsys_list.h"
#undef SUBSYS
	GRP_SUBSYS_COUNT
};

#define GRP_HIER_MAX 8		/* hierarchies an engine can hold */
#define GRP_NAME_MAX 64		/* one container name, without NUL */
#define GRP_PATH_MAX 512	/* a group path below the subtree */
#define GRP_DEPTH_MAX 8		/* nesting levels in a group path */
#define GRP_LIST_MAX 256	/* a cpu or memory-node list */

#define GRP_SUBSYS_ALL ((1u << GRP_SUBSYS_COUNT) - 1)
#define GRP_FIELDS_MAX 8	/* status fields one subsystem may declare */

enum grp_layout_kind {
	GRP_LAYOUT_AUTO,	/* decide from /proc/self/mountinfo */
	GRP_LAYOUT_V1,		/* legacy, multiple hierarchies */
	GRP_LAYOUT_V2,		/* unified hierarchy */
};

struct grp_layout {
	enum grp_layout_kind kind;
	/* v1 only: subsystem bitmask (1 << grp_subsys_id) of each hierarchy */
	unsigned nhier;
	unsigned masks[GRP_HIER_MAX];
};

/*
 * The file-system calls the engine makes, so unit tests can stand plain
 * directories in for cgroupfs (tests/lib/fakecg.c emulates the kernel's
 * answers); the engine itself has no test-only branches.  NULL in
 * grp_config: the real system calls.
 */
struct grp_sys {
	int (*openat)(int dirfd, const char *path, int flags, mode_t mode);
	int (*mkdirat)(int dirfd, const char *path, mode_t mode);
	int (*unlinkat)(int dirfd, const char *path, int flags);
	/* 0 if path is the root of a cgroup (v2: cgroup2) file system */
	int (*check_fs)(const char *path, bool v2);
	int (*inotify_add_watch)(int fd, const char *path, uint32_t mask);
	/* ownership of a delegated group's directory and files */
	int (*fchownat)(int dirfd, const char *path, uid_t uid, gid_t gid, int flags);
};

struct grp_config {
	struct grp_layout layout;
	/* where hierarchies are (or get) mounted; default "/sys/fs/cgroup" */
	const char *mount_base;
	/* corral's subtree inside each hierarchy, e.g. "corral"; required */
	const char *subtree;
	/* default "/proc/self/mountinfo"; tests pass a fabricated one */
	const char *mountinfo;
	/* PID 1: mount missing hierarchies under mount_base */
	bool mount;
	/* the hierarchies' root cgroups are ours (PID 1 of a whole machine):
	 * v2 controllers may be enabled in the root's cgroup.subtree_control.
	 * Never set this on a shared host: root files belong to its init. */
	bool own_root;
	/* file-system calls; NULL = the real ones (unit tests pass a fake) */
	const struct grp_sys *sys;
	/* v1: do not use a cgroup2 tree for release events */
	bool no_tracking;
	/* fallback release check period in seconds; 0 = default */
	double poll_interval;
};

/*
 * Limits a group asks for: (key, value) pairs, each key owned by one
 * subsystem (its descriptor in the subsystem's file says the key's name,
 * systemd alias, parser and control file).  Values are kept in canonical
 * form as the key's parser accepted them.  Sized by what is set; owned
 * (grp_limits_free); a zeroed struct is empty.  A key not set leaves the
 * kernel's inherited value alone.
 */
struct grp_key;
struct grp_limit {
	unsigned ss;			/* enum grp_subsys_id of the owner */
	const struct grp_key *key;
	char *value;
};
struct grp_limits {
	unsigned n;
	struct grp_limit *v;
};

/* What a status field is, so every view formats it the same way. */
enum grp_field_kind {
	GRP_FIELD_LIST,		/* text, e.g. a cpu list "0-3" */
	GRP_FIELD_COUNT,	/* a number now */
	GRP_FIELD_LIMIT,	/* a count limit; GRP_VALUE_MAX = "max" */
	GRP_FIELD_BYTES,	/* a size in bytes now */
	GRP_FIELD_BYTES_LIMIT,	/* a size limit; GRP_VALUE_MAX = "max" */
	GRP_FIELD_NSEC,		/* a duration in nanoseconds */
	GRP_FIELD_MSEC,		/* a duration in milliseconds */
	GRP_FIELD_COUNTER,	/* events since the group was made */
};

struct grp_field {
	const char *name;		/* status key: "numtasks_current" */
	enum grp_field_kind kind;
	const char *help;		/* one line, for metrics and docs */
};

#define GRP_VALUE_MAX UINT64_MAX	/* a limit that is "max" */

struct grp_value {
	bool set;
	uint64_t n;			/* numbers of every kind but LIST */
	char text[GRP_LIST_MAX];	/* LIST */
};

/* One read of every subsystem's fields: v[ss][i] is field i of subsystem
 * ss as its descriptor lists them; iterate with grp_stats_next(). */
struct grp_stats {
	unsigned have;			/* bitmask of subsystems that answered */
	struct grp_value v[GRP_SUBSYS_COUNT][GRP_FIELDS_MAX];
};

struct grp_stat_iter {
	unsigned ss, i;			/* start zeroed */
};

struct grp_engine;
struct grp_hier;
struct grp_container;
struct grp_group;

/* Called once when a released group's containers are all empty and gone
 * (or just empty, if auto-delete is off).  May drop the last reference. */
typedef void (*grp_release_fn)(struct grp_group *g, void *data);

/* ---- configuration parsing (pure; used by services/ and tests) ---- */

/* "auto", "v2", "v1", "v1:cpuset,cpuacct:numtasks" (":" separates
 * hierarchies, "," binds subsystems together).  A subsystem may appear at
 * most once in a v1 spec; one it does not name gets a hierarchy of its
 * own. */
int grp_layout_parse(const char *spec, struct grp_layout *out,
		     char *err, size_t errlen);
/* Inverse of grp_layout_parse(); returns buf. */
const char *grp_layout_format(const struct grp_layout *l, char *buf, size_t len);

/* Parse a kernel cpu/node list ("0-3,5") into a bitmap of nbits bits.
 * Rejects bad syntax, reversed ranges and ids >= nbits. */
int grp_cpulist_parse(const char *s, uint64_t *bits, unsigned nbits);
/* Canonical form of a bitmap ("0-3,5"); returns buf. */
const char *grp_cpulist_format(const uint64_t *bits, unsigned nbits,
			       char *buf, size_t len);
/* A count limit: positive integer up to the kernel's PID_MAX_LIMIT, or
 * "max"/"infinity" (GRP_VALUE_MAX). */
int grp_count_parse(const char *s, uint64_t *out);
/* "N%" for N in 1..100: 1 with *pct set; 0 if s is no percentage at all;
 * -1 if it is one out of range or malformed ("0%", "101%", "5.5%"). */
int grp_percent_parse(const char *s, unsigned *pct);
/* A limit's canonical text: "N%" (grp_percent_parse), "max", or the
 * decimal of what number() accepts (grp_count_parse, grp_size_parse).
 * 0, or -1 with *why set for a bad percentage and NULL for a bad number
 * (the caller says what the number should be). */
int grp_amount_parse(const char *val, int (*number)(const char *, uint64_t *),
		     char *out, size_t outlen, const char **why);
/* A size: bytes with an optional K, M, G, T suffix (powers of 1024, as
 * systemd), or "max"/"infinity" (GRP_VALUE_MAX).  At most 2^62 bytes. */
int grp_size_parse(const char *s, uint64_t *out);

/* A container name: 1..GRP_NAME_MAX bytes of [A-Za-z0-9_.@:-], not "." or
 * "..", not starting with '.', and not a control-file name or prefix
 * ("tasks", "cgroup.*", "cpuset.*", "pids.*", "notify_on_release", ...).
 * On failure errno = EINVAL and *why says what is wrong. */
int grp_name_valid(const char *name, const char **why);
/* A group path: names separated by '/', at most GRP_DEPTH_MAX deep. */
int grp_path_valid(const char *path, const char **why);

const char *grp_subsys_name(enum grp_subsys_id id);
/* the kernel's v1 controller name ("pids" for numtasks) */
const char *grp_subsys_kernel_name(enum grp_subsys_id id);
/* by corral name ("numtasks") or kernel name ("pids"); -1 if unknown */
int grp_subsys_lookup(const char *name);
/* "cpuset,cpuacct": the subsystems of mask, joined by ',', corral's names
 * or (kernel) the v1 controller names; cut short to fit len.  Returns buf. */
const char *grp_subsys_mask_names(unsigned mask, bool kernel, char *buf, size_t len);

/* ---- limits and status fields (grouping/subsys.c) ---- */

void grp_limits_init(struct grp_limits *l);
void grp_limits_free(struct grp_limits *l);
/* dst (initialised) becomes a copy of src; -1 when out of memory */
int grp_limits_copy(struct grp_limits *dst, const struct grp_limits *src);
/* Set key (corral's name, e.g. "numtasks.max", or the systemd alias,
 * "TasksMax") to value after the key's parser accepted it; a key set
 * again takes the later value.  Returns 1 when set, 0 when no subsystem
 * owns such a key (nothing changes), -1 with err ("numtasks.max: '0' is
 * not a positive count or \"max\"") when the value is bad. */
int grp_limits_set(struct grp_limits *l, const char *key, const char *value,
		   char *err, size_t errlen);
/* the canonical value of key (name or alias), or NULL if not set */
const char *grp_limits_get(const struct grp_limits *l, const char *key);
/* corral's name of limit i (0..l->n-1) */
const char *grp_limit_name(const struct grp_limit *lim);
/* true if key (name or alias) is a limit key of some subsystem */
bool grp_key_known(const char *key);
/* key i of subsystem ss (NULL past the last): name, systemd alias (NULL
 * if none); for documentation and `initctl verify` */
const char *grp_key_at(unsigned ss, unsigned i, const char **alias);

/* The next field with a value (it from zero): true with *f and *v set. */
bool grp_stats_next(const struct grp_stats *st, struct grp_stat_iter *it,
		    const struct grp_field **f, const struct grp_value **v);
/* A value as status text ("max", "0-3", "1234") or as a JSON value
 * ("max" quoted, lists quoted, numbers bare).  Returns buf. */
const char *grp_value_format(const struct grp_field *f, const struct grp_value *v,
			     bool json, char *buf, size_t len);
/* a field by status key, over every subsystem (clients), or NULL */
const struct grp_field *grp_field_lookup(const char *name);
/* field i of subsystem ss, NULL past the last */
const struct grp_field *grp_field_at(unsigned ss, unsigned i);

/* ---- engine ---- */

struct grp_engine *grp_engine_open(const struct grp_config *cfg);
/* Drop everything; with remove, rmdir every container corral created that
 * is empty (deepest first) and the subtree roots.  Called from a release
 * callback (inside grp_engine_check()), the engine is freed only when that
 * check returns, so the check never touches freed memory; the caller must
 * not use e either way. */
void grp_engine_close(struct grp_engine *e, bool remove);
/* Attach release detection to a libev loop: inotify on cgroup.events where
 * the kernel offers it (each event checks its own group), else a timer
 * that re-checks everything (cfg.poll_interval, default 2 s). */
int grp_engine_start(struct grp_engine *e, struct ev_loop *loop);
/* Re-check every container that asked for release notification.  Call on
 * SIGCHLD: a reaped child is the common reason a group became empty. */
void grp_engine_check(struct grp_engine *e);
/* Check one group (and the ancestors its release frees): what an owner
 * calls when it knows which group may have emptied.  O(depth). */
void grp_group_check(struct grp_group *g);
/* emptiness checks made so far (tests and benchmarks) */
unsigned long grp_engine_nchecks(const struct grp_engine *e);
/* true if release events come from the kernel, false if only polled */
bool grp_engine_event_driven(const struct grp_engine *e);
enum grp_layout_kind grp_engine_kind(const struct grp_engine *e);

unsigned grp_engine_nhier(const struct grp_engine *e);
struct grp_hier *grp_engine_hier(struct grp_engine *e, unsigned i);
/* the hierarchy a subsystem is bound to, or NULL if unavailable */
struct grp_hier *grp_engine_subsys_hier(struct grp_engine *e,
					enum grp_subsys_id id);
/* number of live groups (hash entries); for tests and initctl */
unsigned grp_engine_ngroups(const struct grp_engine *e);

/* Absolute directory of the subtree root in a hierarchy. */
const char *grp_hier_path(const struct grp_hier *h);
unsigned grp_hier_mask(const struct grp_hier *h);
bool grp_hier_is_v2(const struct grp_hier *h);
/* true for the controller-less cgroup2 tree used only for tracking */
bool grp_hier_is_tracking(const struct grp_hier *h);

/* ---- containers (one hierarchy) ---- */

/* Find or create the child "name" of parent (NULL = subtree root).
 * Runs every bound subsystem's create op (cpuset copies the parent's cpus
 * and mems on v1).  Returns a borrowed pointer owned by the engine. */
struct grp_container *grp_container_get(struct grp_hier *h,
					struct grp_container *parent,
					const char *name);
/* Move pid (0 = caller) into this one container. */
int grp_container_attach(struct grp_container *c, pid_t pid);
/* Fill pids[] with up to max tasks (thread-group ids); returns the total
 * count, which may exceed max, or -1. */
int grp_container_procs(struct grp_container *c, pid_t *pids, size_t max);
/* rmdir; fails with EBUSY if tasks or children remain. */
int grp_container_remove(struct grp_container *c);
const char *grp_container_path(const struct grp_container *c);
struct grp_hier *grp_container_hier(const struct grp_container *c);
unsigned grp_container_refcount(const struct grp_container *c);

/* ---- groups (container_group) ---- */

/* The group whose containers are exactly conts[0..nhier-1] (one per engine
 * hierarchy, in engine order).  Existing tuples are shared: found by hash
 * and their refcount raised.  New reference either way. */
struct grp_group *grp_group_find(struct grp_engine *e,
				 struct grp_container *const conts[]);
/* Convenience: containers named by path ("web" or "web/worker") in every
 * hierarchy, created as needed, then grp_group_find(). */
struct grp_group *grp_group_open(struct grp_engine *e, const char *path);
struct grp_group *grp_group_ref(struct grp_group *g);
void grp_group_put(struct grp_group *g);
/* Drop a reference to a group that will not be used (e.g. its limits
 * were refused): if it was the last one and the group is empty, its
 * containers are removed too, so they cannot hold up the parent's
 * release. */
void grp_group_discard(struct grp_group *g);
unsigned grp_group_refcount(const struct grp_group *g);
/* The group one level up (same tuple shape), or NULL at the subtree root.
 * Borrowed: valid while g is. */
struct grp_group *grp_group_parent(struct grp_group *g);
struct grp_container *grp_group_container(struct grp_group *g, unsigned hier);
/* path below the subtree root of the container in hierarchy 0 */
const char *grp_group_name(const struct grp_group *g);

/* Validate every limit against the parent first (each key's own check,
 * e.g. a cpu list must be a subset of the parent's effective cpus; a key
 * the hierarchy's cgroup version lacks; a subsystem not available), then
 * write them, in subsystem order.  Nothing is written if any limit is
 * invalid; err says which and why.  The containers remember what was
 * written, to write it again if they are re-made. */
int grp_group_set_limits(struct grp_group *g, const struct grp_limits *l,
			 char *err, size_t errlen);
/* Move pid (0 = caller) into every container of the group.  If one
 * hierarchy refuses, the pid is moved back where it was in the others
 * (the seed's can_attach / cancel_attach / attach sequence). */
int grp_group_attach(struct grp_group *g, pid_t pid);
/* Make every container of the group exist again (re-creating released
 * ones with their limits) and re-arm release notification for it and its
 * ancestors.  Call in the parent before forking a child that attaches
 * itself: the child's attach only changes the child's copy of the engine. */
int grp_group_prepare(struct grp_group *g);
/* A pinned group is never released, even when empty: the parent pins it
 * across fork until the child has attached itself (or failed to), which
 * closes the window where a fresh group looks empty and is deleted. */
void grp_group_pin(struct grp_group *g);
void grp_group_unpin(struct grp_group *g);
/* For a child that attaches itself with async-signal-safe calls only:
 * runs can_attach (cpuset: empty cpus or mems on v1 is ENOSPC) and opens
 * the cgroup.procs of every container (O_WRONLY|O_CLOEXEC), in engine
 * order, after grp_group_prepare().  The child writes its pid to each
 * and must not exec if one write fails.  Returns the number of fds (at
 * most max), or -1 with nothing left open. */
int grp_group_procs_fds(struct grp_group *g, int *fds, unsigned max);
/* Tasks of the group (union over hierarchies, deduplicated). */
int grp_group_procs(struct grp_group *g, pid_t *pids, size_t max);
int grp_group_stats(struct grp_group *g, struct grp_stats *st);
/* Only what a summary shows (initctl list): the fields of the subsystems
 * that have a summary op, a file or so each; iterate as grp_group_stats. */
int grp_group_stats_summary(struct grp_group *g, struct grp_stats *st);
/* Send sig to every task of the group; returns tasks signalled.  Never
 * signals pid 0 (cgroup2's name for a task of another pid namespace), 1 or
 * the caller.  SIGKILL uses cgroup2's cgroup.kill where the kernel has it
 * (>= 5.14) and no group of ours is nested below, which also reaches tasks
 * invisible by pid. */
int grp_group_kill(struct grp_group *g, int sig);
/* Ask for notification when the group empties: every container gets
 * notify_on_release; cb runs once all are releasable and, with
 * auto_delete, removed.  cb = NULL turns notification off. */
void grp_group_set_release(struct grp_group *g, bool auto_delete,
			   grp_release_fn cb, void *data);
/* releasable now: no tasks and no child containers in any hierarchy */
bool grp_group_empty(struct grp_group *g);

/*
 * Make g a delegated subtree (systemd's Delegate=, the kernel's
 * Documentation/admin-guide/cgroup-v2.rst "Delegation"), in every
 * hierarchy: its directory and the files that let a delegatee populate it
 * (v2: cgroup.procs, cgroup.threads, cgroup.subtree_control; v1: tasks,
 * cgroup.procs) are chowned to uid:gid ((uid_t)-1 and (gid_t)-1: owners
 * kept, a root service), and the subsystems' delegate ops run (v1 cpuset:
 * cgroup.clone_children, so children the service makes can take tasks).
 * From then on directories below g that are no containers of ours are the
 * service's: their tasks are g's (grp_group_procs, grp_group_kill,
 * grp_group_empty), and when g's containers are removed they go first,
 * deepest first.  Nothing is ever moved inside the subtree.
 * controllers: the v2 controllers (space-separated) the owner wants to
 * find in the group's cgroup.controllers; each missing one is logged (the
 * group only has what its parent passes on).  NULL: no check.
 * prune (corral's [Group] auto_delete=): child directories the service
 * made are also removed while it runs, once they have had tasks and have
 * none: v2 from inotify events (IN_CREATE on each directory, the
 * populated flag of its cgroup.events); v1 at each check of the group,
 * and every poll interval while such a group exists.
 * Call again before each start: a re-created directory is chowned again.
 */
int grp_group_delegate(struct grp_group *g, uid_t uid, gid_t gid,
		       const char *controllers, bool prune);
bool grp_group_delegated(const struct grp_group *g);

#endif
