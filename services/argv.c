/*
 * services/argv.c - ExecStart= splitting.  No shell is involved, so
 * nothing is expanded: quotes group words and backslash escapes the next
 * character, exactly as a user expects from reading the line.
 */
#include "services.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * Into buf (at least strlen(cmd) + 1 bytes: a word never gets longer than
 * the text it came from, and the NUL ending each word takes the place of
 * the blank or closing quote after it, or of the string's own NUL).
 * Returns the number of words and the bytes used, or -1 with *why.
 */
static int split(const char *cmd, char *buf, size_t *used, const char **why)
{
	const char *p = cmd;
	size_t o = 0;
	int argc = 0;

	for (;;) {
		char quote = 0;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		for (; *p; p++) {
			char ch = *p;

			if (!quote && (ch == ' ' || ch == '\t'))
				break;
			if (!quote && (ch == '"' || ch == '\'')) {
				quote = ch;
				continue;
			}
			if (quote && ch == quote) {
				quote = 0;
				continue;
			}
			/* backslash escapes anything outside single quotes */
			if (ch == '\\' && quote != '\'') {
				if (!p[1]) {
					*why = "trailing backslash";
					return -1;
				}
				ch = *++p;
			}
			buf[o++] = ch;
		}
		if (quote) {
			*why = "unbalanced quote";
			return -1;
		}
		/* every word counts, "" too: a non-blank was seen */
		buf[o++] = '\0';
		argc++;
	}
	if (argc == 0) {
		*why = "empty command";
		return -1;
	}
	*used = o;
	return argc;
}

char **svc_split_argv(const char *cmd, int *argcp, const char **why)
{
	size_t len = strlen(cmd), used = 0;
	char *tmp = malloc(len + 1), **argv, *strs;
	int argc;

	if (!tmp) {
		*why = "out of memory";
		return NULL;
	}
	argc = split(cmd, tmp, &used, why);
	if (argc < 0) {
		free(tmp);
		errno = EINVAL;
		return NULL;
	}
	/* exactly what the words need: the vector, then the strings */
	argv = malloc(((size_t)argc + 1) * sizeof(*argv) + used);
	if (!argv) {
		free(tmp);
		*why = "out of memory";
		return NULL;
	}
	strs = (char *)(argv + argc + 1);
	memcpy(strs, tmp, used);
	free(tmp);
	for (int i = 0; i < argc; i++) {
		argv[i] = strs;
		strs += strlen(strs) + 1;
	}
	argv[argc] = NULL;
	*argcp = argc;
	return argv;
}
