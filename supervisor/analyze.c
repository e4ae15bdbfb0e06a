/*
 * supervisor/analyze.c - `initctl analyze blame | critical-chain [NAME] |
 * plot`: the boot (or the last start of each service) from corral's own
 * record, the per-service transition history in corral's monotonic clock.
 *
 * For a service: "requested" is its last start request, "started" its
 * first entry into starting after that, "ready" its first entry into
 * running (or done, a oneshot) after that.  Times print relative to the
 * earliest request or transition of all services (vw_origin).
 */
#include "views.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int by_name(const void *a, const void *b)
{
	const struct vw_svc *x = *(struct vw_svc *const *)a, *y = *(struct vw_svc *const *)b;

	return strcmp(x->name, y->name);
}

static int by_blame(const void *a, const void *b)
{
	const struct vw_svc *x = *(struct vw_svc *const *)a, *y = *(struct vw_svc *const *)b;
	double dx = vw_ready(x) >= 0 ? vw_ready(x) - x->start_requested : -1;
	double dy = vw_ready(y) >= 0 ? vw_ready(y) - y->start_requested : -1;

	if (dx != dy)
		return dx < dy ? 1 : -1;
	return strcmp(x->name, y->name);
}

static struct vw_svc **sorted(struct vw_status *st, int (*cmp)(const void *, const void *))
{
	struct vw_svc **v = calloc(st->n ? st->n : 1, sizeof(*v));

	if (!v) {
		fprintf(stderr, "initctl: out of memory\n");
		exit(1);
	}
	for (unsigned i = 0; i < st->n; i++)
		v[i] = &st->svc[i];
	qsort(v, st->n, sizeof(*v), cmp);
	return v;
}

/* ---- blame ---------------------------------------------------------- */

static int blame(struct vw_status *st)
{
	struct vw_svc **v = sorted(st, by_blame);

	printf("%9s %9s  %-24s %s\n", "READY", "WAITED", "SERVICE", "STATE");
	for (unsigned i = 0; i < st->n; i++) {
		const struct vw_svc *s = v[i];
		double r = vw_ready(s), w = vw_started(s);
		char a[32] = "-", b[32] = "-";

		if (r >= 0)
			snprintf(a, sizeof(a), "%.3fs", r - s->start_requested);
		if (w >= 0)
			snprintf(b, sizeof(b), "%.3fs", w - s->start_requested);
		printf("%9s %9s  %-24s %s%s\n", a, b, s->name, s->state,
		       s->start_requested > 0 ? "" : " (never started)");
	}
	free(v);
	return 0;
}

/* ---- critical-chain ------------------------------------------------- */

static void chain(struct vw_status *st, struct vw_svc *s, double origin, int depth,
		  unsigned char *seen)
{
	double r = vw_ready(s), w = vw_started(s);
	struct vw_svc *next = NULL;
	double next_r = -1;

	seen[s - st->svc] = 1;
	printf("%*s%s%s @%.3fs +%.3fs\n", depth ? 2 * (depth - 1) : 0, "", depth ? "`-" : "",
	       s->name, r - origin, r - (w >= 0 ? w : s->start_requested));
	/* of what s waited for, what became ready last, before s started */
	for (unsigned k = 0; k < s->nafter + s->nrequires; k++) {
		const char *dn = k < s->nafter ? s->after[k] : s->requires[k - s->nafter];
		struct vw_svc *d = vw_find(st, dn);
		double dr;

		if (!d || seen[d - st->svc] || (dr = vw_ready(d)) < 0)
			continue;
		if (w >= 0 && dr > w + 1e-6)
			continue;
		if (dr > next_r) {
			next_r = dr;
			next = d;
		}
	}
	if (next)
		chain(st, next, origin, depth + 1, seen);
}

static int critical_chain(struct vw_status *st, const char *name)
{
	struct vw_svc *s = NULL;
	unsigned char *seen;

	if (name) {
		s = vw_find(st, name);
		if (!s) {
			fprintf(stderr, "initctl: analyze critical-chain: no service named %s\n", name);
			return 1;
		}
		if (vw_ready(s) < 0) {
			fprintf(stderr, "initctl: analyze critical-chain: %s has not been ready "
				"since its last start request (state %s)\n", name, s->state);
			return 1;
		}
	} else {
		/* the service that became ready last ended the boot */
		for (unsigned i = 0; i < st->n; i++)
			if (vw_ready(&st->svc[i]) >= 0 && (!s || vw_ready(&st->svc[i]) > vw_ready(s)))
				s = &st->svc[i];
		if (!s) {
			fprintf(stderr, "initctl: analyze critical-chain: no service has been ready\n");
			return 1;
		}
	}
	seen = calloc(st->n, 1);
	if (!seen) {
		fprintf(stderr, "initctl: out of memory\n");
		return 1;
	}
	printf("The time when a service became ready is after \"@\", "
	       "the time it took to start after \"+\".\n\n");
	chain(st, s, vw_origin(st), 0, seen);
	free(seen);
	return 0;
}

/* ---- plot ----------------------------------------------------------- */

static const struct { const char *fill, *label; } state_look[SVC_NSTATES] = {
	[SVC_DOWN] = { "#9e9e9e", "down" },	[SVC_WAITING] = { "#cfd8dc", "waiting" },
	[SVC_STARTING] = { "#ffc107", "starting" }, [SVC_RUNNING] = { "#43a047", "running" },
	[SVC_STOPPING] = { "#fb8c00", "stopping" }, [SVC_BACKOFF] = { "#8e24aa", "backoff" },
	[SVC_DONE] = { "#1e88e5", "done" },	[SVC_FAILED] = { "#e53935", "failed" },
};

static const char *fill_of(int st)
{
	return st >= 0 && st < SVC_NSTATES ? state_look[st].fill : "#000000";
}

/* text for XML character data and attribute values */
static void xml_text(const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", stdout); break;
		case '<': fputs("&lt;", stdout); break;
		case '>': fputs("&gt;", stdout); break;
		case '"': fputs("&quot;", stdout); break;
		case '\'': fputs("&apos;", stdout); break;
		default:
			/* control characters are not allowed in XML 1.0 */
			putchar((unsigned char)*s < 0x20 ? '?' : *s);
		}
	}
}

static bool idle(int st)
{
	return st == SVC_DOWN || st == SVC_FAILED || st == SVC_DONE;
}

/* Where the bar of s ends: at ready if it is up now; for one that has
 * stopped since, at its last transition; still on its way: now. */
static double bar_end(const struct vw_svc *s)
{
	double r = vw_ready(s);

	if (s->st == SVC_RUNNING && r >= 0)
		return r;
	if (idle(s->st) && s->nhist)
		return s->hist[s->nhist - 1].t;
	return s->now_mono;
}

/* a step of 1, 2 or 5 times a power of ten giving at most n ticks */
static double tick_step(double span, int n)
{
	static const double m[] = { 1, 2, 5 };

	for (double p = 0.001;; p *= 10)
		for (int i = 0; i < 3; i++)
			if (span / (m[i] * p) <= n)
				return m[i] * p;
}

#define PX_LEFT 10.0
#define PX_TOP 60.0
#define PX_ROW 24.0
#define PX_CHART 640.0
#define PX_LABELS 460.0

static int plot(struct vw_status *st)
{
	struct vw_svc **v = sorted(st, by_name);
	double origin = vw_origin(st), end = origin, scale, step, last_ready = -1;
	unsigned n = st->n, nrows = 0;
	double *row_y = calloc(n ? n : 1, sizeof(*row_y));
	double height;

	if (!row_y) {
		fprintf(stderr, "initctl: out of memory\n");
		return 1;
	}
	/* rows in the order of the start requests; never started last */
	for (unsigned i = 1; i < n; i++)
		for (unsigned j = i; j > 0; j--) {
			double a = v[j - 1]->start_requested, b = v[j]->start_requested;

			if ((a > 0 && b > 0 && b < a) || (a <= 0 && b > 0)) {
				struct vw_svc *t = v[j];

				v[j] = v[j - 1];
				v[j - 1] = t;
			}
		}
	for (unsigned i = 0; i < n; i++) {
		double r = vw_ready(v[i]);

		if (v[i]->start_requested > 0 && bar_end(v[i]) > end)
			end = bar_end(v[i]);
		if (r > last_ready)
			last_ready = r;
		row_y[v[i] - st->svc] = PX_TOP + PX_ROW * nrows++;
	}
	if (end - origin < 0.1)
		end = origin + 0.1;
	scale = PX_CHART / (end - origin);
	step = tick_step(end - origin, 10);
	height = PX_TOP + PX_ROW * nrows + 70;

	printf("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	       "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" "
	       "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" "
	       "font-family=\"sans-serif\" font-size=\"12\">\n",
	       PX_LEFT * 2 + PX_CHART + PX_LABELS, height, PX_LEFT * 2 + PX_CHART + PX_LABELS, height);
	printf("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" "
	       "markerWidth=\"6\" markerHeight=\"6\" orient=\"auto\">"
	       "<path d=\"M0,0 L10,5 L0,10 z\" fill=\"#546e7a\"/></marker></defs>\n");
	printf("<rect x=\"0\" y=\"0\" width=\"100%%\" height=\"100%%\" fill=\"#ffffff\"/>\n");
	printf("<text x=\"%.0f\" y=\"20\" font-size=\"15\" font-weight=\"bold\">corral: %u services",
	       PX_LEFT, n);
	if (last_ready >= 0)
		printf(", last ready at %.3fs", last_ready - origin);
	printf("</text>\n<text x=\"%.0f\" y=\"36\" fill=\"#555555\">time from the first start "
	       "request (corral's monotonic clock %.3fs); bar: request to ready, or to stop</text>\n",
	       PX_LEFT, origin);
	/* the time axis */
	for (int i = 0; i * step <= end - origin + 1e-9; i++) {
		double t = i * step, x = PX_LEFT + t * scale;

		printf("<line x1=\"%.1f\" y1=\"%.0f\" x2=\"%.1f\" y2=\"%.0f\" stroke=\"#e0e0e0\"/>"
		       "<text x=\"%.1f\" y=\"%.0f\" fill=\"#777777\" font-size=\"10\">%gs</text>\n",
		       x, PX_TOP - 8, x, PX_TOP + PX_ROW * nrows, x + 2, PX_TOP - 10, t);
	}
	/* dependency lines first, under the bars: from the dependency's
	 * ready point to where the dependent started */
	for (unsigned i = 0; i < n; i++) {
		const struct vw_svc *s = &st->svc[i];
		double sx = vw_started(s);

		if (s->start_requested <= 0)
			continue;
		if (sx < 0)
			sx = s->start_requested;
		for (unsigned k = 0; k < s->nafter + s->nrequires; k++) {
			bool req = k >= s->nafter;
			const char *dn = req ? s->requires[k - s->nafter] : s->after[k];
			struct vw_svc *d = vw_find(st, dn);
			double dt;

			if (!d || d->start_requested <= 0)
				continue;
			/* a name in both After= and Requires= is drawn once, solid */
			if (!req) {
				bool dup = false;

				for (unsigned j = 0; j < s->nrequires; j++)
					dup |= !strcmp(s->requires[j], dn);
				if (dup)
					continue;
			}
			dt = vw_ready(d) >= 0 ? vw_ready(d) : bar_end(d);
			/* only what s could have waited for: a dependency
			 * restarted after s started is not why s started then */
			if (dt > sx + 1e-6)
				continue;
			printf("<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#546e7a\" "
			       "stroke-width=\"1\"%s marker-end=\"url(#arrow)\"/>\n",
			       PX_LEFT + (dt - origin) * scale, row_y[d - st->svc] + PX_ROW / 2,
			       PX_LEFT + (sx - origin) * scale, row_y[i] + PX_ROW / 2,
			       req ? "" : " stroke-dasharray=\"3,2\"");
		}
	}
	for (unsigned i = 0; i < n; i++) {
		const struct vw_svc *s = v[i];
		double y = row_y[s - st->svc], t = s->start_requested, stop = bar_end(s), x_end;
		int cur = SVC_WAITING;

		printf("<g><title>");
		xml_text(s->name);
		printf(": %s</title>\n", s->state);
		if (t > 0) {
			/* one rectangle per state between the transitions */
			for (unsigned k = 0; k <= s->nhist; k++) {
				double t2 = k < s->nhist ? s->hist[k].t : stop;

				if (k < s->nhist && s->hist[k].t < s->start_requested)
					continue;
				if (t2 > stop)
					t2 = stop;
				if (t2 > t)
					printf("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.0f\" "
					       "fill=\"%s\"/>\n", PX_LEFT + (t - origin) * scale, y + 3,
					       (t2 - t) * scale, PX_ROW - 6, fill_of(cur));
				if (k == s->nhist || t2 >= stop)
					break;
				t = t2;
				cur = s->hist[k].st;
			}
			x_end = PX_LEFT + (stop - origin) * scale;
			/* the state it is in now, as a cap at the end of the bar */
			printf("<rect x=\"%.1f\" y=\"%.1f\" width=\"4\" height=\"%.0f\" fill=\"%s\" "
			       "stroke=\"#333333\" stroke-width=\"0.5\"/>\n",
			       x_end, y + 3, PX_ROW - 6, fill_of(s->st));
		} else {
			x_end = PX_LEFT;
		}
		/* a white halo keeps the label readable over the arrows */
		printf("<text x=\"%.1f\" y=\"%.1f\" stroke=\"#ffffff\" stroke-width=\"3\" "
		       "paint-order=\"stroke\">", x_end + 8, y + PX_ROW / 2 + 4);
		xml_text(s->name);
		printf(" <tspan fill=\"#555555\">%s", s->state);
		if (vw_ready(s) >= 0)
			printf(" +%.3fs", vw_ready(s) - s->start_requested);
		if (s->start_requested <= 0)
			printf(", never started");
		if (s->have_cpu)
			printf(", cpu %.2fs", (double)s->usage_ns / 1e9);
		if (*s->cpus) {
			printf(", cpus ");
			xml_text(s->cpus);
		}
		if (*s->group && strcmp(s->group, s->name)) {
			printf(", group ");
			xml_text(s->group);
		}
		printf("</tspan></text></g>\n");
	}
	/* legend */
	for (int k = 0; k < SVC_NSTATES; k++) {
		double x = PX_LEFT + k * 90, y = PX_TOP + PX_ROW * nrows + 25;

		printf("<rect x=\"%.0f\" y=\"%.0f\" width=\"14\" height=\"12\" fill=\"%s\"/>"
		       "<text x=\"%.0f\" y=\"%.0f\">%s</text>\n",
		       x, y, state_look[k].fill, x + 18, y + 10, state_look[k].label);
	}
	printf("<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#546e7a\" "
	       "marker-end=\"url(#arrow)\"/><text x=\"%.0f\" y=\"%.0f\">Requires=</text>\n"
	       "<line x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" y2=\"%.0f\" stroke=\"#546e7a\" "
	       "stroke-dasharray=\"3,2\" marker-end=\"url(#arrow)\"/><text x=\"%.0f\" y=\"%.0f\">"
	       "After=</text>\n",
	       PX_LEFT, height - 15, PX_LEFT + 30, height - 15, PX_LEFT + 36, height - 11,
	       PX_LEFT + 120, height - 15, PX_LEFT + 150, height - 15, PX_LEFT + 156, height - 11);
	printf("</svg>\n");
	free(row_y);
	free(v);
	return fflush(stdout) ? 1 : 0;
}

int vw_analyze(int argc, char **argv)
{
	struct vw_status st;
	const char *what = argc > 1 ? argv[1] : "";
	int rc;

	if (strcmp(what, "blame") && strcmp(what, "critical-chain") && strcmp(what, "plot")) {
		fprintf(stderr, "initctl: analyze: %s%s%s\nusage: initctl analyze blame | "
			"critical-chain [NAME] | plot\n", *what ? "unknown view '" : "a view is needed",
			what, *what ? "'" : "");
		return 2;
	}
	if (argc > (strcmp(what, "critical-chain") ? 2 : 3)) {
		fprintf(stderr, "initctl: analyze %s: unexpected argument '%s'\n", what,
			argv[argc - 1]);
		return 2;
	}
	rc = vw_fetch(&st);
	if (rc)
		return rc;
	if (!strcmp(what, "blame"))
		rc = blame(&st);
	else if (!strcmp(what, "critical-chain"))
		rc = critical_chain(&st, argc > 2 ? argv[2] : NULL);
	else
		rc = plot(&st);
	vw_free(&st);
	return rc;
}
