/*
 * grouping/numtasks.c - the numtasks subsystem (the seed's ResGroups
 * numtasks controller, which Linux ships as "pids"): caps how many tasks a
 * group may hold; fork/clone beyond it fails with EAGAIN.
 *
 * pids.events "max N" counts forks refused because this group's limit (or,
 * on v1, an ancestor's, charged where the limit was hit) was reached.
 */
#include "internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* load time: a positive count or "max" */
static int parse_count(const char *val, char *out, size_t outlen, const char **why)
{
	uint64_t v;

	if (grp_count_parse(val, &v) < 0) {
		*why = "is not a positive count or \"max\"";
		return -1;
	}
	if (v == GRP_VALUE_MAX)
		snprintf(out, outlen, "max");
	else
		snprintf(out, outlen, "%llu", (unsigned long long)v);
	return 0;
}

enum { F_CURRENT, F_MAX, F_FAILURES };

static int numtasks_stats(struct grp_container *c, struct grp_value *v)
{
	char buf[256];
	unsigned long long n;

	if (grp_file_u64(c, "pids.current", &v[F_CURRENT].n) < 0)
		return -1;
	v[F_CURRENT].set = true;
	v[F_MAX].set = grp_file_u64(c, "pids.max", &v[F_MAX].n) == 0;
	if (grp_file_read_opt(c, "pids.events", buf, sizeof(buf)) >= 0 &&
	    grp_kv_get(buf, "max", &n) == 0) {
		v[F_FAILURES].n = n;
		v[F_FAILURES].set = true;
	}
	return 0;
}

static const struct grp_key keys[] = {
	{ .name = "numtasks.max", .alias = "TasksMax",
	  .v1_file = "pids.max", .v2_file = "pids.max", .parse = parse_count },
};

static const struct grp_field fields[] = {
	[F_CURRENT] = { "numtasks_current", GRP_FIELD_COUNT, "Tasks in the group now." },
	[F_MAX] = { "numtasks_max", GRP_FIELD_LIMIT, "The group's task limit (numtasks.max)." },
	[F_FAILURES] = { "fork_failures", GRP_FIELD_COUNTER,
			 "Forks refused because the task limit was reached." },
};

const struct grp_subsys grp_numtasks_subsys = {
	.name = "numtasks",
	.v1_name = "pids",
	.v2_name = "pids",
	.stats = numtasks_stats,
	.keys = keys, .nkeys = GRP_ARRAY_SIZE(keys),
	.fields = fields, .nfields = GRP_ARRAY_SIZE(fields),
};
