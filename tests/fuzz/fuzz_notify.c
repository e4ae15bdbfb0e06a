/*
 * tests/fuzz/fuzz_notify.c - the sd_notify datagram parser (notify_parse in
 * supervisor/notify.c).  The input is one datagram as received (any bytes,
 * any length); the parser must accept only what corral may act on and
 * describe it consistently, and refuse everything else with a reason.
 *
 * A second, deliberately naive reading of the same bytes (split at '\n',
 * compare whole lines) must agree with what the parser reports.
 */
#include "fuzz.h"
#include "../../supervisor/internal.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

/* the last line starting with key=, or NULL; *vlen its value's length */
static const char *last_value(const char *buf, size_t len, const char *key, size_t *vlen)
{
	size_t klen = strlen(key);
	const char *found = NULL;

	for (size_t i = 0; i < len;) {
		const char *line = buf + i, *nl = memchr(line, '\n', len - i);
		size_t l = nl ? (size_t)(nl - line) : len - i;

		if (l >= klen && !memcmp(line, key, klen)) {
			found = line + klen;
			*vlen = l - klen;
		}
		i += l + 1;
	}
	return found;
}

static bool has_line(const char *buf, size_t len, const char *want)
{
	size_t wlen = strlen(want);

	for (size_t i = 0; i < len;) {
		const char *line = buf + i, *nl = memchr(line, '\n', len - i);
		size_t l = nl ? (size_t)(nl - line) : len - i;

		if (l == wlen && !memcmp(line, want, wlen))
			return true;
		i += l + 1;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* exactly the received bytes on the heap: ASan sees any read past */
	char *buf = malloc(size ? size : 1);
	struct notify_msg m, m2;
	const char *v;
	size_t vlen = 0;
	int rc;

	if (!buf)
		abort();
	memcpy(buf, data, size);
	rc = notify_parse(buf, size, &m);
	FUZZ_CHECK(!memcmp(buf, data, size), "the parser wrote to its input");
	if (rc < 0) {
		FUZZ_CHECK(rc == -1, "rc %d", rc);
		FUZZ_CHECK(m.why && *m.why, "refused without a reason");
		FUZZ_CHECK(!m.ready && !m.stopping && !m.status && !m.mainpid,
			   "a refused datagram still reports something");
		free(buf);
		return 0;
	}
	FUZZ_CHECK(rc == 0, "rc %d", rc);
	FUZZ_CHECK(size >= 1 && size <= SVC_NOTIFY_MAX, "accepted %zu bytes", size);
	FUZZ_CHECK(!memchr(buf, '\0', size), "accepted a NUL byte");
	for (size_t i = 0; i < size; i++)
		FUZZ_CHECK((unsigned char)buf[i] >= 0x20 || buf[i] == '\t' || buf[i] == '\n',
			   "accepted control byte 0x%02x at %zu", (unsigned char)buf[i], i);

	/* what it reports is what the lines say */
	FUZZ_CHECK(m.ready == has_line(buf, size, "READY=1"), "ready %d", m.ready);
	FUZZ_CHECK(m.stopping == has_line(buf, size, "STOPPING=1"), "stopping %d", m.stopping);
	v = last_value(buf, size, "STATUS=", &vlen);
	FUZZ_CHECK(m.status == v, "status at %p, the last STATUS= line at %p",
		   (const void *)m.status, (const void *)v);
	if (m.status) {
		FUZZ_CHECK(m.status >= buf && m.status + m.status_len <= buf + size,
			   "status outside the datagram");
		FUZZ_CHECK(m.status_len == vlen, "status_len %zu, line has %zu", m.status_len, vlen);
		FUZZ_CHECK(!memchr(m.status, '\n', m.status_len), "status spans lines");
	}
	v = last_value(buf, size, "MAINPID=", &vlen);
	if (v) {
		long long p = 0;

		for (size_t i = 0; i < vlen; i++)
			p = p * 10 + (v[i] - '0');	/* digits only, or it was refused */
		FUZZ_CHECK(m.mainpid > 0 && (long long)m.mainpid == p, "mainpid %d, line %lld",
			   (int)m.mainpid, p);
	} else {
		FUZZ_CHECK(m.mainpid == 0, "mainpid %d without a MAINPID= line", (int)m.mainpid);
	}

	/* pure: the same bytes give the same answer */
	FUZZ_CHECK(notify_parse(buf, size, &m2) == 0 && m2.ready == m.ready &&
		   m2.stopping == m.stopping && m2.status == m.status &&
		   m2.status_len == m.status_len && m2.mainpid == m.mainpid, "not deterministic");
	free(buf);
	return 0;
}
