/*
 * lib/json.c - JSON string literals that are always valid UTF-8.
 *
 * The validation follows RFC 3629's table of well-formed byte sequences
 * (Unicode table 3-7) directly, so overlongs, surrogates and code points
 * above U+10FFFF are rejected by the ranges of the second byte instead of
 * by decoding first and checking after.
 */
#include "json.h"

#include <stdio.h>
#include <string.h>

size_t json_utf8_len(const unsigned char *s, size_t n, size_t *bad)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t need, i;

	*bad = 1;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 2;
	else if (c >= 0xe0 && c <= 0xef)
		need = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 4;
	else
		return 0;	/* continuation byte, C0/C1 (overlong) or F5..FF */
	/* the second byte's range is what excludes overlongs (E0, F0),
	 * surrogates (ED) and values above U+10FFFF (F4) */
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	for (i = 1; i < need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*bad = i;	/* the lead and the good bytes after it */
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return need;
}

/* Append one unit if it fits whole; always count it. */
static void emit(char *dst, size_t cap, size_t *pos, size_t *full,
		 const char *p, size_t n)
{
	if (!*full && *pos + n < cap) {
		memcpy(dst + *pos, p, n);
		*pos += n;
	} else {
		*full = 1;	/* nothing after a unit that did not fit */
	}
}

size_t json_quote(char *dst, size_t cap, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t pos = 0, need = 0, full = 0, i = 0;
	char esc[8];

#define EMIT(p, len) do { emit(dst, cap, &pos, &full, (p), (len)); need += (len); } while (0)
	EMIT("\"", 1);
	while (i < n) {
		size_t bad, len = json_utf8_len(u + i, n - i, &bad);
		unsigned cp;

		if (len == 0) {
			EMIT("\\ufffd", 6);
			i += bad;
			continue;
		}
		if (len == 1) {
			cp = u[i];
			if (cp == '"' || cp == '\\') {
				esc[0] = '\\';
				esc[1] = (char)cp;
				EMIT(esc, 2);
			} else if (cp < 0x20 || cp == 0x7f) {
				snprintf(esc, sizeof(esc), "\\u%04x", cp);
				EMIT(esc, 6);
			} else {
				EMIT(s + i, 1);
			}
		} else if (len == 2 && u[i] == 0xc2 && u[i + 1] <= 0x9f) {
			/* C1 control characters U+0080..U+009F */
			snprintf(esc, sizeof(esc), "\\u%04x", (unsigned)u[i + 1]);
			EMIT(esc, 6);
		} else if (len == 3 && u[i] == 0xe2 && u[i + 1] == 0x80 &&
			   (u[i + 2] == 0xa8 || u[i + 2] == 0xa9)) {
			/* U+2028, U+2029: line ends to JavaScript */
			EMIT(u[i + 2] == 0xa8 ? "\\u2028" : "\\u2029", 6);
		} else {
			EMIT(s + i, len);
		}
		i += len;
	}
	EMIT("\"", 1);
#undef EMIT
	if (cap > 0)
		dst[pos] = '\0';
	return need;
}
