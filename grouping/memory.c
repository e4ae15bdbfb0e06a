/*
 * grouping/memory.c - the memory subsystem: how much memory a group's tasks
 * may use, and how much they use.
 *
 * v2: memory.max is the hard limit (reclaim, then the OOM killer inside the
 * group), memory.high a throttle (reclaim above it, no OOM kill; v2 only),
 * memory.current, memory.peak (Linux >= 5.19) and memory.events' oom_kill.
 * v1: memory.limit_in_bytes is the hard limit ("max" is written as -1, and
 * reads back as PAGE_COUNTER_MAX pages), memory.usage_in_bytes,
 * memory.max_usage_in_bytes, and memory.oom_control's oom_kill (Linux >=
 * 4.13).  memory.memsw.* (memory+swap) is left alone: whether a group may
 * swap is the host's configuration, not a service's.
 *
 * Sizes take K, M, G, T (powers of 1024, as systemd), "infinity"/"max", or
 * N% of the machine's memory (MemTotal when the limit is written).
 */
#include "internal.h"
#include "../lib/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* v1 says "no limit" with a number this large (PAGE_COUNTER_MAX pages) */
#define V1_UNLIMITED (1ULL << 62)

static int parse_size(const char *val, char *out, size_t outlen, const char **why)
{
	if (grp_amount_parse(val, grp_size_parse, out, outlen, why) == 0)
		return 0;
	if (!*why)
		*why = "is not a size (bytes with K, M, G or T, N%, or \"max\")";
	return -1;
}

/* MemTotal in bytes, for N% */
static int mem_total(uint64_t *out)
{
	char line[256];
	FILE *f = fopen("/proc/meminfo", "re");
	unsigned long long kb;

	if (!f) {
		log_warn_sys("open", "/proc/meminfo");
		return -1;
	}
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemTotal: %llu kB", &kb) == 1) {
			fclose(f);
			*out = kb * 1024;
			return 0;
		}
	fclose(f);
	errno = ENOENT;
	log_warn("no MemTotal in /proc/meminfo");
	return -1;
}

static const char *to_file(struct grp_container *c, const char *val, char *buf, size_t len)
{
	size_t n = strlen(val);
	uint64_t total;

	if (n && val[n - 1] == '%') {
		if (mem_total(&total) < 0)
			return NULL;
		snprintf(buf, len, "%llu", (unsigned long long)(total / 100 * strtoull(val, NULL, 10)));
		return buf;
	}
	if (!c->h->v2 && !strcmp(val, "max"))
		return "-1";
	return val;
}

enum { F_CURRENT, F_PEAK, F_MAX, F_HIGH, F_OOM };

static void number(struct grp_container *c, const char *file, struct grp_value *v, bool limit)
{
	if (grp_file_u64(c, file, &v->n) < 0)
		return;
	if (limit && v->n >= V1_UNLIMITED)
		v->n = GRP_VALUE_MAX;
	v->set = true;
}

static int memory_stats(struct grp_container *c, struct grp_value *v)
{
	char buf[1024];
	unsigned long long n;
	bool v2 = c->h->v2;

	number(c, v2 ? "memory.current" : "memory.usage_in_bytes", &v[F_CURRENT], false);
	if (!v[F_CURRENT].set)
		return -1;
	number(c, v2 ? "memory.peak" : "memory.max_usage_in_bytes", &v[F_PEAK], false);
	number(c, v2 ? "memory.max" : "memory.limit_in_bytes", &v[F_MAX], true);
	if (v2)
		number(c, "memory.high", &v[F_HIGH], true);
	if (grp_file_read_opt(c, v2 ? "memory.events" : "memory.oom_control", buf, sizeof(buf)) >= 0 &&
	    grp_kv_get(buf, "oom_kill", &n) == 0) {
		v[F_OOM].n = n;
		v[F_OOM].set = true;
	}
	return 0;
}

/* initctl list: usage only */
static int memory_summary(struct grp_container *c, struct grp_value *v)
{
	number(c, c->h->v2 ? "memory.current" : "memory.usage_in_bytes", &v[F_CURRENT], false);
	return v[F_CURRENT].set ? 0 : -1;
}

static const struct grp_key keys[] = {
	{ .name = "memory.max", .alias = "MemoryMax",
	  .v1_file = "memory.limit_in_bytes", .v2_file = "memory.max",
	  .parse = parse_size, .to_file = to_file },
	{ .name = "memory.high", .alias = "MemoryHigh",
	  .v1_file = NULL, .v2_file = "memory.high",
	  .parse = parse_size, .to_file = to_file },
};

static const struct grp_field fields[] = {
	[F_CURRENT] = { "memory_current", GRP_FIELD_BYTES, "Memory the group's tasks use now." },
	[F_PEAK] = { "memory_peak", GRP_FIELD_BYTES, "The most memory the group has used." },
	[F_MAX] = { "memory_max", GRP_FIELD_BYTES_LIMIT, "The group's memory limit (memory.max)." },
	[F_HIGH] = { "memory_high", GRP_FIELD_BYTES_LIMIT,
		     "Where the group's memory is throttled (memory.high, cgroup v2)." },
	[F_OOM] = { "oom_kills", GRP_FIELD_COUNTER,
		    "Tasks of the group the OOM killer ended at its limit." },
};

const struct grp_subsys grp_memory_subsys = {
	.name = "memory",
	.v1_name = "memory",
	.v2_name = "memory",
	.stats = memory_stats,
	.summary = memory_summary,
	.keys = keys, .nkeys = GRP_ARRAY_SIZE(keys),
	.fields = fields, .nfields = GRP_ARRAY_SIZE(fields),
};
