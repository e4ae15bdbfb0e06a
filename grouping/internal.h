/*
 * grouping/internal.h - structures shared by the engine's files.
 * Not for use outside grouping/.
 */
#ifndef CORRAL_GROUPING_INTERNAL_H
#define CORRAL_GROUPING_INTERNAL_H

#include "grouping.h"

#include <ev.h>
#include <limits.h>
#include <sys/inotify.h>

#define GRP_HASH_BUCKETS 64

/*
 * A limit key a subsystem owns, like the kernel's struct cftype: the
 * [Group] key, its systemd alias, the control file per cgroup version,
 * and how to check and write a value.
 */
struct grp_key {
	const char *name;	/* corral's key: "numtasks.max" */
	const char *alias;	/* systemd's: "TasksMax", or NULL */
	const char *v1_file;	/* control file on v1; NULL: v2 only */
	const char *v2_file;	/* control file on v2; NULL: v1 only */
	/* load time, pure: accept value or say why not; canonical form into
	 * out (at most GRP_LIST_MAX bytes) */
	int (*parse)(const char *value, char *out, size_t outlen, const char **why);
	/* apply time, before anything is written: check value against the
	 * live hierarchy (the parent's cpus); NULL = nothing to check */
	int (*validate)(struct grp_container *c, const struct grp_key *k,
			const char *value, char *err, size_t errlen);
	/* the text to write (v1 wants -1 where v2 says max); NULL = value */
	const char *(*to_file)(struct grp_container *c, const char *value,
			       char *buf, size_t len);
};

/*
 * One subsystem, like the kernel's struct cgroup_subsys.  A NULL op is a
 * successful no-op.  Ops act on one container of the hierarchy the
 * subsystem is bound to, through that container's control files.
 */
struct grp_subsys {
	const char *name;	/* corral's name: "numtasks" */
	const char *v1_name;	/* v1 mount option: "pids" */
	const char *v2_name;	/* v2 controller to enable, NULL = core files */
	/* after mkdir, before anything can attach (cpuset: copy parent) */
	int (*create)(struct grp_container *c);
	/* may refuse an attach (cpuset: empty cpus or mems on v1) */
	int (*can_attach)(struct grp_container *c, pid_t pid);
	/* the container becomes a delegated subtree (grp_group_delegate):
	 * make what its owner creates below usable (v1 cpuset: children
	 * inherit cpus and mems) */
	int (*delegate)(struct grp_container *c);
	/* fill vals[0..nfields-1], in the order of fields[] */
	int (*stats)(struct grp_container *c, struct grp_value *vals);
	/* the same, for the few fields a summary (initctl list) shows; NULL:
	 * the subsystem is not in summaries */
	int (*summary)(struct grp_container *c, struct grp_value *vals);
	const struct grp_key *keys;	/* limit keys it owns */
	unsigned nkeys;
	const struct grp_field *fields;	/* status fields it reports */
	unsigned nfields;		/* at most GRP_FIELDS_MAX */
};

#define GRP_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define SUBSYS(n, k) extern const struct grp_subsys grp_##n##_subsys;
#include "subsys_list.h"
#undef SUBSYS

extern const struct grp_subsys *const grp_subsys_table[GRP_SUBSYS_COUNT];

/* for (each subsystem i in mask) with ss its ops table */
#define grp_for_each_subsys(ss, i, mask)					\
	for ((i) = 0; (i) < GRP_SUBSYS_COUNT; (i)++)				\
		if (((mask) & (1u << (i))) && ((ss) = grp_subsys_table[(i)]))

struct grp_container {
	struct grp_hier *h;
	struct grp_container *parent;
	struct grp_container *child;	/* first child */
	struct grp_container *sibling;	/* next child of parent */
	char name[GRP_NAME_MAX + 1];
	char *path;			/* absolute directory, exact size */
	const char *rel;		/* path relative to the hierarchy's
					 * mount point (h->fd), inside path */
	int wd;				/* inotify watch on cgroup.events, -1 */
	/* the group whose tuple holds this container, for mapping an event
	 * to the one group to check; NULL if none (then: check them all) */
	struct grp_group *group;
	struct grp_container *wd_next;	/* chain in the engine's watch table */
	unsigned refcnt;		/* groups whose tuple holds this */
	bool removed;			/* directory rmdir'ed by us */
	bool vanished;			/* ... or by someone else (counted empty) */
	bool created;			/* directory made by us (else adopted) */
	/* a delegated subtree (delegate.c): directories below it that are
	 * no container of ours belong to the service; their tasks count as
	 * the container's, they go before the container does */
	bool delegated;
	/* with pruning: those directories being watched (v2) or seen with
	 * tasks (v1), by path below this container */
	struct grp_foreign *foreign;
	/* what was written, for this container's subsystems: written
	 * again if the directory is re-made */
	struct grp_limits limits;
};

struct grp_hier {
	struct grp_engine *e;
	unsigned idx;
	unsigned mask;			/* bound subsystems */
	bool v2;
	bool tracking;			/* controller-less cgroup2 for events */
	bool mounted_by_us;
	char mnt[PATH_MAX];		/* mount point */
	int fd;				/* O_PATH of mnt: every control file
					 * is opened relative to it, so PID 1
					 * holds one fd per hierarchy */
	struct grp_container *root;	/* subtree root */
	/* subtree components above root that we created, outermost first */
	unsigned nmade;
	char made[GRP_DEPTH_MAX][PATH_MAX];
};

struct grp_group {
	struct grp_engine *e;
	struct grp_group *hnext;	/* hash chain */
	uint32_t hash;
	unsigned refcnt;
	struct grp_container *conts[GRP_HIER_MAX];
	struct grp_group *parent;	/* referenced; NULL at subtree root */
	char name[GRP_PATH_MAX];
	/* release notification (notify_on_release) */
	grp_release_fn release_cb;
	void *release_data;
	bool auto_delete;
	bool released;			/* fired; re-armed by attach */
	bool prune;			/* delegated: remove the service's emptied
					 * child directories while it runs */
	unsigned pins;			/* attaches in flight */
};

struct grp_engine {
	const struct grp_sys *sys;	/* cfg.sys or the real calls */
	char mount_base[PATH_MAX];
	char subtree[GRP_PATH_MAX];
	char mountinfo[PATH_MAX];
	struct grp_config cfg;		/* strings point at the arrays above */
	enum grp_layout_kind kind;
	unsigned nhier;
	struct grp_hier *hier[GRP_HIER_MAX];
	struct grp_hier *subsys_hier[GRP_SUBSYS_COUNT];
	struct grp_group *buckets[GRP_HASH_BUCKETS];
	unsigned ngroups;
	/* release detection */
	struct ev_loop *loop;
	int inotify_fd;
	ev_io inotify_io;
	ev_timer poll_timer;
	/* inotify watch descriptor -> container, chained by wd_next.  A hash,
	 * not an array: the kernel hands out descriptors cyclically, so they
	 * keep growing in a long-lived PID 1 that re-creates groups */
	struct grp_container **wdtab;
	unsigned wdbuckets, nwatches;
	/* the same for watches on directories a delegated service made */
	struct grp_foreign **ftab;
	unsigned fbuckets, nforeign;
	bool checking;			/* re-entrancy guard for callbacks */
	/* checks asked for while one runs: groups (referenced), or all */
	struct grp_group **pending;
	unsigned npending, cappending;
	bool rescan;
	unsigned long nchecks;		/* emptiness checks made, for tests */
	/* grp_engine_close() called from a release callback: the check
	 * that ran the callback frees the engine once it has unwound */
	bool close_pending;
	bool close_remove;
};

/* sysfile.c: control-file access relative to a container's directory.
 * Errors are logged with the full path.  file may start with "../" (the
 * parent's file). */
int grp_file_read(struct grp_container *c, const char *file,
		  char *buf, size_t len);
int grp_file_write(struct grp_container *c, const char *file,
		   const char *val);
/* quiet variants: no log on ENOENT (optional files) */
int grp_file_read_opt(struct grp_container *c, const char *file,
		      char *buf, size_t len);
/* "key value" lines (cpu.stat, pids.events): value of key or -1 */
int grp_kv_get(const char *buf, const char *key, unsigned long long *val);
/* strip trailing whitespace in place */
void grp_chomp(char *s);
/* open relative to the hierarchy: rel "" is the mount point itself */
int grp_openat(struct grp_hier *h, const char *rel, int flags, mode_t mode);
extern const struct grp_sys grp_sys_real;
/* a number from a control file: 0, or -1 quietly if missing or not one;
 * "max" reads as GRP_VALUE_MAX */
int grp_file_u64(struct grp_container *c, const char *file, uint64_t *out);

/* subsys.c: the control file key k writes in c's hierarchy, or NULL with
 * err saying that the key is for the other cgroup version */
const char *grp_key_file(struct grp_container *c, const struct grp_key *k,
			 char *err, size_t errlen);
int grp_key_write(struct grp_container *c, const struct grp_key *k, const char *value);
/* subsys.c: write every limit of l that belongs to a subsystem of c's
 * hierarchy (revive) */
int grp_limits_apply(struct grp_container *c, const struct grp_limits *l);
/* keep what was written: l's limits of c's subsystems merged into
 * c->limits */
int grp_limits_remember(struct grp_container *c, const struct grp_limits *l);

/* container.c */
struct grp_container *grp_container_new_root(struct grp_hier *h,
					     const char *path);
int grp_container_revive(struct grp_container *c);
void grp_container_free_tree(struct grp_container *c, bool remove);
bool grp_container_has_children(const struct grp_container *c);
/* 1 empty, 0 has tasks, -1 error */
int grp_container_is_empty(struct grp_container *c);
int grp_v2_enable_controllers(struct grp_container *c);
void grp_container_watch_tree(struct grp_container *c);
int grp_container_procs_into(struct grp_container *c, pid_t *pids,
			     size_t max, size_t *n);
/* word in a space/newline separated list (cgroup.controllers) */
bool grp_has_word(const char *list, const char *word);

/* hierarchy.c */
int grp_hier_setup(struct grp_engine *e);
/* Where pid is now in hierarchy h, as an absolute directory, from
 * /proc/PID/cgroup (0 = ourselves). */
int grp_task_dir(struct grp_hier *h, pid_t pid, char *out, size_t len);
/* what grp_engine_close() does, at once */
void grp_engine_free(struct grp_engine *e, bool remove);

/* delegate.c */
/*
 * A directory below a delegated container that the service made (no
 * container of ours).  v2 with pruning: two records, an inotify watch on
 * the directory (IN_CREATE finds its children) and one on its
 * cgroup.events (IN_MODIFY says populated changed); the delegated
 * directory itself has a directory record with rel "".  v1: busy says
 * a check saw tasks in it, so an empty one is one that emptied (never one
 * the service has just made and not filled yet).
 */
struct grp_foreign {
	struct grp_foreign *next;	/* in top->foreign */
	struct grp_foreign *wd_next;	/* chain in the engine's ftab */
	struct grp_container *top;	/* the delegated container */
	int wd;				/* v2: watch, -1 (v1) */
	bool events;			/* the watch is on rel's cgroup.events
					 * (IN_MODIFY: the kernel notifies only
					 * watchers of the file itself), else
					 * on the directory (IN_CREATE) */
	bool busy;			/* v1: seen with tasks */
	bool seen;			/* v1: found by the current walk */
	char rel[];			/* below top: "a", "a/b"; "" = top */
};
/* pids of the service's own child directories of c (recursively) into
 * pids[0..*n); returns their count like grp_container_procs_into() */
int grp_foreign_procs(struct grp_container *c, pid_t *pids, size_t max, size_t *n);
/* rmdir the service's child directories of c, deepest first; -1 (EBUSY)
 * if one still has tasks */
int grp_foreign_remove(struct grp_container *c);
/* forget c's records (its directory went, or the struct goes) */
void grp_foreign_forget(struct grp_container *c);
/* an inotify event on a watch of ftab: true if it was one (handled) */
bool grp_foreign_event(struct grp_engine *e, const struct inotify_event *ev);
/* v1 pruning at a check of g: remove the emptied child directories */
void grp_foreign_prune(struct grp_group *g);
/* container.c: parse a cgroup.procs opened as fd (path for messages) */
int grp_procs_read_fd(int fd, const char *path, pid_t *pids, size_t max, size_t *n);

/* release.c */
/* container.c: the watch is gone (removed, freed, dropped by the kernel) */
void grp_container_forget_watch(struct grp_container *c);
/* the container whose cgroup.events has this watch, or NULL */
struct grp_container *grp_watch_lookup(struct grp_engine *e, int wd);

#endif
