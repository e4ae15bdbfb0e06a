/*
 * tests/unit/test_parse_alone.c - grouping/parse.c is pure: this program
 * links grouping/parse.o and nothing else of corral (see its rule in the
 * Makefile), so it stops building the day parse.c reaches for the
 * subsystems' ops, the engine or the log.  Fuzzers and tools can then take
 * the parsers alone.  The checks are the parsers' contract at a glance.
 */
#include "grouping.h"
#include "tap.h"

#include <string.h>

int main(void)
{
	struct grp_layout l;
	char err[128], buf[128];
	uint64_t v, bits[64];

	tap_ok(grp_layout_parse("v1:cpuset,cpuacct", &l, err, sizeof(err)) == 0 &&
	       l.nhier == GRP_SUBSYS_COUNT - 1, "layout parses with names only");
	tap_ok(grp_subsys_lookup("pids") == GRP_SUBSYS_numtasks, "kernel names known");
	tap_is_str(grp_subsys_kernel_name(GRP_SUBSYS_numtasks), "pids", "kernel name");
	tap_is_str(grp_subsys_mask_names(3, false, buf, sizeof(buf)), "cpuset,cpuacct",
		   "mask names");
	tap_ok(grp_count_parse("max", &v) == 0 && v == GRP_VALUE_MAX, "counts");
	tap_ok(grp_size_parse("1G", &v) == 0 && v == 1ULL << 30, "sizes");
	tap_ok(grp_cpulist_parse("0-2", bits, 64) == 0 && bits[0] == 7, "cpu lists");
	tap_ok(grp_path_valid("a/b", NULL) == 0, "paths");
	tap_done();
	return 0;
}
