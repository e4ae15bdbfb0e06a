/*
 * tests/unit/test_grouping.c - grouping engine without a kernel.
 *
 * Parsers and name validation are pure.  Engine behaviour (discovery,
 * group sharing and refcounts, limits validation, release and revive) runs
 * against plain directories listed in a fabricated mountinfo, through
 * tests/lib/fakecg.h (files are created on write, as cgroupfs has them).  A task "exits" when the
 * test truncates the cgroup.procs files the engine appended to.
 */
#include "grouping.h"
#include "../../lib/log.h"
#include "tap.h"
#include "fakecg.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmp[] = "/tmp/corral-unit-XXXXXX";

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

static char *get_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	buf[0] = '\0';
	if (!f)
		return NULL;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static int exists(const char *fmt, const char *a)
{
	char p[1024];
	struct stat st;

	snprintf(p, sizeof(p), fmt, tmp, a);
	return stat(p, &st) == 0;
}

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st; (void)flag; (void)f;
	return remove(p);
}

static void cleanup(void)
{
	nftw(tmp, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

static void test_layout(void)
{
	struct grp_layout l, again;
	char err[128], buf[128];
	bool each = true;

	tap_ok(grp_layout_parse("v1", &l, err, sizeof(err)) == 0 && l.kind == GRP_LAYOUT_V1 &&
	       l.nhier == GRP_SUBSYS_COUNT, "layout v1 = one hierarchy per subsystem");
	for (unsigned i = 0; i < l.nhier; i++)
		each &= l.masks[i] == 1u << i;
	tap_ok(each, "... in subsystem order");
	tap_ok(grp_layout_parse("v1:cpuset,cpuacct:numtasks", &l, err, sizeof(err)) == 0 &&
	       l.nhier == GRP_SUBSYS_COUNT - 1 && l.masks[0] == 3 && l.masks[1] == 4,
	       "layout v1 with cpuset,cpuacct bound together");
	grp_layout_format(&l, buf, sizeof(buf));
	tap_ok(!strncmp(buf, "v1:cpuset,cpuacct:numtasks", 26) &&
	       grp_layout_parse(buf, &again, err, sizeof(err)) == 0 &&
	       again.nhier == l.nhier && !memcmp(again.masks, l.masks, sizeof(l.masks)),
	       "layout formats back to a spec that means the same (%s)", buf);
	tap_ok(grp_layout_parse("v1:cpuset:pids,cpuacct", &l, err, sizeof(err)) == 0 &&
	       l.nhier == GRP_SUBSYS_COUNT - 1 && l.masks[1] == 6,
	       "kernel name pids accepted for numtasks");
	tap_ok(grp_layout_parse("v1:cpuset,cpuset:cpuacct:numtasks", &l, err, sizeof(err)) < 0 &&
	       strstr(err, "twice"), "subsystem bound twice rejected (%s)", err);
	tap_ok(grp_layout_parse("v1:cpuset,cpuacct", &l, err, sizeof(err)) == 0 &&
	       l.nhier == GRP_SUBSYS_COUNT - 1 && l.masks[0] == 3 &&
	       l.masks[1] == 1u << GRP_SUBSYS_numtasks,
	       "a subsystem the spec does not name gets a hierarchy of its own");
	tap_ok(grp_layout_parse("v1:cpuset:blkio", &l, err, sizeof(err)) < 0 &&
	       strstr(err, "blkio"), "unknown subsystem rejected (%s)", err);
	tap_ok(grp_layout_parse("v3", &l, err, sizeof(err)) < 0, "unknown layout rejected");
	tap_ok(grp_layout_parse("v2", &l, err, sizeof(err)) == 0 && l.kind == GRP_LAYOUT_V2, "v2");
	tap_ok(grp_layout_parse("auto", &l, err, sizeof(err)) == 0 && l.kind == GRP_LAYOUT_AUTO, "auto");
	tap_is_str(grp_subsys_mask_names(GRP_SUBSYS_ALL, true, buf, 12), "cpuset",
		   "mask names are cut at a whole name");
}

static void test_cpulist(void)
{
	uint64_t bits[64];
	char buf[256];
	static const char *const bad[] = {
		"3-1", "a", "1,,2", "1-", "-1", "4096", "1 2", "1,", ",1", "0-4096", "1-2-3",
	};

	tap_ok(grp_cpulist_parse("0-3,5", bits, 4096) == 0 && bits[0] == 0x2f,
	       "cpu list 0-3,5 parsed");
	tap_is_str(grp_cpulist_format(bits, 4096, buf, sizeof(buf)), "0-3,5", "formatted back");
	tap_ok(grp_cpulist_parse("5,0,1,2,3\n", bits, 4096) == 0, "unsorted list with newline");
	tap_is_str(grp_cpulist_format(bits, 4096, buf, sizeof(buf)), "0-3,5", "canonical form");
	tap_ok(grp_cpulist_parse("64,127-128", bits, 4096) == 0 && bits[1] == (1ULL | 1ULL << 63) &&
	       bits[2] == 1, "ids across word boundaries");
	tap_ok(grp_cpulist_parse("", bits, 4096) == 0 && bits[0] == 0, "empty list is valid");
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		tap_ok(grp_cpulist_parse(bad[i], bits, 4096) < 0 && errno == EINVAL,
		       "cpu list '%s' rejected", bad[i]);
}

static void test_numbers(void)
{
	uint64_t v;
	static const char *const bad[] = { "0", "-1", "10x", "", " 5", "99999999999", "max1",
					   "4194305" };
	static const char *const badsize[] = { "", "-1", "1.5G", "1KB", "1k", "M", "1 M",
					       "5P", "4294967297G", "0x10", "max1" };

	tap_ok(grp_count_parse("max", &v) == 0 && v == GRP_VALUE_MAX, "count max");
	tap_ok(grp_count_parse("infinity", &v) == 0 && v == GRP_VALUE_MAX,
	       "count infinity (systemd's TasksMax spelling)");
	tap_ok(grp_count_parse("32", &v) == 0 && v == 32, "count 32");
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		tap_ok(grp_count_parse(bad[i], &v) < 0, "count '%s' rejected", bad[i]);
	tap_ok(grp_size_parse("4096", &v) == 0 && v == 4096, "size in bytes");
	tap_ok(grp_size_parse("32M", &v) == 0 && v == 32ULL << 20, "size 32M");
	tap_ok(grp_size_parse("2G", &v) == 0 && v == 2ULL << 30, "size 2G");
	tap_ok(grp_size_parse("1T", &v) == 0 && v == 1ULL << 40, "size 1T");
	tap_ok(grp_size_parse("64K", &v) == 0 && v == 64ULL << 10, "size 64K");
	tap_ok(grp_size_parse("0", &v) == 0 && v == 0, "size 0");
	tap_ok(grp_size_parse("infinity", &v) == 0 && v == GRP_VALUE_MAX, "size infinity");
	tap_ok(grp_size_parse("max", &v) == 0 && v == GRP_VALUE_MAX, "size max");
	for (size_t i = 0; i < sizeof(badsize) / sizeof(*badsize); i++)
		tap_ok(grp_size_parse(badsize[i], &v) < 0, "size '%s' rejected", badsize[i]);
	{
		unsigned pct = 0;

		tap_ok(grp_percent_parse("15%", &pct) == 1 && pct == 15, "15%% is a percentage");
		tap_ok(grp_percent_parse("100%", &pct) == 1 && pct == 100, "100%% too");
		tap_ok(grp_percent_parse("15", &pct) == 0 && grp_percent_parse("max", &pct) == 0,
		       "a number or max is no percentage (0)");
		tap_ok(grp_percent_parse("0%", &pct) < 0 && grp_percent_parse("101%", &pct) < 0 &&
		       grp_percent_parse("5.5%", &pct) < 0 && grp_percent_parse("-5%", &pct) < 0 &&
		       grp_percent_parse("%", &pct) == 0, "bad percentages refused");
	}
}

/* The descriptor tables: every key and field is named, unique, and
 * reachable through the generic entry points. */
static void test_descriptors(void)
{
	const char *name, *alias, *names[64];
	const struct grp_field *f;
	unsigned n = 0;
	bool unique = true, found = true, fields_ok = true;
	char err[128];
	struct grp_limits l;

	for (unsigned s = 0; s < GRP_SUBSYS_COUNT; s++)
		for (unsigned i = 0; (name = grp_key_at(s, i, &alias)); i++) {
			for (unsigned j = 0; j < n; j++)
				unique &= strcmp(names[j], name) && (!alias || strcmp(names[j], alias));
			if (n < 62) {
				names[n++] = name;
				if (alias)
					names[n++] = alias;
			}
			found &= grp_key_known(name) && (!alias || grp_key_known(alias));
			/* the key's name starts with its subsystem's */
			found &= !strncmp(name, grp_subsys_name(s), strlen(grp_subsys_name(s)));
		}
	tap_ok(n >= 3, "subsystems declare keys (%u names)", n);
	tap_ok(unique, "every key name and alias is unique");
	tap_ok(found, "every key is found by name and alias, prefixed by its subsystem");
	n = 0;
	for (unsigned s = 0; s < GRP_SUBSYS_COUNT; s++)
		for (unsigned i = 0; (f = grp_field_at(s, i)); i++, n++)
			fields_ok &= i < GRP_FIELDS_MAX && f->help && *f->help &&
				     grp_field_lookup(f->name) == f;
	tap_ok(n >= 8 && fields_ok, "status fields: named, described, found by name (%u)", n);
	grp_limits_init(&l);
	tap_ok(grp_limits_set(&l, "TasksMax", "infinity", err, sizeof(err)) == 1 &&
	       !strcmp(grp_limits_get(&l, "numtasks.max"), "max"), "values kept canonical");
	tap_ok(grp_limits_set(&l, "numtasks.max", "7", err, sizeof(err)) == 1 && l.n == 1 &&
	       !strcmp(grp_limits_get(&l, "TasksMax"), "7"), "a key set again replaces its value");
	tap_ok(grp_limits_set(&l, "AllowedCPUs", "3,0-1,2", err, sizeof(err)) == 1 &&
	       !strcmp(grp_limits_get(&l, "cpuset.cpus"), "0-3"), "cpu list canonical");
	{
		struct grp_limits c;

		grp_limits_init(&c);
		tap_ok(grp_limits_copy(&c, &l) == 0 && c.n == 2 && c.v[0].value != l.v[0].value &&
		       !strcmp(grp_limits_get(&c, "cpuset.cpus"), "0-3"), "limits copy deep");
		grp_limits_free(&c);
		tap_ok(c.n == 0 && !c.v, "freed limits are empty");
	}
	grp_limits_free(&l);
}

static void test_names(void)
{
	static const char *const good[] = { "web", "getty@tty1", "a.b", "x_y-z:1", "A9" };
	static const char *const bad[] = {
		"", ".", "..", ".hidden", "a/b", "tasks", "cgroup.procs", "cpuset.cpus",
		"pids.max", "notify_on_release", "release_agent", "sp ace", "tab\t", "cpu.stat",
		"numtasks.max", "x*",
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", /* 65 */
	};
	const char *why;

	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		tap_ok(grp_name_valid(good[i], &why) == 0, "name '%s' accepted", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		why = NULL;
		tap_ok(grp_name_valid(bad[i], &why) < 0 && errno == EINVAL && why,
		       "name '%s' rejected (%s)", bad[i], why ? why : "?");
	}
	tap_ok(grp_name_valid("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &why) == 0,
	       "64-byte name accepted");
	tap_ok(grp_path_valid("web/worker", &why) == 0, "path web/worker");
	tap_ok(grp_path_valid("/web", &why) < 0, "absolute path rejected");
	tap_ok(grp_path_valid("web//x", &why) < 0, "empty component rejected");
	tap_ok(grp_path_valid("web/", &why) < 0, "trailing slash rejected");
	tap_ok(grp_path_valid("web/../x", &why) < 0, "'..' component rejected");
	tap_ok(grp_path_valid("a/b/c/d/e/f/g/h", &why) == 0, "8 levels accepted");
	tap_ok(grp_path_valid("a/b/c/d/e/f/g/h/i", &why) < 0, "9 levels rejected");
}

/* A fabricated hierarchy root with the files the kernel would have. */
static void make_root(const char *name, const char *cpus)
{
	char d[1024];

	snprintf(d, sizeof(d), "%s/%s", tmp, name);
	mkdir(d, 0755);
	if (cpus) {
		put_file(d, "cpuset.cpus", cpus);
		put_file(d, "cpuset.mems", "0\n");
		put_file(d, "cpuset.effective_cpus", cpus);
		put_file(d, "cpuset.effective_mems", "0\n");
	}
}

static void write_mountinfo(const char *lines)
{
	put_file(tmp, "mountinfo", lines);
}

static int released_order[8], nreleased;
static void on_release(struct grp_group *g, void *data)
{
	(void)g;
	if (nreleased < 8)
		released_order[nreleased++] = (int)(long)data;
}

static void truncate_procs(const char *hier, const char *path)
{
	char p[1024];

	snprintf(p, sizeof(p), "%s/%s/corral/%s/cgroup.procs", tmp, hier, path);
	(void)truncate(p, 0);
}

static void test_engine_v1(void)
{
	char mi[4096], err[256], buf[256], p[1024];
	struct grp_config cfg = { 0 };
	struct grp_engine *e;
	struct grp_group *web, *web2, *worker, *db, *mixed, *mixed2;
	struct grp_limits l;
	pid_t pids[8];

	make_root("cpuset", "0-3\n");
	make_root("cpuacct", NULL);
	make_root("pids", NULL);
	make_root("memory", NULL);
	make_root("blkio", NULL);
	make_root("unified", NULL);
	snprintf(mi, sizeof(mi),
		 "30 22 0:27 / %s rw - tmpfs tmpfs rw\n"
		 "33 30 0:30 / %s/cpuset rw,relatime shared:1 - cgroup cgroup rw,cpuset\n"
		 "32 30 0:29 / %s/cpuacct rw,relatime - cgroup cgroup rw,cpuacct\n"
		 "34 30 0:28 / %s/blkio rw,relatime - cgroup cgroup rw,blkio\n"
		 "38 30 0:35 / %s/pids rw,relatime - cgroup cgroup rw,pids\n"
		 "39 30 0:36 / %s/memory rw,relatime - cgroup cgroup rw,memory\n"
		 "40 30 0:37 / %s/unified rw,relatime - cgroup2 cgroup2 rw\n",
		 tmp, tmp, tmp, tmp, tmp, tmp, tmp);
	write_mountinfo(mi);
	snprintf(p, sizeof(p), "%s/mountinfo", tmp);
	grp_layout_parse("auto", &cfg.layout, NULL, 0);
	cfg.mount_base = tmp;
	cfg.subtree = "corral";
	cfg.mountinfo = p;
	cfg.sys = NULL;
	tap_ok(grp_engine_open(&cfg) == NULL, "plain directories refused by the real calls");
	cfg.sys = &fakecg_sys;
	e = grp_engine_open(&cfg);
	if (!tap_ok(e != NULL, "engine opens fabricated v1 hierarchies"))
		return;
	tap_is_int(grp_engine_kind(e), GRP_LAYOUT_V1, "auto picked v1");
	tap_is_int(grp_engine_nhier(e), GRP_SUBSYS_COUNT + 1,
		   "a v1 hierarchy per subsystem plus the tracking tree");
	tap_ok(grp_hier_is_tracking(grp_engine_hier(e, GRP_SUBSYS_COUNT)) &&
	       grp_hier_is_v2(grp_engine_hier(e, GRP_SUBSYS_COUNT)),
	       "cgroup2 tree used for tracking only");
	tap_ok(grp_engine_subsys_hier(e, GRP_SUBSYS_cpuset) == grp_engine_hier(e, 0) &&
	       grp_engine_subsys_hier(e, GRP_SUBSYS_cpuacct) == grp_engine_hier(e, 1) &&
	       grp_engine_subsys_hier(e, GRP_SUBSYS_numtasks) == grp_engine_hier(e, 2),
	       "each subsystem bound to its own hierarchy");
	tap_ok(exists("%s/cpuset/corral%s", "") && exists("%s/unified/corral%s", ""),
	       "subtree root created in each hierarchy");
	tap_ok(!exists("%s/blkio/corral%s", ""), "foreign hierarchy (blkio) untouched");
	snprintf(p, sizeof(p), "%s/cpuset/corral/cpuset.cpus", tmp);
	tap_is_str(get_file(p, buf, sizeof(buf)) ? buf : "", "0-3",
		   "v1 cpuset: subtree root copied the parent's cpus");

	web = grp_group_open(e, "web");
	web2 = grp_group_open(e, "web");
	tap_ok(web && web == web2, "same membership shares one group");
	tap_is_int(grp_group_refcount(web), 2, "shared group refcount is 2");
	tap_is_int(grp_engine_ngroups(e), 2, "web and its parent (subtree root) groups exist");
	tap_ok(grp_group_parent(web) && grp_group_parent(grp_group_parent(web)) == NULL,
	       "web's parent is the root group");
	tap_is_str(grp_group_name(web), "web", "group name");
	snprintf(p, sizeof(p), "%s/cpuset/corral/web/cpuset.mems", tmp);
	tap_is_str(get_file(p, buf, sizeof(buf)) ? buf : "", "0",
		   "v1 cpuset: new container copied the parent's mems");

	worker = grp_group_open(e, "web/worker");
	tap_ok(worker && grp_group_parent(worker) == web, "nested group's parent is web");
	tap_is_int(grp_group_refcount(web), 3, "child group holds a reference on its parent");
	tap_is_str(grp_group_name(worker), "web/worker", "nested group name");

	db = grp_group_open(e, "db");
	{
		struct grp_container *c[GRP_HIER_MAX];

		/* share web's cpuset, but db's own accounting and numtasks */
		c[0] = grp_group_container(web, 0);
		for (unsigned i = 1; i < grp_engine_nhier(e); i++)
			c[i] = grp_group_container(db, i);
		mixed = grp_group_find(e, c);
		mixed2 = grp_group_find(e, c);
		tap_ok(mixed && mixed != web && mixed != db && mixed == mixed2,
		       "mixed tuple is its own group, found again by hash");
		tap_is_int(grp_container_refcount(grp_group_container(web, 0)), 2,
			   "web's cpuset container is held by two groups");
		grp_group_put(mixed2);
		grp_group_put(mixed);
		tap_is_int(grp_container_refcount(grp_group_container(web, 0)), 1,
			   "put drops the container reference");
	}
	tap_ok(grp_container_get(grp_engine_hier(e, 0), NULL, "..") == NULL && errno == EINVAL,
	       "container '..' refused");
	tap_ok(grp_container_get(grp_engine_hier(e, 0), NULL, "tasks") == NULL,
	       "container named like a control file refused");
	tap_ok(grp_group_open(e, "a/../b") == NULL, "group path with '..' refused");

	grp_limits_init(&l);
	tap_ok(grp_limits_set(&l, "cpuset.cpus", "1-2", err, sizeof(err)) == 1 &&
	       grp_limits_set(&l, "TasksMax", "10", err, sizeof(err)) == 1,
	       "limits set by corral name and by systemd alias");
	tap_ok(grp_group_set_limits(web, &l, err, sizeof(err)) == 0, "limits on web: %s", err);
	grp_limits_free(&l);
	snprintf(p, sizeof(p), "%s/cpuset/corral/web/cpuset.cpus", tmp);
	tap_is_str(get_file(p, buf, sizeof(buf)) ? buf : "", "1-2", "cpuset.cpus written");
	snprintf(p, sizeof(p), "%s/pids/corral/web/pids.max", tmp);
	tap_is_str(get_file(p, buf, sizeof(buf)) ? buf : "", "10", "pids.max written");

	/* TasksMax=N%: of the lower of kernel.pid_max and threads-max */
	{
		unsigned long long pm = 0, tm = 0;
		FILE *f;

		if ((f = fopen("/proc/sys/kernel/pid_max", "r"))) {
			if (fscanf(f, "%llu", &pm) != 1)
				pm = 0;
			fclose(f);
		}
		if ((f = fopen("/proc/sys/kernel/threads-max", "r"))) {
			if (fscanf(f, "%llu", &tm) != 1)
				tm = 0;
			fclose(f);
		}
		grp_limits_init(&l);
		grp_limits_set(&l, "TasksMax", "50%", err, sizeof(err));
		tap_ok(grp_group_set_limits(db, &l, err, sizeof(err)) == 0, "TasksMax=50%%: %s", err);
		snprintf(p, sizeof(p), "%s/pids/corral/db/pids.max", tmp);
		tap_ok(get_file(p, buf, sizeof(buf)) &&
		       strtoull(buf, NULL, 10) == (pm < tm ? pm : tm) / 2,
		       "TasksMax=50%% writes half of min(pid_max, threads-max) (%s)", buf);
		grp_limits_free(&l);
	}

	/* memory: sizes, v1's spelling of "max", a v2-only key on v1 */
	grp_limits_init(&l);
	tap_ok(grp_limits_set(&l, "MemoryMax", "32M", err, sizeof(err)) == 1 &&
	       !strcmp(grp_limits_get(&l, "memory.max"), "33554432"), "MemoryMax=32M in bytes");
	tap_ok(grp_group_set_limits(db, &l, err, sizeof(err)) == 0, "memory.max on v1: %s", err);
	snprintf(p, sizeof(p), "%s/memory/corral/db/memory.limit_in_bytes", tmp);
	tap_is_str(get_file(p, buf, sizeof(buf)) ? buf : "", "33554432",
		   "v1 writes memory.limit_in_bytes");
	grp_limits_set(&l, "memory.max", "infinity", err, sizeof(err));
	tap_ok(grp_group_set_limits(db, &l, err, sizeof(err)) == 0 &&
	       get_file(p, buf, sizeof(buf)) && !strcmp(buf, "-1"), "v1 says max as -1");
	tap_ok(grp_limits_set(&l, "MemoryMax", "50%", err, sizeof(err)) == 1 &&
	       grp_group_set_limits(db, &l, err, sizeof(err)) == 0 &&
	       get_file(p, buf, sizeof(buf)) && strtoull(buf, NULL, 10) > 0,
	       "MemoryMax=50%% is half of MemTotal (%s bytes)", buf);
	tap_ok(grp_limits_set(&l, "MemoryMax", "0%", err, sizeof(err)) < 0 &&
	       grp_limits_set(&l, "MemoryMax", "101%", err, sizeof(err)) < 0 &&
	       grp_limits_set(&l, "MemoryMax", "12Q", err, sizeof(err)) < 0 && strstr(err, "size"),
	       "bad sizes refused (%s)", err);
	grp_limits_free(&l);
	grp_limits_set(&l, "MemoryHigh", "16M", err, sizeof(err));
	tap_ok(grp_group_set_limits(db, &l, err, sizeof(err)) < 0 &&
	       strstr(err, "memory.high: only on cgroup v2"), "memory.high on v1 refused (%s)", err);
	grp_limits_free(&l);

	grp_limits_init(&l);
	grp_limits_set(&l, "numtasks.max", "5", err, sizeof(err));
	grp_limits_set(&l, "cpuset.cpus", "3", err, sizeof(err));
	tap_ok(grp_group_set_limits(worker, &l, err, sizeof(err)) < 0 && strstr(err, "subset"),
	       "nested cpus outside parent's refused (%s)", err);
	snprintf(p, sizeof(p), "%s/pids/corral/web/worker/pids.max", tmp);
	tap_ok(get_file(p, buf, sizeof(buf)) == NULL, "nothing written when one limit is bad");
	tap_ok(grp_limits_set(&l, "cpuset.cpus", "1-", err, sizeof(err)) < 0 &&
	       strstr(err, "cpuset.cpus: '1-'"), "bad cpu list syntax refused (%s)", err);
	tap_is_str(grp_limits_get(&l, "AllowedCPUs"), "3", "a refused value changes nothing");
	grp_limits_set(&l, "cpuset.cpus", "2", err, sizeof(err));
	tap_ok(grp_group_set_limits(worker, &l, err, sizeof(err)) == 0, "nested subset accepted");
	tap_ok(grp_limits_set(&l, "numtasks.max", "0", err, sizeof(err)) < 0 &&
	       strstr(err, "positive count"), "numtasks 0 refused (%s)", err);
	tap_is_int(grp_limits_set(&l, "cpuset.nonsense", "1", err, sizeof(err)), 0,
		   "a key no subsystem owns is not a limit");
	grp_limits_free(&l);

	tap_ok(grp_group_attach(worker, 4242) == 0, "attach pid to every hierarchy");
	tap_is_int(grp_group_procs(worker, pids, 8), 1, "task listed once across hierarchies");
	tap_is_int(pids[0], 4242, "listed pid");
	tap_ok(!grp_group_empty(worker), "group with a task is not empty");
	tap_ok(!grp_group_empty(web), "group with a child container is not empty");

	nreleased = 0;
	grp_group_set_release(worker, true, on_release, (void *)1L);
	grp_group_set_release(web, true, on_release, (void *)2L);
	grp_engine_check(e);
	tap_is_int(nreleased, 0, "no release while a task remains");
	truncate_procs("cpuset", "web/worker");
	truncate_procs("cpuacct", "web/worker");
	grp_engine_check(e);
	tap_is_int(nreleased, 0, "no release while any hierarchy still has the task");
	truncate_procs("pids", "web/worker");
	truncate_procs("memory", "web/worker");
	truncate_procs("unified", "web/worker");
	grp_engine_check(e);
	tap_is_int(nreleased, 2, "task exit releases worker, then web");
	tap_ok(released_order[0] == 1 && released_order[1] == 2, "child released before parent");
	tap_ok(!exists("%s/cpuset/corral/web%s", "") && !exists("%s/unified/corral/web%s", ""),
	       "auto-delete removed the containers");
	grp_engine_check(e);
	tap_is_int(nreleased, 2, "release is reported once");

	tap_ok(grp_group_prepare(worker) == 0 && exists("%s/pids/corral/web/worker%s", ""),
	       "prepare re-creates released containers (parent side of a fork)");
	tap_ok(grp_group_attach(worker, 4343) == 0, "attach after release");
	snprintf(p, sizeof(p), "%s/cpuset/corral/web/worker/cpuset.cpus", tmp);
	tap_is_str(get_file(p, buf, sizeof(buf)) ? buf : "", "2", "revived container got its limits back");
	snprintf(p, sizeof(p), "%s/pids/corral/web/pids.max", tmp);
	tap_is_str(get_file(p, buf, sizeof(buf)) ? buf : "", "10", "revived parent got its limits back");
	truncate_procs("cpuset", "web/worker");
	truncate_procs("cpuacct", "web/worker");
	truncate_procs("pids", "web/worker");
	truncate_procs("memory", "web/worker");
	truncate_procs("unified", "web/worker");
	grp_engine_check(e);
	tap_is_int(nreleased, 4, "released again after the next exit");

	grp_group_set_release(db, false, on_release, (void *)3L);
	grp_engine_check(e);
	tap_ok(nreleased == 5 && exists("%s/cpuset/corral/db%s", ""),
	       "without auto-delete the owner is told and the container stays");

	grp_group_put(worker);
	grp_group_put(web2);
	grp_group_put(web);
	grp_group_put(db);
	tap_is_int(grp_engine_ngroups(e), 0, "all groups freed after the last put");
	grp_engine_close(e, true);
	tap_ok(!exists("%s/cpuset/corral%s", "") && !exists("%s/pids/corral%s", "") &&
	       !exists("%s/unified/corral%s", ""), "close removed everything it created");
	snprintf(p, sizeof(p), "%s/cpuset/cpuset.cpus", tmp);
	tap_is_str(get_file(p, buf, sizeof(buf)) ? buf : "", "0-3", "hierarchy root files untouched");
}

static void test_discovery(void)
{
	char mi[4096], p[1024];
	struct grp_config cfg = { 0 };
	struct grp_engine *e;

	mkdir(strcat(strcpy(p, tmp), "/my cg"), 0755);
	make_root("my cg/cpuset,cpuacct", "0\n");
	make_root("my cg/pids", NULL);
	snprintf(mi, sizeof(mi),
		 "33 30 0:30 / %s/my\\040cg/cpuset,cpuacct rw - cgroup cgroup rw,cpuset,cpuacct\n"
		 "38 30 0:35 / %s/my\\040cg/pids rw - cgroup cgroup rw,pids\n",
		 tmp, tmp);
	write_mountinfo(mi);
	snprintf(p, sizeof(p), "%s/mountinfo", tmp);
	grp_layout_parse("v1", &cfg.layout, NULL, 0);
	cfg.subtree = "corral-x/inner";
	cfg.mountinfo = p;
	cfg.sys = &fakecg_sys;
	e = grp_engine_open(&cfg);
	if (!tap_ok(e != NULL, "engine opens a cpuset,cpuacct hierarchy (escaped mount path)"))
		return;
	tap_is_int(grp_engine_nhier(e), 2, "two hierarchies, no tracking tree");
	tap_ok(grp_engine_subsys_hier(e, GRP_SUBSYS_cpuset) ==
	       grp_engine_subsys_hier(e, GRP_SUBSYS_cpuacct), "cpuset and cpuacct share a hierarchy");
	tap_ok(!grp_engine_event_driven(e), "without cgroup2 release is polled");
	tap_ok(exists("%s/my cg/pids/corral-x/inner%s", ""), "nested subtree created");
	grp_engine_close(e, true);
	tap_ok(!exists("%s/my cg/pids/corral-x%s", ""), "nested subtree removed on close");

	snprintf(mi, sizeof(mi), "40 30 0:37 / %s/unified rw - cgroup2 cgroup2 rw\n", tmp);
	write_mountinfo(mi);
	grp_layout_parse("auto", &cfg.layout, NULL, 0);
	cfg.subtree = "corral";
	e = grp_engine_open(&cfg);
	if (!tap_ok(e != NULL, "engine opens a v2-only system"))
		return;
	tap_is_int(grp_engine_kind(e), GRP_LAYOUT_V2, "auto picked v2");
	tap_is_int(grp_engine_nhier(e), 1, "one unified hierarchy");
	tap_is_int(grp_hier_mask(grp_engine_hier(e, 0)), GRP_SUBSYS_ALL, "all subsystems on it");
	{
		struct grp_group *g = grp_group_open(e, "m");
		struct grp_limits l;
		char err[256], buf[64];

		grp_limits_init(&l);
		grp_limits_set(&l, "MemoryHigh", "16M", err, sizeof(err));
		grp_limits_set(&l, "MemoryMax", "max", err, sizeof(err));
		tap_ok(g && grp_group_set_limits(g, &l, err, sizeof(err)) == 0,
		       "memory.high and memory.max on v2: %s", err);
		snprintf(p, sizeof(p), "%s/unified/corral/m/memory.high", tmp);
		tap_is_str(get_file(p, buf, sizeof(buf)) ? buf : "", "16777216", "v2 writes memory.high");
		snprintf(p, sizeof(p), "%s/unified/corral/m/memory.max", tmp);
		tap_is_str(get_file(p, buf, sizeof(buf)) ? buf : "", "max", "v2 says max as max");
		grp_limits_free(&l);
		grp_group_put(g);
		snprintf(p, sizeof(p), "%s/mountinfo", tmp);
	}
	grp_engine_close(e, true);

	/* issue 10: not the machine's init, corral's subtree goes below the
	 * cgroup it was started in; as the machine's init, at the root */
	snprintf(p, sizeof(p), "%s/unified/ci", tmp);
	mkdir(p, 0755);
	strcat(p, "/job7");
	mkdir(p, 0755);
	fakecg_self_cgroup = "0::/ci/job7\n";
	snprintf(p, sizeof(p), "%s/mountinfo", tmp);
	e = grp_engine_open(&cfg);
	tap_ok(e && !strcmp(grp_hier_path(grp_engine_hier(e, 0)), strcat(strcpy(mi, tmp),
	       "/unified/ci/job7/corral")), "subtree below corral's own cgroup (%s)",
	       e ? grp_hier_path(grp_engine_hier(e, 0)) : "-");
	grp_engine_close(e, true);
	tap_ok(!exists("%s/unified/ci/job7/corral%s", "") && exists("%s/unified/ci/job7%s", ""),
	       "close removes the subtree, not the cgroup it was below");
	cfg.own_root = true;
	e = grp_engine_open(&cfg);
	tap_ok(e && !strcmp(grp_hier_path(grp_engine_hier(e, 0)), strcat(strcpy(mi, tmp),
	       "/unified/corral")), "the machine's init: subtree at the hierarchy's root");
	grp_engine_close(e, true);
	cfg.own_root = false;
	fakecg_self_cgroup = NULL;

	write_mountinfo("");
	tap_ok(grp_engine_open(&cfg) == NULL && errno == ENOENT,
	       "no hierarchy and no mount permission: clean failure");
}

int main(void)
{
	log_set_level(LOG_LVL_ERROR);
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 2;
	}
	atexit(cleanup);
	test_layout();
	test_cpulist();
	test_numbers();
	test_descriptors();
	test_names();
	test_engine_v1();
	test_discovery();
	return tap_done();
}
