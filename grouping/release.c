/*
 * grouping/release.c - notify_on_release without a kernel release agent.
 *
 * The kernel's mechanism execs a usermode helper for every empty cgroup;
 * corral instead notices emptiness inside its own event loop, so the v1
 * release_agent file stays empty and notify_on_release stays 0.
 *
 * The test (grp_group_empty: no tasks, no child containers) is kept apart
 * from the action (remove, then call the owner), like the kernel's
 * cgroup1_check_for_release() and cgroup1_release_agent().  The race this
 * leaves is harmless: a task attached between the test and rmdir makes
 * rmdir fail with EBUSY, and the group is simply checked again later.
 *
 * Triggers, cheapest first, each checking only what it concerns:
 *   - inotify IN_MODIFY on cgroup.events of cgroup2 containers ("populated"
 *     flips to 0 when the last task in the subtree exits).  On v1 every
 *     group also has a container in a controller-less cgroup2 tree, so
 *     the same event covers v1 hierarchies.  The event's watch maps to its
 *     container and so to one group: that group and the ancestors its
 *     release frees are checked, O(depth), whatever the number of groups.
 *   - grp_group_check() from the owner when it knows which group changed
 *     (its main process was reaped, it signalled the group).
 *   - grp_engine_check(), every group: at start, after lost events
 *     (IN_Q_OVERFLOW), and from a periodic timer only when the kernel
 *     gives no events (pure v1 without a cgroup2 mount), so an idle
 *     event-driven engine makes no syscalls at all; or while a delegated
 *     group on v1 prunes its service's child groups (delegate.c), which
 *     only a look can find emptied.
 */
#include "internal.h"
#include "../lib/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#define POLL_NO_EVENTS 2.0	/* seconds, when it cannot */
#define CHECK_BATCH 128

void grp_group_set_release(struct grp_group *g, bool auto_delete,
			   grp_release_fn cb, void *data)
{
	g->release_cb = cb;
	g->release_data = data;
	g->auto_delete = auto_delete;
	g->released = false;
}

void grp_group_discard(struct grp_group *g)
{
	if (!g)
		return;
	/* the last user, and nothing inside: remove the containers, the
	 * tracking one last (as release() does), so an unused group does
	 * not keep its parent from being released */
	if (g->refcnt == 1 && !g->released && grp_group_empty(g))
		for (unsigned i = g->e->nhier; i-- > 0;)
			if (!g->conts[i]->removed && grp_container_remove(g->conts[i]) < 0)
				break;
	grp_group_put(g);
}

void grp_group_pin(struct grp_group *g)
{
	g->pins++;
}

void grp_group_unpin(struct grp_group *g)
{
	if (g->pins)
		g->pins--;
}

bool grp_group_empty(struct grp_group *g)
{
	g->e->nchecks++;
	if (g->pins)
		return false;	/* a child is on its way in */
	for (unsigned i = 0; i < g->e->nhier; i++) {
		struct grp_container *c = g->conts[i];

		if (c->removed)
			continue;
		if (grp_container_has_children(c))
			return false;
		if (grp_container_is_empty(c) != 1)
			return false;
	}
	return true;
}

/* The action half: remove (if asked) and tell the owner.  Returns true if
 * the owner was told. */
static bool release(struct grp_group *g)
{
	if (g->auto_delete) {
		/* tracking container last: it is what tells us about the
		 * others, so it must outlive them */
		for (unsigned i = g->e->nhier; i-- > 0;) {
			struct grp_container *c = g->conts[i];

			if (!c->removed && grp_container_remove(c) < 0) {
				log_debug("release of %s deferred: %s",
					  c->path, strerror(errno));
				return false;
			}
		}
	}
	g->released = true;
	log_debug("group %s released", g->name);
	g->release_cb(g, g->release_data);
	return true;
}

/* Release g if it can go, then each ancestor that its release freed. */
static void walk_up(struct grp_engine *e, struct grp_group *g)
{
	struct grp_group *x = grp_group_ref(g), *p;

	grp_foreign_prune(g);	/* v1 auto_delete: what emptied inside it */
	while (x && !e->close_pending) {
		bool up = x->released ||
			  (x->release_cb && grp_group_empty(x) && release(x));

		p = up && x->parent ? grp_group_ref(x->parent) : NULL;
		grp_group_put(x);
		x = p;
	}
	grp_group_put(x);
}

/* Every group that asked for notification; until nothing more goes,
 * because removing a child group can make its parent releasable. */
static void scan_all(struct grp_engine *e)
{
	struct grp_group *batch[CHECK_BATCH];
	bool progress = true;

	/* v1 auto_delete: the service's emptied child directories (no
	 * callbacks run, so the hash cannot change under this walk) */
	for (unsigned b = 0; b < GRP_HASH_BUCKETS; b++)
		for (struct grp_group *g = e->buckets[b]; g; g = g->hnext)
			if (g->prune && !g->released)
				grp_foreign_prune(g);
	while (progress && !e->close_pending) {
		unsigned n = 0;

		progress = false;
		/* collect with references held, so callbacks that drop
		 * groups cannot free what we are iterating over */
		for (unsigned b = 0; b < GRP_HASH_BUCKETS && n < CHECK_BATCH; b++)
			for (struct grp_group *g = e->buckets[b]; g && n < CHECK_BATCH; g = g->hnext)
				if (g->release_cb && !g->released && grp_group_empty(g))
					batch[n++] = grp_group_ref(g);
		/* deepest first, so parents see their children gone */
		for (unsigned i = 0; i < n; i++)
			for (unsigned j = i + 1; j < n; j++)
				if (strlen(batch[j]->name) > strlen(batch[i]->name)) {
					struct grp_group *t = batch[i];

					batch[i] = batch[j];
					batch[j] = t;
				}
		for (unsigned i = 0; i < n; i++) {
			struct grp_group *g = batch[i];

			/* after a callback closed the engine only the
			 * references are dropped, nothing more is released */
			if (!e->close_pending && g->release_cb && !g->released &&
			    grp_group_empty(g) && release(g))
				progress = true;
			grp_group_put(g);
		}
	}
}

/*
 * One check runs at a time.  Callbacks may start or stop services and so
 * ask for more checks from inside this one; those are queued (a group,
 * or "everything") and run by the outermost call before it returns.
 */
static void run_checks(struct grp_engine *e)
{
	if (e->checking)
		return;
	e->checking = true;
	while (!e->close_pending && (e->rescan || e->npending)) {
		if (e->rescan) {
			e->rescan = false;
			scan_all(e);
			continue;
		}
		struct grp_group *g = e->pending[--e->npending];

		walk_up(e, g);
		grp_group_put(g);
	}
	while (e->npending)	/* the engine is closing: just let go */
		grp_group_put(e->pending[--e->npending]);
	e->checking = false;
	/* a callback asked for grp_engine_close(): nothing here uses the
	 * engine any more, so now it can go */
	if (e->close_pending)
		grp_engine_free(e, e->close_remove);
}

void grp_group_check(struct grp_group *g)
{
	struct grp_engine *e;

	if (!g)
		return;
	e = g->e;
	for (unsigned i = 0; i < e->npending; i++)
		if (e->pending[i] == g)
			goto run;	/* already asked for */
	if (e->npending == e->cappending) {
		unsigned cap = e->cappending ? e->cappending * 2 : 16;
		struct grp_group **v = realloc(e->pending, cap * sizeof(*v));

		if (!v) {
			e->rescan = true;	/* the slow way, but nothing is lost */
			goto run;
		}
		e->pending = v;
		e->cappending = cap;
	}
	e->pending[e->npending++] = grp_group_ref(g);
run:
	run_checks(e);
}

void grp_engine_check(struct grp_engine *e)
{
	e->rescan = true;
	run_checks(e);
}

unsigned long grp_engine_nchecks(const struct grp_engine *e)
{
	return e->nchecks;
}

/* Each event names the watch of one container's cgroup.events: check
 * that container's group (and the ancestors it may free), not all. */
static void inotify_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct grp_engine *e = w->data;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t r;

	(void)loop;
	(void)revents;
	for (;;) {
		r = read(e->inotify_fd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		for (char *p = buf; p < buf + r;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			struct grp_container *c = grp_watch_lookup(e, ev->wd);

			p += sizeof(*ev) + ev->len;
			/* a directory a delegated service made (delegate.c) */
			if (!c && grp_foreign_event(e, ev))
				continue;
			if (ev->mask & IN_Q_OVERFLOW)
				e->rescan = true;	/* events were lost */
			else if (ev->mask & IN_IGNORED)
				continue;		/* a watch went with its directory */
			else if (c && c->group)
				grp_group_check(c->group);
			else	/* unmapped, or a container no group holds */
				e->rescan = true;
			if (e->close_pending)
				return;
		}
	}
	if (r < 0 && errno != EAGAIN)
		log_warn_sys("read", "inotify");
	run_checks(e);
}

/* a group that v1 pruning looks at (grp_group_delegate() started the
 * timer for it) */
static bool v1_pruning(struct grp_engine *e)
{
	for (unsigned b = 0; b < GRP_HASH_BUCKETS; b++)
		for (struct grp_group *g = e->buckets[b]; g; g = g->hnext)
			if (g->prune && !g->released)
				for (unsigned i = 0; i < e->nhier; i++)
					if (!e->hier[i]->v2)
						return true;
	return false;
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct grp_engine *e = w->data;

	(void)revents;
	/* with events, only v1 pruning wants the timer; stopped before the
	 * check, which may free the engine (a release callback closing it) */
	if (grp_engine_event_driven(e) && e->cfg.poll_interval <= 0 && !v1_pruning(e))
		ev_timer_stop(loop, w);
	grp_engine_check(e);
}

int grp_engine_start(struct grp_engine *e, struct ev_loop *loop)
{
	bool any_v2 = false;
	double period;

	e->loop = loop;
	for (unsigned i = 0; i < e->nhier; i++)
		any_v2 |= e->hier[i]->v2;
	if (any_v2) {
		e->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		if (e->inotify_fd < 0) {
			log_warn_sys("create", "inotify instance; polling for release");
		} else {
			for (unsigned i = 0; i < e->nhier; i++)
				grp_container_watch_tree(e->hier[i]->root);
			ev_io_init(&e->inotify_io, inotify_cb, e->inotify_fd, EV_READ);
			e->inotify_io.data = e;
			ev_io_start(loop, &e->inotify_io);
		}
	}
	/* With events there is nothing to poll: idle means no wakeups.
	 * Without them, a periodic check is all there is. */
	period = e->cfg.poll_interval > 0 ? e->cfg.poll_interval : POLL_NO_EVENTS;
	ev_timer_init(&e->poll_timer, timer_cb, period, period);
	e->poll_timer.data = e;
	if (!grp_engine_event_driven(e) || e->cfg.poll_interval > 0)
		ev_timer_start(loop, &e->poll_timer);
	/* anything that emptied before the loop existed */
	grp_engine_check(e);
	return 0;
}

bool grp_engine_event_driven(const struct grp_engine *e)
{
	if (e->inotify_fd < 0)
		return false;
	/* v2: every hierarchy is cgroup2.  v1: the tracking tree's
	 * container sees every task of its group. */
	for (unsigned i = 0; i < e->nhier; i++)
		if (e->hier[i]->tracking)
			return true;
	for (unsigned i = 0; i < e->nhier; i++)
		if (!e->hier[i]->v2)
			return false;
	return true;
}
