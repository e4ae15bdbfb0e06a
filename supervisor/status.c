/*
 * supervisor/status.c - what `initctl status` shows for a service: its
 * state, process and restart history, and its group as the grouping engine
 * sees it (path per hierarchy, cpus, numtasks, cpu time, processes).
 * Text is "key value" lines, one service per block; JSON is one object.
 */
#include "internal.h"
#include "../lib/json.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

struct out {
	char *buf;
	size_t len, n;
};

static void put(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (o->n >= o->len)
		return;
	va_start(ap, fmt);
	r = vsnprintf(o->buf + o->n, o->len - o->n, fmt, ap);
	va_end(ap);
	if (r > 0)
		o->n += (size_t)r < o->len - o->n ? (size_t)r : o->len - o->n - 1;
}

/* A JSON string literal through the one escaper (lib/json.h): valid
 * UTF-8 whatever bytes s holds.  Like put(), a literal that does not fit
 * fills the buffer, which the caller sees as o->n == o->len - 1. */
static void put_js(struct out *o, const char *s)
{
	size_t need;

	if (o->n >= o->len)
		return;
	need = json_quote(o->buf + o->n, o->len - o->n, s, strlen(s));
	if (need < o->len - o->n) {
		o->n += need;
		return;
	}
	/* full: the caller sees n == len - 1 and asks again with more room */
	o->n += strlen(o->buf + o->n);
	memset(o->buf + o->n, ' ', o->len - 1 - o->n);
	o->n = o->len - 1;
	o->buf[o->n] = '\0';
}

struct facts {
	char last_exit[64];
	char exec_error[320];
	double uptime;
	struct grp_stats st;
	bool have_stats;
	pid_t procs[64];
	int nprocs;
};

static void gather(struct service *s, struct facts *f)
{
	memset(f, 0, sizeof(*f));
	svc_describe_status(s->last_status, f->last_exit, sizeof(f->last_exit));
	svc_exec_error(s, f->exec_error, sizeof(f->exec_error));
	if (s->state == SVC_RUNNING || s->state == SVC_STARTING)
		f->uptime = ev_now(sup.o.loop) - s->started_at;
	if (s->grp) {
		f->have_stats = grp_group_stats(s->grp, &f->st) == 0;
		f->nprocs = grp_group_procs(s->grp, f->procs, 64);
		if (f->nprocs > 64)
			f->nprocs = 64;
		if (f->nprocs < 0)
			f->nprocs = 0;
	}
}

/* For the client-side views (initctl top/analyze/metrics): corral's
 * monotonic clock now, the last start request, the bounded transition
 * history oldest first, and the dependency names.  Text: "key v1 v2 ..."
 * lines; JSON: the same as members.  Times are svc_mono() seconds. */
static void put_timeline(struct out *o, const struct service *s, bool json)
{
	unsigned first = s->nhist > SVC_HIST_MAX ? s->nhist - SVC_HIST_MAX : 0;
	/* after, requires, the enum svc_rel kinds ("wants", "partof", ...),
	 * then the aliases */
	const char *key[SVC_NREL + 3] = { "after", "requires" };
	char **lists[SVC_NREL + 3] = { s->def.after, s->def.requires }, lower[SVC_NREL][16];
	unsigned nd[SVC_NREL + 3] = { s->def.nafter, s->def.nrequires };

	for (int r = 0; r < SVC_NREL; r++) {
		const char *k = svc_rel_key((enum svc_rel)r);
		size_t j;

		for (j = 0; k[j] && j + 1 < sizeof(lower[r]); j++)
			lower[r][j] = (char)tolower((unsigned char)k[j]);
		lower[r][j] = '\0';
		key[2 + r] = lower[r];
		lists[2 + r] = s->def.rel[r];
		nd[2 + r] = s->def.nrel[r];
	}
	key[SVC_NREL + 2] = "alias";
	lists[SVC_NREL + 2] = s->def.alias;
	nd[SVC_NREL + 2] = s->def.nalias;

	put(o, json ? ",\"now_mono\":%.6f,\"start_requested\":%.6f,\"history\":[" :
		      "now_mono %.6f\nstart_requested %.6f\nhistory", svc_mono(), s->start_requested);
	for (unsigned i = first; i < s->nhist; i++) {
		const struct svc_hist *h = &s->hist[i % SVC_HIST_MAX];

		put(o, json ? "%s{\"t\":%.6f,\"state\":\"%s\"}" : "%s%.6f %s",
		    json ? (i > first ? "," : "") : " ", h->t, svc_state_name(h->st));
	}
	put(o, json ? "]" : "\n");
	for (int k = 0; k < SVC_NREL + 3; k++) {
		if (!json && !nd[k])
			continue;
		put(o, json ? ",\"%s\":[" : "%s", key[k]);
		for (unsigned i = 0; i < nd[k]; i++) {
			const char *name = lists[k][i];

			if (json) {
				put(o, "%s", i ? "," : "");
				put_js(o, name);
			} else {
				put(o, " %s", name);
			}
		}
		put(o, json ? "]" : "\n");
	}
}

/* The subsystems bound to hierarchy i ("cpuset,cpuacct"), or "tracking"
 * for the controller-less tree that only watches for empty groups. */
static const char *hier_names(unsigned i, char *names, size_t len)
{
	struct grp_hier *h = grp_engine_hier(sup.o.engine, i);
	size_t n = 0;

	names[0] = '\0';
	for (int k = 0; k < GRP_SUBSYS_COUNT && n < len; k++)
		if (grp_hier_mask(h) & (1u << k))
			n += (size_t)snprintf(names + n, len - n, "%s%s",
					      n ? "," : "", grp_subsys_name(k));
	return n ? names : "tracking";
}

/* Wall-clock times for people (initctl status shows "since <time>"):
 * started_at_realtime, the current run's fork (starting/running/stopping
 * only), and state_since_realtime, when the current state was entered.
 * Derived from corral's monotonic clocks and CLOCK_REALTIME now, so a
 * clock step since then does not make them lie about the durations. */
static void put_since(struct out *o, const struct service *s, bool json)
{
	struct timespec ts;
	double real, since = -1, started = -1;

	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return;
	real = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	if (s->nhist)
		since = real - (svc_mono() - s->hist[(s->nhist - 1) % SVC_HIST_MAX].t);
	if (s->state == SVC_RUNNING || s->state == SVC_STARTING || s->state == SVC_STOPPING)
		started = real - (svc_now() - s->started_at);
	if (json) {
		put(o, ",\"state_since_realtime\":%.3f,\"started_at_realtime\":%.3f",
		    since > 0 ? since : 0, started > 0 ? started : 0);
		return;
	}
	if (since > 0)
		put(o, "state_since_realtime %.3f\n", since);
	if (started > 0)
		put(o, "started_at_realtime %.3f\n", started);
}

size_t svc_status_text(struct service *s, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	struct facts f;
	unsigned nh = grp_engine_nhier(sup.o.engine);

	gather(s, &f);
	put(&o, "service %s\n", s->def.name);
	if (*s->def.description)
		put(&o, "description %s\n", s->def.description);
	put(&o, "state %s\n", svc_state_name(s->state));
	put(&o, "want %s\n", s->want == SVC_WANT_UP ? "up" : "down");
	if (s->reason)
		put(&o, "reason %s\n", svc_reason_name(s->reason));
	if (s->detail)
		put(&o, "detail %s\n", s->detail);
	put(&o, "enabled %s\n", svc_enabled(s) ? "yes" : "no");
	if (s->pending)
		put(&o, "changed yes (restart to apply)\n");
	if (s->removed)
		put(&o, "removed yes (dropped once down)\n");
	put(&o, "type %s\n", s->def.target ? "target" : svc_type_name(s->def.type));
	if (s->def.target)	/* a target runs nothing: "running" means reached */
		put(&o, "reached %s\n", s->state == SVC_RUNNING ? "yes" : "no");
	put(&o, "pid %d\n", (int)s->pid);
	put(&o, "uptime %.1f\n", f.uptime);
	put(&o, "restarts %u\n", s->restarts);
	put(&o, "last_exit %s\n", f.last_exit);
	if (*f.exec_error)
		put(&o, "exec_error %s\n", f.exec_error);
	if (*s->status_text)
		put(&o, "status_text %s\n", s->status_text);
	put_since(&o, s, false);
	if (!s->def.target)	/* a target has no group */
		put(&o, "group %s\n", s->grp_path);
	put_timeline(&o, s, false);
	for (unsigned i = 0; i < nh && s->grp; i++) {
		char names[64];

		put(&o, "path %s %s\n", hier_names(i, names, sizeof(names)),
		    grp_container_path(grp_group_container(s->grp, i)));
	}
	if (f.have_stats) {
		if (f.st.have & (1u << GRP_SUBSYS_cpuset))
			put(&o, "cpus %s\nmems %s\n", f.st.cpus_effective, f.st.mems_effective);
		if (f.st.have & (1u << GRP_SUBSYS_numtasks)) {
			put(&o, "numtasks_current %lld\n", f.st.numtasks_current);
			if (f.st.numtasks_max == GRP_NUMTASKS_MAX)
				put(&o, "numtasks_max max\n");
			else
				put(&o, "numtasks_max %lld\n", f.st.numtasks_max);
			put(&o, "fork_failures %llu\n", (unsigned long long)f.st.fork_failures);
		}
		if (f.st.have & (1u << GRP_SUBSYS_cpuacct))
			put(&o, "cpu_user_ms %llu\ncpu_system_ms %llu\ncpu_usage_ns %llu\n",
			    (unsigned long long)(f.st.user_ns / 1000000),
			    (unsigned long long)(f.st.system_ns / 1000000),
			    (unsigned long long)f.st.usage_ns);
	}
	put(&o, "procs");
	for (int i = 0; i < f.nprocs; i++)
		put(&o, " %d", (int)f.procs[i]);
	put(&o, "\n");
	return o.n;
}

size_t svc_status_json(struct service *s, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };
	struct facts f;
	unsigned nh = grp_engine_nhier(sup.o.engine);

	gather(s, &f);
	put(&o, "{\"name\":");
	put_js(&o, s->def.name);
	put(&o, ",\"description\":");
	put_js(&o, s->def.description);
	put(&o, ",\"state\":\"%s\",\"want\":\"%s\",\"reason\":\"%s\",\"type\":\"%s\"",
	    svc_state_name(s->state), s->want == SVC_WANT_UP ? "up" : "down",
	    svc_reason_name(s->reason), s->def.target ? "target" : svc_type_name(s->def.type));
	if (s->def.target)
		put(&o, ",\"reached\":%s", s->state == SVC_RUNNING ? "true" : "false");
	put(&o, ",\"pid\":%d,\"uptime\":%.1f,\"restarts\":%u,\"last_exit\":",
	    (int)s->pid, f.uptime, s->restarts);
	put_js(&o, f.last_exit);
	put(&o, ",\"exec_error\":");
	put_js(&o, f.exec_error);
	put(&o, ",\"status_text\":");
	put_js(&o, s->status_text);
	put(&o, ",\"detail\":");
	put_js(&o, s->detail ? s->detail : "");
	put(&o, ",\"enabled\":%s,\"changed\":%s,\"removed\":%s", svc_enabled(s) ? "true" : "false",
	    s->pending ? "true" : "false", s->removed ? "true" : "false");
	put(&o, ",\"group\":");
	put_js(&o, s->grp_path);
	put_timeline(&o, s, true);
	put_since(&o, s, true);
	put(&o, ",\"paths\":[");
	for (unsigned i = 0; i < nh && s->grp; i++) {
		put(&o, "%s", i ? "," : "");
		put_js(&o, grp_container_path(grp_group_container(s->grp, i)));
	}
	/* the same paths with the hierarchy each belongs to ("paths" stays
	 * for older clients) */
	put(&o, "],\"hierarchies\":[");
	for (unsigned i = 0; i < nh && s->grp; i++) {
		char names[64];

		put(&o, "%s{\"subsystems\":", i ? "," : "");
		put_js(&o, hier_names(i, names, sizeof(names)));
		put(&o, ",\"path\":");
		put_js(&o, grp_container_path(grp_group_container(s->grp, i)));
		put(&o, "}");
	}
	put(&o, "]");
	if (f.have_stats) {
		put(&o, ",\"cpus\":");
		put_js(&o, f.st.cpus_effective);
		put(&o, ",\"mems\":");
		put_js(&o, f.st.mems_effective);
		put(&o, ",\"numtasks_current\":%lld,\"numtasks_max\":%lld,\"fork_failures\":%llu",
		    f.st.numtasks_current, f.st.numtasks_max,
		    (unsigned long long)f.st.fork_failures);
		put(&o, ",\"cpu_user_ms\":%llu,\"cpu_system_ms\":%llu,\"cpu_usage_ns\":%llu",
		    (unsigned long long)(f.st.user_ns / 1000000),
		    (unsigned long long)(f.st.system_ns / 1000000),
		    (unsigned long long)f.st.usage_ns);
	}
	put(&o, ",\"procs\":[");
	for (int i = 0; i < f.nprocs; i++)
		put(&o, "%s%d", i ? "," : "", (int)f.procs[i]);
	put(&o, "]}");
	return o.n;
}
