/*
 * grouping/numtasks.c - the numtasks subsystem (the seed's ResGroups
 * numtasks controller, which Linux ships as "pids"): caps how many tasks a
 * group may hold; fork/clone beyond it fails with EAGAIN.
 *
 * pids.events "max N" counts forks refused because this group's limit (or,
 * on v1, an ancestor's, charged where the limit was hit) was reached.
 */
#include "internal.h"
#include "../lib/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* load time: a positive count, "max", or N% of the system's task limit
 * (systemd's TasksMax=15%, resolved when written) */
static int parse_count(const char *val, char *out, size_t outlen, const char **why)
{
	if (grp_amount_parse(val, grp_count_parse, out, outlen, why) == 0)
		return 0;
	if (!*why)
		*why = "is not a positive count, N% or \"max\"";
	return -1;
}

static int read_sysctl(const char *path, unsigned long long *out)
{
	char buf[32];
	FILE *f = fopen(path, "re");

	if (!f) {
		log_warn_sys("open", path);
		return -1;
	}
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		errno = EIO;
		log_warn_sys("read", path);
		return -1;
	}
	fclose(f);
	*out = strtoull(buf, NULL, 10);
	return 0;
}

/* N% of what the system allows at most (the lower of kernel.pid_max and
 * kernel.threads-max, as systemd counts it), at least 1 */
static const char *to_file(struct grp_container *c, const char *val, char *buf, size_t len)
{
	size_t n = strlen(val);
	unsigned long long pid_max, threads_max, lim;

	(void)c;
	if (!n || val[n - 1] != '%')
		return val;
	if (read_sysctl("/proc/sys/kernel/pid_max", &pid_max) < 0 ||
	    read_sysctl("/proc/sys/kernel/threads-max", &threads_max) < 0)
		return NULL;
	lim = (pid_max < threads_max ? pid_max : threads_max) * strtoull(val, NULL, 10) / 100;
	snprintf(buf, len, "%llu", lim ? lim : 1);
	return buf;
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

/* initctl list: the task count only */
static int numtasks_summary(struct grp_container *c, struct grp_value *v)
{
	if (grp_file_u64(c, "pids.current", &v[F_CURRENT].n) < 0)
		return -1;
	v[F_CURRENT].set = true;
	return 0;
}

static const struct grp_key keys[] = {
	{ .name = "numtasks.max", .alias = "TasksMax",
	  .v1_file = "pids.max", .v2_file = "pids.max", .parse = parse_count,
	  .to_file = to_file },
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
	.summary = numtasks_summary,
	.keys = keys, .nkeys = GRP_ARRAY_SIZE(keys),
	.fields = fields, .nfields = GRP_ARRAY_SIZE(fields),
};
