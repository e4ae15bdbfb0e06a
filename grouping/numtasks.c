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

static int numtasks_validate(struct grp_container *c, const struct grp_limits *l,
			     char *err, size_t errlen)
{
	(void)c;
	if (l->numtasks_max == GRP_NUMTASKS_UNSET ||
	    l->numtasks_max == GRP_NUMTASKS_MAX || l->numtasks_max > 0)
		return 0;
	snprintf(err, errlen, "numtasks.max: %lld is not a positive count "
		 "or \"max\"", l->numtasks_max);
	errno = EINVAL;
	return -1;
}

static int numtasks_apply(struct grp_container *c, const struct grp_limits *l)
{
	char buf[32];

	if (l->numtasks_max == GRP_NUMTASKS_UNSET)
		return 0;
	if (l->numtasks_max == GRP_NUMTASKS_MAX)
		snprintf(buf, sizeof(buf), "max");
	else
		snprintf(buf, sizeof(buf), "%lld", l->numtasks_max);
	return grp_file_write(c, "pids.max", buf);
}

static int numtasks_stats(struct grp_container *c, struct grp_stats *st)
{
	char buf[256];
	unsigned long long v;

	if (grp_file_read_opt(c, "pids.current", buf, sizeof(buf)) < 0)
		return -1;
	st->numtasks_current = strtoll(buf, NULL, 10);
	st->numtasks_max = GRP_NUMTASKS_MAX;
	if (grp_file_read_opt(c, "pids.max", buf, sizeof(buf)) >= 0 &&
	    strncmp(buf, "max", 3))
		st->numtasks_max = strtoll(buf, NULL, 10);
	if (grp_file_read_opt(c, "pids.events", buf, sizeof(buf)) >= 0 &&
	    grp_kv_get(buf, "max", &v) == 0)
		st->fork_failures = v;
	return 0;
}

const struct grp_subsys grp_numtasks_subsys = {
	.name = "numtasks",
	.v1_name = "pids",
	.v2_name = "pids",
	.validate = numtasks_validate,
	.apply = numtasks_apply,
	.stats = numtasks_stats,
};
