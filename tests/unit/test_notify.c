/*
 * tests/unit/test_notify.c - notify_parse(), the sd_notify datagram check:
 * what is accepted, what is refused whole, and what is reported.
 */
#include "../../supervisor/internal.h"
#include "tap.h"

#include <string.h>

static int parse(const char *s, size_t len, struct notify_msg *m)
{
	return notify_parse(s, len, m);
}

#define P(lit, m) parse(lit, sizeof(lit) - 1, m)

int main(void)
{
	struct notify_msg m;
	static char big[SVC_NOTIFY_MAX + 2];

	tap_is_int(P("READY=1", &m), 0, "READY=1 accepted");
	tap_ok(m.ready && !m.stopping && !m.status && m.mainpid == 0, "only ready is set");
	tap_is_int(P("READY=1\nSTATUS=serving\n", &m), 0, "two lines and a final newline");
	tap_ok(m.ready && m.status && m.status_len == 7 && !memcmp(m.status, "serving", 7),
	       "STATUS= value points into the datagram");
	tap_is_int(P("STATUS=a\nSTATUS=bc", &m), 0, "STATUS= twice");
	tap_ok(m.status_len == 2 && !memcmp(m.status, "bc", 2), "the last STATUS= wins");
	tap_is_int(P("STATUS=tab\there", &m), 0, "a tab in a value is fine");
	tap_is_int(P("\n\nREADY=1\n\n", &m), 0, "empty lines are fine");
	tap_ok(m.ready, "and READY=1 among them counts");
	tap_is_int(P("READY=0", &m), 0, "READY=0 is well formed");
	tap_ok(!m.ready, "but is not ready");
	tap_is_int(P("STOPPING=1\nWATCHDOG=1\nBARRIER=1\nERRNO=5", &m), 0, "other keys accepted");
	tap_ok(m.stopping && !m.ready, "STOPPING=1 reported, the others ignored");
	tap_is_int(P("MAINPID=4242\nREADY=1", &m), 0, "MAINPID= accepted");
	tap_is_int(m.mainpid, 4242, "MAINPID= value");

	tap_is_int(P("", &m), -1, "empty datagram refused");
	tap_ok(m.why && strstr(m.why, "empty"), "reason: %s", m.why ? m.why : "(none)");
	memset(big, 'x', sizeof(big));
	memcpy(big, "READY=1\nSTATUS=", 15);
	tap_is_int(parse(big, SVC_NOTIFY_MAX + 1, &m), -1, "4097 bytes refused");
	tap_is_int(parse(big, SVC_NOTIFY_MAX, &m), 0, "4096 bytes accepted");
	tap_is_int(P("READY=1\0STATUS=x", &m), -1, "a NUL byte refuses the whole datagram");
	tap_ok(m.why && strstr(m.why, "NUL"), "reason: %s", m.why ? m.why : "(none)");
	tap_is_int(P("ready=1", &m), -1, "lower-case key refused");
	tap_is_int(P("READY=1\nX-Y=1", &m), -1, "a bad key on any line refuses all of it");
	tap_ok(!m.ready, "and nothing of it is reported");
	tap_is_int(P("READY", &m), -1, "a line without = refused");
	tap_is_int(P("=1", &m), -1, "an empty key refused");
	tap_is_int(P("READY=1\x01", &m), -1, "a control character refused");
	tap_is_int(P("READY=1\r\n", &m), -1, "CR refused");
	tap_is_int(P("STATUS=\x7f", &m), -1, "DEL refused");
	tap_is_int(P("MAINPID=", &m), -1, "empty MAINPID= refused");
	tap_is_int(P("MAINPID=0", &m), -1, "MAINPID=0 refused");
	tap_is_int(P("MAINPID=-1", &m), -1, "negative MAINPID= refused");
	tap_is_int(P("MAINPID=12a", &m), -1, "MAINPID= with junk refused");
	tap_is_int(P("MAINPID=2147483648", &m), -1, "MAINPID= beyond int refused");
	tap_is_int(P("MAINPID= 5", &m), -1, "MAINPID= with a space refused");
	return tap_done();
}
