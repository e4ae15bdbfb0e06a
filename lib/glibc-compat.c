/*
 * lib/glibc-compat.c - glibc-only symbols needed to link Debian's libev.a
 * and libinih.a into a static musl binary (make static).
 *
 * Debian builds those archives against glibc with _FORTIFY_SOURCE, so
 * they call the fortified __fprintf_chk and __memcpy_chk, and libev's
 * ev_stat uses the pre-2.33 __lxstat stat wrapper.  musl has none of
 * these.  Each shim does what glibc's does, including the abort on a
 * detected overflow, so fortification is kept rather than dropped.
 * Compiled only into the musl build.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int __fprintf_chk(FILE *f, int flag, const char *fmt, ...);
void *__memcpy_chk(void *dst, const void *src, size_t len, size_t dstlen);
int __lxstat(int ver, const char *path, struct stat *st);

int __fprintf_chk(FILE *f, int flag, const char *fmt, ...)
{
	va_list ap;
	int r;

	(void)flag;	/* %n checks: musl's printf has no such mode */
	va_start(ap, fmt);
	r = vfprintf(f, fmt, ap);
	va_end(ap);
	return r;
}

void *__memcpy_chk(void *dst, const void *src, size_t len, size_t dstlen)
{
	if (len > dstlen)
		abort();	/* glibc's __chk_fail */
	return memcpy(dst, src, len);
}

/* On x86_64 glibc's struct stat (_STAT_VER 1) has the kernel's layout,
 * which is also musl's, so lstat fills it correctly. */
int __lxstat(int ver, const char *path, struct stat *st)
{
	(void)ver;
	return lstat(path, st);
}
