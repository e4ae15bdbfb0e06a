/*
 * services/argv.c - ExecStart= splitting.  No shell is involved, so
 * nothing is expanded: quotes group words and backslash escapes the next
 * character, exactly as a user expects from reading the line.
 */
#include "services.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int svc_split_argv(const char *cmd, char *buf, size_t buflen,
		   char **argv, int maxargs, const char **why)
{
	const char *p = cmd;
	size_t o = 0;
	int argc = 0;

	for (;;) {
		char quote = 0;
		bool word = false;

		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
		if (argc == maxargs) {
			*why = "too many arguments";
			return -1;
		}
		argv[argc] = buf + o;
		for (; *p; p++) {
			char ch = *p;

			if (!quote && (ch == ' ' || ch == '\t'))
				break;
			if (!quote && (ch == '"' || ch == '\'')) {
				quote = ch;
				word = true;
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
			if (o + 1 >= buflen) {
				*why = "command line too long";
				return -1;
			}
			buf[o++] = ch;
			word = true;
		}
		if (quote) {
			*why = "unbalanced quote";
			return -1;
		}
		if (o + 1 >= buflen) {
			*why = "command line too long";
			return -1;
		}
		buf[o++] = '\0';
		if (word)
			argc++;
	}
	argv[argc] = NULL;
	if (argc == 0) {
		*why = "empty command";
		return -1;
	}
	return argc;
}

void svc_def_fixup(struct svc_def *def)
{
	char *p = def->argbuf;

	for (int i = 0; i < def->argc; i++) {
		def->argv[i] = p;
		p += strlen(p) + 1;
	}
	def->argv[def->argc] = NULL;
}
