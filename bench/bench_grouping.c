/*
 * bench/bench_grouping.c - what the grouping engine costs per group.
 *
 *   build/bench/bench_grouping [NGROUPS]       (default 200)
 *
 * Measures, on plain directories in /tmp (no kernel cgroups, so the numbers
 * are the engine's own work plus file I/O, comparable across machines):
 *   - opening NGROUPS groups (mkdir + create ops + hash insert),
 *   - looking each up again by path (hash hit, refcount),
 *   - one release check over all of them (the O(groups) pass that runs on
 *     every SIGCHLD and cgroup.events change),
 *   - heap use per group (mallinfo2 before/after).
 * Targets: a release pass over 200 groups well under 10 ms and under
 * 4 KiB of heap per group, so an init with hundreds of services stays
 * responsive on small hardware.  For stable counts use
 *   valgrind --tool=callgrind build/bench/bench_grouping 200
 */
#include "grouping.h"
#include "../tests/lib/fakecg.h"
#include "../lib/log.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void on_release(struct grp_group *g, void *d)
{
	(void)g;
	(*(int *)d)++;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 200;
	char tmp[] = "/tmp/corral-bench-XXXXXX", mi[256], buf[512], cmd[300];
	struct grp_config cfg = { 0 };
	struct grp_group **g;
	struct grp_engine *e;
	size_t heap0, heap1;
	double t0, t1, t2, t3;
	int released = 0;
	FILE *f;

	if (n < 1 || !mkdtemp(tmp))
		return 2;
	log_set_level(getenv("BENCH_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_ERROR);
	g = calloc((size_t)n, sizeof(*g));
	snprintf(mi, sizeof(mi), "%s/mountinfo", tmp);
	f = fopen(mi, "w");
	for (const char *c = "cpuset\0cpuacct\0pids\0"; *c; c += strlen(c) + 1) {
		snprintf(buf, sizeof(buf), "%s/%s", tmp, c);
		mkdir(buf, 0755);
		fprintf(f, "1 1 0:1 / %s/%s rw - cgroup cgroup rw,%s\n", tmp, c, c);
	}
	/* a cpuset root has every cpu and node, which children copy */
	for (const char *c = "cpuset.cpus\0cpuset.mems\0"; *c; c += strlen(c) + 1) {
		FILE *k;

		snprintf(buf, sizeof(buf), "%s/cpuset/%s", tmp, c);
		if ((k = fopen(buf, "w"))) {
			fputs("0\n", k);
			fclose(k);
		}
	}
	snprintf(buf, sizeof(buf), "%s/unified", tmp);
	mkdir(buf, 0755);
	fprintf(f, "1 1 0:1 / %s/unified rw - cgroup2 cgroup2 rw\n", tmp);
	fclose(f);
	grp_layout_parse("v1", &cfg.layout, NULL, 0);
	cfg.subtree = "corral";
	cfg.mountinfo = mi;
	cfg.sys = &fakecg_sys;
	e = grp_engine_open(&cfg);
	if (!e)
		return 1;

	heap0 = mallinfo2().uordblks;
	t0 = now();
	for (int i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "svc%d", i);
		g[i] = grp_group_open(e, buf);
		grp_group_attach(g[i], 100000 + i);	/* one fake task each */
		grp_group_set_release(g[i], true, on_release, &released);
	}
	t1 = now();
	heap1 = mallinfo2().uordblks;
	for (int i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "svc%d", i);
		grp_group_put(grp_group_open(e, buf));
	}
	t2 = now();
	grp_engine_check(e);	/* every group busy: the pass that finds nothing */
	t3 = now();

	printf("groups                 %d (4 hierarchies each)\n", n);
	printf("open+attach per group  %.1f us\n", (t1 - t0) / n * 1e6);
	printf("lookup per group       %.1f us\n", (t2 - t1) / n * 1e6);
	printf("release pass, all busy %.2f ms (%.1f us per group)\n",
	       (t3 - t2) * 1e3, (t3 - t2) / n * 1e6);
	printf("heap per group         %zu bytes\n", (heap1 - heap0) / (size_t)n);
	printf("released (expect 0)    %d\n", released);
	for (int i = 0; i < n; i++)
		grp_group_put(g[i]);
	grp_engine_close(e, false);
	free(g);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	return system(cmd) == 0 ? 0 : 1;
}
