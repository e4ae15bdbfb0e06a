/*
 * tests/unit/test_engine_close.c - issue 9 item 12: grp_engine_close()
 * called from a release callback, i.e. from inside grp_engine_check().
 *
 * That is what corral's shutdown did: the last group's release stopped the
 * last service, whose "all stopped" hook closed the engine while the check
 * still held references to the groups it was walking.  The close must wait
 * until the check has unwound.  The use-after-free itself shows under the
 * sanitizer build (make check runs the unit tests with ASan too); the
 * checks below also hold the behaviour: the callback still sees a live
 * engine after asking for the close, and the close does happen (subtree
 * removed) once the check returns.  Runs against plain directories (the
 * tests/lib/fakecg.h stand-in for cgroupfs), like test_grouping.
 */
#include "grouping.h"
#include "../../lib/log.h"
#include "tap.h"
#include "fakecg.h"

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[] = "/tmp/corral-unit-close-XXXXXX";

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st; (void)flag; (void)f;
	return remove(p);
}

static void put_file(const char *path, const char *val)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(2);
	}
	fputs(val, f);
	fclose(f);
}

static bool exists(const char *sub)
{
	char p[1024];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", tmp, sub);
	return stat(p, &st) == 0;
}

static struct grp_engine *engine;
static int ncalls;
static unsigned groups_after_close;

/* what corral's services_stopped() did: close the engine right here */
static void close_in_callback(struct grp_group *g, void *data)
{
	(void)g;
	(void)data;
	ncalls++;
	grp_engine_close(engine, true);
	/* the engine must still be alive for the check that called us */
	groups_after_close = grp_engine_ngroups(engine);
}

int main(void)
{
	char mi[2048], p[1024];
	struct grp_config cfg = { 0 };
	struct grp_group *a, *b;

	log_set_level(LOG_LVL_ERROR);
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(p, sizeof(p), "%s/pids", tmp);
	mkdir(p, 0755);
	snprintf(mi, sizeof(mi),
		 "30 22 0:27 / %s rw - tmpfs tmpfs rw\n"
		 "38 30 0:35 / %s/pids rw,relatime - cgroup cgroup rw,pids\n", tmp, tmp);
	snprintf(p, sizeof(p), "%s/mountinfo", tmp);
	put_file(p, mi);
	grp_layout_parse("auto", &cfg.layout, NULL, 0);
	cfg.mount_base = tmp;
	cfg.subtree = "corral";
	cfg.mountinfo = p;
	cfg.sys = &fakecg_sys;
	cfg.no_tracking = true;
	engine = grp_engine_open(&cfg);
	if (!tap_ok(engine != NULL, "engine opens a fabricated pids hierarchy"))
		goto out;
	a = grp_group_open(engine, "a");
	b = grp_group_open(engine, "b");
	tap_ok(a && b, "two groups");
	if (!a || !b)
		goto out;
	tap_ok(grp_group_attach(a, 4242) == 0, "a task in group a");
	/* b empties first: its callback closes the engine while a (and b,
	 * referenced by the check's batch) are still being walked */
	grp_group_set_release(a, true, close_in_callback, NULL);
	grp_group_set_release(b, true, close_in_callback, NULL);
	snprintf(p, sizeof(p), "%s/pids/corral/a/cgroup.procs", tmp);
	if (truncate(p, 0) < 0)
		perror(p);
	grp_engine_check(engine);
	tap_ok(ncalls >= 1, "a release callback ran (%d)", ncalls);
	tap_ok(ncalls == 1, "after the close no further group is released");
	tap_ok(groups_after_close >= 1,
	       "the engine was still alive inside the callback (%u groups)", groups_after_close);
	tap_ok(!exists("pids/corral"), "the close happened when the check returned (subtree removed)");
	tap_ok(exists("pids"), "the hierarchy root is untouched");
out:
	nftw(tmp, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	return tap_done();
}
