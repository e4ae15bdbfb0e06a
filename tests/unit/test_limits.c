/*
 * tests/unit/test_limits.c - LimitNOFILE= in service files (issue 9 item
 * 10): systemd's forms N, SOFT:HARD and infinity are taken; anything else
 * rejects the file with file:line.
 */
#include "tap.h"
#include "../../services/services.h"

#include <string.h>

static struct svc_def d;
static char err[600];

static int load_limit(const char *value)
{
	char text[512];

	snprintf(text, sizeof(text), "[Service]\nExecStart=/bin/true\nLimitNOFILE=%s\n", value);
	err[0] = '\0';
	svc_def_free(&d);
	return svc_load_string("t", text, &d, err, sizeof(err));
}

static void good(const char *v, unsigned long long soft, unsigned long long hard)
{
	int r = load_limit(v);

	if (!tap_ok(r == 0 && d.nofile_set && d.nofile_soft == soft && d.nofile_hard == hard,
		    "LimitNOFILE=%s is soft %llu hard %llu", v, soft, hard))
		tap_diag("r=%d set=%d soft=%llu hard=%llu err=%s", r, d.nofile_set,
			 d.nofile_soft, d.nofile_hard, err);
}

static void bad(const char *v, const char *msg)
{
	int r = load_limit(v);

	if (!tap_ok(r < 0 && strstr(err, "t:3: LimitNOFILE") && strstr(err, msg),
		    "LimitNOFILE=%s is rejected with file:line (%s)", v, msg))
		tap_diag("r=%d err=%s", r, err);
}

int main(void)
{
	const unsigned long long inf = SVC_NOFILE_INFINITY;
	int r;

	err[0] = '\0';
	r = svc_load_string("t", "[Service]\nExecStart=/bin/true\n", &d, err, sizeof(err));
	tap_ok(r == 0 && !d.nofile_set, "no LimitNOFILE=: nothing set (the service gets soft 1024)");

	good("1024", 1024, 1024);
	good("0", 0, 0);
	good("300:600", 300, 600);
	good("700:700", 700, 700);
	good("infinity", inf, inf);
	good("100:infinity", 100, inf);
	good("infinity:infinity", inf, inf);
	good("2147483584", 2147483584ULL, 2147483584ULL);

	bad("", "is not N, SOFT:HARD or infinity");
	bad("12k", "is not N");
	bad("-1", "is not N");
	bad("+5", "is not N");
	bad("0x10", "is not N");
	bad("1e3", "is not N");
	bad("5:", "is not N");
	bad(":5", "is not N");
	bad("1:2:3", "is not N");
	bad("Infinity", "is not N");
	bad("inf", "is not N");
	bad("2147483585", "is not N");
	bad("99999999999999999999999999", "is not N");
	good("0000000000000000000000000000000000000010", 10, 10);	/* decimal, never octal */
	bad("5:3", "soft limit above the hard limit");
	bad("infinity:5", "soft limit above the hard limit");
	tap_done();
	return tap_failed != 0;
}
