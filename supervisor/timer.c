/*
 * supervisor/timer.c - the clocks and the one timer each service has.
 *
 * The state machine (state.c) reaches libev only through these four
 * functions, so its unit test can link the real state.o with a fake
 * clock and fire timers when it chooses.  A service needs one timer at a
 * time: start timeout in STARTING, stop timeout in STOPPING, the delay
 * in BACKOFF; arming replaces whatever was armed.
 */
#include "internal.h"

#include <time.h>

static void timer_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	svc_dispatch(w->data, SVC_EV_TIMER);
}

double svc_now(void)
{
	return ev_now(sup.o.loop);
}

double svc_mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void svc_timer_init(struct service *s)
{
	ev_init(&s->timer, timer_cb);
	s->timer.data = s;
}

void svc_timer_arm(struct service *s, double after)
{
	ev_timer_stop(sup.o.loop, &s->timer);
	ev_timer_set(&s->timer, after, 0);
	ev_timer_start(sup.o.loop, &s->timer);
}

void svc_timer_stop(struct service *s)
{
	ev_timer_stop(sup.o.loop, &s->timer);
}
