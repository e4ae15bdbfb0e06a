/*
 * tests/lib/tap.h - minimal TAP producer for C test programs.
 *
 * Output goes to stdout, diagnostics as "# ..." lines; the plan is printed
 * at the end (tap_done) so tests may skip or add checks dynamically.
 * Exit status is 1 if any test failed, so a crash or abort also fails the
 * suite through tap-driver.sh's --enable-hard-errors.
 */
#ifndef CORRAL_TAP_H
#define CORRAL_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static int tap_n, tap_failed;

static inline int tap_ok(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline int tap_ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (!cond)
		tap_failed++;
	return cond;
}

static inline void tap_skip(const char *why, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline void tap_skip(const char *why, const char *fmt, ...)
{
	va_list ap;

	printf("ok %d - ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" # SKIP %s\n", why);
	fflush(stdout);
}

static inline void tap_diag(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline void tap_diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

/* Whole suite skipped: a plan of 0 with a reason. */
static inline int tap_skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	return 0;
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	fflush(stdout);
	return tap_failed ? 1 : 0;
}

#define tap_is_str(got, want, ...) \
	tap_ok(strcmp((got), (want)) == 0, __VA_ARGS__) || \
	(tap_diag("  got '%s', want '%s'", (got), (want)), 0)
#define tap_is_int(got, want, ...) \
	tap_ok((long long)(got) == (long long)(want), __VA_ARGS__) || \
	(tap_diag("  got %lld, want %lld", (long long)(got), (long long)(want)), 0)

#endif
