/*
 * grouping/delegate.c - delegated subtrees: a group its service may
 * populate itself (systemd's Delegate=, the kernel's cgroup-v2.rst
 * "Delegation"; the seed's container_clone, where a task makes its own
 * child containers).
 *
 * PID 1 hands the group over before the service runs: the directory and
 * the files a delegatee writes to populate it (v2: cgroup.procs,
 * cgroup.threads, cgroup.subtree_control; v1: tasks, cgroup.procs) are
 * chowned to the service's user.  The resource files stay root's: they
 * split the parent's resources, which are not the service's to change.
 *
 * Below a delegated container, a directory that is no container of ours
 * is the service's ("foreign").  corral never moves a task into or out of
 * one; it only counts them:
 *   - tasks: a delegated container's tasks include those of every foreign
 *     directory below it (grp_container_procs_into), so a stop signals
 *     them (on v2 SIGKILL is cgroup.kill, which covers the subtree
 *     anyway) and a v1 emptiness check sees them.  v2's emptiness check
 *     is the populated flag, which covers descendants already.
 *   - removal: rmdir of a cgroup with child directories fails, so foreign
 *     directories are removed first, deepest first
 *     (grp_container_remove); one that still has tasks stops it (EBUSY,
 *     the release is simply tried again at the next check).
 *   - pruning ([Group] auto_delete=): while the service runs, a foreign
 *     directory that had tasks and has none is removed.  v2: an inotify
 *     watch on the delegated directory and on each foreign one below it
 *     (IN_CREATE names a new child, which gets watches of its own), and
 *     one on each foreign directory's cgroup.events (IN_MODIFY: populated
 *     changed; the kernel tells only watchers of that file); a directory is
 *     removed when its populated flag is 0 at such an event.  Nothing is
 *     removed at IN_CREATE: a directory the service has just made is
 *     empty until it moves a task in, and a populated 0 -> 1 -> 0 is what
 *     makes the event.  v1 has no events: each check of the group walks
 *     the foreign directories, remembers those seen with tasks (busy),
 *     and removes a busy one found empty; so one that fills and empties
 *     between two checks stays until the group is released.
 * The race left is the one auto-delete has by nature: a service that
 * moves a task into a child the moment it emptied may find it gone
 * (ENOENT); such a service must not ask for auto_delete.
 */
#include "internal.h"
#include "../lib/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool grp_group_delegated(const struct grp_group *g)
{
	return g->e->nhier && g->conts[0]->delegated;
}

/* a child directory of c that is a container of ours (a nested group's):
 * not the service's, never walked, removed or pruned here */
static bool ours(const struct grp_container *c, const char *name)
{
	for (const struct grp_container *k = c->child; k; k = k->sibling)
		if (!k->removed && !strcmp(k->name, name))
			return true;
	return false;
}

/* "C->REL/rel/file" relative to the hierarchy's descriptor */
static void below(const struct grp_container *c, const char *rel, const char *file,
		  char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s", c->rel, *c->rel && *rel ? "/" : "", rel,
		 (*c->rel || *rel) && *file ? "/" : "", file);
}

/*
 * fn for every foreign directory below c, children before their parent,
 * with its path below c in rel (a buffer of cap bytes; len in use).  One
 * directory descriptor is open per level while its children are walked.
 * A directory that vanishes meanwhile (the service removed it) is
 * skipped.  0, or -1 when fn or a read failed.
 */
typedef int (*walk_fn)(struct grp_container *c, const char *rel, void *arg);

static int walk(struct grp_container *c, char *rel, size_t len, size_t cap,
		walk_fn fn, void *arg)
{
	char dir[PATH_MAX + 64];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd, rc = 0;

	below(c, rel, "", dir, sizeof(dir));
	fd = grp_openat(c->h, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		if (errno == ENOENT)
			return 0;
		snprintf(dir, sizeof(dir), "%s%s%s", c->path, *rel ? "/" : "", rel);
		log_warn_sys("read directory", dir);
		return -1;
	}
	while (rc == 0 && (de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (de->d_type != DT_DIR &&
		    (de->d_type != DT_UNKNOWN ||
		     fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		     !S_ISDIR(st.st_mode)))
			continue;
		if (!len && ours(c, de->d_name))
			continue;
		if (len + 1 + n + 1 > cap) {
			log_warn("%s/%s/%s: too deep below a delegated group; not counted",
				 c->path, rel, de->d_name);
			rc = -1;
			break;
		}
		snprintf(rel + len, cap - len, "%s%s", len ? "/" : "", de->d_name);
		rc = walk(c, rel, len + (len ? 1 : 0) + n, cap, fn, arg);
		if (rc == 0)
			rc = fn(c, rel, arg);
		rel[len] = '\0';
	}
	closedir(d);
	return rc;
}

/* ---- counting -------------------------------------------------------- */

struct procs_arg {
	pid_t *pids;
	size_t max, *n;
	int total;
};

static int count_one(struct grp_container *c, const char *rel, void *arg)
{
	struct procs_arg *a = arg;
	char file[PATH_MAX + 64], path[PATH_MAX + 64];
	int fd, r;

	below(c, rel, "cgroup.procs", file, sizeof(file));
	snprintf(path, sizeof(path), "%s/%s/cgroup.procs", c->path, rel);
	fd = grp_openat(c->h, file, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;	/* removed by its owner meanwhile */
		log_warn_sys("open", path);
		return -1;
	}
	r = grp_procs_read_fd(fd, path, a->pids, a->max, a->n);
	if (r < 0)
		return -1;
	a->total += r;
	return 0;
}

int grp_foreign_procs(struct grp_container *c, pid_t *pids, size_t max, size_t *n)
{
	struct procs_arg a = { pids, max, n, 0 };
	char rel[PATH_MAX];

	rel[0] = '\0';
	if (walk(c, rel, 0, sizeof(rel), count_one, &a) < 0)
		return -1;
	return a.total;
}

/* tasks in the foreign directory rel itself (not below it), or -1 */
static int own_tasks(struct grp_container *c, const char *rel)
{
	pid_t one;
	size_t n = 0;
	struct procs_arg a = { &one, 1, &n, 0 };

	return count_one(c, rel, &a) < 0 ? -1 : a.total;
}

/* ---- records (pruning) ---------------------------------------------- */

static struct grp_foreign *rec_find(struct grp_container *top, const char *rel)
{
	for (struct grp_foreign *f = top->foreign; f; f = f->next)
		if (!strcmp(f->rel, rel))
			return f;
	return NULL;
}

static struct grp_foreign *rec_new(struct grp_container *top, const char *rel)
{
	size_t n = strlen(rel) + 1;
	struct grp_foreign *f = calloc(1, sizeof(*f) + n);

	if (!f) {
		log_warn_sys("allocate the record of", rel);
		return NULL;
	}
	f->top = top;
	f->wd = -1;
	memcpy(f->rel, rel, n);
	f->next = top->foreign;
	top->foreign = f;
	return f;
}

static struct grp_foreign *ftab_lookup(struct grp_engine *e, int wd)
{
	if (wd < 0 || !e->fbuckets)
		return NULL;
	for (struct grp_foreign *f = e->ftab[(unsigned)wd & (e->fbuckets - 1)]; f; f = f->wd_next)
		if (f->wd == wd)
			return f;
	return NULL;
}

/* index f by its watch; as the containers' table (container.c): a hash
 * because descriptors keep growing in a long-lived PID 1 */
static int ftab_add(struct grp_engine *e, struct grp_foreign *f)
{
	if (e->nforeign + 1 > e->fbuckets) {
		unsigned n = e->fbuckets ? e->fbuckets * 2 : 64;
		struct grp_foreign **t = calloc(n, sizeof(*t));

		if (!t)
			return -1;
		for (unsigned i = 0; i < e->fbuckets; i++)
			for (struct grp_foreign *k = e->ftab[i], *next; k; k = next) {
				next = k->wd_next;
				k->wd_next = t[(unsigned)k->wd & (n - 1)];
				t[(unsigned)k->wd & (n - 1)] = k;
			}
		free(e->ftab);
		e->ftab = t;
		e->fbuckets = n;
	}
	f->wd_next = e->ftab[(unsigned)f->wd & (e->fbuckets - 1)];
	e->ftab[(unsigned)f->wd & (e->fbuckets - 1)] = f;
	e->nforeign++;
	return 0;
}

static void rec_free(struct grp_foreign *f)
{
	struct grp_engine *e = f->top->h->e;
	struct grp_foreign **pp;

	if (f->wd >= 0 && e->fbuckets)
		for (pp = &e->ftab[(unsigned)f->wd & (e->fbuckets - 1)]; *pp; pp = &(*pp)->wd_next)
			if (*pp == f) {
				*pp = f->wd_next;
				e->nforeign--;
				break;
			}
	for (pp = &f->top->foreign; *pp; pp = &(*pp)->next)
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	free(f);
}

void grp_foreign_forget(struct grp_container *c)
{
	while (c->foreign)
		rec_free(c->foreign);
}

/* ---- removal ---------------------------------------------------------- */

static int rmdir_one(struct grp_container *c, const char *rel, bool quiet_busy)
{
	char file[PATH_MAX + 64];

	below(c, rel, "", file, sizeof(file));
	if (c->h->e->sys->unlinkat(c->h->fd, file, AT_REMOVEDIR) == 0) {
		log_debug("removed %s/%s (made by the service of group %s)", c->path, rel,
			  c->group ? c->group->name : "?");
		return 0;
	}
	if (errno == ENOENT)
		return 0;
	if (!(quiet_busy && (errno == EBUSY || errno == ENOTEMPTY))) {
		int saved = errno;

		snprintf(file, sizeof(file), "%s/%s", c->path, rel);
		errno = saved;
		log_warn_sys("rmdir", file);
	}
	return -1;
}

static int remove_one(struct grp_container *c, const char *rel, void *arg)
{
	(void)arg;
	return rmdir_one(c, rel, true);
}

int grp_foreign_remove(struct grp_container *c)
{
	char rel[PATH_MAX];

	rel[0] = '\0';
	if (walk(c, rel, 0, sizeof(rel), remove_one, NULL) < 0) {
		if (errno != EBUSY && errno != ENOTEMPTY)
			errno = EBUSY;	/* what the caller's rmdir would say */
		return -1;
	}
	return 0;
}

/* ---- pruning, v2: events ------------------------------------------------ */

static void watch_dir(struct grp_container *top, const char *rel);

static int watch_child(struct grp_container *c, const char *rel, void *arg)
{
	(void)arg;
	watch_dir(c, rel);
	return 0;
}

/* One watch of path for rel; NULL if none was added (or it existed). */
static struct grp_foreign *add_watch(struct grp_container *top, const char *rel,
				     const char *path, uint32_t mask, bool events)
{
	struct grp_engine *e = top->h->e;
	struct grp_foreign *f;
	int wd = e->sys->inotify_add_watch(e->inotify_fd, path, mask);

	if (wd < 0) {
		if (errno != ENOENT)
			log_warn_sys("watch", path);
		return NULL;
	}
	if (ftab_lookup(e, wd))
		return NULL;	/* the same file: watched already */
	f = rec_new(top, rel);
	if (!f)
		return NULL;
	f->wd = wd;
	f->events = events;
	if (ftab_add(e, f) < 0) {
		log_warn_sys("map the watch of", path);
		f->wd = -1;
		rec_free(f);
		return NULL;
	}
	return f;
}

/* Watch directory rel below top and, unless it is top itself, its
 * cgroup.events; then the directories already below it, since IN_CREATE
 * comes only for what is made after the watch.  The kernel notifies a
 * change of cgroup.events only to watchers of that file (its inode must
 * be in use: kernfs_notify()), never to its directory's. */
static void watch_dir(struct grp_container *top, const char *rel)
{
	char path[PATH_MAX + 64], sub[PATH_MAX];

	if (top->h->e->inotify_fd < 0)
		return;
	snprintf(path, sizeof(path), "%s%s%s", top->path, *rel ? "/" : "", rel);
	if (!add_watch(top, rel, path, IN_CREATE | IN_ONLYDIR, false))
		return;
	if (!*rel)
		return;		/* top's own cgroup.events is release.c's */
	snprintf(path, sizeof(path), "%s/%s/cgroup.events", top->path, rel);
	(void)add_watch(top, rel, path, IN_MODIFY, true);
	snprintf(sub, sizeof(sub), "%s", rel);
	(void)walk(top, sub, strlen(sub), sizeof(sub), watch_child, NULL);
}

/* rel (a foreign directory below top) got an event: remove it if it is
 * empty, then its parent if that emptied with it. */
static void prune_v2(struct grp_container *top, const char *rel)
{
	char file[PATH_MAX + 64], buf[256], up[PATH_MAX];
	unsigned long long populated;
	struct grp_foreign *f;
	char *slash;

	snprintf(up, sizeof(up), "%s", rel);
	while (*up) {
		snprintf(file, sizeof(file), "%s/cgroup.events", up);
		if (grp_file_read_opt(top, file, buf, sizeof(buf)) < 0 ||
		    grp_kv_get(buf, "populated", &populated) < 0 || populated)
			return;
		if (rmdir_one(top, up, true) < 0)
			return;		/* children of its own, or a task came in */
		log_info("group %s: removed %s/%s, emptied (auto_delete)",
			 top->group ? top->group->name : "?", top->path, up);
		while ((f = rec_find(top, up)))
			rec_free(f);	/* the kernel drops the watches (IN_IGNORED) */
		slash = strrchr(up, '/');
		if (!slash)
			return;
		*slash = '\0';
	}
}

bool grp_foreign_event(struct grp_engine *e, const struct inotify_event *ev)
{
	struct grp_foreign *f = ftab_lookup(e, ev->wd);
	struct grp_container *top;
	char rel[PATH_MAX];

	if (!f)
		return false;
	top = f->top;
	if (ev->mask & IN_IGNORED) {
		rec_free(f);	/* the directory went */
		return true;
	}
	/* cgroup.events changed: populated may be 0 now.  (A write of the
	 * service's to another file is no event here: only cgroup.events
	 * itself is watched for IN_MODIFY) */
	if (f->events) {
		if ((ev->mask & IN_MODIFY) && top->group && top->group->prune)
			prune_v2(top, f->rel);
		return true;
	}
	if (!ev->len)
		return true;
	if ((ev->mask & IN_CREATE) && (ev->mask & IN_ISDIR)) {
		if (!*f->rel && ours(top, ev->name))
			return true;
		if ((size_t)snprintf(rel, sizeof(rel), "%s%s%s", f->rel, *f->rel ? "/" : "",
				     ev->name) < sizeof(rel))
			watch_dir(top, rel);
		return true;
	}
	return true;
}

/* ---- pruning, v1: at checks ------------------------------------------- */

static int prune_one(struct grp_container *c, const char *rel, void *arg)
{
	struct grp_foreign *f = rec_find(c, rel);
	int n = own_tasks(c, rel);
	char anc[PATH_MAX], *slash;

	(void)arg;
	if (f)
		f->seen = true;
	if (n < 0)
		return 0;	/* logged; the rest is still worth a look */
	if (n > 0) {
		/* busy, and so is every directory above it up to c: each
		 * of them empties when this one does */
		snprintf(anc, sizeof(anc), "%s", rel);
		do {
			f = rec_find(c, anc);
			if (!f && !(f = rec_new(c, anc)))
				break;
			f->busy = true;
			f->seen = true;
			slash = strrchr(anc, '/');
			if (slash)
				*slash = '\0';
		} while (slash);
		return 0;
	}
	if (f && f->busy && rmdir_one(c, rel, true) == 0) {
		log_info("group %s: removed %s/%s, emptied (auto_delete)",
			 c->group ? c->group->name : "?", c->path, rel);
		rec_free(f);
	}
	return 0;
}

void grp_foreign_prune(struct grp_group *g)
{
	char rel[PATH_MAX];

	if (!g->prune)
		return;
	for (unsigned i = 0; i < g->e->nhier; i++) {
		struct grp_container *c = g->conts[i];

		/* v2 prunes from its events */
		if (c->h->v2 || !c->delegated || c->removed)
			continue;
		for (struct grp_foreign *f = c->foreign; f; f = f->next)
			f->seen = false;
		rel[0] = '\0';
		if (walk(c, rel, 0, sizeof(rel), prune_one, NULL) < 0)
			continue;
		/* what the service removed itself is not remembered */
		for (struct grp_foreign *f = c->foreign, *next; f; f = next) {
			next = f->next;
			if (!f->seen)
				rec_free(f);
		}
	}
}

/* ---- handing the group over ------------------------------------------ */

static int own(struct grp_container *c, const char *file, uid_t uid, gid_t gid,
	       bool optional)
{
	char rel[PATH_MAX + 64], path[PATH_MAX + 64];

	below(c, "", file, rel, sizeof(rel));
	if (c->h->e->sys->fchownat(c->h->fd, rel, uid, gid, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	if (optional && errno == ENOENT)
		return 0;
	snprintf(path, sizeof(path), "%s%s%s", c->path, *file ? "/" : "", file);
	log_warn_sys("chown", path);
	return -1;
}

/* Controllers asked for that the group does not get, said once. */
static void check_controllers(struct grp_group *g, const char *want)
{
	char have[512], list[512], *save = NULL, *w;
	size_t off = 0;

	have[0] = '\0';
	for (unsigned i = 0; i < g->e->nhier; i++) {
		struct grp_container *c = g->conts[i];
		char buf[256];

		if (c->h->tracking)
			continue;
		if (c->h->v2) {
			if (grp_file_read_opt(c, "cgroup.controllers", buf, sizeof(buf)) < 0)
				buf[0] = '\0';
		} else {
			grp_subsys_mask_names(c->h->mask, true, buf, sizeof(buf));
			for (char *p = buf; (p = strchr(p, ',')); )
				*p = ' ';
		}
		grp_chomp(buf);
		off += (size_t)snprintf(have + off, off < sizeof(have) ? sizeof(have) - off : 0,
					"%s%s", off ? " " : "", buf);
	}
	snprintf(list, sizeof(list), "%s", want);
	for (w = strtok_r(list, " ", &save); w; w = strtok_r(NULL, " ", &save))
		if (!grp_has_word(have, w))
			log_warn("group %s: controller %s cannot be delegated: the group "
				 "has only \"%s\" (its parent passes on no more)",
				 g->name, w, have);
}

int grp_group_delegate(struct grp_group *g, uid_t uid, gid_t gid,
		       const char *controllers, bool prune)
{
	struct grp_engine *e = g->e;
	bool first = !grp_group_delegated(g), chown_ids = uid != (uid_t)-1 || gid != (gid_t)-1;
	bool any_v1 = false;

	for (unsigned i = 0; i < e->nhier; i++) {
		struct grp_container *c = g->conts[i];
		const struct grp_subsys *ss;
		unsigned s;

		if (c->removed && grp_container_revive(c) < 0)
			return -1;
		c->delegated = true;
		/* the kernel's delegation: the directory, and the files that
		 * move tasks and pass controllers on */
		if (chown_ids &&
		    (own(c, "", uid, gid, false) < 0 ||
		     own(c, "cgroup.procs", uid, gid, false) < 0 ||
		     (c->h->v2 ? own(c, "cgroup.threads", uid, gid, true) < 0 ||
				 own(c, "cgroup.subtree_control", uid, gid, false) < 0
			       : own(c, "tasks", uid, gid, false) < 0)))
			return -1;
		grp_for_each_subsys(ss, s, c->h->mask)
			if (ss->delegate && ss->delegate(c) < 0)
				return -1;
		any_v1 |= !c->h->v2;
		if (prune && c->h->v2)
			watch_dir(c, "");
	}
	g->prune = prune;
	/* v1 gives no events: look every poll interval while the service
	 * runs (the timer runs anyway where nothing is event-driven) */
	if (prune && any_v1 && e->loop && !ev_is_active(&e->poll_timer))
		ev_timer_start(e->loop, &e->poll_timer);
	if (first && controllers && *controllers)
		check_controllers(g, controllers);
	return 0;
}
