/*
 * services/expand.c - $VAR and ${VAR} in command lines, with systemd's
 * rules (systemd.service(5), "Command lines").
 *
 * The line was split into words when the file was loaded (argv.c), and
 * quotes are gone by now, as in systemd, so '$FOO' in single quotes is
 * expanded too: "$$" is how a command gets a literal "$".  At each start,
 * with the service's final environment (corral's defaults, Environment=,
 * EnvironmentFile=), each word becomes:
 *   - "$NAME", the whole word: the value split at blanks into zero or
 *     more words; quotes in the value group and are removed, a backslash
 *     keeps the next character.  Unset or empty: no word at all.  A word
 *     "$" followed by something that is not a variable name also becomes
 *     no word (systemd does the same; the loader warns about it).
 *   - anything else: one word, in which "${NAME}" is replaced by the value
 *     as it is (unset: empty), "$$" by "$", and any other "$" stays.
 * A command that becomes no words at all does not start.
 */
#include "services.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* All words NUL-separated in one growing buffer. */
struct words {
	char *buf;
	size_t len, cap;
	int n;
	bool ok;
	bool open;		/* a word is being written */
};

static void w_put(struct words *w, char c)
{
	if (!w->ok)
		return;
	if (w->len + 1 > w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 256;
		char *nb = realloc(w->buf, cap);

		if (!nb) {
			w->ok = false;
			return;
		}
		w->buf = nb;
		w->cap = cap;
	}
	w->buf[w->len++] = c;
}

static void w_puts(struct words *w, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		w_put(w, s[i]);
}

static void w_begin(struct words *w)
{
	w->open = true;
}

static void w_end(struct words *w)
{
	if (!w->open)
		return;
	w_put(w, '\0');
	w->n++;
	w->open = false;
}

static bool name_char(char c, bool first)
{
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (!first && c >= '0' && c <= '9');
}

bool svc_env_name_valid(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!name_char(s[i], i == 0))
			return false;
	return true;
}

/* The value of n bytes of name in envp ("NAME=value"), or NULL. */
static const char *lookup(char *const envp[], const char *name, size_t n)
{
	for (size_t i = 0; envp && envp[i]; i++)
		if (!strncmp(envp[i], name, n) && envp[i][n] == '=')
			return envp[i] + n + 1;
	return NULL;
}

/* A whole-word $NAME: the value split into words. */
static void split_value(struct words *w, const char *v)
{
	char quote = 0;

	for (const char *p = v; *p; p++) {
		char c = *p;

		if (quote) {
			if (c == quote)
				quote = 0;
			else if (c == '\\' && p[1])
				w_put(w, *++p);
			else if (c != '\\')
				w_put(w, c);
			continue;
		}
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			w_end(w);
			continue;
		}
		w_begin(w);
		if (c == '\'' || c == '"')
			quote = c;
		else if (c == '\\') {
			if (p[1])	/* a trailing one is dropped */
				w_put(w, *++p);
		} else
			w_put(w, c);
	}
	w_end(w);		/* an open quote ends with the value */
}

/* One word with ${NAME} and $$ replaced. */
static void replace_in_word(struct words *w, const char *s, char *const envp[])
{
	w_begin(w);
	for (const char *p = s; *p; p++) {
		const char *close, *v;

		if (p[0] != '$') {
			w_put(w, *p);
			continue;
		}
		if (p[1] == '$') {
			w_put(w, '$');
			p++;
		} else if (p[1] == '{' && (close = strchr(p + 2, '}'))) {
			v = lookup(envp, p + 2, (size_t)(close - p - 2));
			if (v)
				w_puts(w, v, strlen(v));
			p = close;
		} else {
			w_put(w, '$');	/* "$x" inside a word, "${" never closed */
		}
	}
	w_end(w);
}

bool svc_argv_has_vars(char *const argv[])
{
	for (size_t i = 0; argv && argv[i]; i++)
		if (strchr(argv[i], '$'))
			return true;
	return false;
}

const char *svc_argv_check_vars(char *const argv[])
{
	for (size_t i = 0; argv && argv[i]; i++) {
		const char *a = argv[i];

		if (a[0] == '$' && a[1] != '{' && a[1] != '$' &&
		    !svc_env_name_valid(a + 1, strlen(a + 1)))
			return a;
	}
	return NULL;
}

char **svc_expand_argv(char *const argv[], char *const envp[], int *argcp, const char **why)
{
	struct words w = { .ok = true };
	char **out, *strs;

	for (size_t i = 0; argv[i]; i++) {
		const char *a = argv[i];

		if (a[0] == '$' && a[1] != '{' && a[1] != '$') {
			const char *v = NULL;

			if (svc_env_name_valid(a + 1, strlen(a + 1)))
				v = lookup(envp, a + 1, strlen(a + 1));
			if (v)
				split_value(&w, v);
		} else {
			replace_in_word(&w, a, envp);
		}
	}
	if (!w.ok) {
		free(w.buf);
		*why = "out of memory";
		errno = ENOMEM;
		return NULL;
	}
	if (w.n == 0) {
		free(w.buf);
		*why = "the command expands to no words";
		errno = EINVAL;
		return NULL;
	}
	/* one block, as svc_split_argv() makes it: one free() */
	out = malloc(((size_t)w.n + 1) * sizeof(*out) + w.len);
	if (!out) {
		free(w.buf);
		*why = "out of memory";
		errno = ENOMEM;
		return NULL;
	}
	strs = (char *)(out + w.n + 1);
	memcpy(strs, w.buf, w.len);
	free(w.buf);
	for (int i = 0; i < w.n; i++) {
		out[i] = strs;
		strs += strlen(strs) + 1;
	}
	out[w.n] = NULL;
	*argcp = w.n;
	return out;
}
