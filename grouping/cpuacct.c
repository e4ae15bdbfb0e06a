/*
 * grouping/cpuacct.c - the cpuacct subsystem: CPU time used by a group.
 *
 * v1 has cpuacct.usage (ns) and, since Linux 4.7, cpuacct.usage_user and
 * cpuacct.usage_sys (ns); older kernels only have cpuacct.stat in USER_HZ
 * ticks.  v2 has no cpuacct controller: every cgroup's core cpu.stat gives
 * usage/user/system in microseconds, with no controller to enable.
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

static int read_u64(struct grp_container *c, const char *file, uint64_t *out)
{
	char buf[64], *end;

	if (grp_file_read_opt(c, file, buf, sizeof(buf)) < 0)
		return -1;
	errno = 0;
	*out = strtoull(buf, &end, 10);
	if (errno || end == buf) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static int cpuacct_stats(struct grp_container *c, struct grp_stats *st)
{
	char buf[1024];
	unsigned long long v;

	if (c->h->v2) {
		if (grp_file_read_opt(c, "cpu.stat", buf, sizeof(buf)) < 0)
			return -1;
		if (grp_kv_get(buf, "usage_usec", &v) < 0)
			return -1;
		st->usage_ns = v * 1000;
		if (grp_kv_get(buf, "user_usec", &v) == 0)
			st->user_ns = v * 1000;
		if (grp_kv_get(buf, "system_usec", &v) == 0)
			st->system_ns = v * 1000;
		return 0;
	}
	if (read_u64(c, "cpuacct.usage", &st->usage_ns) < 0)
		return -1;
	if (read_u64(c, "cpuacct.usage_user", &st->user_ns) == 0 &&
	    read_u64(c, "cpuacct.usage_sys", &st->system_ns) == 0)
		return 0;
	if (grp_file_read_opt(c, "cpuacct.stat", buf, sizeof(buf)) >= 0) {
		long hz = sysconf(_SC_CLK_TCK);

		if (hz <= 0)
			hz = 100;
		if (grp_kv_get(buf, "user", &v) == 0)
			st->user_ns = v * (1000000000ULL / (unsigned long long)hz);
		if (grp_kv_get(buf, "system", &v) == 0)
			st->system_ns = v * (1000000000ULL / (unsigned long long)hz);
	}
	return 0;
}

const struct grp_subsys grp_cpuacct_subsys = {
	.name = "cpuacct",
	.v1_name = "cpuacct",
	.v2_name = NULL,	/* cpu.stat is a core file on v2 */
	.stats = cpuacct_stats,
};
