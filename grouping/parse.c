/*
 * grouping/parse.c - pure parsers and validators: layouts, cpu lists,
 * counts, sizes, container names.  No I/O and no reference to the
 * subsystems' ops (only their names, from subsys_list.h), so it links
 * alone into unit tests and fuzzers (tests/host/parse-alone.sh checks).
 */
#include "internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[GRP_SUBSYS_COUNT][2] = {
#define SUBSYS(n, k) { #n, k },
#include "subsys_list.h"
#undef SUBSYS
};

const char *grp_subsys_name(enum grp_subsys_id id)
{
	if ((unsigned)id >= GRP_SUBSYS_COUNT)
		return "?";
	return names[id][0];
}

const char *grp_subsys_kernel_name(enum grp_subsys_id id)
{
	if ((unsigned)id >= GRP_SUBSYS_COUNT)
		return "?";
	return names[id][1];
}

int grp_subsys_lookup(const char *name)
{
	for (int i = 0; i < GRP_SUBSYS_COUNT; i++)
		if (!strcmp(name, names[i][0]) || !strcmp(name, names[i][1]))
			return i;
	return -1;
}

const char *grp_subsys_mask_names(unsigned mask, bool kernel, char *buf, size_t len)
{
	size_t n = 0;

	if (!len)
		return buf;
	buf[0] = '\0';
	for (int i = 0; i < GRP_SUBSYS_COUNT && n < len; i++)
		if (mask & (1u << i)) {
			int r = snprintf(buf + n, len - n, "%s%s", n ? "," : "",
					 names[i][kernel]);

			if (r < 0 || (size_t)r >= len - n) {
				buf[n] = '\0';	/* cut at a whole name */
				break;
			}
			n += (size_t)r;
		}
	return buf;
}

static void seterr(char *err, size_t len, const char *fmt, const char *arg)
{
	if (err && len)
		snprintf(err, len, fmt, arg);
}

int grp_layout_parse(const char *spec, struct grp_layout *out,
		     char *err, size_t errlen)
{
	char buf[256], *save1 = NULL, *hs;
	unsigned seen = 0;

	memset(out, 0, sizeof(*out));
	if (!spec || !strcmp(spec, "auto")) {
		out->kind = GRP_LAYOUT_AUTO;
		return 0;
	}
	if (!strcmp(spec, "v2")) {
		out->kind = GRP_LAYOUT_V2;
		return 0;
	}
	if (!strcmp(spec, "v1")) {
		/* the default asked for: one hierarchy per subsystem */
		out->kind = GRP_LAYOUT_V1;
		out->nhier = GRP_SUBSYS_COUNT;
		for (unsigned i = 0; i < GRP_SUBSYS_COUNT; i++)
			out->masks[i] = 1u << i;
		return 0;
	}
	if (strncmp(spec, "v1:", 3) || strlen(spec) >= sizeof(buf)) {
		seterr(err, errlen, "unknown layout '%s' (auto, v1, v2, "
		       "v1:cpuset,cpuacct)", spec);
		errno = EINVAL;
		return -1;
	}
	strcpy(buf, spec + 3);
	out->kind = GRP_LAYOUT_V1;
	for (hs = strtok_r(buf, ":", &save1); hs; hs = strtok_r(NULL, ":", &save1)) {
		char *save2 = NULL, *ss;
		unsigned mask = 0;

		if (out->nhier == GRP_HIER_MAX) {
			seterr(err, errlen, "too many hierarchies in '%s'", spec);
			errno = EINVAL;
			return -1;
		}
		for (ss = strtok_r(hs, ",", &save2); ss; ss = strtok_r(NULL, ",", &save2)) {
			int id = grp_subsys_lookup(ss);

			if (id < 0) {
				seterr(err, errlen, "unknown subsystem '%s'", ss);
				errno = EINVAL;
				return -1;
			}
			if (seen & (1u << id)) {
				seterr(err, errlen, "subsystem '%s' bound twice", ss);
				errno = EINVAL;
				return -1;
			}
			seen |= 1u << id;
			mask |= 1u << id;
		}
		if (mask)
			out->masks[out->nhier++] = mask;
	}
	/* a subsystem the spec does not name gets a hierarchy of its own,
	 * so a spec written before a subsystem existed still means what it
	 * said */
	for (unsigned i = 0; i < GRP_SUBSYS_COUNT; i++) {
		if (seen & (1u << i))
			continue;
		if (out->nhier == GRP_HIER_MAX) {
			seterr(err, errlen, "too many hierarchies in '%s'", spec);
			errno = EINVAL;
			return -1;
		}
		out->masks[out->nhier++] = 1u << i;
	}
	return 0;
}

const char *grp_layout_format(const struct grp_layout *l, char *buf, size_t len)
{
	size_t n = 0;

	if (l->kind == GRP_LAYOUT_AUTO)
		snprintf(buf, len, "auto");
	else if (l->kind == GRP_LAYOUT_V2)
		snprintf(buf, len, "v2");
	else {
		n = (size_t)snprintf(buf, len, "v1");
		for (unsigned h = 0; h < l->nhier && n < len; h++) {
			char names_[128];

			n += (size_t)snprintf(buf + n, len - n, ":%s",
					      grp_subsys_mask_names(l->masks[h], false,
								    names_, sizeof(names_)));
		}
	}
	return buf;
}

/* Kernel list format: comma separated ids or ranges "a-b"; whitespace
 * around the whole list (a trailing newline from a read) is tolerated. */
int grp_cpulist_parse(const char *s, uint64_t *bits, unsigned nbits)
{
	const char *p = s;

	memset(bits, 0, ((nbits + 63) / 64) * sizeof(uint64_t));
	while (isspace((unsigned char)*p))
		p++;
	if (!*p)
		return 0;	/* empty list is valid: "no cpus" */
	for (;;) {
		char *end;
		unsigned long a, b;

		if (!isdigit((unsigned char)*p))
			goto bad;
		errno = 0;
		a = strtoul(p, &end, 10);
		if (errno || end == p)
			goto bad;
		b = a;
		p = end;
		if (*p == '-') {
			p++;
			if (!isdigit((unsigned char)*p))
				goto bad;
			b = strtoul(p, &end, 10);
			if (errno || end == p)
				goto bad;
			p = end;
		}
		if (a > b || b >= nbits)
			goto bad;
		for (unsigned long i = a; i <= b; i++)
			bits[i / 64] |= 1ULL << (i % 64);
		if (*p == ',') {
			p++;
			continue;
		}
		while (isspace((unsigned char)*p))
			p++;
		if (*p)
			goto bad;
		return 0;
	}
bad:
	errno = EINVAL;
	return -1;
}

const char *grp_cpulist_format(const uint64_t *bits, unsigned nbits,
			       char *buf, size_t len)
{
	size_t n = 0;
	const char *sep = "";

	buf[0] = '\0';
	for (unsigned i = 0; i < nbits && n < len; i++) {
		unsigned j;

		if (!(bits[i / 64] & (1ULL << (i % 64))))
			continue;
		for (j = i; j + 1 < nbits && (bits[(j + 1) / 64] & (1ULL << ((j + 1) % 64))); j++)
			;
		if (j == i)
			n += (size_t)snprintf(buf + n, len - n, "%s%u", sep, i);
		else
			n += (size_t)snprintf(buf + n, len - n, "%s%u-%u", sep, i, j);
		sep = ",";
		i = j;
	}
	return buf;
}

int grp_count_parse(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!strcmp(s, "max") || !strcmp(s, "infinity")) {
		*out = GRP_VALUE_MAX;
		return 0;
	}
	if (!isdigit((unsigned char)*s))
		goto bad;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v == 0 || v > 4194304 /* PID_MAX_LIMIT */)
		goto bad;
	*out = v;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

int grp_percent_parse(const char *s, unsigned *pct)
{
	size_t n = strlen(s);
	unsigned long v;
	char *end;

	if (n < 2 || s[n - 1] != '%')
		return 0;
	if (!isdigit((unsigned char)*s))
		goto bad;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end != s + n - 1 || v < 1 || v > 100)
		goto bad;
	*pct = (unsigned)v;
	return 1;
bad:
	errno = EINVAL;
	return -1;
}

int grp_amount_parse(const char *val, int (*number)(const char *, uint64_t *),
		     char *out, size_t outlen, const char **why)
{
	unsigned pct;
	uint64_t v;

	switch (grp_percent_parse(val, &pct)) {
	case 1:
		snprintf(out, outlen, "%u%%", pct);
		return 0;
	case -1:
		*why = "is not a percentage from 1% to 100%";
		return -1;
	}
	if (number(val, &v) < 0) {
		*why = NULL;	/* the caller names what a number is */
		return -1;
	}
	if (v == GRP_VALUE_MAX)
		snprintf(out, outlen, "max");
	else
		snprintf(out, outlen, "%llu", (unsigned long long)v);
	return 0;
}

int grp_size_parse(const char *s, uint64_t *out)
{
	static const char units[] = "KMGT";
	unsigned long long v;
	const char *u;
	char *end;

	if (!strcmp(s, "max") || !strcmp(s, "infinity")) {
		*out = GRP_VALUE_MAX;
		return 0;
	}
	if (!isdigit((unsigned char)*s))
		goto bad;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		goto bad;
	if (*end) {
		if (end[1] || !(u = strchr(units, *end)))
			goto bad;
		for (long i = 0; i <= u - units; i++) {
			if (v > (1ULL << 62) / 1024)
				goto bad;
			v *= 1024;
		}
	}
	if (v > (1ULL << 62))
		goto bad;
	*out = v;
	return 0;
bad:
	errno = EINVAL;
	return -1;
}

/* Names the kernel reserves in a cgroup directory, or that a subsystem
 * could add later: a container with such a name would shadow a control
 * file or be refused by mkdir in a confusing way. */
static const char *const reserved_names[] = {
	"tasks", "notify_on_release", "release_agent",
};
static const char *const reserved_prefixes[] = {
	"cgroup.", "cpuset.", "cpuacct.", "cpu.", "pids.", "memory.", "io.",
	"blkio.", "devices.", "freezer.", "hugetlb.", "rdma.", "misc.",
	"net_cls.", "net_prio.", "perf_event.", "numtasks.",
};

int grp_name_valid(const char *name, const char **why)
{
	size_t len = strlen(name);
	const char *dummy;

	if (!why)
		why = &dummy;
	errno = EINVAL;
	if (len == 0) {
		*why = "empty name";
		return -1;
	}
	if (len > GRP_NAME_MAX) {
		*why = "name longer than 64 bytes";
		return -1;
	}
	if (strchr(name, '/')) {
		*why = "name contains '/'";
		return -1;
	}
	if (name[0] == '.') {
		*why = "name starts with '.' (includes \".\" and \"..\")";
		return -1;
	}
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.@:-", *p)) {
			*why = "name has a character outside [A-Za-z0-9_.@:-]";
			return -1;
		}
	for (size_t i = 0; i < sizeof(reserved_names) / sizeof(*reserved_names); i++)
		if (!strcmp(name, reserved_names[i])) {
			*why = "name is a control-file name";
			return -1;
		}
	for (size_t i = 0; i < sizeof(reserved_prefixes) / sizeof(*reserved_prefixes); i++)
		if (!strncmp(name, reserved_prefixes[i], strlen(reserved_prefixes[i]))) {
			*why = "name starts with a control-file prefix";
			return -1;
		}
	errno = 0;
	return 0;
}

int grp_path_valid(const char *path, const char **why)
{
	char buf[GRP_PATH_MAX];
	char *save = NULL, *tok;
	unsigned depth = 0;
	const char *dummy;

	if (!why)
		why = &dummy;
	if (strlen(path) >= sizeof(buf)) {
		*why = "path too long";
		errno = EINVAL;
		return -1;
	}
	if (!*path || path[0] == '/' || path[strlen(path) - 1] == '/' ||
	    strstr(path, "//")) {
		*why = "path must be names joined by single '/'";
		errno = EINVAL;
		return -1;
	}
	strcpy(buf, path);
	for (tok = strtok_r(buf, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
		if (grp_name_valid(tok, why) < 0)
			return -1;
		if (++depth > GRP_DEPTH_MAX) {
			*why = "path nests deeper than 8 levels";
			errno = EINVAL;
			return -1;
		}
	}
	return 0;
}

