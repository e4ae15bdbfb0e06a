/*
 * tests/fuzz/fuzz.h - what the libFuzzer targets share.
 *
 * FUZZ_CHECK is an invariant the code under test must keep for every
 * input: a violation aborts, and libFuzzer saves the input as a reproducer
 * (crash-<sha1>), exactly like a sanitizer report.
 */
#ifndef CORRAL_FUZZ_H
#define CORRAL_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FUZZ_CHECK(cond, ...) do {					\
	if (!(cond)) {							\
		fprintf(stderr, "%s:%d: invariant failed: %s: ",	\
			__FILE__, __LINE__, #cond);			\
		fprintf(stderr, __VA_ARGS__);				\
		fputc('\n', stderr);					\
		abort();						\
	}								\
} while (0)

/* The input as a C string in a buffer of exactly its length + 1, so ASan
 * sees any read past the terminator.  Bytes after an embedded NUL are
 * invisible to the parser, as they would be to any C-string caller. */
static inline char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

#endif
