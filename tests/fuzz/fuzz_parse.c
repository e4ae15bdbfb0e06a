/*
 * tests/fuzz/fuzz_parse.c - the small parsers every configuration value
 * goes through: cpu/node lists, counts, sizes, every subsystem key's
 * parser, time spans, group names
 * and paths, cgroup layouts.  The first byte picks the parser (and for cpu
 * lists the bitmap size); the rest is the text, as a C string.
 *
 * Besides "no crash, no sanitizer report", each parser's output is checked:
 * cpu lists survive format + parse unchanged and set no bit past nbits,
 * counts and sizes are in range, key values are canonical, time spans are finite and never come from
 * hex or exponent notation, valid names cannot escape their directory,
 * layouts survive format + parse.
 */
#include "fuzz.h"
#include "../../grouping/grouping.h"
#include "../../services/services.h"

#include <ctype.h>
#include <math.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

static void fuzz_cpulist(const char *s, unsigned nbits)
{
	uint64_t bits[64], again[64];
	char buf[32768];

	memset(bits, 0x5a, sizeof(bits));
	if (grp_cpulist_parse(s, bits, nbits) < 0)
		return;
	for (unsigned i = nbits; i < ((nbits + 63) / 64) * 64; i++)
		FUZZ_CHECK(!(bits[i / 64] & (1ULL << (i % 64))), "bit %u set, nbits %u", i, nbits);
	/* every cpu written out as "a," needs at most 6 bytes for 4096 cpus */
	grp_cpulist_format(bits, nbits, buf, sizeof(buf));
	FUZZ_CHECK(grp_cpulist_parse(buf, again, nbits) == 0, "own output '%s' refused", buf);
	FUZZ_CHECK(!memcmp(bits, again, ((nbits + 63) / 64) * sizeof(uint64_t)),
		   "'%s' -> '%s' changed the set", s, buf);
}

static void fuzz_numbers(const char *s)
{
	uint64_t v = 12345;
	char err[256];
	struct grp_limits l;

	if (grp_count_parse(s, &v) == 0)
		FUZZ_CHECK(v == GRP_VALUE_MAX || (v >= 1 && v <= 4194304), "count '%s' -> %llu",
			   s, (unsigned long long)v);
	if (grp_size_parse(s, &v) == 0)
		FUZZ_CHECK(v == GRP_VALUE_MAX || v <= (1ULL << 62), "size '%s' -> %llu",
			   s, (unsigned long long)v);
	/* every key's parser: a value it accepts is canonical, so it parses
	 * again to itself */
	for (unsigned ss = 0; ss < GRP_SUBSYS_COUNT; ss++) {
		const char *key;

		for (unsigned i = 0; (key = grp_key_at(ss, i, NULL)); i++) {
			char first[GRP_LIST_MAX];

			grp_limits_init(&l);
			if (grp_limits_set(&l, key, s, err, sizeof(err)) == 1) {
				snprintf(first, sizeof(first), "%s", grp_limits_get(&l, key));
				FUZZ_CHECK(grp_limits_set(&l, key, first, err, sizeof(err)) == 1 &&
					   !strcmp(grp_limits_get(&l, key), first),
					   "%s='%s' -> '%s' not canonical", key, s, first);
			}
			grp_limits_free(&l);
		}
	}
}

static void fuzz_seconds(const char *s)
{
	double v = svc_parse_seconds(s), t = -7;
	const char *why = NULL;
	int rc = svc_parse_timespan(s, &t, &why);

	/* the loader's entry point and the one returning seconds agree */
	FUZZ_CHECK((rc == 0) == (v >= 0), "'%s': timespan %d, seconds %g", s, rc, v);
	FUZZ_CHECK(rc == 0 ? t == v : why && *why, "'%s': %g vs %g, why %s", s, t, v,
		   why ? why : "(none)");
	if (v < 0) {
		FUZZ_CHECK(v == -1, "'%s' -> %g", s, v);
		return;
	}
	FUZZ_CHECK(isfinite(v), "'%s' -> %g", s, v);
	/* only decimal numbers with units: no hex, no exponent, no sign */
	FUZZ_CHECK(!strstr(s, "0x") && !strstr(s, "0X"), "hex '%s' accepted as %g", s, v);
	FUZZ_CHECK(!strchr(s, '+') && !strchr(s, '-'), "sign in '%s' accepted as %g", s, v);
	for (const char *p = s; *p; p++)
		FUZZ_CHECK(!(isdigit((unsigned char)p[0]) && (p[1] == 'e' || p[1] == 'E')),
			   "exponent in '%s' accepted as %g", s, v);
}

static void fuzz_name(const char *s)
{
	const char *why = NULL;

	if (grp_name_valid(s, &why) == 0) {
		FUZZ_CHECK(*s && strlen(s) <= GRP_NAME_MAX, "'%s' accepted", s);
		FUZZ_CHECK(!strchr(s, '/') && s[0] != '.', "'%s' accepted", s);
	} else {
		FUZZ_CHECK(why && *why, "'%s' refused without a reason", s);
	}
	why = NULL;
	if (grp_path_valid(s, &why) == 0) {
		FUZZ_CHECK(s[0] != '/' && !strstr(s, "/../") && strncmp(s, "../", 3) &&
			   strcmp(s, "..") && !strstr(s, "//"), "path '%s' accepted", s);
		FUZZ_CHECK(strlen(s) < GRP_PATH_MAX, "path of %zu bytes accepted", strlen(s));
	} else {
		FUZZ_CHECK(why && *why, "path '%s' refused without a reason", s);
	}
}

static void fuzz_layout(const char *s)
{
	struct grp_layout l, again;
	char err[256], buf[256];

	err[0] = '\0';
	if (grp_layout_parse(s, &l, err, sizeof(err)) < 0) {
		FUZZ_CHECK(*err, "'%s' refused without a reason", s);
		return;
	}
	grp_layout_format(&l, buf, sizeof(buf));
	FUZZ_CHECK(grp_layout_parse(buf, &again, err, sizeof(err)) == 0,
		   "own output '%s' refused: %s", buf, err);
	FUZZ_CHECK(again.kind == l.kind && again.nhier == l.nhier &&
		   !memcmp(again.masks, l.masks, sizeof(l.masks)),
		   "'%s' -> '%s' changed the layout", s, buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 1)
		return 0;
	s = fuzz_cstr(data + 1, size - 1);
	switch (data[0] % 5) {
	case 0:
		/* 1..4096 bits: the loader passes 4096, the engine the
		 * machine's count */
		fuzz_cpulist(s, 1 + (unsigned)(data[0] / 5) * 64 % 4096);
		fuzz_cpulist(s, 4096);
		break;
	case 1:
		fuzz_numbers(s);
		break;
	case 2:
		fuzz_seconds(s);
		break;
	case 3:
		fuzz_name(s);
		break;
	case 4:
		fuzz_layout(s);
		break;
	}
	free(s);
	return 0;
}
