/*
 * grouping/cpuacct.c - the cpuacct subsystem: CPU time used by a group.
 *
 * v1 has cpuacct.usage (ns) and, since Linux 4.7, cpuacct.usage_user and
 * cpuacct.usage_sys (ns); older kernels only have cpuacct.stat in USER_HZ
 * ticks.  v2 has no cpuacct controller: every cgroup's core cpu.stat gives
 * usage/user/system in microseconds, with no controller to enable.
 */
#include "internal.h"

#include <unistd.h>

enum { F_USER, F_SYSTEM, F_USAGE };

static void set(struct grp_value *v, uint64_t n)
{
	v->n = n;
	v->set = true;
}

static int cpuacct_stats(struct grp_container *c, struct grp_value *v)
{
	char buf[1024];
	unsigned long long n;
	uint64_t u, k;

	if (c->h->v2) {
		if (grp_file_read_opt(c, "cpu.stat", buf, sizeof(buf)) < 0)
			return -1;
		if (grp_kv_get(buf, "usage_usec", &n) < 0)
			return -1;
		set(&v[F_USAGE], n * 1000);
		if (grp_kv_get(buf, "user_usec", &n) == 0)
			set(&v[F_USER], n / 1000);
		if (grp_kv_get(buf, "system_usec", &n) == 0)
			set(&v[F_SYSTEM], n / 1000);
		return 0;
	}
	if (grp_file_u64(c, "cpuacct.usage", &u) < 0)
		return -1;
	set(&v[F_USAGE], u);
	if (grp_file_u64(c, "cpuacct.usage_user", &u) == 0 &&
	    grp_file_u64(c, "cpuacct.usage_sys", &k) == 0) {
		set(&v[F_USER], u / 1000000);
		set(&v[F_SYSTEM], k / 1000000);
		return 0;
	}
	if (grp_file_read_opt(c, "cpuacct.stat", buf, sizeof(buf)) >= 0) {
		long hz = sysconf(_SC_CLK_TCK);

		if (hz <= 0)
			hz = 100;
		if (grp_kv_get(buf, "user", &n) == 0)
			set(&v[F_USER], n * 1000 / (unsigned long long)hz);
		if (grp_kv_get(buf, "system", &n) == 0)
			set(&v[F_SYSTEM], n * 1000 / (unsigned long long)hz);
	}
	return 0;
}

/* initctl list: the total only */
static int cpuacct_summary(struct grp_container *c, struct grp_value *v)
{
	char buf[1024];
	unsigned long long n;
	uint64_t u;

	if (c->h->v2) {
		if (grp_file_read_opt(c, "cpu.stat", buf, sizeof(buf)) < 0 ||
		    grp_kv_get(buf, "usage_usec", &n) < 0)
			return -1;
		set(&v[F_USAGE], n * 1000);
		return 0;
	}
	if (grp_file_u64(c, "cpuacct.usage", &u) < 0)
		return -1;
	set(&v[F_USAGE], u);
	return 0;
}

static const struct grp_field fields[] = {
	[F_USER] = { "cpu_user_ms", GRP_FIELD_MSEC, "CPU time the group's tasks used in user mode." },
	[F_SYSTEM] = { "cpu_system_ms", GRP_FIELD_MSEC, "CPU time the group's tasks used in the kernel." },
	[F_USAGE] = { "cpu_usage_ns", GRP_FIELD_NSEC, "CPU time the group's tasks used in all." },
};

const struct grp_subsys grp_cpuacct_subsys = {
	.name = "cpuacct",
	.v1_name = "cpuacct",
	.v2_name = NULL,	/* cpu.stat is a core file on v2 */
	.stats = cpuacct_stats,
	.summary = cpuacct_summary,
	.fields = fields, .nfields = GRP_ARRAY_SIZE(fields),
};
