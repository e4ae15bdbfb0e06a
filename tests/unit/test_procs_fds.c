/*
 * tests/unit/test_procs_fds.c - grp_group_procs_fds(), what spawn.c's
 * cloned child attaches itself with: one close-on-exec cgroup.procs fd
 * per hierarchy, in engine order, after the parent ran can_attach.  A
 * refusal (v1 cpuset with no cpus: ENOSPC, what the kernel would say)
 * opens nothing, and nothing is left open on any failure.  Runs against
 * plain directories, like test_grouping.
 */
#include "grouping.h"
#include "../../lib/log.h"
#include "tap.h"
#include "fakecg.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[] = "/tmp/corral-unit-procsfd-XXXXXX";

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st; (void)flag; (void)f;
	return remove(p);
}

static void put_file(const char *dir, const char *name, const char *val)
{
	char p[1024];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (!f) {
		perror(p);
		exit(2);
	}
	fputs(val, f);
	fclose(f);
}

static unsigned open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned n = 0;

	if (!d)
		return 0;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

int main(void)
{
	char mi[2048], p[1024], d[1024];
	struct grp_config cfg = { 0 };
	struct grp_engine *e;
	struct grp_group *g;
	int fds[GRP_HIER_MAX], n;
	pid_t pids[4];
	bool cloexec = true;
	unsigned before;

	log_set_level(LOG_LVL_ERROR);
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(d, sizeof(d), "%s/cpuset", tmp);
	mkdir(d, 0755);
	put_file(d, "cpuset.cpus", "0-1\n");
	put_file(d, "cpuset.mems", "0\n");
	put_file(d, "cpuset.effective_cpus", "0-1\n");
	put_file(d, "cpuset.effective_mems", "0\n");
	snprintf(d, sizeof(d), "%s/pids", tmp);
	mkdir(d, 0755);
	snprintf(mi, sizeof(mi),
		 "30 22 0:27 / %s rw - tmpfs tmpfs rw\n"
		 "33 30 0:30 / %s/cpuset rw,relatime - cgroup cgroup rw,cpuset\n"
		 "38 30 0:35 / %s/pids rw,relatime - cgroup cgroup rw,pids\n", tmp, tmp, tmp);
	put_file(tmp, "mountinfo", mi);
	snprintf(p, sizeof(p), "%s/mountinfo", tmp);
	grp_layout_parse("v1:cpuset:numtasks", &cfg.layout, NULL, 0);
	cfg.mount_base = tmp;
	cfg.subtree = "corral";
	cfg.mountinfo = p;
	cfg.sys = &fakecg_sys;
	cfg.no_tracking = true;
	e = grp_engine_open(&cfg);
	if (!tap_ok(e != NULL, "engine opens fabricated cpuset and pids hierarchies"))
		goto out;
	g = grp_group_open(e, "web");
	if (!tap_ok(g && grp_group_prepare(g) == 0, "group web prepared"))
		goto out;

	n = grp_group_procs_fds(g, fds, GRP_HIER_MAX);
	tap_ok(n == (int)grp_engine_nhier(e), "one fd per hierarchy (%d)", n);
	for (int i = 0; i < n; i++) {
		cloexec &= (fcntl(fds[i], F_GETFD) & FD_CLOEXEC) != 0;
		tap_ok(write(fds[i], "4242\n", 5) == 5, "the pid written to fd %d", i);
		close(fds[i]);
	}
	tap_ok(n > 0 && cloexec, "every fd is close-on-exec");
	tap_ok(grp_group_procs(g, pids, 4) == 1 && pids[0] == 4242,
	       "the task is in the group (every hierarchy)");

	before = open_fds();
	tap_ok(grp_group_procs_fds(g, fds, 1) < 0 && errno == E2BIG,
	       "fewer slots than hierarchies: E2BIG");
	snprintf(d, sizeof(d), "%s/cpuset/corral/web", tmp);
	put_file(d, "cpuset.cpus", "");
	tap_ok(grp_group_procs_fds(g, fds, GRP_HIER_MAX) < 0 && errno == ENOSPC,
	       "v1 cpuset without cpus: refused in the parent with ENOSPC");
	put_file(d, "cpuset.cpus", "0\n");
	snprintf(d, sizeof(d), "%s/pids/corral/web/cgroup.procs", tmp);
	unlink(d);
	mkdir(d, 0755);		/* opening it for writing fails: EISDIR */
	tap_ok(grp_group_procs_fds(g, fds, GRP_HIER_MAX) < 0 && errno == EISDIR,
	       "an open that fails in the second hierarchy fails the whole");
	tap_ok(open_fds() == before, "no fd left open by the failures");
	rmdir(d);
	grp_group_put(g);
	grp_engine_close(e, true);
out:
	nftw(tmp, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}
