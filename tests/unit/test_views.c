/*
 * tests/unit/test_views.c - initctl's views (issue 15) on a status answer
 * written here, so every number is known: the parser and its errors,
 * blame order, the critical chain (a dependency restarted after its
 * dependent started is not on it), metrics values and label escaping,
 * the plot's XML escaping, top's CPU% from two samples and one row per
 * group.  The views are linked into initctl only, so their files are
 * included here.
 */
#include "tap.h"

#include "../../supervisor/views.c"
#include "../../supervisor/view_top.c"
#include "../../supervisor/analyze.c"
#include "../../supervisor/metrics.c"

#include <unistd.h>

/* What fn printed on fd (stdout or stderr), as a malloc'd string. */
static char *capture(int fd, int (*fn)(void *), void *arg, int *rc)
{
	FILE *tmp = tmpfile();
	int saved = dup(fd);
	off_t n;
	char *out;

	fflush(stdout);
	fflush(stderr);
	dup2(fileno(tmp), fd);
	*rc = fn(arg);
	fflush(stdout);
	fflush(stderr);
	dup2(saved, fd);
	close(saved);
	n = lseek(fileno(tmp), 0, SEEK_END);
	out = calloc(1, (size_t)n + 1);
	if (pread(fileno(tmp), out, (size_t)n, 0) != (ssize_t)n)
		out[0] = '\0';
	fclose(tmp);
	return out;
}

static const char status_text[] =
	"service db\nstate running\ntype simple\ngroup db\nnow_mono 110.000000\n"
	"start_requested 100.000000\n"
	"history 100.000000 waiting 100.100000 starting 100.500000 running\n"
	"restarts 1\nlast_exit killed by signal 9 (Killed)\n"
	"cpus 0-1\nmems 0\nnumtasks_current 2\nnumtasks_max 10\nfork_failures 3\n"
	"cpu_user_ms 1500\ncpu_system_ms 250\ncpu_usage_ns 1750000000\nprocs 42\n\n"
	"service cache\nstate running\ntype notify\ngroup odd\"grp\\x\nnow_mono 110.000000\n"
	"start_requested 100.000000\nhistory 100.000000 starting 100.200000 running\n"
	"restarts 0\nlast_exit -\ncpus 1\nmems 0\nnumtasks_current 1\nnumtasks_max max\n"
	"fork_failures 0\ncpu_user_ms 0\ncpu_system_ms 0\ncpu_usage_ns 0\nprocs 43\n\n"
	"service late\nstate running\ntype simple\ngroup late\nnow_mono 110.000000\n"
	"start_requested 104.000000\nhistory 100.000000 starting 100.100000 running "
	"103.000000 stopping 103.500000 down 104.000000 starting 105.000000 running\n"
	"restarts 0\nlast_exit exited 0\nprocs\n\n"
	"service app\nstate running\ntype simple\ngroup front/app\nnow_mono 110.000000\n"
	"start_requested 100.000000\n"
	"history 100.000000 waiting 100.600000 starting 100.900000 running\n"
	"after db cache late\nrequires db\nrestarts 0\nlast_exit -\nprocs 44\n\n"
	"service bad\nstate failed\ntype simple\ngroup bad\nnow_mono 110.000000\n"
	"start_requested 100.000000\nhistory 100.000000 starting 100.100000 running "
	"100.300000 stopping 100.350000 failed\nrestarts 2\nlast_exit exited 3\nprocs\n\n"
	"service never\nstate down\ntype simple\ngroup never\nnow_mono 110.000000\n"
	"start_requested 0.000000\nhistory\nrestarts 0\nlast_exit -\nfuture_key whatever\nprocs\n\n";

static struct vw_status st;

static int run_blame(void *a) { return blame(a); }
static int run_chain(void *a) { return critical_chain(&st, a); }
static int run_plot(void *a) { return plot(a); }
static int run_metrics(void *a)
{
	services(a);
	groups(a);
	return 0;
}
static int run_parse(void *a)
{
	struct vw_status x;
	int rc = vw_parse(a, &x);

	vw_free(&x);
	return rc;
}

/* the order the names appear in text (one per line, in column col) */
static void names_in_order(const char *text, int col, char *out, size_t len)
{
	char *copy = strdup(text), *save = NULL;

	out[0] = '\0';
	for (char *l = strtok_r(copy, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char w[4][64] = { "" };

		if (sscanf(l, "%63s %63s %63s %63s", w[0], w[1], w[2], w[3]) > col && strcmp(w[col], "SERVICE"))
			snprintf(out + strlen(out), len - strlen(out), "%s%s", *out ? " " : "", w[col]);
	}
	free(copy);
}

static void test_parse(void)
{
	char *text = strdup(status_text), *err, order[256];
	struct vw_svc *s;
	int rc;

	tap_ok(vw_parse(text, &st) == 0, "the status text parses");
	tap_ok(st.n == 6, "six services (%u)", st.n);
	s = vw_find(&st, "db");
	tap_ok(s && s->st == SVC_RUNNING && s->tasks == 2 && s->tasks_max == 10 &&
	       s->fork_failures == 3 && s->usage_ns == 1750000000ull && s->restarts == 1,
	       "db: state, tasks, limit, fork failures, usage, restarts");
	tap_ok(s && s->nhist == 3 && s->hist[2].st == SVC_RUNNING && s->hist[2].t == 100.5,
	       "db: three transitions, the last into running at 100.5");
	s = vw_find(&st, "cache");
	tap_ok(s && !strcmp(s->group, "odd\"grp\\x") && s->tasks_max == -1, "cache: group and no limit");
	s = vw_find(&st, "app");
	tap_ok(s && s->nafter == 3 && s->nrequires == 1 && !strcmp(s->after[2], "late") &&
	       !strcmp(s->requires[0], "db"), "app: After= and Requires= names");
	tap_ok(s && vw_started(s) == 100.6 && vw_ready(s) == 100.9, "app: started 100.6, ready 100.9");
	s = vw_find(&st, "late");
	tap_ok(s && vw_started(s) == 104 && vw_ready(s) == 105,
	       "late: the transitions before its last request are not its start");
	tap_ok(vw_ready(vw_find(&st, "never")) < 0, "never: not ready");
	tap_ok(vw_origin(&st) == 100, "origin: the earliest request or transition");
	free(text);

	err = capture(2, run_parse, (char[]){ "service a\nrestarts x\n" }, &rc);
	tap_ok(rc < 0 && strstr(err, "line 2: bad value for restarts: 'x'"),
	       "a bad number is refused, naming the answer's line: %.*s", (int)strcspn(err, "\n"), err);
	free(err);
	err = capture(2, run_parse, (char[]){ "service a\nstate running\nhistory 1.5\n" }, &rc);
	tap_ok(rc < 0 && strstr(err, "line 3: bad value for history"), "a history without its state: %.*s", (int)strcspn(err, "\n"), err);
	free(err);
	err = capture(2, run_parse, (char[]){ "state running\n" }, &rc);
	tap_ok(rc < 0 && strstr(err, "line 1: 'state' before any service"), "a key before any service: %.*s", (int)strcspn(err, "\n"), err);
	free(err);

	err = capture(1, run_blame, &st, &rc);
	names_in_order(err, 2, order, sizeof(order));
	tap_ok(rc == 0 && !strcmp(order, "late app db cache bad never"),
	       "blame: slowest first, never started last (%s)", order);
	tap_ok(strstr(err, "0.900s    0.600s  app") != NULL, "blame: app ready after 0.900s, 0.600s of it waiting");
	tap_ok(strstr(err, "never                    down (never started)") != NULL, "blame: never started");
	free(err);

	err = capture(1, run_chain, "app", &rc);
	tap_ok(rc == 0 && strstr(err, "\napp @0.900s +0.300s\n`-db @0.500s +0.400s\n"),
	       "critical-chain app: through db, the dependency ready last before app started");
	tap_ok(!strstr(err, "late"), "... not through late, restarted after app started");
	free(err);
	err = capture(1, run_chain, NULL, &rc);
	tap_ok(rc == 0 && strstr(err, "\nlate @5.000s +1.000s\n"), "critical-chain: late was ready last");
	free(err);
}

static void test_metrics(void)
{
	int rc;
	char *m = capture(1, run_metrics, &st, &rc);
	const char *want[] = {
		"corral_service_state{service=\"bad\",state=\"failed\"} 1\n",
		"corral_service_state{service=\"bad\",state=\"running\"} 0\n",
		"corral_service_restarts_total{service=\"bad\"} 2\n",
		"corral_service_last_exit_code{service=\"bad\"} 3\n",
		"corral_service_last_exit_signal{service=\"db\"} 9\n",
		"corral_service_start_duration_seconds{service=\"app\"} 0.900000\n",
		"corral_group_cpu_seconds_total{group=\"db\",mode=\"user\"} 1.500\n",
		"corral_group_cpu_seconds_total{group=\"db\",mode=\"system\"} 0.250\n",
		"corral_group_tasks{group=\"db\"} 2\n",
		"corral_group_tasks_max{group=\"db\"} 10\n",
		"corral_group_tasks_max{group=\"odd\\\"grp\\\\x\"} +Inf\n",
		"corral_group_fork_failures_total{group=\"db\"} 3\n",
		"corral_group_info{group=\"db\",cpus=\"0-1\",mems=\"0\"} 1\n",
		"# HELP corral_group_tasks Tasks in the group now (numtasks).\n# TYPE corral_group_tasks gauge\n",
	};

	for (unsigned i = 0; i < sizeof(want) / sizeof(*want); i++)
		tap_ok(strstr(m, want[i]) != NULL, "metrics: %.*s", (int)strcspn(want[i], "\n"), want[i]);
	tap_ok(!strstr(m, "start_duration_seconds{service=\"never\"}"), "no start duration for a service never ready");
	tap_ok(!strstr(m, "corral_group_memory"), "no memory family without memory in the status");
	tap_ok(!strstr(m, "{group=\"late\""), "no group series for a group without counters");
	free(m);
}

static void test_plot(void)
{
	int rc;
	char *p = capture(1, run_plot, &st, &rc);

	tap_ok(rc == 0 && !strncmp(p, "<?xml", 5) && strstr(p, "</svg>\n"), "plot: an SVG document");
	tap_ok(strstr(p, "group odd&quot;grp\\x") != NULL && !strstr(p, "odd\"grp"),
	       "plot: a label's quote is escaped");
	tap_ok(strstr(p, ">never <tspan fill=\"#555555\">down, never started") != NULL,
	       "plot: a service never started has its row");
	/* app's arrows: from db and cache, not from late (ready at 105,
	 * after app started at 100.6).  The chart spans 100..105 (late's
	 * ready): x = 10 + (t - 100) * 640 / 5; rows by request, then name:
	 * app bad cache db late never, 24 px from y 60, arrows at mid-row */
	tap_ok(strstr(p, "x1=\"74.0\" y1=\"144.0\"") && strstr(p, "x1=\"35.6\" y1=\"120.0\""),
	       "plot: arrows from db (ready 100.5) and cache (ready 100.2)");
	tap_ok(!strstr(p, "x1=\"650.0\" y1=\"168.0\""), "plot: no arrow from late, ready after app started");
	free(p);
}

static char *sample_text(unsigned long long usage_db, double now)
{
	char *t = malloc(1024);

	snprintf(t, 1024,
		 "service db\nstate running\ngroup db\nnow_mono %.6f\nnumtasks_current 2\n"
		 "numtasks_max 10\nfork_failures 0\ncpu_user_ms 0\ncpu_system_ms 0\ncpu_usage_ns %llu\n\n"
		 "service w1\nstate running\ngroup shared\nnow_mono %.6f\ncpu_user_ms 0\n"
		 "cpu_system_ms 0\ncpu_usage_ns 1000\n\n"
		 "service w2\nstate failed\ngroup shared\nnow_mono %.6f\n\n",
		 now, usage_db, now, now);
	return t;
}

static int run_render(void *a)
{
	render(stdout, a, 80, 24);
	return 0;
}

static void test_top(void)
{
	struct sample a = { 0 }, b = { 0 }, c = { 0 };
	char *ta = sample_text(1000000000ull, 200), *tb = sample_text(2000000000ull, 202),
	     *tc = sample_text(100, 203), *out;
	int rc;

	vw_parse(ta, &a.st);
	vw_parse(tb, &b.st);
	vw_parse(tc, &c.st);
	build_rows(&a, NULL);
	build_rows(&b, &a);
	build_rows(&c, &b);
	tap_ok(b.nrows == 2, "top: one row per group (w1 and w2 share one)");
	tap_ok(a.rows[0].pct < 0, "top: no CPU%% without an earlier sample");
	tap_ok(fabs(b.rows[0].pct - 50) < 1e-6, "top: 1 s of CPU in 2 s of corral's clock is 50%% (%g)",
	       b.rows[0].pct);
	tap_ok(!strcmp(b.rows[1].state, "running"), "top: a shared group shows its most-up state");
	tap_ok(c.rows[0].pct < 0, "top: a counter that went back (a new group) has no CPU%%");
	top.batch = true;
	top.interval = 1;
	out = capture(1, run_render, &b, &rc);
	{
		char name[32] = "", state[16] = "", tasks[16] = "", forks[16] = "", pct[16] = "", tm[16] = "";
		const char *l = strstr(out, "\ndb ");

		if (l)
			sscanf(l + 1, "%31s %15s %15s %15s %15s %15s", name, state, tasks, forks, pct, tm);
		tap_ok(!strcmp(state, "running") && !strcmp(tasks, "2/10") && !strcmp(forks, "0") &&
		       !strcmp(pct, "50.0") && !strcmp(tm, "0:02.00"),
		       "top -b: db running 2/10 0 50.0 0:02.00 (%s %s %s %s %s)", state, tasks, forks, pct, tm);
	}
	tap_ok(!strchr(out, '\033'), "top -b: no escape codes");
	free(out);
	top.batch = false;
	top.colour = false;
	out = capture(1, run_render, &b, &rc);
	tap_ok(!strncmp(out, "corral top", 10) && strstr(out, "\033[K\n") && strstr(out, "q quit\033[K\033[J"),
	       "top on a terminal: every line erased to its end, the rest below erased");
	free(out);
	sample_free(&a);
	sample_free(&b);
	sample_free(&c);
	free(ta);
	free(tb);
	free(tc);
}

int main(void)
{
	test_parse();
	test_metrics();
	test_plot();
	test_top();
	vw_free(&st);
	return tap_done();
}
