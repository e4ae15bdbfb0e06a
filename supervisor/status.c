/*
 * supervisor/status.c - what `initctl status` shows for a service: its
 * state, process and restart history, and its group as the grouping engine
 * sees it (path per hierarchy, cpus, numtasks, cpu time, processes).
 * Text is "key value" lines, one service per block; JSON is one object.
 */
#include "internal.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

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

/* JSON string body: escape quotes, backslashes and control bytes */
static void put_js(struct out *o, const char *s)
{
	put(o, "\"");
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			put(o, "\\%c", c);
		else if (c < 0x20)
			put(o, "\\u%04x", c);
		else
			put(o, "%c", c);
	}
	put(o, "\"");
}

struct facts {
	char last_exit[64];
	char exec_error[128];
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
	if (s->fail_stage)
		snprintf(f->exec_error, sizeof(f->exec_error), "stage %s: %s",
			 svc_stage_name(s->fail_stage), strerror(s->fail_errno));
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
	put(&o, "type %s\n", svc_type_name(s->def.type));
	put(&o, "pid %d\n", (int)s->pid);
	put(&o, "uptime %.1f\n", f.uptime);
	put(&o, "restarts %u\n", s->restarts);
	put(&o, "last_exit %s\n", f.last_exit);
	if (*f.exec_error)
		put(&o, "exec_error %s\n", f.exec_error);
	if (*s->status_text)
		put(&o, "status_text %s\n", s->status_text);
	put(&o, "group %s\n", s->grp_path);
	for (unsigned i = 0; i < nh && s->grp; i++) {
		struct grp_hier *h = grp_engine_hier(sup.o.engine, i);
		const char *kind = "tracking";
		char names[64] = "";
		size_t n = 0;

		for (int k = 0; k < GRP_SUBSYS_COUNT; k++)
			if (grp_hier_mask(h) & (1u << k))
				n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s",
						      n ? "," : "", grp_subsys_name(k));
		if (n)
			kind = names;
		put(&o, "path %s %s\n", kind, grp_container_path(grp_group_container(s->grp, i)));
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
			put(&o, "cpu_user_ms %llu\ncpu_system_ms %llu\n",
			    (unsigned long long)(f.st.user_ns / 1000000),
			    (unsigned long long)(f.st.system_ns / 1000000));
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
	    svc_reason_name(s->reason), svc_type_name(s->def.type));
	put(&o, ",\"pid\":%d,\"uptime\":%.1f,\"restarts\":%u,\"last_exit\":",
	    (int)s->pid, f.uptime, s->restarts);
	put_js(&o, f.last_exit);
	put(&o, ",\"exec_error\":");
	put_js(&o, f.exec_error);
	put(&o, ",\"status_text\":");
	put_js(&o, s->status_text);
	put(&o, ",\"group\":");
	put_js(&o, s->grp_path);
	put(&o, ",\"paths\":[");
	for (unsigned i = 0; i < nh && s->grp; i++) {
		put(&o, "%s", i ? "," : "");
		put_js(&o, grp_container_path(grp_group_container(s->grp, i)));
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
		put(&o, ",\"cpu_user_ms\":%llu,\"cpu_system_ms\":%llu",
		    (unsigned long long)(f.st.user_ns / 1000000),
		    (unsigned long long)(f.st.system_ns / 1000000));
	}
	put(&o, ",\"procs\":[");
	for (int i = 0; i < f.nprocs; i++)
		put(&o, "%s%d", i ? "," : "", (int)f.procs[i]);
	put(&o, "]}");
	return o.n;
}
