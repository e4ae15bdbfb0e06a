/*
 * grouping/container.c - containers: one directory in one hierarchy.
 *
 * Containers form a tree per hierarchy below the subtree root.  A struct
 * outlives its directory while a group still refers to it, so a service
 * that restarts after its group was released and removed gets the same
 * container back: grp_container_revive() re-makes the directory and
 * re-applies the limits that were set on it.
 */
#include "internal.h"
#include "../lib/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

static void watch(struct grp_container *c)
{
	struct grp_engine *e = c->h->e;
	char path[PATH_MAX + 32];

	if (e->inotify_fd < 0 || !c->h->v2 || c->wd >= 0)
		return;
	snprintf(path, sizeof(path), "%s/cgroup.events", c->path);
	c->wd = e->sys->inotify_add_watch(e->inotify_fd, path, IN_MODIFY);
	if (c->wd < 0) {
		/* every cgroup2 directory has cgroup.events (Linux >= 4.5):
		 * an unwatched group is found by the checks that remain */
		log_warn_sys("watch", path);
		return;
	}
	if (e->nwatches + 1 > e->wdbuckets) {
		/* grow: a chain per descriptor on average at most */
		unsigned n = e->wdbuckets ? e->wdbuckets * 2 : 64;
		struct grp_container **t = calloc(n, sizeof(*t));

		if (!t) {
			/* an unmapped event makes the engine check everything */
			log_warn_sys("map the watch of", path);
			return;
		}
		for (unsigned i = 0; i < e->wdbuckets; i++)
			for (struct grp_container *k = e->wdtab[i], *next; k; k = next) {
				next = k->wd_next;
				k->wd_next = t[(unsigned)k->wd & (n - 1)];
				t[(unsigned)k->wd & (n - 1)] = k;
			}
		free(e->wdtab);
		e->wdtab = t;
		e->wdbuckets = n;
	}
	c->wd_next = e->wdtab[(unsigned)c->wd & (e->wdbuckets - 1)];
	e->wdtab[(unsigned)c->wd & (e->wdbuckets - 1)] = c;
	e->nwatches++;
}

struct grp_container *grp_watch_lookup(struct grp_engine *e, int wd)
{
	if (wd < 0 || !e->wdbuckets)
		return NULL;
	for (struct grp_container *k = e->wdtab[(unsigned)wd & (e->wdbuckets - 1)]; k; k = k->wd_next)
		if (k->wd == wd)
			return k;
	return NULL;
}

void grp_container_forget_watch(struct grp_container *c)
{
	struct grp_engine *e = c->h->e;

	if (c->wd >= 0 && e->wdbuckets) {
		struct grp_container **pp = &e->wdtab[(unsigned)c->wd & (e->wdbuckets - 1)];

		for (; *pp; pp = &(*pp)->wd_next)
			if (*pp == c) {
				*pp = c->wd_next;
				e->nwatches--;
				break;
			}
	}
	c->wd_next = NULL;
	c->wd = -1;
}

/* Called from grp_engine_start() for containers made before the loop. */
void grp_container_watch_tree(struct grp_container *c)
{
	watch(c);
	for (struct grp_container *k = c->child; k; k = k->sibling)
		grp_container_watch_tree(k);
}

static int run_create_ops(struct grp_container *c)
{
	const struct grp_subsys *ss;
	unsigned i;

	grp_for_each_subsys(ss, i, c->h->mask)
		if (ss->create && ss->create(c) < 0)
			return -1;
	return 0;
}

/*
 * v2: a child only gets a controller's files if its parent enabled that
 * controller in cgroup.subtree_control.  The kernel refuses (EBUSY) when
 * the parent has processes of its own (the "no internal processes" rule),
 * so a group that holds tasks cannot also have child groups with limits.
 */
bool grp_has_word(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || p[-1] == ' ' || p[-1] == '\n') &&
		    (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

int grp_v2_enable_controllers(struct grp_container *c)
{
	char avail[512], enabled[512], req[32];

	const struct grp_subsys *ss;
	unsigned i;

	if (!c->h->v2 || c->h->tracking)
		return 0;
	if (grp_file_read(c, "cgroup.controllers", avail, sizeof(avail)) < 0 ||
	    grp_file_read(c, "cgroup.subtree_control", enabled, sizeof(enabled)) < 0)
		return -1;
	grp_for_each_subsys(ss, i, c->h->mask) {
		const char *n = ss->v2_name;

		if (!n || !grp_has_word(avail, n) || grp_has_word(enabled, n))
			continue;
		snprintf(req, sizeof(req), "+%s", n);
		if (grp_file_write(c, "cgroup.subtree_control", req) < 0) {
			if (errno == EBUSY)
				log_warn("%s has processes of its own, so it "
					 "cannot pass %s to child groups "
					 "(cgroup v2 no-internal-process rule)",
					 c->path, n);
			return -1;
		}
	}
	return 0;
}

/* path below the mount point (path always starts with h->mnt) */
static const char *rel_of(const struct grp_hier *h, const char *path)
{
	size_t n = strlen(h->mnt);

	path += n;
	return *path == '/' ? path + 1 : path;
}

static struct grp_container *alloc_container(struct grp_hier *h,
					     struct grp_container *parent,
					     const char *name, const char *path)
{
	struct grp_container *c = calloc(1, sizeof(*c));

	if (!c) {
		log_warn_sys("allocate container", path);
		return NULL;
	}
	c->h = h;
	c->parent = parent;
	c->wd = -1;
	snprintf(c->name, sizeof(c->name), "%s", name);
	/* exact size: a PATH_MAX array per container would be most of the
	 * engine's memory (bench/bench_grouping) */
	c->path = strdup(path);
	if (!c->path) {
		log_warn_sys("allocate container", path);
		free(c);
		return NULL;
	}
	c->rel = rel_of(h, c->path);
	grp_limits_init(&c->limits);
	return c;
}

/* mkdir relative to the hierarchy; adopts an existing dir. */
static int make_dir(struct grp_hier *h, const char *path, bool *created)
{
	*created = false;
	if (h->e->sys->mkdirat(h->fd, rel_of(h, path), 0755) == 0) {
		*created = true;
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	log_warn_sys("mkdir", path);
	return -1;
}

/*
 * The subtree root of a hierarchy: base/SUBTREE, made as needed.  The base
 * is the hierarchy's root when it is ours (own_root: the machine's init),
 * else the cgroup corral is in, so a supervisor started inside a limited
 * cgroup keeps its services inside those limits.  Only own_root enables
 * controllers at the base: otherwise it belongs to whoever placed us.
 */
struct grp_container *grp_container_new_root(struct grp_hier *h,
					     const char *subtree)
{
	char buf[GRP_PATH_MAX], path[PATH_MAX], tpath[PATH_MAX];
	char *save = NULL, *tok, *next;
	struct grp_container tmp, *root;
	bool created = false;

	snprintf(buf, sizeof(buf), "%s", subtree);
	if (h->e->cfg.own_root || grp_task_dir(h, 0, path, sizeof(path)) < 0)
		snprintf(path, sizeof(path), "%s", h->mnt);
	else if (strcmp(path, h->mnt))
		log_debug("%s: subtree below corral's own cgroup %s", h->mnt, path);
	memset(&tmp, 0, sizeof(tmp));
	tmp.h = h;
	tmp.wd = -1;
	tmp.path = tpath;
	snprintf(tpath, sizeof(tpath), "%s", path);
	tmp.rel = rel_of(h, tpath);
	if (h->e->cfg.own_root)
		(void)grp_v2_enable_controllers(&tmp);

	tok = strtok_r(buf, "/", &save);
	while (tok) {
		size_t n = strlen(path);

		next = strtok_r(NULL, "/", &save);
		snprintf(path + n, sizeof(path) - n, "/%s", tok);
		if (make_dir(h, path, &created) < 0)
			return NULL;
		if (created && h->nmade < GRP_DEPTH_MAX)
			snprintf(h->made[h->nmade++], PATH_MAX, "%s", path);
		if (!next)
			break;
		/* An intermediate component: copy cpuset, pass controllers */
		snprintf(tpath, sizeof(tpath), "%s", path);
		tmp.rel = rel_of(h, tpath);
		if (created && run_create_ops(&tmp) < 0)
			return NULL;
		(void)grp_v2_enable_controllers(&tmp);
		tok = next;
	}
	root = alloc_container(h, NULL, tok ? tok : "", path);
	if (!root)
		return NULL;
	root->created = created;
	if (h->nmade && root->created)
		h->nmade--;	/* the root itself is removed as a container */
	if (root->created && run_create_ops(root) < 0) {
		free(root->path);
		free(root);
		return NULL;
	}
	return root;
}

struct grp_container *grp_container_get(struct grp_hier *h,
					struct grp_container *parent,
					const char *name)
{
	struct grp_container *c;
	const char *why;
	char path[PATH_MAX];
	bool created;

	if (!parent)
		parent = h->root;
	if (grp_name_valid(name, &why) < 0) {
		log_warn("invalid container name '%s': %s", name, why);
		errno = EINVAL;
		return NULL;
	}
	for (c = parent->child; c; c = c->sibling)
		if (!strcmp(c->name, name)) {
			if (c->removed && grp_container_revive(c) < 0)
				return NULL;
			return c;
		}
	if (parent->removed && grp_container_revive(parent) < 0)
		return NULL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", parent->path, name) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		log_warn_sys("name", name);
		return NULL;
	}
	/* v2 children only get files of controllers the parent passes on */
	if (!parent->child && grp_v2_enable_controllers(parent) < 0 && errno != EBUSY)
		return NULL;
	if (make_dir(h, path, &created) < 0)
		return NULL;
	c = alloc_container(h, parent, name, path);
	if (!c)
		goto undo;
	c->created = created;
	if (created && run_create_ops(c) < 0) {
		free(c->path);
		free(c);
		goto undo;
	}
	c->sibling = parent->child;
	parent->child = c;
	watch(c);
	return c;
undo:
	if (created && h->e->sys->unlinkat(h->fd, rel_of(h, path), AT_REMOVEDIR) < 0)
		log_warn_sys("rmdir", path);
	return NULL;
}

int grp_container_revive(struct grp_container *c)
{
	bool created;

	if (!c->removed)
		return 0;
	if (c->parent && c->parent->removed && grp_container_revive(c->parent) < 0)
		return -1;
	if (!c->parent) {
		errno = ENOENT;	/* subtree roots are never removed while open */
		return -1;
	}
	if (make_dir(c->h, c->path, &created) < 0)
		return -1;
	c->removed = false;
	c->vanished = false;
	c->created = created;
	if (created && run_create_ops(c) < 0)
		return -1;
	if (grp_limits_apply(c, &c->limits) < 0)
		return -1;
	watch(c);
	/* every group holding it exists again and may be released again */
	for (unsigned b = 0; b < GRP_HASH_BUCKETS; b++)
		for (struct grp_group *g = c->h->e->buckets[b]; g; g = g->hnext)
			if (g->conts[c->h->idx] == c)
				g->released = false;
	log_debug("re-created %s", c->path);
	return 0;
}

int grp_container_attach(struct grp_container *c, pid_t pid)
{
	char buf[24];

	if (c->removed && grp_container_revive(c) < 0)
		return -1;
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	return grp_file_write(c, "cgroup.procs", buf);
}

static bool seen_pid(const pid_t *pids, size_t n, pid_t p)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == p)
			return true;
	return false;
}

/* Parses cgroup.procs in chunks so a group with thousands of tasks needs
 * no large buffer.  pids already in pids[0..*n) are not added twice.
 * Closes fd. */
int grp_procs_read_fd(int fd, const char *path, pid_t *pids, size_t max, size_t *n)
{
	char chunk[4096];
	long cur = -1;
	int total = 0;
	ssize_t r;

	for (;;) {
		r = read(fd, chunk, sizeof(chunk));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			log_warn_sys("read", path);
			close(fd);
			return -1;
		}
		/* r == 0 flushes a number that ended the file */
		for (ssize_t i = 0; i < (r ? r : 1); i++) {
			char ch = r ? chunk[i] : '\n';

			if (ch >= '0' && ch <= '9') {
				cur = (cur < 0 ? 0 : cur * 10) + (ch - '0');
			} else if (cur >= 0) {
				total++;
				if (*n < max && !seen_pid(pids, *n, (pid_t)cur))
					pids[(*n)++] = (pid_t)cur;
				cur = -1;
			}
		}
		if (r == 0)
			break;
	}
	close(fd);
	return total;
}

/* The container's tasks; a delegated one's include those in the
 * directories its service made below it. */
int grp_container_procs_into(struct grp_container *c, pid_t *pids,
			     size_t max, size_t *n)
{
	char path[PATH_MAX + 16], rel[PATH_MAX + 16];
	int total, below, fd;

	snprintf(path, sizeof(path), "%s/cgroup.procs", c->path);
	if (c->removed)
		return 0;
	snprintf(rel, sizeof(rel), "%s%scgroup.procs", c->rel, *c->rel ? "/" : "");
	fd = grp_openat(c->h, rel, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0) {
		if (errno == ENOENT) {
			/* the directory was removed behind our back (a cgroup
			 * with tasks cannot be): it is empty, and counts as
			 * removed, so no stop or shutdown waits on it; said
			 * once per group (a removed container is not read
			 * again; the group's other containers keep quiet) */
			bool told = false;

			for (unsigned i = 0; c->group && i < c->h->e->nhier; i++)
				told |= c->group->conts[i] && c->group->conts[i]->vanished;
			if (!told)
				log_warn("group %s: %s disappeared; counting the group as empty",
					 c->group ? c->group->name : "?", c->path);
			c->vanished = true;
			grp_container_forget_watch(c);	/* the kernel dropped it */
			grp_foreign_forget(c);
			c->removed = true;
			return 0;
		}
		log_warn_sys("open", path);
		return -1;
	}
	total = grp_procs_read_fd(fd, path, pids, max, n);
	if (total < 0 || !c->delegated)
		return total;
	below = grp_foreign_procs(c, pids, max, n);
	return below < 0 ? -1 : total + below;
}

int grp_container_procs(struct grp_container *c, pid_t *pids, size_t max)
{
	size_t n = 0;

	return grp_container_procs_into(c, pids, max, &n);
}

bool grp_container_has_children(const struct grp_container *c)
{
	for (const struct grp_container *k = c->child; k; k = k->sibling)
		if (!k->removed)
			return true;
	return false;
}

int grp_container_is_empty(struct grp_container *c)
{
	char buf[256];
	unsigned long long populated;
	pid_t one;

	if (c->removed)
		return 1;
	/* v2 answers for the whole subtree in one read */
	if (c->h->v2 &&
	    /* quiet: a vanished directory is found and said below */
	    grp_file_read_opt(c, "cgroup.events", buf, sizeof(buf)) >= 0 &&
	    grp_kv_get(buf, "populated", &populated) == 0)
		return populated == 0;
	int n = grp_container_procs(c, &one, 1);

	if (n < 0)
		return -1;
	return n == 0;
}

int grp_container_remove(struct grp_container *c)
{
	if (c->removed)
		return 0;
	if (grp_container_has_children(c)) {
		errno = EBUSY;
		return -1;
	}
	/* a delegated subtree: what the service made below goes first */
	if (c->delegated && grp_foreign_remove(c) < 0)
		return -1;
	if (c->h->e->sys->unlinkat(c->h->fd, c->rel, AT_REMOVEDIR) < 0) {
		/* EBUSY: a task got in between the emptiness check and
		 * rmdir.  Harmless: the next check sees it and waits. */
		if (errno != EBUSY)
			log_warn_sys("rmdir", c->path);
		return -1;
	}
	/* the kernel drops the watch itself (IN_IGNORED) */
	grp_container_forget_watch(c);
	grp_foreign_forget(c);
	c->removed = true;
	log_debug("removed %s", c->path);
	return 0;
}

void grp_container_free_tree(struct grp_container *c, bool remove)
{
	struct grp_container *k, *next;

	for (k = c->child; k; k = next) {
		next = k->sibling;
		grp_container_free_tree(k, remove);
	}
	c->child = NULL;
	if (remove && c->created && !c->removed && grp_container_remove(c) < 0 &&
	    errno == EBUSY)
		log_warn("leaving %s in place: it still has tasks", c->path);
	grp_container_forget_watch(c);
	grp_foreign_forget(c);
	grp_limits_free(&c->limits);
	free(c->path);
	free(c);
}

const char *grp_container_path(const struct grp_container *c) { return c->path; }
struct grp_hier *grp_container_hier(const struct grp_container *c) { return c->h; }
unsigned grp_container_refcount(const struct grp_container *c) { return c->refcnt; }
