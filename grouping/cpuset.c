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
		if (grp_file_read(c, rel, parent, sizeof(parent)) < 0)
			return -1;
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

/* v1: a child the service of a delegated group makes gets the group's
 * cpus and mems (the kernel copies them for cgroup.clone_children), or
 * no task could enter it.  v2 children inherit. */
static int cpuset_delegate(struct grp_container *c)
{
	return c->h->v2 ? 0 : grp_file_write(c, "cgroup.clone_children", "1");
}

static int cpuset_can_attach(struct grp_container *c, pid_t pid)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	char buf[GRP_LIST_MAX];

	(void)pid;
	if (c->h->v2)
		return 0;	/* empty means inherit on v2 */
	for (unsigned i = 0; i < 2; i++) {
		if (grp_file_read(c, files[i], buf, sizeof(buf)) < 0)
			return -1;
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

static int check_list(struct grp_container *c, const struct grp_key *k,
		      const char *val, char *err, size_t errlen)
{
	bool cpus = !strcmp(k->name, "cpuset.cpus");
	uint64_t want[WORDS], allowed[WORDS];
	char have[GRP_LIST_MAX];

	if (grp_cpulist_parse(val, want, CPUSET_BITS) < 0) {
		snprintf(err, errlen, "%s: bad list '%s' (expected e.g. 0-3,5)",
			 k->name, val);
		errno = EINVAL;
		return -1;
	}
	if (parent_effective(c, cpus, allowed) < 0) {
		snprintf(err, errlen, "%s: cannot read the parent's effective "
			 "list: %s", k->name, strerror(errno));
		return -1;
	}
	for (unsigned i = 0; i < WORDS; i++)
		if (want[i] & ~allowed[i]) {
			snprintf(err, errlen, "%s: '%s' is not a subset of the "
				 "parent's %s", k->name, val,
				 grp_cpulist_format(allowed, CPUSET_BITS, have,
						    sizeof(have)));
			errno = EINVAL;
			return -1;
		}
	return 0;
}

/* load time: a non-empty list, in the kernel's canonical form */
static int parse_list(const char *val, char *out, size_t outlen, const char **why)
{
	uint64_t bits[WORDS];

	if (grp_cpulist_parse(val, bits, CPUSET_BITS) < 0) {
		*why = "is not a cpu or node list (e.g. 0-3,5)";
		return -1;
	}
	grp_cpulist_format(bits, CPUSET_BITS, out, outlen);
	if (!*out) {
		*why = "is empty: no task could run";
		return -1;
	}
	return 0;
}

static void read_list(struct grp_container *c, const char *file, struct grp_value *v)
{
	if (grp_file_read_opt(c, file, v->text, sizeof(v->text)) < 0)
		return;
	grp_chomp(v->text);
	v->set = true;
}

enum { F_CPUS, F_MEMS };

static int cpuset_stats(struct grp_container *c, struct grp_value *v)
{
	read_list(c, c->h->v2 ? "cpuset.cpus.effective" : "cpuset.effective_cpus",
		  &v[F_CPUS]);
	read_list(c, c->h->v2 ? "cpuset.mems.effective" : "cpuset.effective_mems",
		  &v[F_MEMS]);
	return 0;
}

static const struct grp_key keys[] = {
	{ .name = "cpuset.cpus", .alias = "AllowedCPUs",
	  .v1_file = "cpuset.cpus", .v2_file = "cpuset.cpus",
	  .parse = parse_list, .validate = check_list },
	{ .name = "cpuset.mems", .alias = "AllowedMemoryNodes",
	  .v1_file = "cpuset.mems", .v2_file = "cpuset.mems",
	  .parse = parse_list, .validate = check_list },
};

static const struct grp_field fields[] = {
	[F_CPUS] = { "cpus", GRP_FIELD_LIST, "CPUs the group's tasks may run on (effective)." },
	[F_MEMS] = { "mems", GRP_FIELD_LIST, "Memory nodes the group's tasks may use (effective)." },
};

const struct grp_subsys grp_cpuset_subsys = {
	.name = "cpuset",
	.v1_name = "cpuset",
	.v2_name = "cpuset",
	.create = cpuset_create,
	.can_attach = cpuset_can_attach,
	.delegate = cpuset_delegate,
	.stats = cpuset_stats,
	.keys = keys, .nkeys = GRP_ARRAY_SIZE(keys),
	.fields = fields, .nfields = GRP_ARRAY_SIZE(fields),
};
