/*
 * lib/json.h - the one JSON string escaper.
 *
 * Everything corral prints as JSON goes through json_quote(), so the output
 * is valid UTF-8 and valid JSON whatever bytes a service file, a service's
 * STATUS= or a cgroup path held:
 *   - '"' and '\' are escaped;
 *   - every control character is escaped as \u00XX: C0 (U+0000..U+001F),
 *     DEL (U+007F) and C1 (U+0080..U+009F); U+2028 and U+2029 too, which
 *     JavaScript treats as line ends;
 *   - well-formed UTF-8 (RFC 3629) passes through unchanged;
 *   - anything else (a stray continuation byte, C0/C1 or F5..FF lead bytes,
 *     overlong forms, surrogates U+D800..U+DFFF, code points above
 *     U+10FFFF, a sequence cut short) becomes \ufffd: one per maximal
 *     subpart, as Unicode recommends (U+FFFD substitution of maximal
 *     subparts), so "\xe2\x82" is one replacement and "\xff\xfe" two.
 */
#ifndef CORRAL_JSON_H
#define CORRAL_JSON_H

#include <stddef.h>

/* Write s[0..n) as a JSON string literal, quotes included, into dst[0..cap).
 * Only whole escape sequences and whole characters are written, and dst is
 * always NUL-terminated when cap > 0, so a short buffer truncates cleanly.
 * Returns the length the whole literal needs (excluding the NUL), like
 * snprintf: the output was truncated if the result is >= cap. */
size_t json_quote(char *dst, size_t cap, const char *s, size_t n);

/* Length of the well-formed UTF-8 sequence at s[0..n): 1..4, or 0 if the
 * bytes there do not start one (then *bad is how many bytes make up the
 * maximal ill-formed subpart, at least 1).  n must be > 0. */
size_t json_utf8_len(const unsigned char *s, size_t n, size_t *bad);

#endif
