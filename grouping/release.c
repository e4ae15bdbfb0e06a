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
 * Triggers, cheapest first:
 *   - inotify IN_MODIFY on cgroup.events of cgroup2 containers ("populated"
 *     flips to 0 when the last task in the subtree exits).  On v1 every
 *     group also has a container in a controller-less cgroup2 tree, so
 *     the same event covers v1 hierarchies.
 *   - grp_engine_check() from the owner's SIGCHLD handler.
 *   - a periodic timer, coarse when events are available (a safety net
 *     for missed events) and finer when polling is all there is.
 * Each trigger re-checks every group that asked for notification: O(groups)
 * control-file reads, fine for the tens of services an init runs.
 */
#include "internal.h"
#include "../lib/log.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#define POLL_EVENTS 30.0	/* seconds, when the kernel sends events */
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

void grp_release_check_group(struct grp_group *g)
{
	if (g->release_cb && !g->released && grp_group_empty(g))
		(void)release(g);
}

void grp_engine_check(struct grp_engine *e)
{
	struct grp_group *batch[CHECK_BATCH];
	bool progress = true;

	/* Callbacks may start or stop services and so re-enter here; one
	 * level of checking is enough, the outer loop sees the effects. */
	if (e->checking)
		return;
	e->checking = true;
	/* Loop until nothing more is released: removing a child group can
	 * make its parent releasable in the same pass. */
	while (progress) {
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

			if (g->release_cb && !g->released && grp_group_empty(g) &&
			    release(g))
				progress = true;
			grp_group_put(g);
		}
	}
	e->checking = false;
}

static void inotify_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct grp_engine *e = w->data;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t r;

	(void)loop;
	(void)revents;
	/* drain: one check covers any number of queued events */
	do
		r = read(e->inotify_fd, buf, sizeof(buf));
	while (r > 0 || (r < 0 && errno == EINTR));
	if (r < 0 && errno != EAGAIN)
		log_warn_sys("read", "inotify");
	grp_engine_check(e);
}

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	grp_engine_check(w->data);
}

int grp_engine_start(struct grp_engine *e, struct ev_loop *loop)
{
	bool any_v2 = false;
	double period;

	e->loop = loop;
	for (unsigned i = 0; i < e->nhier; i++)
		any_v2 |= e->hier[i]->v2 && !e->hier[i]->plain;
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
	period = e->cfg.poll_interval > 0 ? e->cfg.poll_interval :
		 grp_engine_event_driven(e) ? POLL_EVENTS : POLL_NO_EVENTS;
	ev_timer_init(&e->poll_timer, timer_cb, period, period);
	e->poll_timer.data = e;
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
