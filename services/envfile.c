/*
 * services/envfile.c - EnvironmentFile=: reading KEY=VALUE files such as
 * /etc/default/ssh, with systemd's rules (systemd.exec(5)).
 *
 * The files are read when the service starts (supervisor/runenv.c), by
 * corral itself before it forks, so a file changed since the last run
 * applies at the next start or restart, and the child never parses
 * anything.  Their variables override Environment= and corral's
 * defaults; of the same name set twice, the later one (later line, later
 * file) wins.
 *
 * The format, as systemd's parse_env_file (and a shell, mostly) reads it:
 *   - blank lines, and lines whose first non-blank is "#" or ";", are
 *     comments;
 *   - KEY=VALUE, blanks around KEY and VALUE dropped, blanks inside VALUE
 *     kept;
 *   - an unquoted value: a backslash keeps the next character, and a
 *     backslash at the end of a line joins the next line;
 *   - 'single quotes': everything up to the next ' verbatim, newlines too;
 *   - "double quotes": a backslash before one of " \ ` $ keeps that
 *     character, before a newline joins the lines, before anything else
 *     stays as written; newlines inside are kept;
 *   - quoted and unquoted parts right after the "=" join into one value
 *     ('a'"b"c is abc); a quote later in an unquoted value is a character.
 * Lines that do not fit (no "=", a name that is not [A-Za-z_][A-Za-z0-9_]*,
 * a NUL byte) are skipped with a warning naming file:line; so is nothing
 * else: systemd skips them the same way, but silently.  One difference
 * from systemd, on purpose: "export NAME=value" sets NAME (systemd skips
 * the line), because these files are also shell fragments that the
 * packages' own init scripts source.
 */
#include "services.h"
#include "../lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum st { PRE_KEY, KEY, PRE_VALUE, VALUE, VALUE_ESC, SQUOTE, DQUOTE, DQUOTE_ESC, COMMENT };

struct buf {
	char *s;
	size_t n, cap;
};

static int buf_put(struct buf *b, char c)
{
	if (b->n + 2 > b->cap) {
		size_t cap = b->cap ? b->cap * 2 : 64;
		char *ns = realloc(b->s, cap);

		if (!ns)
			return -1;
		b->s = ns;
		b->cap = cap;
	}
	b->s[b->n++] = c;
	b->s[b->n] = '\0';
	return 0;
}

void svc_vars_free(struct svc_vars *v)
{
	for (unsigned i = 0; i < v->n; i++)
		free(v->v[i]);
	free(v->v);
	memset(v, 0, sizeof(*v));
}

static int vars_add(struct svc_vars *v, char *entry)
{
	if (v->n + 1 >= v->cap) {
		unsigned cap = v->cap ? v->cap * 2 : 16;
		char **nv = cap > v->cap ? reallocarray(v->v, cap, sizeof(*nv)) : NULL;

		if (!nv)
			return -1;
		v->v = nv;
		v->cap = cap;
	}
	v->v[v->n++] = entry;
	v->v[v->n] = NULL;
	return 0;
}

/* One assignment; bad ones are warned about and skipped. */
static int push(const char *file, unsigned line, struct buf *key, size_t key_end,
		struct buf *val, size_t val_end, bool nul, struct svc_vars *out)
{
	const char *k = key->s ? key->s : "";
	size_t kn = key_end;
	char *entry;

	/* "export NAME=": the shell's way to say the same */
	if (kn > 7 && !strncmp(k, "export", 6) && (k[6] == ' ' || k[6] == '\t')) {
		k += 7;
		kn -= 7;
		while (kn && (*k == ' ' || *k == '\t')) {
			k++;
			kn--;
		}
	}
	if (nul) {
		log_warn("%s:%u: NUL byte in the assignment; ignored", file, line);
		return 0;
	}
	if (!svc_env_name_valid(k, kn)) {
		log_warn("%s:%u: '%.*s' is not a variable name ([A-Za-z_][A-Za-z0-9_]*); "
			 "ignored", file, line, (int)(kn > 64 ? 64 : kn), k);
		return 0;
	}
	if (asprintf(&entry, "%.*s=%.*s", (int)kn, k, (int)val_end,
		     val->s ? val->s : "") < 0)
		return -1;
	if (vars_add(out, entry) < 0) {
		free(entry);
		return -1;
	}
	return 0;
}

int svc_envfile_parse(const char *file, const char *text, size_t len, struct svc_vars *out)
{
	enum st st = PRE_KEY;
	struct buf key = { 0 }, val = { 0 };
	size_t key_end = 0, val_end = 0;	/* lengths without trailing blanks */
	unsigned line = 1, start = 1;
	bool nul = false;
	int rc = 0;

	for (size_t i = 0; i <= len && rc == 0; i++) {
		/* the end of the text ends the last line */
		char c = i < len ? text[i] : '\n';
		bool blank = c == ' ' || c == '\t' || c == '\r';

		if (i < len && c == '\0') {
			nul = true;	/* reported with its assignment */
			c = ' ';
			blank = true;
		}
		switch (st) {
		case PRE_KEY:
			if (c == '#' || c == ';')
				st = COMMENT;
			else if (c != '\n' && !blank) {
				st = KEY;
				start = line;
				key.n = key_end = 0;
				val.n = val_end = 0;
				nul = false;
				rc = buf_put(&key, c);
				key_end = key.n;
			}
			break;
		case KEY:
			if (c == '\n') {
				log_warn("%s:%u: no '=' in '%.*s'; ignored", file, start,
					 (int)(key_end > 64 ? 64 : key_end), key.s);
				st = PRE_KEY;
			} else if (c == '=') {
				st = PRE_VALUE;
			} else {
				rc = buf_put(&key, c);
				if (!blank)
					key_end = key.n;
			}
			break;
		case PRE_VALUE:
			if (c == '\n') {
				rc = push(file, start, &key, key_end, &val, val.n, nul, out);
				st = PRE_KEY;
			} else if (c == '\'')
				st = SQUOTE;
			else if (c == '"')
				st = DQUOTE;
			else if (c == '\\')
				st = VALUE_ESC;
			else if (!blank) {
				st = VALUE;
				rc = buf_put(&val, c);
				val_end = val.n;
			}
			break;
		case VALUE:
			if (c == '\n') {
				rc = push(file, start, &key, key_end, &val, val_end, nul, out);
				st = PRE_KEY;
			} else if (c == '\\')
				st = VALUE_ESC;
			else {
				rc = buf_put(&val, c);
				if (!blank)
					val_end = val.n;
			}
			break;
		case VALUE_ESC:
			/* an escaped newline joins the lines; anything else is kept */
			st = VALUE;
			if (i == len) {
				rc = push(file, start, &key, key_end, &val, val_end, nul, out);
				st = PRE_KEY;
			} else if (c != '\n') {
				rc = buf_put(&val, c);
				val_end = val.n;
			}
			break;
		case SQUOTE:
		case DQUOTE:
			if (i == len) {
				log_warn("%s:%u: quote not closed before the end of the file; "
					 "the value runs to the end", file, start);
				rc = push(file, start, &key, key_end, &val, val.n, nul, out);
				st = PRE_KEY;
			} else if (c == (st == SQUOTE ? '\'' : '"'))
				st = PRE_VALUE;
			else if (st == DQUOTE && c == '\\')
				st = DQUOTE_ESC;
			else
				rc = buf_put(&val, c);
			val_end = val.n;
			break;
		case DQUOTE_ESC:
			st = DQUOTE;
			if (i == len) {
				rc = push(file, start, &key, key_end, &val, val.n, nul, out);
				st = PRE_KEY;
			} else if (strchr("\"\\`$", c))
				rc = buf_put(&val, c);
			else if (c != '\n') {
				rc = buf_put(&val, '\\');
				if (rc == 0)
					rc = buf_put(&val, c);
			}
			val_end = val.n;
			break;
		case COMMENT:
			if (c == '\n')
				st = PRE_KEY;
			break;
		}
		if (i < len && text[i] == '\n')
			line++;
	}
	free(key.s);
	free(val.s);
	if (rc < 0)
		errno = ENOMEM;
	return rc;
}

/* Only a regular file is opened (a FIFO would block PID 1), at most
 * SVC_FILE_MAX bytes of it.  0, or -1 with errno and err. */
int svc_envfile_read(const char *path, struct svc_vars *out, char *err, size_t errlen)
{
	struct stat st;
	char *data = NULL;
	size_t n = 0, cap;
	int fd, rc;

	if (stat(path, &st) < 0)
		goto sys;
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: not a regular file", path);
		errno = EINVAL;
		return -1;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		goto sys;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > SVC_FILE_MAX) {
		int e = errno;

		close(fd);
		if (!S_ISREG(st.st_mode) || st.st_size > SVC_FILE_MAX) {
			snprintf(err, errlen, "%s: not a regular file of at most %d bytes",
				 path, SVC_FILE_MAX);
			errno = EINVAL;
			return -1;
		}
		errno = e;
		goto sys;
	}
	cap = (size_t)st.st_size + 1;
	data = malloc(cap);
	if (!data) {
		close(fd);
		goto sys;
	}
	for (;;) {
		ssize_t r = read(fd, data + n, cap - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			int e = errno;

			free(data);
			close(fd);
			errno = e;
			goto sys;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == cap) {
			/* grown since fstat: never more than the limit */
			char *nd = cap > SVC_FILE_MAX ? NULL : realloc(data, cap * 2);

			if (!nd) {
				free(data);
				close(fd);
				snprintf(err, errlen, "%s: larger than %d bytes", path, SVC_FILE_MAX);
				errno = EFBIG;
				return -1;
			}
			data = nd;
			cap *= 2;
		}
	}
	close(fd);
	rc = svc_envfile_parse(path, data, n, out);
	free(data);
	if (rc < 0)
		goto sys;
	return 0;
sys:
	rc = errno;
	snprintf(err, errlen, "%s: %s", path, strerror(rc));
	errno = rc;
	return -1;
}

/* qsort() of pointers to the entries' slots: by name, then by slot, so
 * equal names stay in their order */
static int cmp_slot(const void *a, const void *b)
{
	char **x = *(char **const *)a, **y = *(char **const *)b;
	size_t kx = strcspn(*x, "="), ky = strcspn(*y, "=");
	int c = memcmp(*x, *y, kx < ky ? kx : ky);

	if (c)
		return c;
	if (kx != ky)
		return kx < ky ? -1 : 1;
	return x < y ? -1 : x > y;
}

int svc_env_dedup(char **v, unsigned *n)
{
	char ***ix;
	unsigned kept = 0;

	if (*n < 2)
		return 0;
	ix = malloc(*n * sizeof(*ix));
	if (!ix)
		return -1;
	for (unsigned i = 0; i < *n; i++)
		ix[i] = &v[i];
	qsort(ix, *n, sizeof(*ix), cmp_slot);
	for (unsigned i = 0; i + 1 < *n; i++) {
		size_t k = strcspn(*ix[i], "=");

		if (k == strcspn(*ix[i + 1], "=") && !memcmp(*ix[i], *ix[i + 1], k)) {
			free(*ix[i]);	/* a later one replaces it */
			*ix[i] = NULL;
		}
	}
	free(ix);
	for (unsigned i = 0; i < *n; i++)
		if (v[i])
			v[kept++] = v[i];
	*n = kept;
	return 0;
}

/* One entry per name, the last one: O(n log n) for any file size. */
static int dedup(struct svc_vars *v)
{
	if (svc_env_dedup(v->v, &v->n) < 0)
		return -1;
	if (v->v)
		v->v[v->n] = NULL;
	return 0;
}

int svc_env_files_load(char *const files[], unsigned n, struct svc_vars *out,
		       char *err, size_t errlen)
{
	memset(out, 0, sizeof(*out));
	for (unsigned i = 0; i < n; i++) {
		const char *path = files[i];
		bool optional = *path == '-';
		char why[600];

		if (optional)
			path++;
		if (svc_envfile_read(path, out, why, sizeof(why)) == 0)
			continue;
		if (errno == ENOMEM) {
			snprintf(err, errlen, "EnvironmentFile=%s: out of memory", path);
			svc_vars_free(out);
			errno = ENOMEM;
			return -1;
		}
		if (optional) {
			/* "-": a missing file is fine, as in systemd; an
			 * unreadable one is worth a line */
			if (errno != ENOENT)
				log_warn("EnvironmentFile=-%s; ignored", why);
			continue;
		}
		snprintf(err, errlen, "EnvironmentFile=%s", why);
		svc_vars_free(out);
		return -1;
	}
	if (dedup(out) < 0) {
		snprintf(err, errlen, "EnvironmentFile: out of memory");
		svc_vars_free(out);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}
