/*
 * supervisor/status.c - what `initctl status` shows for a service: its
 * state, process and restart history, and its group as the grouping engine
 * sees it (path per hierarchy, every field its subsystems report, as
 * their descriptors say, and processes).  Text is "key value" lines, one
 * service per block; JSON is one object; one emitter writes both.
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
	char control[320];		/* "start-pre: /bin/x (pid N)", "" if none */
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
	if (s->state == SVC_RUNNING || s->state == SVC_STARTING || s->state == SVC_START_PRE ||
	    s->state == SVC_START_POST || s->state == SVC_RELOADING)
		f->uptime = ev_now(sup.o.loop) - s->started_at;
	/* the control command that runs now (ExecStartPre= ...) */
	if (s->ctl_pid > 0 && s->ctl_idx < s->def.cmds[s->ctl_kind].n)
		snprintf(f->control, sizeof(f->control), "%s: %s (pid %d)",
			 svc_cmd_kind_name(s->ctl_kind),
			 s->def.cmds[s->ctl_kind].v[s->ctl_idx].line, (int)s->ctl_pid);
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

/* The subsystems bound to hierarchy i ("a,b"), or "tracking"
 * for the controller-less tree that only watches for empty groups. */
static const char *hier_names(unsigned i, char *names, size_t len)
{
	struct grp_hier *h = grp_engine_hier(sup.o.engine, i);

	grp_subsys_mask_names(grp_hier_mask(h), false, names, len);
	return *names ? names : "tracking";
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
	if (s->state != SVC_DOWN && s->state != SVC_WAITING && s->state != SVC_BACKOFF &&
	    s->state != SVC_DONE && s->state != SVC_FAILED)
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

/*
 * One emitter, two renderings: text is "key value" lines, JSON one
 * object.  emit() below is the one list of what status says, so the two
 * cannot drift apart; where they differ by design it is said per call
 * (TEXT_IF_SET: text leaves an empty value out, JSON always has it).
 */
struct em {
	struct out o;
	bool json;
};

enum { ALWAYS = 0, TEXT_IF_SET = 1 };

static void em_key(struct em *e, const char *key)
{
	if (e->json) {
		put(&e->o, ",\"%s\":", key);
		return;
	}
	put(&e->o, "%s ", key);
}

static void em_str(struct em *e, const char *key, const char *v, int flags)
{
	if (!e->json && (flags & TEXT_IF_SET) && !*v)
		return;
	em_key(e, key);
	if (e->json)
		put_js(&e->o, v);
	else
		put(&e->o, "%s\n", v);
}

/* a number, the same text in both */
static void em_num(struct em *e, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void em_num(struct em *e, const char *key, const char *fmt, ...)
{
	char buf[64];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	em_key(e, key);
	put(&e->o, e->json ? "%s" : "%s\n", buf);
}

/* JSON true/false; text yes_text or "no" (or nothing, with TEXT_IF_SET) */
static void em_bool(struct em *e, const char *key, bool v, const char *yes_text, int flags)
{
	if (!e->json && (flags & TEXT_IF_SET) && !v)
		return;
	em_key(e, key);
	if (e->json)
		put(&e->o, "%s", v ? "true" : "false");
	else
		put(&e->o, "%s\n", v ? yes_text : "no");
}

static void emit(struct service *s, struct em *e)
{
	struct facts f;
	unsigned nh = grp_engine_nhier(sup.o.engine);
	const struct grp_field *gf;
	const struct grp_value *gv;
	struct grp_stat_iter it = { 0, 0 };
	char names[64], val[GRP_LIST_MAX + 8];

	gather(s, &f);
	if (e->json) {
		put(&e->o, "{\"name\":");
		put_js(&e->o, s->def.name);
	} else {
		put(&e->o, "service %s\n", s->def.name);
	}
	em_str(e, "description", s->def.description, TEXT_IF_SET);
	em_str(e, "state", svc_state_name(s->state), ALWAYS);
	em_str(e, "want", s->want == SVC_WANT_UP ? "up" : "down", ALWAYS);
	if (s->reason || e->json)
		em_str(e, "reason", svc_reason_name(s->reason), ALWAYS);
	em_str(e, "detail", s->detail ? s->detail : "", TEXT_IF_SET);
	em_bool(e, "enabled", svc_enabled(s), "yes", ALWAYS);
	em_bool(e, "changed", s->pending, "yes (restart to apply)", TEXT_IF_SET);
	em_bool(e, "removed", s->removed, "yes (dropped once down)", TEXT_IF_SET);
	em_str(e, "type", s->def.target ? "target" : svc_type_name(s->def.type), ALWAYS);
	if (s->def.target)	/* a target runs nothing: "running" means reached */
		em_bool(e, "reached", s->state == SVC_RUNNING, "yes", ALWAYS);
	em_num(e, "pid", "%d", (int)s->pid);
	em_str(e, "control", f.control, TEXT_IF_SET);
	em_num(e, "uptime", "%.1f", f.uptime);
	em_num(e, "restarts", "%u", s->restarts);
	em_str(e, "last_exit", f.last_exit, ALWAYS);
	em_str(e, "exec_error", f.exec_error, TEXT_IF_SET);
	em_str(e, "status_text", s->status_text, TEXT_IF_SET);
	put_since(&e->o, s, e->json);
	if (!s->def.target || e->json)	/* a target has no group */
		em_str(e, "group", s->grp_path, ALWAYS);
	put_timeline(&e->o, s, e->json);
	/* where the group is, per hierarchy: text "path SUBSYSTEMS DIR"
	 * lines; JSON "paths" (older clients) and "hierarchies" */
	if (e->json) {
		put(&e->o, ",\"paths\":[");
		for (unsigned i = 0; i < nh && s->grp; i++) {
			put(&e->o, "%s", i ? "," : "");
			put_js(&e->o, grp_container_path(grp_group_container(s->grp, i)));
		}
		put(&e->o, "],\"hierarchies\":[");
	}
	for (unsigned i = 0; i < nh && s->grp; i++) {
		const char *dir = grp_container_path(grp_group_container(s->grp, i));
		const char *hn = hier_names(i, names, sizeof(names));

		if (!e->json) {
			put(&e->o, "path %s %s\n", hn, dir);
			continue;
		}
		put(&e->o, "%s{\"subsystems\":", i ? "," : "");
		put_js(&e->o, hn);
		put(&e->o, ",\"path\":");
		put_js(&e->o, dir);
		put(&e->o, "}");
	}
	if (e->json)
		put(&e->o, "]");
	/* whatever every subsystem reports, as its descriptor says */
	while (f.have_stats && grp_stats_next(&f.st, &it, &gf, &gv)) {
		em_key(e, gf->name);
		put(&e->o, e->json ? "%s" : "%s\n",
		    grp_value_format(gf, gv, e->json, val, sizeof(val)));
	}
	if (e->json) {
		put(&e->o, ",\"procs\":[");
		for (int i = 0; i < f.nprocs; i++)
			put(&e->o, "%s%d", i ? "," : "", (int)f.procs[i]);
		put(&e->o, "]}");
		return;
	}
	put(&e->o, "procs");
	for (int i = 0; i < f.nprocs; i++)
		put(&e->o, " %d", (int)f.procs[i]);
	put(&e->o, "\n");
}

size_t svc_status_text(struct service *s, char *buf, size_t len)
{
	struct em e = { { buf, len, 0 }, false };

	emit(s, &e);
	return e.o.n;
}

size_t svc_status_json(struct service *s, char *buf, size_t len)
{
	struct em e = { { buf, len, 0 }, true };

	emit(s, &e);
	return e.o.n;
}
