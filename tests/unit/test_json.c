/*
 * tests/unit/test_json.c - the JSON string escaper (lib/json.h) on hostile
 * input: whatever the bytes, the literal is valid UTF-8 and valid JSON.
 *
 * The checks use their own UTF-8 decoder (decode, then reject overlong,
 * surrogate and out-of-range values), a different method from json.c's
 * table of byte ranges, so one cannot hide the other's mistake.
 */
#include "tap.h"
#include "../../lib/json.h"

#include <stdbool.h>
#include <string.h>

/* Independent strict UTF-8 check: 1 valid, 0 not. */
static int utf8_valid(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned cp, len, min;

		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0)
			len = 2, cp = s[i] & 0x1f, min = 0x80;
		else if ((s[i] & 0xf0) == 0xe0)
			len = 3, cp = s[i] & 0x0f, min = 0x800;
		else if ((s[i] & 0xf8) == 0xf0)
			len = 4, cp = s[i] & 0x07, min = 0x10000;
		else
			return 0;
		if (i + len > n)
			return 0;
		for (unsigned k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

/* A JSON string literal per RFC 8259: quotes, no raw byte < 0x20, only
 * the defined escapes.  Also: no raw DEL or C1 (corral escapes them). */
static int json_literal_ok(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;

	if (n < 2 || u[0] != '"' || u[n - 1] != '"')
		return 0;
	for (size_t i = 1; i < n - 1; i++) {
		if (u[i] < 0x20 || u[i] == 0x7f)
			return 0;
		if (u[i] == 0xc2 && i + 1 < n - 1 && u[i + 1] >= 0x80 && u[i + 1] <= 0x9f)
			return 0;
		if (u[i] == '"')
			return 0;
		if (u[i] == '\\') {
			i++;
			if (i >= n - 1)
				return 0;
			if (u[i] == 'u') {
				for (int k = 1; k <= 4; k++)
					if (i + (size_t)k >= n - 1 || !strchr("0123456789abcdefABCDEF", u[i + k]) || !u[i + k])
						return 0;
				i += 4;
			} else if (!strchr("\"\\/bfnrt", u[i])) {
				return 0;
			}
		}
	}
	return utf8_valid(u, n);
}

static void expect(const char *in, size_t n, const char *want, const char *what)
{
	char out[512];
	size_t r = json_quote(out, sizeof(out), in, n);

	if (!tap_ok(r == strlen(want) && !strcmp(out, want) && json_literal_ok(out, r),
		    "%s", what))
		tap_diag("got %s, want %s", out, want);
}

#define EXPECT(lit, want, what) expect((lit), sizeof(lit) - 1, (want), (what))

static unsigned long long rng = 88172645463325252ULL;
static unsigned next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)rng;
}

int main(void)
{
	char out[64], big[8192];
	size_t r;

	EXPECT("plain text", "\"plain text\"", "ASCII passes unchanged");
	EXPECT("a\"b\\c", "\"a\\\"b\\\\c\"", "quote and backslash are escaped");
	EXPECT("\x01\n\t\x1f", "\"\\u0001\\u000a\\u0009\\u001f\"", "C0 controls become \\u00XX");
	EXPECT("a\x7f" "b", "\"a\\u007fb\"", "DEL is escaped");
	EXPECT("\xc2\x85", "\"\\u0085\"", "C1 control U+0085 is escaped");
	EXPECT("\xc2\xa0\xc3\xa9", "\"\xc2\xa0\xc3\xa9\"", "U+00A0, U+00E9 pass (2 bytes)");
	EXPECT("\xe2\x82\xac", "\"\xe2\x82\xac\"", "U+20AC passes (3 bytes)");
	EXPECT("\xf0\x9d\x84\x9e", "\"\xf0\x9d\x84\x9e\"", "U+1D11E passes (4 bytes)");
	EXPECT("\xf4\x8f\xbf\xbf", "\"\xf4\x8f\xbf\xbf\"", "U+10FFFF, the highest, passes");
	EXPECT("\xed\x9f\xbf\xee\x80\x80", "\"\xed\x9f\xbf\xee\x80\x80\"",
	       "U+D7FF and U+E000 around the surrogates pass");
	EXPECT("\xe2\x80\xa8\xe2\x80\xa9", "\"\\u2028\\u2029\"", "U+2028/2029 are escaped");
	EXPECT("\x80", "\"\\ufffd\"", "a lone continuation byte is replaced");
	EXPECT("\xff\xfe", "\"\\ufffd\\ufffd\"", "FF FE: one replacement each");
	EXPECT("\xc0\xaf", "\"\\ufffd\\ufffd\"", "overlong C0 AF ('/') is replaced");
	EXPECT("\xc1\xbf", "\"\\ufffd\\ufffd\"", "overlong C1 BF is replaced");
	EXPECT("\xe0\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\"", "overlong E0 80 AF is replaced");
	EXPECT("\xf0\x80\x80\xaf", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"", "overlong F0 80 80 AF is replaced");
	EXPECT("\xed\xa0\x80", "\"\\ufffd\\ufffd\\ufffd\"", "surrogate U+D800 is replaced");
	EXPECT("\xed\xbf\xbf", "\"\\ufffd\\ufffd\\ufffd\"", "surrogate U+DFFF is replaced");
	EXPECT("\xf4\x90\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"", "U+110000 (F4 90) is replaced");
	EXPECT("\xf5\x80\x80\x80", "\"\\ufffd\\ufffd\\ufffd\\ufffd\"", "F5 lead byte is replaced");
	EXPECT("\xe2\x82", "\"\\ufffd\"", "a 3-byte sequence cut at the end: one replacement");
	EXPECT("\xf0\x9f\x98", "\"\\ufffd\"", "a 4-byte sequence cut at the end: one replacement");
	EXPECT("\xe2\x82" "A", "\"\\ufffdA\"", "a cut sequence does not swallow the next character");
	EXPECT("\xe2\x22", "\"\\ufffd\\\"\"", "a cut sequence does not swallow a quote");
	EXPECT("\xc3", "\"\\ufffd\"", "a 2-byte lead alone at the end");
	expect("a\0b", 3, "\"a\\u0000b\"", "NUL inside the given length is escaped");
	EXPECT("", "\"\"", "empty string");

	/* truncation: whole units only, always terminated, length reported */
	r = json_quote(out, 5, "abcdef", 6);
	tap_ok(r == 8 && !strcmp(out, "\"abc"), "short buffer: cut cleanly, needed length returned");
	r = json_quote(out, 4, "\x01", 1);
	tap_ok(r == 8 && !strcmp(out, "\""), "an escape is never cut in half");
	r = json_quote(out, 4, "\xe2\x82\xac", 3);
	tap_ok(r == 5 && !strcmp(out, "\""), "a character is never cut in half");
	r = json_quote(out, 1, "abc", 3);
	tap_ok(r == 5 && out[0] == '\0', "cap 1: just the terminator");
	memset(out, 'x', sizeof(out));
	r = json_quote(out, 0, "abc", 3);
	tap_ok(r == 5 && out[0] == 'x', "cap 0: nothing written");

	/* random bytes: the literal is always valid UTF-8 JSON, and a valid
	 * input without specials survives unchanged */
	{
		unsigned bad = 0, changed = 0, cut = 0;

		for (int t = 0; t < 20000; t++) {
			unsigned char in[64];
			size_t n = next_rand() % sizeof(in), need;

			for (size_t i = 0; i < n; i++) {
				unsigned v = next_rand();

				/* bias towards the interesting bytes */
				in[i] = (unsigned char)(v & 1 ? 0x80 | (v >> 8) : v >> 8);
			}
			need = json_quote(big, sizeof(big), (const char *)in, n);
			if (need >= sizeof(big) || !json_literal_ok(big, need))
				bad++;
			if (utf8_valid(in, n)) {
				bool plain = true;

				for (size_t i = 0; i < n; i++)
					if (in[i] < 0x20 || in[i] == 0x7f || in[i] == '"' ||
					    in[i] == '\\' || in[i] == 0xc2 || in[i] == 0xe2)
						plain = false;
				if (plain && (need != n + 2 || memcmp(big + 1, in, n)))
					changed++;
			}
			/* any cut of the output is valid UTF-8 too */
			{
				char small[24];
				size_t k = json_quote(small, sizeof(small), (const char *)in, n);

				if (strlen(small) > k || !utf8_valid((unsigned char *)small, strlen(small)))
					cut++;
			}
		}
		tap_ok(bad == 0, "20000 random inputs: every literal is valid UTF-8 JSON (%u bad)", bad);
		tap_ok(changed == 0, "valid UTF-8 without specials passes unchanged (%u changed)", changed);
		tap_ok(cut == 0, "truncated literals are valid UTF-8 too (%u bad)", cut);
	}

	/* every 1..4-byte sequence starting with each lead byte */
	{
		unsigned bad = 0;

		for (unsigned a = 0x80; a <= 0xff; a++)
			for (unsigned b = 0; b <= 0xff; b += 3) {
				unsigned char in[4] = { (unsigned char)a, (unsigned char)b, 0x80, 0xbf };

				for (size_t n = 1; n <= 4; n++) {
					size_t need = json_quote(big, sizeof(big), (const char *)in, n);

					if (!json_literal_ok(big, need))
						bad++;
				}
			}
		tap_ok(bad == 0, "every lead byte with many second bytes: valid output (%u bad)", bad);
	}

	/* agreement with the independent validator on what is well-formed */
	{
		unsigned disagree = 0;

		for (unsigned a = 0xc0; a <= 0xff; a++)
			for (unsigned b = 0x80; b <= 0xbf; b++) {
				unsigned char in[4] = { (unsigned char)a, (unsigned char)b, 0x80, 0x80 };
				size_t badlen, len = json_utf8_len(in, 4, &badlen);
				int want = 0;

				for (size_t n = 2; n <= 4 && !want; n++)
					want = utf8_valid(in, n) ? (int)n : 0;
				if ((int)len != want)
					disagree++;
			}
		tap_ok(disagree == 0, "json_utf8_len agrees with a decoding validator (%u differ)",
		       disagree);
	}
	tap_done();
	return tap_failed != 0;
}
