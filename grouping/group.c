/*
 * grouping/group.c - struct grp_group, the seed's container_group.
 *
 * A group is the tuple of containers (one per hierarchy) that a task is
 * attached to.  Users with identical membership share one group: it is
 * found by hashing the container pointers and reference counted, so moving
 * many tasks between the same groupings never creates duplicates (the
 * point of Paul Menage's reply in seeds/004).  A tuple may mix containers
 * of different paths, e.g. a shared cpuset with a private numtasks limit.
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
	for (int i = 0; i < GRP_SUBSYS_COUNT; i++) {
		const struct grp_subsys *ss = grp_subsys_table[i];
		struct grp_hier *h = e->subsys_hier[i];

		if (!h) {
			bool wanted = (i == GRP_SUBSYS_cpuset && (*l->cpus || *l->mems)) ||
				      (i == GRP_SUBSYS_numtasks &&
				       l->numtasks_max != GRP_NUMTASKS_UNSET);
			if (wanted) {
				snprintf(err, errlen, "%s: subsystem not available "
					 "on this system", ss->name);
				errno = EOPNOTSUPP;
				return -1;
			}
			continue;
		}
		if (g->conts[h->idx]->removed &&
		    grp_container_revive(g->conts[h->idx]) < 0) {
			snprintf(err, errlen, "%s: %s", g->conts[h->idx]->path,
				 strerror(errno));
			return -1;
		}
		if (ss->validate && ss->validate(g->conts[h->idx], l, err, errlen) < 0)
			return -1;
	}
	for (int i = 0; i < GRP_SUBSYS_COUNT; i++) {
		const struct grp_subsys *ss = grp_subsys_table[i];
		struct grp_hier *h = e->subsys_hier[i];
		struct grp_container *c;

		if (!h)
			continue;
		c = g->conts[h->idx];
		if (ss->apply && ss->apply(c, l) < 0) {
			snprintf(err, errlen, "%s: writing limits to %s failed: %s",
				 ss->name, c->path, strerror(errno));
			return -1;
		}
		/* remember, per subsystem, what to re-apply on revive */
		if (i == GRP_SUBSYS_cpuset) {
			if (*l->cpus)
				snprintf(c->limits.cpus, sizeof(c->limits.cpus), "%s", l->cpus);
			if (*l->mems)
				snprintf(c->limits.mems, sizeof(c->limits.mems), "%s", l->mems);
		} else if (i == GRP_SUBSYS_numtasks &&
			   l->numtasks_max != GRP_NUMTASKS_UNSET) {
			c->limits.numtasks_max = l->numtasks_max;
		}
		c->has_limits = true;
	}
	return 0;
}

/* Where pid is now in hierarchy h, as an absolute directory, from
 * /proc/PID/cgroup.  Paths there are relative to our cgroup namespace
 * root, which is the mount's root for every mount corral makes or uses. */
static int current_dir(struct grp_hier *h, pid_t pid, char *out, size_t len)
{
	char path[64], line[PATH_MAX + 128];
	const char *want = NULL;
	FILE *f;

	for (int i = 0; i < GRP_SUBSYS_COUNT && !h->v2; i++)
		if (h->mask & (1u << i)) {
			want = grp_subsys_table[i]->v1_name;
			break;
		}
	snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	f = fopen(path, "re");
	if (!f) {
		log_warn_sys("open", path);
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *ctl = strchr(line, ':'), *cg;

		if (!ctl || !(cg = strchr(ctl + 1, ':')))
			continue;
		*cg++ = '\0';
		ctl++;
		cg[strcspn(cg, "\n")] = '\0';
		if (h->v2 && *ctl == '\0') {
			snprintf(out, len, "%s%s", h->mnt, strcmp(cg, "/") ? cg : "");
			fclose(f);
			return 0;
		}
		if (!h->v2 && want) {
			char buf[256], *save = NULL, *tok;

			snprintf(buf, sizeof(buf), "%s", ctl);
			for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
				if (!strcmp(tok, want)) {
					snprintf(out, len, "%s%s", h->mnt,
						 strcmp(cg, "/") ? cg : "");
					fclose(f);
					return 0;
				}
		}
	}
	fclose(f);
	errno = ENOENT;
	return -1;
}

static void move_back(const char *dir, pid_t pid)
{
	char path[PATH_MAX + 16], buf[24];
	int fd;

	snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
	snprintf(buf, sizeof(buf), "%d", (int)pid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
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
	for (unsigned i = 0; i < e->nhier; i++)
		for (int s = 0; s < GRP_SUBSYS_COUNT; s++) {
			const struct grp_subsys *ss = grp_subsys_table[s];

			if ((e->hier[i]->mask & (1u << s)) && ss->can_attach &&
			    ss->can_attach(g->conts[i], pid) < 0)
				return -1;
		}
	orig = calloc(e->nhier, sizeof(*orig));
	if (!orig) {
		log_warn_sys("allocate attach state for", g->name);
		return -1;
	}
	for (unsigned i = 0; i < e->nhier; i++)
		if (e->hier[i]->plain || current_dir(e->hier[i], pid, orig[i], PATH_MAX) < 0)
			orig[i][0] = '\0';
	for (; done < e->nhier; done++)
		if (grp_container_attach(g->conts[done], pid) < 0)
			goto revert;
	free(orig);
	for (unsigned i = 0; i < e->nhier; i++)
		for (int s = 0; s < GRP_SUBSYS_COUNT; s++) {
			const struct grp_subsys *ss = grp_subsys_table[s];

			if ((e->hier[i]->mask & (1u << s)) && ss->attach)
				ss->attach(g->conts[i], pid);
		}
	rearm(g);
	return 0;
revert:
	/* cancel_attach: undo the moves already made so the task is never
	 * left split between old and new groups */
	saved = errno;
	while (done--)
		if (orig[done][0])
			move_back(orig[done], pid);
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

int grp_group_stats(struct grp_group *g, struct grp_stats *st)
{
	memset(st, 0, sizeof(*st));
	st->numtasks_max = GRP_NUMTASKS_MAX;
	for (int i = 0; i < GRP_SUBSYS_COUNT; i++) {
		const struct grp_subsys *ss = grp_subsys_table[i];
		struct grp_hier *h = g->e->subsys_hier[i];

		if (!h || !ss->stats || g->conts[h->idx]->removed)
			continue;
		if (ss->stats(g->conts[h->idx], st) == 0)
			st->have |= 1u << i;
	}
	return 0;
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
	char path[PATH_MAX + 16];
	int fd, r, saved;

	if (!c->h->v2 || c->h->plain || c->removed || c->fd < 0 ||
	    grp_container_has_children(c))
		return 0;
	snprintf(path, sizeof(path), "%s/cgroup.kill", c->path);
	fd = openat(c->fd, "cgroup.kill", O_WRONLY | O_CLOEXEC);
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
 * the files are opened by absolute path so no per-container fd must
 * stay open.  Plain directories get the append-and-create mode that
 * grp_file_write() gives them. */
int grp_group_procs_fds(struct grp_group *g, int *fds, unsigned max)
{
	struct grp_engine *e = g->e;
	char path[PATH_MAX + 16];
	unsigned n = 0;
	int saved;

	if (e->nhier > max) {
		errno = E2BIG;
		return -1;
	}
	if (revive_all(g) < 0)
		return -1;
	for (unsigned i = 0; i < e->nhier; i++)
		for (int s = 0; s < GRP_SUBSYS_COUNT; s++) {
			const struct grp_subsys *ss = grp_subsys_table[s];

			if ((e->hier[i]->mask & (1u << s)) && ss->can_attach &&
			    ss->can_attach(g->conts[i], 0) < 0)
				return -1;
		}
	for (; n < e->nhier; n++) {
		struct grp_container *c = g->conts[n];
		int flags = O_WRONLY | O_CLOEXEC;

		if (c->h->plain)
			flags |= O_CREAT | O_APPEND;
		snprintf(path, sizeof(path), "%s/cgroup.procs", c->path);
		fds[n] = open(path, flags, 0644);
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

/* grp_group_stats() of the subsystems in mask only (1 << grp_subsys_id):
 * a summary (initctl list) reads two files of a group, not a dozen. */
int grp_group_stats_some(struct grp_group *g, struct grp_stats *st, unsigned mask)
{
	memset(st, 0, sizeof(*st));
	st->numtasks_max = GRP_NUMTASKS_MAX;
	for (int i = 0; i < GRP_SUBSYS_COUNT; i++) {
		const struct grp_subsys *ss = grp_subsys_table[i];
		struct grp_hier *h = g->e->subsys_hier[i];

		if (!(mask & (1u << i)) || !h || !ss->stats || g->conts[h->idx]->removed)
			continue;
		if (ss->stats(g->conts[h->idx], st) == 0)
			st->have |= 1u << i;
	}
	return 0;
}
