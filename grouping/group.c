/*
 * grouping/group.c - struct grp_group, the seed's container_group.
 *
 * A group is the tuple of containers (one per hierarchy) that a task is
 * attached to.  Users with identical membership share one group: it is
 * found by hashing the container pointers and reference counted, so moving
 * many tasks between the same groupings never creates duplicates (the
 * point of Paul Menage's reply in seeds/004).  A tuple may mix containers
 * of different paths, e.g. a container shared by several services in one
 * hierarchy with a private one each in another.
 */
#include "internal.h"
#include "../lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static uint32_t tuple_hash(struct grp_container *const conts[], unsigned n)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a over pointers */

	for (unsigned i = 0; i < n; i++) {
		uintptr_t p = (uintptr_t)conts[i];

		for (unsigned b = 0; b < sizeof(p); b++) {
			h ^= (p >> (8 * b)) & 0xff;
			h *= 1099511628211ULL;
		}
	}
	return (uint32_t)(h ^ (h >> 32));
}

static void path_below_root(const struct grp_container *c, char *buf, size_t len)
{
	const struct grp_container *chain[GRP_DEPTH_MAX + 1];
	unsigned n = 0;
	size_t off = 0;

	buf[0] = '\0';
	for (; c && c->parent && n < GRP_DEPTH_MAX + 1; c = c->parent)
		chain[n++] = c;
	while (n--) {
		off += (size_t)snprintf(buf + off, len > off ? len - off : 0,
					"%s%s", off ? "/" : "", chain[n]->name);
	}
}

struct grp_group *grp_group_find(struct grp_engine *e,
				 struct grp_container *const conts[])
{
	uint32_t hash = tuple_hash(conts, e->nhier);
	struct grp_group **b = &e->buckets[hash % GRP_HASH_BUCKETS];
	struct grp_container *pconts[GRP_HIER_MAX];
	unsigned nroots = 0;
	struct grp_group *g;

	for (g = *b; g; g = g->hnext)
		if (g->hash == hash &&
		    !memcmp(g->conts, conts, e->nhier * sizeof(*conts)))
			return grp_group_ref(g);

	for (unsigned i = 0; i < e->nhier; i++) {
		if (!conts[i] || conts[i]->h != e->hier[i]) {
			log_warn("group tuple slot %u does not belong to "
				 "hierarchy %s", i, e->hier[i]->mnt);
			errno = EINVAL;
			return NULL;
		}
		pconts[i] = conts[i]->parent;
		nroots += !pconts[i];
	}
	g = calloc(1, sizeof(*g));
	if (!g) {
		log_warn_sys("allocate group", conts[0]->path);
		return NULL;
	}
	/* Parents are only meaningful when every slot has one; a tuple that
	 * mixes subtree roots with deeper containers has no parent group. */
	if (nroots == 0) {
		g->parent = grp_group_find(e, pconts);
		if (!g->parent) {
			free(g);
			return NULL;
		}
	}
	g->e = e;
	g->hash = hash;
	g->refcnt = 1;
	memcpy(g->conts, conts, e->nhier * sizeof(*conts));
	for (unsigned i = 0; i < e->nhier; i++) {
		conts[i]->refcnt++;
		conts[i]->group = g;
	}
	path_below_root(conts[0], g->name, sizeof(g->name));
	g->hnext = *b;
	*b = g;
	e->ngroups++;
	return g;
}

struct grp_group *grp_group_open(struct grp_engine *e, const char *path)
{
	struct grp_container *conts[GRP_HIER_MAX];
	const char *why;

	if (grp_path_valid(path, &why) < 0) {
		log_warn("invalid group path '%s': %s", path, why);
		errno = EINVAL;
		return NULL;
	}
	for (unsigned i = 0; i < e->nhier; i++) {
		char buf[GRP_PATH_MAX], *save = NULL, *tok;
		struct grp_container *c = e->hier[i]->root;

		snprintf(buf, sizeof(buf), "%s", path);
		for (tok = strtok_r(buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
			c = grp_container_get(e->hier[i], c, tok);
			if (!c)
				return NULL;
		}
		conts[i] = c;
	}
	return grp_group_find(e, conts);
}

struct grp_group *grp_group_ref(struct grp_group *g)
{
	g->refcnt++;
	return g;
}

void grp_group_put(struct grp_group *g)
{
	struct grp_engine *e;
	struct grp_group **pp;

	if (!g || --g->refcnt)
		return;
	e = g->e;
	for (pp = &e->buckets[g->hash % GRP_HASH_BUCKETS]; *pp; pp = &(*pp)->hnext)
		if (*pp == g) {
			*pp = g->hnext;
			break;
		}
	e->ngroups--;
	for (unsigned i = 0; i < e->nhier; i++) {
		g->conts[i]->refcnt--;
		if (g->conts[i]->group == g)
			g->conts[i]->group = NULL;
	}
	grp_group_put(g->parent);
	free(g);
}

unsigned grp_group_refcount(const struct grp_group *g) { return g->refcnt; }
struct grp_group *grp_group_parent(struct grp_group *g) { return g->parent; }
const char *grp_group_name(const struct grp_group *g) { return g->name; }

struct grp_container *grp_group_container(struct grp_group *g, unsigned hier)
{
	return hier < g->e->nhier ? g->conts[hier] : NULL;
}

int grp_group_set_limits(struct grp_group *g, const struct grp_limits *l,
			 char *err, size_t errlen)
{
	struct grp_engine *e = g->e;
	char dummy[8];

	if (!err) {
		err = dummy;
		errlen = sizeof(dummy);
	}
	err[0] = '\0';
	/* validate everything first so a bad value writes nothing */
	for (unsigned i = 0; i < l->n; i++) {
		const struct grp_limit *lim = &l->v[i];
		struct grp_hier *h = e->subsys_hier[lim->ss];
		struct grp_container *c;

		if (!h) {
			snprintf(err, errlen, "%s: subsystem %s not available on "
				 "this system", lim->key->name, grp_subsys_name(lim->ss));
			errno = EOPNOTSUPP;
			return -1;
		}
		c = g->conts[h->idx];
		if (c->removed && grp_container_revive(c) < 0) {
			snprintf(err, errlen, "%s: %s", c->path, strerror(errno));
			return -1;
		}
		if (!grp_key_file(c, lim->key, err, errlen)) {
			errno = EOPNOTSUPP;
			return -1;
		}
		if (lim->key->validate &&
		    lim->key->validate(c, lim->key, lim->value, err, errlen) < 0)
			return -1;
	}
	for (unsigned s = 0; s < GRP_SUBSYS_COUNT; s++)
		for (unsigned i = 0; i < l->n; i++) {
			const struct grp_limit *lim = &l->v[i];
			struct grp_container *c;

			if (lim->ss != s)
				continue;
			c = g->conts[e->subsys_hier[s]->idx];
			if (grp_key_write(c, lim->key, lim->value) < 0) {
				snprintf(err, errlen, "%s: writing %s to %s failed: %s",
					 lim->key->name, lim->value, c->path, strerror(errno));
				return -1;
			}
		}
	for (unsigned i = 0; i < e->nhier; i++)
		if (grp_limits_remember(g->conts[i], l) < 0) {
			snprintf(err, errlen, "%s: out of memory", g->conts[i]->path);
			return -1;
		}
	return 0;
}

int grp_group_stats(struct grp_group *g, struct grp_stats *st)
{
	const struct grp_subsys *ss;
	unsigned s;

	st->have = 0;
	grp_for_each_subsys(ss, s, GRP_SUBSYS_ALL) {
		struct grp_hier *h = g->e->subsys_hier[s];

		for (unsigned i = 0; i < ss->nfields; i++) {
			st->v[s][i].set = false;
			st->v[s][i].n = 0;
			st->v[s][i].text[0] = '\0';
		}
		if (!h || !ss->stats || g->conts[h->idx]->removed)
			continue;
		if (ss->stats(g->conts[h->idx], st->v[s]) == 0)
			st->have |= 1u << s;
	}
	return 0;
}

static void move_back(struct grp_hier *h, const char *dir, pid_t pid)
{
	char path[PATH_MAX + 16], buf[24];
	int fd;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	fd = h->e->sys->openat(AT_FDCWD, path, O_WRONLY | O_CLOEXEC, 0);
	if (fd < 0) {
		log_warn_sys("open", path);
		return;
	}
	if (write(fd, buf, strlen(buf)) < 0)
		log_warn_sys("move back to", path);
	close(fd);
}

/* Re-make containers a release removed; limits come back with them. */
static int revive_all(struct grp_group *g)
{
	for (unsigned i = 0; i < g->e->nhier; i++)
		if (g->conts[i]->removed && grp_container_revive(g->conts[i]) < 0)
			return -1;
	return 0;
}

/* Release may fire again: a task in a nested group keeps every ancestor
 * busy too. */
static void rearm(struct grp_group *g)
{
	for (struct grp_group *a = g; a; a = a->parent)
		a->released = false;
}

int grp_group_attach(struct grp_group *g, pid_t pid)
{
	struct grp_engine *e = g->e;
	char (*orig)[PATH_MAX] = NULL;
	unsigned done = 0;
	int saved;

	if (pid == 0)
		pid = getpid();
	if (revive_all(g) < 0)
		return -1;
	/* can_attach for every hierarchy before any move */
	for (unsigned i = 0; i < e->nhier; i++) {
		const struct grp_subsys *ss;
		unsigned s;

		grp_for_each_subsys(ss, s, e->hier[i]->mask)
			if (ss->can_attach && ss->can_attach(g->conts[i], pid) < 0)
				return -1;
	}
	orig = calloc(e->nhier, sizeof(*orig));
	if (!orig) {
		log_warn_sys("allocate attach state for", g->name);
		return -1;
	}
	for (unsigned i = 0; i < e->nhier; i++)
		if (grp_task_dir(e->hier[i], pid, orig[i], PATH_MAX) < 0)
			orig[i][0] = '\0';
	for (; done < e->nhier; done++)
		if (grp_container_attach(g->conts[done], pid) < 0)
			goto revert;
	free(orig);
	rearm(g);
	return 0;
revert:
	/* cancel_attach: undo the moves already made so the task is never
	 * left split between old and new groups */
	saved = errno;
	while (done--)
		if (orig[done][0])
			move_back(e->hier[done], orig[done], pid);
	free(orig);
	errno = saved;
	return -1;
}

int grp_group_prepare(struct grp_group *g)
{
	if (revive_all(g) < 0)
		return -1;
	rearm(g);
	return 0;
}

int grp_group_procs(struct grp_group *g, pid_t *pids, size_t max)
{
	size_t n = 0;
	int best = 0;

	for (unsigned i = 0; i < g->e->nhier; i++) {
		int r = grp_container_procs_into(g->conts[i], pids, max, &n);

		if (r < 0)
			return -1;
		if (r > best)
			best = r;
	}
	return (int)n > best ? (int)n : best;
}

/* A pid read from cgroup.procs that must never be signalled: 0 is how
 * cgroup2 shows a task of another pid namespace (kill(0) would hit our own
 * process group, and PID 1 would reboot), 1 is the init above us or
 * ourselves as PID 1, and we never signal ourselves. */
static bool pid_signallable(pid_t pid, pid_t self)
{
	return pid > 1 && pid != self;
}

/* cgroup2 (Linux >= 5.14): write cgroup.kill, which SIGKILLs every task of
 * the container and its descendants, including tasks we cannot see by pid
 * (another pid namespace) and tasks forked while we signal.  Only for a
 * container without groups of ours below it, whose tasks are not this
 * group's.  1 if it was written, 0 if unavailable, -1 on error. */
static int v2_kill(struct grp_container *c)
{
	char path[PATH_MAX + 16], rel[PATH_MAX + 16];
	int fd, r, saved;

	if (!c->h->v2 || c->removed || grp_container_has_children(c))
		return 0;
	snprintf(path, sizeof(path), "%s/cgroup.kill", c->path);
	snprintf(rel, sizeof(rel), "%s%scgroup.kill", c->rel, *c->rel ? "/" : "");
	fd = grp_openat(c->h, rel, O_WRONLY | O_CLOEXEC, 0);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;	/* kernel < 5.14 */
		log_warn_sys("open", path);
		return -1;
	}
	do
		r = (int)write(fd, "1", 1);
	while (r < 0 && errno == EINTR);
	saved = errno;
	if (r < 0)
		log_warn_sys("write", path);
	close(fd);
	errno = saved;
	return r == 1 ? 1 : -1;
}

int grp_group_kill(struct grp_group *g, int sig)
{
	pid_t pids[1024];
	pid_t self = getpid();
	int n = grp_group_procs(g, pids, sizeof(pids) / sizeof(*pids));
	int sent = 0, skipped = 0;

	if (n > (int)(sizeof(pids) / sizeof(*pids)))
		n = sizeof(pids) / sizeof(*pids);	/* caller loops */
	if (sig == SIGKILL) {
		/* one cgroup2 container holds every task of the group */
		for (unsigned i = 0; i < g->e->nhier; i++)
			if (v2_kill(g->conts[i]) == 1)
				return n > 0 ? n : 0;
	}
	for (int i = 0; i < n; i++) {
		if (!pid_signallable(pids[i], self)) {
			skipped++;
			continue;
		}
		if (kill(pids[i], sig) == 0)
			sent++;
		else if (errno != ESRCH)
			log_warn("unable to signal pid %d in %s: %s",
				 (int)pids[i], g->name, strerror(errno));
	}
	if (skipped)
		log_warn("group %s: %d task(s) listed as pid 0 (another pid "
			 "namespace), 1 or corral itself: not signalled", g->name, skipped);
	return sent;
}

/* For a child that attaches itself without calling into the engine:
 * supervisor/spawn.c clones with CLONE_VM|CLONE_VFORK, so the child
 * shares PID 1's memory and may only make async-signal-safe calls; it
 * writes its pid to each fd.  can_attach runs here, in the parent, and
 * the files are opened relative to the hierarchy, through the engine's
 * grp_sys calls (a unit test's stand-in appends to its plain files). */
int grp_group_procs_fds(struct grp_group *g, int *fds, unsigned max)
{
	struct grp_engine *e = g->e;
	char path[PATH_MAX + 16], rel[PATH_MAX + 16];
	unsigned n = 0;
	int saved;

	if (e->nhier > max) {
		errno = E2BIG;
		return -1;
	}
	if (revive_all(g) < 0)
		return -1;
	for (unsigned i = 0; i < e->nhier; i++) {
		const struct grp_subsys *ss;
		unsigned s;

		grp_for_each_subsys(ss, s, e->hier[i]->mask)
			if (ss->can_attach && ss->can_attach(g->conts[i], 0) < 0)
				return -1;
	}
	for (; n < e->nhier; n++) {
		struct grp_container *c = g->conts[n];

		snprintf(path, sizeof(path), "%s/cgroup.procs", c->path);
		snprintf(rel, sizeof(rel), "%s%scgroup.procs", c->rel, *c->rel ? "/" : "");
		fds[n] = grp_openat(c->h, rel, O_WRONLY | O_CLOEXEC, 0);
		if (fds[n] < 0) {
			log_warn_sys("open", path);
			goto fail;
		}
	}
	return (int)n;
fail:
	saved = errno;
	while (n--)
		close(fds[n]);
	errno = saved;
	return -1;
}

/* The fields a summary shows (initctl list), from the subsystems that
 * have a summary op: one file or so per subsystem, not a dozen. */
int grp_group_stats_summary(struct grp_group *g, struct grp_stats *st)
{
	const struct grp_subsys *ss;
	unsigned s;

	st->have = 0;
	grp_for_each_subsys(ss, s, GRP_SUBSYS_ALL) {
		struct grp_hier *h = g->e->subsys_hier[s];

		for (unsigned i = 0; i < ss->nfields; i++)
			st->v[s][i].set = false;
		if (!h || !ss->summary || g->conts[h->idx]->removed)
			continue;
		if (ss->summary(g->conts[h->idx], st->v[s]) == 0)
			st->have |= 1u << s;
	}
	return 0;
}
