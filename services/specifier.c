/*
 * services/specifier.c - systemd's %-specifiers in service file values,
 * and the names of templates and instances.
 *
 * A file named NAME@.service is a template: it is never run itself.
 * NAME@INST.service (a symlink to the template, or a copy) is an instance
 * of it, and so is what `initctl start NAME@INST` makes from the template
 * at run time (supervisor/instance.c).  Every value of every file goes
 * through svc_spec_expand() before its key sees it, so an instance's %i
 * can be in ExecStart=, paths, Description=, dependencies, User=, the
 * [Group] keys.  Files that are not instances get the same specifiers
 * (%i and %I are then empty, %p is the whole name), as in systemd.
 *
 * The specifiers (systemd.unit(5)):
 *   %i %I  instance, as written / unescaped ("-" is "/", \xNN a byte)
 *   %p %P  prefix (before the "@"), as written / unescaped
 *   %j %J  the prefix's last "-" part, as written / unescaped
 *   %f     "/" and the unescaped instance, or prefix if none
 *   %n %N  the full name with / without ".service"
 *   %u %U  User= (or the user corral runs as) / its uid
 *   %h %s  that user's home directory / shell
 *   %t     /run     %S /var/lib   %C /var/cache   %L /var/log
 *   %E     /etc     %T /tmp       %V /var/tmp
 *   %H %l  host name / the same up to the first "."   %v  kernel release
 *   %%     a "%"
 * Anything else after a "%" rejects the file (file:line); a lone "%" at
 * the end of a value stays, as in systemd ("TasksMax=50%").
 *
 * %u and the specifiers built on it need User=, which may come later in
 * the file than the value using it: the file is searched for it only the
 * first time one of them is met, so values without them cost nothing.
 */
#include "internal.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

/* A growing string; on allocation failure ok turns false and stays. */
struct sbuf {
	char *s;
	size_t n, cap;
	bool ok;
};

static void sb_add(struct sbuf *b, const char *p, size_t n)
{
	if (!b->ok)
		return;
	if (b->n + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *ns;

		while (cap < b->n + n + 1)
			cap *= 2;
		ns = realloc(b->s, cap);
		if (!ns) {
			b->ok = false;
			return;
		}
		b->s = ns;
		b->cap = cap;
	}
	memcpy(b->s + b->n, p, n);
	b->n += n;
	b->s[b->n] = '\0';
}

static void sb_str(struct sbuf *b, const char *p)
{
	sb_add(b, p, strlen(p));
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int svc_name_unescape(const char *in, size_t n, char **out, const char **why)
{
	struct sbuf b = { .ok = true };

	sb_add(&b, "", 0);	/* "" for an empty input, never NULL */
	for (size_t i = 0; i < n; i++) {
		char c = in[i];

		if (c == '-')
			c = '/';
		else if (c == '\\') {
			int hi, lo;

			/* exactly \xNN: three more characters */
			if (i + 3 >= n || in[i + 1] != 'x' ||
			    (hi = hexval(in[i + 2])) < 0 || (lo = hexval(in[i + 3])) < 0) {
				free(b.s);
				*why = "bad escape (only \\xNN)";
				return -1;
			}
			c = (char)(hi << 4 | lo);
			if (!c) {
				free(b.s);
				*why = "\\x00 in a name";
				return -1;
			}
			i += 3;
		}
		sb_add(&b, &c, 1);
	}
	if (!b.ok) {
		free(b.s);
		*why = "out of memory";
		return -1;
	}
	*out = b.s;
	return 0;
}

bool svc_name_is_template(const char *name)
{
	size_t n = strlen(name);

	return n > 1 && name[n - 1] == '@' && strchr(name, '@') == name + n - 1;
}

int svc_name_template(const char *name, char *buf, size_t len)
{
	const char *at = strchr(name, '@');

	if (!at || at == name || !at[1] || strchr(at + 1, '@'))
		return -1;
	if ((size_t)(at - name) + 2 > len)
		return -1;
	memcpy(buf, name, (size_t)(at - name) + 1);
	buf[at - name + 1] = '\0';
	return 0;
}

void svc_spec_init(struct svc_spec *sp, const char *name, const char *text, size_t len)
{
	memset(sp, 0, sizeof(*sp));
	sp->name = name;
	sp->text = text;
	sp->end = text + len;
}

void svc_spec_free(struct svc_spec *sp)
{
	free(sp->user);
	sp->user = NULL;
	sp->user_done = false;
}

/* The value of the last User= line of [Service], blanks and an inline
 * " ;" comment removed as inih does, or NULL.  Malloc'd. */
static char *scan_user(const char *p, const char *end)
{
	bool service = false;
	char *found = NULL;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *q;
		size_t n;

		if (!eol)
			eol = end;
		while (p < eol && (*p == ' ' || *p == '\t' || *p == '\r'))
			p++;
		if (p < eol && *p == '[') {
			service = (size_t)(eol - p) >= 9 && !memcmp(p, "[Service]", 9);
		} else if (service && (size_t)(eol - p) > 4 && !memcmp(p, "User", 4)) {
			q = p + 4;
			while (q < eol && (*q == ' ' || *q == '\t'))
				q++;
			if (q < eol && *q == '=') {
				const char *v = q + 1, *e = eol;

				while (v < e && (*v == ' ' || *v == '\t'))
					v++;
				for (const char *c = v; c + 1 < e; c++)
					if ((c[0] == ' ' || c[0] == '\t') && c[1] == ';') {
						e = c;
						break;
					}
				while (e > v && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
					e--;
				n = (size_t)(e - v);
				free(found);
				found = strndup(v, n);
				if (!found)
					return NULL;
			}
		}
		p = eol < end ? eol + 1 : end;
	}
	return found;
}

/* The user %u names: User= (its own specifiers expanded), or whom
 * corral runs as.  0, or -1 with *why. */
static int spec_user(struct svc_spec *sp, const char **why)
{
	char *raw;

	if (sp->user_done)
		return 0;
	if (sp->in_user) {
		*why = "User= cannot use %u, %U, %h or %s";
		return -1;
	}
	raw = scan_user(sp->text, sp->end);
	if (raw && *raw) {
		sp->in_user = true;
		sp->user = svc_spec_expand(sp, raw, why);
		sp->in_user = false;
		free(raw);
		if (!sp->user)
			return -1;
	} else {
		struct passwd *pw;

		free(raw);
		errno = 0;
		pw = getpwuid(geteuid());
		if (pw)
			sp->user = strdup(pw->pw_name);
		else if (asprintf(&sp->user, "%u", (unsigned)geteuid()) < 0)
			sp->user = NULL;
		if (!sp->user) {
			*why = "out of memory";
			return -1;
		}
	}
	sp->user_done = true;
	return 0;
}

static struct passwd *spec_pw(struct svc_spec *sp, char c, const char **why)
{
	struct passwd *pw;

	if (spec_user(sp, why) < 0)
		return NULL;
	errno = 0;
	pw = getpwnam(sp->user);
	if (!pw) {
		snprintf(sp->why, sizeof(sp->why), "%%%c: no such user '%s'", c, sp->user);
		*why = sp->why;
	}
	return pw;
}

/* Unescaped n bytes of s into b; -1 with *why. */
static int add_unescaped(struct sbuf *b, const char *s, size_t n, const char **why)
{
	char *u;

	if (svc_name_unescape(s, n, &u, why) < 0)
		return -1;
	sb_str(b, u);
	free(u);
	return 0;
}

char *svc_spec_expand(struct svc_spec *sp, const char *v, const char **why)
{
	struct sbuf b = { .ok = true };
	const char *at = strchr(sp->name, '@');
	size_t plen = at ? (size_t)(at - sp->name) : strlen(sp->name);
	const char *inst = at ? at + 1 : "";
	const char *dash;

	sb_add(&b, "", 0);
	for (const char *p = v; *p; p++) {
		struct passwd *pw;
		struct utsname un;
		char host[256], num[24];

		if (*p != '%') {
			const char *q = strchr(p, '%');
			size_t n = q ? (size_t)(q - p) : strlen(p);

			sb_add(&b, p, n);
			p += n - 1;
			continue;
		}
		if (!p[1]) {		/* a lone "%" at the end stays */
			sb_add(&b, "%", 1);
			break;
		}
		switch (*++p) {
		case '%': sb_add(&b, "%", 1); break;
		case 'i': sb_str(&b, inst); break;
		case 'I':
			if (add_unescaped(&b, inst, strlen(inst), why) < 0)
				goto fail;
			break;
		case 'p': sb_add(&b, sp->name, plen); break;
		case 'P':
			if (add_unescaped(&b, sp->name, plen, why) < 0)
				goto fail;
			break;
		case 'j':
		case 'J':
			/* the prefix's last dash-separated part */
			dash = memrchr(sp->name, '-', plen);
			dash = dash ? dash + 1 : sp->name;
			if (*p == 'j')
				sb_add(&b, dash, plen - (size_t)(dash - sp->name));
			else if (add_unescaped(&b, dash, plen - (size_t)(dash - sp->name), why) < 0)
				goto fail;
			break;
		case 'f': {
			char *u;

			if (svc_name_unescape(*inst ? inst : sp->name, *inst ? strlen(inst) : plen,
					      &u, why) < 0)
				goto fail;
			/* a path: "/" in front unless the name has one */
			if (*u != '/')
				sb_add(&b, "/", 1);
			sb_str(&b, u);
			free(u);
			break;
		}
		case 'n': sb_str(&b, sp->name); sb_str(&b, ".service"); break;
		case 'N': sb_str(&b, sp->name); break;
		case 'u':
			if (spec_user(sp, why) < 0)
				goto fail;
			sb_str(&b, sp->user);
			break;
		case 'U':
		case 'h':
		case 's':
			if (!(pw = spec_pw(sp, *p, why)))
				goto fail;
			if (*p == 'U') {
				snprintf(num, sizeof(num), "%u", (unsigned)pw->pw_uid);
				sb_str(&b, num);
			} else
				sb_str(&b, *p == 'h' ? pw->pw_dir : pw->pw_shell);
			break;
		case 't': sb_str(&b, "/run"); break;
		case 'S': sb_str(&b, "/var/lib"); break;
		case 'C': sb_str(&b, "/var/cache"); break;
		case 'L': sb_str(&b, "/var/log"); break;
		case 'E': sb_str(&b, "/etc"); break;
		case 'T': sb_str(&b, "/tmp"); break;
		case 'V': sb_str(&b, "/var/tmp"); break;
		case 'H':
		case 'l':
			if (gethostname(host, sizeof(host)) < 0) {
				snprintf(sp->why, sizeof(sp->why), "%%%c: unable to read the host "
					 "name: %s", *p, strerror(errno));
				*why = sp->why;
				goto fail;
			}
			host[sizeof(host) - 1] = '\0';
			if (*p == 'l')
				host[strcspn(host, ".")] = '\0';
			sb_str(&b, host);
			break;
		case 'v':
			if (uname(&un) < 0) {
				snprintf(sp->why, sizeof(sp->why), "%%v: uname: %s", strerror(errno));
				*why = sp->why;
				goto fail;
			}
			sb_str(&b, un.release);
			break;
		default:
			snprintf(sp->why, sizeof(sp->why), "unknown specifier %%%c (write %%%% "
				 "for a literal %%)", *p);
			*why = sp->why;
			goto fail;
		}
	}
	if (!b.ok) {
		*why = "out of memory";
		goto fail;
	}
	return b.s;
fail:
	free(b.s);
	return NULL;
}
