/*
 * grouping/cpuset.c - the cpuset subsystem: which cpus and memory nodes a
 * group's tasks may use.
 *
 * v1 creates a child cpuset with empty cpus and mems, and the kernel then
 * refuses every attach with ENOSPC, so create copies the parent's values
 * (what cgroup.clone_children would do, without touching the parent's
 * flag).  v2 inherits automatically when cpuset.cpus is empty.
 *
 * The parent's files are reached as "../file" relative to the container's
 * own directory descriptor, which works for subtree components that have
 * no struct grp_container of their own.
 */
#include "internal.h"
#include "../lib/log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define CPUSET_BITS 4096	/* CONFIG_NR_CPUS upper bound on x86_64 */
#define WORDS (CPUSET_BITS / 64)

static int cpuset_create(struct grp_container *c)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	char parent[GRP_LIST_MAX], own[GRP_LIST_MAX], rel[64];

	if (c->h->v2)
		return 0;
	for (unsigned i = 0; i < 2; i++) {
		snprintf(rel, sizeof(rel), "../%s", files[i]);
		if (grp_file_read_opt(c, rel, parent, sizeof(parent)) < 0) {
			if (c->h->plain && errno == ENOENT)
				continue;
			return -1;
		}
		grp_chomp(parent);
		if (grp_file_read_opt(c, files[i], own, sizeof(own)) >= 0) {
			grp_chomp(own);
			if (*own)
				continue;	/* adopted a configured one */
		}
		if (*parent && grp_file_write(c, files[i], parent) < 0)
			return -1;
	}
	return 0;
}

static int cpuset_can_attach(struct grp_container *c, pid_t pid)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	char buf[GRP_LIST_MAX];

	(void)pid;
	if (c->h->v2)
		return 0;	/* empty means inherit on v2 */
	for (unsigned i = 0; i < 2; i++) {
		if (grp_file_read_opt(c, files[i], buf, sizeof(buf)) < 0) {
			if (c->h->plain && errno == ENOENT)
				continue;
			return -1;
		}
		grp_chomp(buf);
		if (!*buf) {
			log_warn("%s/%s is empty: no task can run there",
				 c->path, files[i]);
			errno = ENOSPC;	/* what the kernel would answer */
			return -1;
		}
	}
	return 0;
}

/* The parent's effective list: what this group may be narrowed to. */
static int parent_effective(struct grp_container *c, bool cpus,
			    uint64_t *bits)
{
	const char *v1eff = cpus ? "../cpuset.effective_cpus" : "../cpuset.effective_mems";
	const char *v2eff = cpus ? "../cpuset.cpus.effective" : "../cpuset.mems.effective";
	const char *conf = cpus ? "../cpuset.cpus" : "../cpuset.mems";
	char buf[GRP_LIST_MAX];

	if (grp_file_read_opt(c, c->h->v2 ? v2eff : v1eff, buf, sizeof(buf)) < 0 &&
	    grp_file_read(c, conf, buf, sizeof(buf)) < 0)
		return -1;
	return grp_cpulist_parse(buf, bits, CPUSET_BITS);
}

static int check_list(struct grp_container *c, const char *val, bool cpus,
		      char *err, size_t errlen)
{
	const char *what = cpus ? "cpuset.cpus" : "cpuset.mems";
	uint64_t want[WORDS], allowed[WORDS];
	char have[GRP_LIST_MAX];

	if (grp_cpulist_parse(val, want, CPUSET_BITS) < 0) {
		snprintf(err, errlen, "%s: bad list '%s' (expected e.g. 0-3,5)",
			 what, val);
		errno = EINVAL;
		return -1;
	}
	if (!*val) {
		snprintf(err, errlen, "%s: empty list", what);
		errno = EINVAL;
		return -1;
	}
	if (parent_effective(c, cpus, allowed) < 0) {
		snprintf(err, errlen, "%s: cannot read the parent's effective "
			 "list: %s", what, strerror(errno));
		return -1;
	}
	for (unsigned i = 0; i < WORDS; i++)
		if (want[i] & ~allowed[i]) {
			snprintf(err, errlen, "%s: '%s' is not a subset of the "
				 "parent's %s", what, val,
				 grp_cpulist_format(allowed, CPUSET_BITS, have,
						    sizeof(have)));
			errno = EINVAL;
			return -1;
		}
	return 0;
}

static int cpuset_validate(struct grp_container *c, const struct grp_limits *l,
			   char *err, size_t errlen)
{
	if (*l->cpus && check_list(c, l->cpus, true, err, errlen) < 0)
		return -1;
	if (*l->mems && check_list(c, l->mems, false, err, errlen) < 0)
		return -1;
	return 0;
}

static int cpuset_apply(struct grp_container *c, const struct grp_limits *l)
{
	if (*l->cpus && grp_file_write(c, "cpuset.cpus", l->cpus) < 0)
		return -1;
	if (*l->mems && grp_file_write(c, "cpuset.mems", l->mems) < 0)
		return -1;
	return 0;
}

static void read_list(struct grp_container *c, const char *file, char *out)
{
	if (grp_file_read_opt(c, file, out, GRP_LIST_MAX) < 0)
		*out = '\0';
	grp_chomp(out);
}

static int cpuset_stats(struct grp_container *c, struct grp_stats *st)
{
	read_list(c, "cpuset.cpus", st->cpus);
	read_list(c, "cpuset.mems", st->mems);
	read_list(c, c->h->v2 ? "cpuset.cpus.effective" : "cpuset.effective_cpus",
		  st->cpus_effective);
	read_list(c, c->h->v2 ? "cpuset.mems.effective" : "cpuset.effective_mems",
		  st->mems_effective);
	return 0;
}

const struct grp_subsys grp_cpuset_subsys = {
	.name = "cpuset",
	.v1_name = "cpuset",
	.v2_name = "cpuset",
	.create = cpuset_create,
	.can_attach = cpuset_can_attach,
	.validate = cpuset_validate,
	.apply = cpuset_apply,
	.stats = cpuset_stats,
};
