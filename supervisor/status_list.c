/*
 * supervisor/status_list.c - the summary block of a service: what
 * `initctl list` shows (name, description, state, main pid, uptime,
 * tasks, cpu time) and nothing else.
 *
 * Status of every service is answered inside PID 1's loop, and its cost
 * is the control files it reads: the full block (status.c) reads about a
 * dozen per service (cpuset lists, three numtasks files, three cpuacct
 * files, cgroup.procs in every hierarchy), so 500 services kept the loop
 * busy for a few hundred ms.  The summary reads what each subsystem's
 * summary op reads (a file or so) and no cgroup.procs; the keys are
 * status.c's, so one parser reads both.
 */
#include "internal.h"

#include <stdio.h>
#include <time.h>

size_t svc_status_summary(struct service *s, char *buf, size_t len)
{
	struct grp_stats st;
	struct grp_stat_iter it = { 0, 0 };
	const struct grp_field *f;
	const struct grp_value *v;
	struct timespec ts;
	size_t n;
	bool active = s->state == SVC_RUNNING || s->state == SVC_STARTING;
	int r;

	if (s->grp)
		grp_group_stats_summary(s->grp, &st);
	else
		st.have = 0;
	r = snprintf(buf, len, "service %s\n%s%s%sstate %s\npid %d\nuptime %.1f\n",
		     s->def.name, *s->def.description ? "description " : "",
		     s->def.description, *s->def.description ? "\n" : "",
		     svc_state_name(s->state), (int)s->pid,
		     active ? ev_now(sup.o.loop) - s->started_at : 0.0);
	n = r < 0 ? 0 : (size_t)r;
	/* a target runs nothing: the list shows it "reached" (status.c) */
	if (s->def.target && n < len) {
		r = snprintf(buf + n, len - n, "type target\nreached %s\n",
			     s->state == SVC_RUNNING ? "yes" : "no");
		n += r < 0 ? 0 : (size_t)r;
	}
	/* an active or stopping run's start, in wall-clock time (status.c) */
	if ((active || s->state == SVC_STOPPING) && n < len &&
	    clock_gettime(CLOCK_REALTIME, &ts) == 0) {
		double real = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;

		r = snprintf(buf + n, len - n, "started_at_realtime %.3f\n",
			     real - (svc_now() - s->started_at));
		n += r < 0 ? 0 : (size_t)r;
	}
	while (grp_stats_next(&st, &it, &f, &v) && n < len) {
		char val[GRP_LIST_MAX + 8];

		r = snprintf(buf + n, len - n, "%s %s\n", f->name,
			     grp_value_format(f, v, false, val, sizeof(val)));
		n += r < 0 ? 0 : (size_t)r;
	}
	return n < len ? n : len ? len - 1 : 0;
}
