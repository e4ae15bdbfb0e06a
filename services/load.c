/*
 * services/load.c - reading service files with inih.
 *
 * Debian's libinih is built with INI_MAX_LINE 200: a longer line is cut
 * and its remainder parsed as a line of its own, which could silently turn
 * the tail of a long ExecStart into a different key.  We feed
 * ini_parse_stream() through our own reader, which counts lines (inih's
 * handler does not get line numbers in Debian's build) and stops the parse
 * at the first over-long line so the whole file is rejected.
 *
 * A file is read whole into memory first (bounded by SVC_FILE_MAX) and
 * parsed from there: a NUL byte anywhere rejects it, because inih works on
 * C strings and would silently drop the rest of that line (a lost User=
 * line runs the service as root).  Only regular files are opened, and
 * never in a way that can block PID 1.
 *
 * Debian's libinih is also built with INI_ALLOW_MULTILINE: a line that
 * starts with whitespace is handed to the previous key again as a
 * continuation, so "User=nobody" followed by an indented "root" silently
 * set User=root.  The reader strips leading whitespace (systemd does not
 * find it significant either), so inih never sees an indented line: an
 * indented Key=value is that key, and an indented word is a syntax error.
 *
 * Nothing in a definition has a fixed count or size: lists grow as the
 * file is read and are trimmed to their length at the end.
 */
#include "internal.h"
#include "../lib/log.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

struct loader {
	struct svc_def *def;
	const char *file;
	/* input: bytes, not NUL terminated (a NUL is rejected before parsing) */
	const char *text, *end;
	unsigned line;		/* the first physical line of the current logical one */
	unsigned phys;		/* physical lines read */
	bool too_long;
	/* the logical line being parsed, and its value when it is longer
	 * than inih's buffer (see reader()) */
	char *logical;
	size_t logical_cap;
	const char *long_value;
	/* the first physical line of each logical line, to name inih's
	 * syntax error by the line an editor shows */
	unsigned *lines;
	unsigned nlogical, cap_lines;
	unsigned cap_cmds[SVC_NCMD_KINDS];
	unsigned start_twice;		/* line of a second ExecStart=, 0 none */
	unsigned auto_delete_line;	/* [Group] auto_delete=yes, 0 none */
	char *err;
	size_t errlen;
	bool failed;
	unsigned cap_after, cap_requires, cap_env;	/* allocated slots */
	unsigned cap_rel[SVC_NREL], cap_alias;
	unsigned cap_env_files;
	struct svc_spec spec;		/* what %i, %n, %u... resolve to */
	unsigned warned;		/* warning lines printed */
	unsigned unknown_dropped;	/* unknown keys not printed */
	unsigned other_dropped;		/* other warnings not printed */
	/* resource keys systemd puts in [Service] (TasksMax=, MemoryMax=...),
	 * merged below [Group]'s own at the end, and where each was set */
	struct grp_limits svc_limits;
	unsigned *svc_limit_lines;
};

void (*svc_warn_hook)(void *ctx, const char *file, unsigned line, bool unknown,
		     const char *msg);
void *svc_warn_ctx;

/* What an unset string of a definition points to: not heap memory, so
 * never freed, and const so nothing can write into it. */
static const char empty[] = "";

static void fail(struct loader *ld, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void fail(struct loader *ld, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (ld->failed)
		return;		/* the first error is the one to fix */
	ld->failed = true;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(ld->err, ld->errlen, "%s:%u: %s", ld->file, ld->line, msg);
}

/* At most SVC_WARN_LINES lines per file; unknown says which summary a
 * dropped one counts towards. */
static void warn(struct loader *ld, bool unknown, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void warn(struct loader *ld, bool unknown, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (svc_warn_hook) {	/* initctl verify: every warning, uncapped */
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		svc_warn_hook(svc_warn_ctx, ld->file, ld->line, unknown, msg);
		return;
	}
	if (ld->warned >= SVC_WARN_LINES) {
		if (unknown)
			ld->unknown_dropped++;
		else
			ld->other_dropped++;
		return;
	}
	ld->warned++;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_warn("%s:%u: %s", ld->file, ld->line, msg);
}

static void warn_summary(struct loader *ld)
{
	if (ld->unknown_dropped)
		log_warn("%s: ... and %u more unknown keys; ignored", ld->file,
			 ld->unknown_dropped);
	if (ld->other_dropped)
		log_warn("%s: ... and %u more warnings", ld->file, ld->other_dropped);
}

/* inih's isspace(): what it skips at the start and end of keys and values */
static bool inih_space(int ch)
{
	return ch == ' ' || ch == '\t' || ch == '\r' || ch == '\v' || ch == '\f' ||
	       ch == '\n';
}

/* inih's find_chars_or_comment(): the first of chars (NULL: none), or an
 * inline comment, a ';' after whitespace */
static char *find_or_comment(char *s, const char *chars)
{
	bool was_space = false;

	while (*s && (!chars || !strchr(chars, *s)) && !(was_space && *s == ';')) {
		was_space = inih_space((unsigned char)*s);
		s++;
	}
	return s;
}

/*
 * Where a value's inline comment starts: a ';' after whitespace, as
 * libinih cuts it, but never inside quotes, so a shell command such as
 * Debian's nut-driver@.service ExecStart=/bin/sh -c '... ; ...' keeps its
 * ';' (systemd knows no inline comments at all).  *inside is set if a
 * blank and ';' was seen inside quotes (libinih would have cut there).
 * Returns the ';' or the end of v.
 */
static char *comment_outside_quotes(char *v, bool *inside)
{
	char q = 0;
	bool was_space = false;

	*inside = false;
	for (; *v; v++) {
		if (*v == '\\' && q != '\'' && v[1]) {
			v++;
			was_space = false;
			continue;
		}
		if (q) {
			if (*v == q)
				q = 0;
			else if (*v == ';' && was_space)
				*inside = true;
		} else if (*v == '"' || *v == '\'') {
			q = *v;
		} else if (*v == ';' && was_space) {
			return v;
		}
		was_space = inih_space((unsigned char)*v);
	}
	return v;
}

/* The value of a "key=value" line as corral takes it: leading and
 * trailing blanks cut, as libinih does, and an inline comment cut only
 * outside quotes.  Edits v in place. */
static const char *full_value(char *v)
{
	char *end;
	bool inside;

	while (*v && inih_space((unsigned char)*v))
		v++;
	end = comment_outside_quotes(v, &inside);
	*end = '\0';
	while (end > v && inih_space((unsigned char)end[-1]))
		*--end = '\0';
	return v;
}

/*
 * One logical line into ld->logical: the physical lines it spans joined,
 * a line ending in an odd number of backslashes continuing on the next
 * (the backslash becomes a space, systemd's rule), comment lines inside a
 * continuation skipped, a comment line never continued.  The leading
 * whitespace of the first line is dropped.  Returns its length, or -1 at
 * the end of the text, or -2 after failing the file.
 */
static long logical_line(struct loader *ld)
{
	size_t n = 0;
	bool cont = false;

	if (ld->text >= ld->end)
		return -1;
	ld->line = ld->phys + 1;
	while (ld->text < ld->end) {
		const char *b = ld->text, *nl = memchr(b, '\n', (size_t)(ld->end - b));
		const char *e = nl ? nl : ld->end;
		size_t len, bs = 0;
		bool comment, more;

		ld->text = nl ? nl + 1 : ld->end;
		ld->phys++;
		if (memchr(b, '\0', (size_t)(e - b))) {
			/* parse() rejects these before inih runs; never hand
			 * inih a line it would cut short */
			ld->line = ld->phys;
			fail(ld, "NUL byte");
			return -2;
		}
		/* every character inih's isspace() skips: with any of them
		 * left at the start, inih takes the line as a continuation */
		if (!cont)
			while (b < e && inih_space((unsigned char)*b))
				b++;
		{
			const char *t = b;

			while (t < e && inih_space((unsigned char)*t))
				t++;
			comment = t < e && (*t == '#' || *t == ';');
		}
		if (cont && comment)
			continue;
		len = (size_t)(e - b);
		if (len && b[len - 1] == '\r')
			len--;
		while (bs < len && b[len - 1 - bs] == '\\')
			bs++;
		more = (bs & 1) && !comment;
		if (n + len > SVC_LOGICAL_MAX) {
			fail(ld, "line longer than %d bytes", SVC_LOGICAL_MAX);
			return -2;
		}
		if (n + len + 1 > ld->logical_cap) {
			size_t cap = ld->logical_cap ? ld->logical_cap : 256;
			char *nb;

			while (cap < n + len + 1)
				cap *= 2;
			nb = realloc(ld->logical, cap);
			if (!nb) {
				fail(ld, "out of memory for a %zu-byte line", n + len + 1);
				return -2;
			}
			ld->logical = nb;
			ld->logical_cap = cap;
		}
		memcpy(ld->logical + n, b, len);
		n += len;
		if (!more)
			break;
		ld->logical[n - 1] = ' ';
		cont = true;
	}
	ld->logical[n] = '\0';
	return (long)n;
}

/*
 * fgets-like, for ini_parse_stream(); num is inih's line buffer size.
 * A logical line that fits goes to inih as it is.  One that does not (a
 * long ExecStart=, a continued one) cannot go whole: inih would cut it and
 * parse the rest as a line of its own.  inih gets "key=x" instead and
 * handler() takes the value from ld->long_value: inih calls the handler
 * for that line before it reads the next, so the two stay together.  A
 * long comment goes as "#"; a long section header or a key longer than
 * inih's buffer is an error.
 */
static char *reader(char *str, int num, void *stream)
{
	struct loader *ld = stream;
	long got;
	size_t n;
	char *l, *sep;
	bool quoted_semicolon = false;

	ld->long_value = NULL;
	if (ld->too_long || num < 4)
		return NULL;
	got = logical_line(ld);
	if (got == -2)
		ld->too_long = true;
	if (got < 0)
		return NULL;
	n = (size_t)got;
	l = ld->logical;
	if (ld->nlogical == ld->cap_lines) {
		unsigned cap = ld->cap_lines ? ld->cap_lines * 2 : 64;
		unsigned *nv = reallocarray(ld->lines, cap, sizeof(*nv));

		if (!nv) {
			fail(ld, "out of memory");
			ld->too_long = true;
			return NULL;
		}
		ld->lines = nv;
		ld->cap_lines = cap;
	}
	ld->lines[ld->nlogical++] = ld->line;	/* for inih's error line */
	/* an inline comment: a blank and ';' outside quotes; say so, or
	 * "a ; b" silently becomes "a".  Inside quotes libinih would cut
	 * too, so such a line goes the long way below, whole. */
	if (l[0] != ';' && l[0] != '#' && l[0] != '[') {
		char *eq = strchr(l, '=');
		bool inside = false;

		if (eq && *comment_outside_quotes(eq + 1, &inside))
			warn(ld, false, "' ;' starts an inline comment; the rest "
			     "of the line is ignored (write ';' without the "
			     "space before it)");
		if (inside)
			quoted_semicolon = true;
	}
	if (n < (size_t)num - 1 && !quoted_semicolon) {
		memcpy(str, l, n + 1);
		return str;
	}
	if (l[0] == '#' || l[0] == ';') {
		strcpy(str, "#");
		return str;
	}
	sep = find_or_comment(l, "=:");
	if (l[0] == '[' || !*sep || (size_t)(sep - l) + 3 > (size_t)num - 1) {
		fail(ld, "line longer than %d bytes and not key=value", num - 2);
		ld->too_long = true;
		return NULL;
	}
	memcpy(str, l, (size_t)(sep - l) + 1);
	strcpy(str + (sep - l) + 1, "x");
	ld->long_value = full_value(sep + 1);
	return str;
}

static bool parse_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "1", "yes", "true", "on" };
	static const char *const no[] = { "0", "no", "false", "off" };

	for (unsigned i = 0; i < 4; i++) {
		if (!strcasecmp(v, yes[i])) {
			*out = true;
			return true;
		}
		if (!strcasecmp(v, no[i])) {
			*out = false;
			return true;
		}
	}
	return false;
}

/*
 * Digits only, so none of strtod()'s extras get in: no hex (0x10), no
 * exponent (1e3, 9e300), no sign, no nan/inf, no locale.  A span is one or
 * more NUMBER[UNIT] parts, optionally separated by blanks, that add up
 * ("1min 30s", "1min30s").  A unit must follow its number directly.
 */
int svc_parse_timespan(const char *s, double *out, const char **why)
{
	/* sub-second units divide, so 500ms is exactly 0.5 */
	static const struct { const char *unit; double mul, div; } units[] = {
		{ "", 1, 1 }, { "us", 1, 1e6 }, { "ms", 1, 1e3 }, { "s", 1, 1 },
		{ "sec", 1, 1 }, { "m", 60, 1 }, { "min", 60, 1 }, { "h", 3600, 1 },
	};
	const char *p = s;
	double total = 0;

	if (!strcmp(s, "infinity")) {
		*out = SVC_SECONDS_INFINITY;
		return 0;
	}
	if (!*p) {
		*why = "empty";
		return -1;
	}
	for (;;) {
		double whole = 0, frac = 0, fdiv = 1, v;
		char unit[4];
		size_t ulen = 0;
		unsigned i;

		if (!isdigit((unsigned char)*p)) {
			*why = "not a number with an optional unit";
			return -1;
		}
		for (; isdigit((unsigned char)*p); p++) {
			whole = whole * 10 + (*p - '0');
			if (whole > SVC_SECONDS_MAX * 1e6)	/* too big in any unit */
				goto too_big;
		}
		if (*p == '.') {
			p++;
			if (!isdigit((unsigned char)*p)) {
				*why = "no digit after '.'";
				return -1;
			}
			/* digits past the 15th are below any timer's resolution */
			for (; isdigit((unsigned char)*p); p++)
				if (fdiv < 1e15) {
					frac = frac * 10 + (*p - '0');
					fdiv *= 10;
				}
		}
		for (; isalpha((unsigned char)*p); p++) {
			if (ulen == sizeof(unit) - 1) {
				*why = "unknown unit (us, ms, s, sec, m, min, h)";
				return -1;
			}
			unit[ulen++] = *p;
		}
		unit[ulen] = '\0';
		for (i = 0; i < sizeof(units) / sizeof(*units); i++)
			if (!strcmp(unit, units[i].unit))
				break;
		if (i == sizeof(units) / sizeof(*units)) {
			*why = "unknown unit (us, ms, s, sec, m, min, h)";
			return -1;
		}
		v = (whole + frac / fdiv) * units[i].mul / units[i].div;
		total += v;
		if (total > SVC_SECONDS_MAX)
			goto too_big;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p)
			break;
	}
	*out = total;
	return 0;
too_big:
	*why = "more than 10 years (write infinity for no limit)";
	return -1;
}

double svc_parse_seconds(const char *s)
{
	const char *why;
	double v;

	return svc_parse_timespan(s, &v, &why) < 0 ? -1 : v;
}

static void oom(struct loader *ld)
{
	fail(ld, "out of memory: %s", strerror(errno ? errno : ENOMEM));
}

/* Append a copy of str to the list v of *n entries and *cap slots, which
 * doubles when full.  Returns 0, or -1 after failing the file. */
static int list_add(struct loader *ld, char ***v, unsigned *n, unsigned *cap,
		    const char *str)
{
	char *copy;

	if (*n == *cap) {
		unsigned ncap = *cap ? *cap * 2 : 4;
		char **nv = ncap > *cap ? reallocarray(*v, ncap, sizeof(**v)) : NULL;

		if (!nv) {
			oom(ld);
			return -1;
		}
		*v = nv;
		*cap = ncap;
	}
	copy = strdup(str);
	if (!copy) {
		oom(ld);
		return -1;
	}
	(*v)[(*n)++] = copy;
	return 0;
}

/* Give back the slots a list did not fill (it is complete now). */
static void list_trim(char ***v, unsigned n)
{
	char **nv;

	if (!*v)
		return;
	if (!n) {
		free(*v);
		*v = NULL;
		return;
	}
	nv = reallocarray(*v, n, sizeof(**v));
	if (nv)
		*v = nv;	/* else the longer block is still fine */
}

static void list_free(char **v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* "a b.service c" -> names; dependencies may carry systemd's suffix */
static void add_names(struct loader *ld, const char *key, const char *v,
		      char ***list, unsigned *n, unsigned *cap)
{
	char *buf = strdup(v), *save = NULL, *tok;
	const char *why;

	if (!buf) {
		oom(ld);
		return;
	}
	for (tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		size_t len = strlen(tok);

		if (len > 8 && !strcmp(tok + len - 8, ".service"))
			tok[len - 8] = '\0';
		if (grp_name_valid(tok, &why) < 0) {
			fail(ld, "bad unit name in %s: %s", key, why);
			break;
		}
		/* a unit cannot wait for itself: a cycle of one */
		if (!strcmp(tok, ld->def->name)) {
			fail(ld, "%s= names the service itself", key);
			break;
		}
		if (list_add(ld, list, n, cap, tok) < 0)
			break;
	}
	free(buf);
}

static void add_env(struct loader *ld, const char *v)
{
	struct svc_def *d = ld->def;
	const char *why;
	int n;
	char **words = svc_split_argv(v, &n, &why);

	if (!words) {
		fail(ld, "Environment: %s", why);
		return;
	}
	for (int i = 0; i < n; i++) {
		char *eq = strchr(words[i], '=');

		if (!eq || eq == words[i]) {
			fail(ld, "Environment: '%s' is not NAME=value", words[i]);
			break;
		}
		if (list_add(ld, &d->env, &d->nenv, &ld->cap_env, words[i]) < 0)
			break;
	}
	free(words);
}

/* One entry per name, the last assignment winning, in file order: spawning
 * needs no de-duplication of its own. */
static int env_dedup(struct svc_def *d)
{
	return svc_env_dedup(d->env, &d->nenv);
}

static void set_seconds(struct loader *ld, const char *key, const char *v, double *out)
{
	const char *why;

	if (svc_parse_timespan(v, out, &why) < 0)
		fail(ld, "%s: bad time span '%s': %s (e.g. 5, 1.5, 500ms, 2min, "
		     "1min 30s, infinity)", key, v, why);
}

/* systemd.service(5): 0 and infinity both mean no timeout at all (0 is
 * not "at once": redis' TimeoutStopSec=0 must get time to save) */
static void set_timeout(struct loader *ld, const char *key, const char *v, double *out)
{
	set_seconds(ld, key, v, out);
	if (*out == 0)
		*out = SVC_SECONDS_INFINITY;
}

/* A string of the definition: a copy of v replaces what *out held. */
static void set_str(struct loader *ld, const char **out, const char *v)
{
	char *copy = strdup(v);

	if (!copy) {
		oom(ld);
		return;
	}
	if (*out != empty)
		free((char *)*out);
	*out = copy;
}


/* Wants=, Before=, ... (enum svc_rel); Documentation= is for people;
 * DefaultDependencies= (supervisor/units.c).  0 if k is none. */
static int handle_rel(struct loader *ld, const char *k, const char *v)
{
	struct svc_def *d = ld->def;
	for (int r = 0; r < SVC_NREL; r++)
		if (!strcmp(k, svc_rel_key((enum svc_rel)r))) {
			add_names(ld, k, v, &d->rel[r], &d->nrel[r], &ld->cap_rel[r]);
			return 1;
		}
	if (!strcmp(k, "Documentation"))
		return 1;
	if (!strcmp(k, "DefaultDependencies")) {
		if (!parse_bool(v, &d->default_deps))
			fail(ld, "DefaultDependencies: '%s' is not a boolean", v);
		return 1;
	}
	return 0;
}

/* [Install]: Alias= names the service too (initctl, other units'
 * dependencies).  The others say which target pulls the unit in once
 * "systemctl enable" ran; in corral every service in the directory is
 * enabled unless disabled, so they have nothing to add. */
static int handle_install(struct loader *ld, const char *k, const char *v)
{
	struct svc_def *d = ld->def;

	if (!strcmp(k, "Alias"))
		add_names(ld, k, v, &d->alias, &d->nalias, &ld->cap_alias);
	else if (strcmp(k, "WantedBy") && strcmp(k, "RequiredBy") && strcmp(k, "Also") &&
		 strcmp(k, "DefaultInstance"))
		return 0;
	return 1;
}

static int handle_unit(struct loader *ld, const char *k, const char *v)
{
	struct svc_def *d = ld->def;

	if (!strcmp(k, "Description"))
		set_str(ld, &d->description, v);
	else if (!strcmp(k, "After"))
		add_names(ld, k, v, &d->after, &d->nafter, &ld->cap_after);
	else if (!strcmp(k, "Requires"))
		add_names(ld, k, v, &d->requires, &d->nrequires, &ld->cap_requires);
	else if (handle_rel(ld, k, v))
		;
	else if (!strcmp(k, "StartLimitBurst")) {
		char *end;
		long b = strtol(v, &end, 10);

		if (!isdigit((unsigned char)*v) || *end || b < 1 ||
		    b > SVC_START_LIMIT_MAX)
			fail(ld, "StartLimitBurst: '%s' is not 1..%d", v, SVC_START_LIMIT_MAX);
		else
			d->start_limit_burst = (unsigned)b;
	} else if (!strcmp(k, "StartLimitIntervalSec"))
		set_seconds(ld, k, v, &d->start_limit_interval);
	else
		return 0;
	return 1;
}

/* One LimitNOFILE= value: digits (at most SVC_NOFILE_MAX) or infinity. */
static int parse_nofile(const char *v, unsigned long long *out)
{
	unsigned long long n = 0;

	if (!strcmp(v, "infinity")) {
		*out = SVC_NOFILE_INFINITY;
		return 0;
	}
	if (!*v)
		return -1;
	for (; *v; v++) {
		if (!isdigit((unsigned char)*v))
			return -1;
		n = n * 10 + (unsigned long long)(*v - '0');
		if (n > SVC_NOFILE_MAX)
			return -1;
	}
	*out = n;
	return 0;
}

/* LimitNOFILE=N (soft and hard), SOFT:HARD, "infinity" for either:
 * systemd's forms. */
static void set_nofile(struct loader *ld, const char *v)
{
	struct svc_def *d = ld->def;
	const char *colon = strchr(v, ':');
	unsigned long long soft, hard;
	char part[32];
	bool ok;

	if (!colon) {
		ok = parse_nofile(v, &soft) == 0;
		hard = soft;
	} else {
		size_t n = (size_t)(colon - v);

		ok = n < sizeof(part);
		if (ok) {
			memcpy(part, v, n);
			part[n] = '\0';
			ok = parse_nofile(part, &soft) == 0 && parse_nofile(colon + 1, &hard) == 0;
		}
	}
	if (!ok) {
		fail(ld, "LimitNOFILE: '%s' is not N, SOFT:HARD or infinity "
		     "(N at most %llu)", v, SVC_NOFILE_MAX);
		return;
	}
	if (soft > hard) {
		fail(ld, "LimitNOFILE: soft limit above the hard limit in '%s'", v);
		return;
	}
	d->nofile_set = true;
	d->nofile_soft = soft;
	d->nofile_hard = hard;
}

/* The Exec*= kind a key names, or -1. */
static int cmd_kind(const char *k)
{
	for (int i = 0; i < SVC_NCMD_KINDS; i++)
		if (!strcmp(k, svc_cmd_key((enum svc_cmd_kind)i)))
			return i;
	return -1;
}

/* One Exec*= line: appended to its list; empty, it empties the list
 * (systemd's rule, so a later file or line can replace commands). */
static void add_cmd(struct loader *ld, enum svc_cmd_kind k, const char *v)
{
	struct svc_cmds *l = &ld->def->cmds[k];
	const char *why;

	if (!*v) {
		svc_cmds_free(l);
		ld->cap_cmds[k] = 0;
		if (k == SVC_CMD_START)
			ld->start_twice = 0;
		return;
	}
	if (l->n == ld->cap_cmds[k]) {
		unsigned cap = l->n ? l->n * 2 : 2;
		struct svc_cmd *nv = cap > l->n ? reallocarray(l->v, cap, sizeof(*nv)) : NULL;

		if (!nv) {
			oom(ld);
			return;
		}
		l->v = nv;
		ld->cap_cmds[k] = cap;
	}
	if (svc_cmd_parse(v, &l->v[l->n], &why) < 0) {
		fail(ld, "%s: %s", svc_cmd_key(k), why);
		return;
	}
	if (!(l->v[l->n].flags & SVC_CMD_F_NOEXPAND) &&
	    (why = svc_argv_check_vars(l->v[l->n].argv)))
		warn(ld, false, "%s: '%s' is no variable name and expands to "
		     "no word (write $$ for a literal $)", svc_cmd_key(k), why);
	if (k == SVC_CMD_START && l->n == 1 && !ld->start_twice)
		ld->start_twice = ld->line;	/* fine only for Type=oneshot */
	l->n++;
}

static int handle_service(struct loader *ld, const char *k, const char *v)
{
	struct svc_def *d = ld->def;

	if (!strcmp(k, "Type")) {
		unsigned i;

		for (i = 0; i <= SVC_TYPE_IDLE && strcmp(v, svc_type_name(i)); i++)
			;
		if (i > SVC_TYPE_IDLE)
			fail(ld, "Type: '%s' is not simple, exec, notify, forking, oneshot, "
			     "dbus or idle", v);
		else
			d->type = (enum svc_type)i;
	} else if (cmd_kind(k) >= 0) {
		add_cmd(ld, (enum svc_cmd_kind)cmd_kind(k), v);
	} else if (!strcmp(k, "RemainAfterExit")) {
		if (!parse_bool(v, &d->remain_after_exit))
			fail(ld, "RemainAfterExit: '%s' is not a boolean", v);
	} else if (!strcmp(k, "Restart")) {
		unsigned i;

		for (i = 0; i <= SVC_RESTART_ON_WATCHDOG && strcmp(v, svc_restart_name(i)); i++)
			;
		if (i > SVC_RESTART_ON_WATCHDOG)
			fail(ld, "Restart: '%s' is not no, always, on-success, on-failure, "
			     "on-abnormal, on-abort or on-watchdog", v);
		else
			d->restart = (enum svc_restart)i;
	} else if (!strcmp(k, "RestartSec"))
		set_seconds(ld, k, v, &d->restart_sec);
	else if (!strcmp(k, "RestartMaxDelaySec"))
		set_seconds(ld, k, v, &d->restart_max_delay);
	else if (!strcmp(k, "RestartForgiveSec"))
		set_seconds(ld, k, v, &d->restart_forgive);
	else if (!strcmp(k, "TimeoutStopSec"))
		set_timeout(ld, k, v, &d->timeout_stop_sec);
	else if (!strcmp(k, "TimeoutStartSec"))
		set_timeout(ld, k, v, &d->timeout_start_sec);
	else if (!strcmp(k, "TimeoutSec")) {
		set_timeout(ld, k, v, &d->timeout_start_sec);
		set_timeout(ld, k, v, &d->timeout_stop_sec);
	}
	else if (!strcmp(k, "User")) {
		/* empty would mean "stay root", the opposite of what was asked */
		if (!*v)
			fail(ld, "User= needs a user name");
		else
			set_str(ld, &d->user, v);
	} else if (!strcmp(k, "Group")) {
		if (!*v)
			fail(ld, "Group= needs a group name");
		else
			set_str(ld, &d->group, v);
	}
	else if (!strcmp(k, "WorkingDirectory")) {
		if (v[0] != '/')
			fail(ld, "WorkingDirectory: '%s' is not an absolute path", v);
		else
			set_str(ld, &d->workdir, v);
	} else if (!strcmp(k, "Environment"))
		add_env(ld, v);
	else if (!strcmp(k, "EnvironmentFile")) {
		/* systemd's: "-" may be missing; empty forgets the earlier ones */
		if (!*v) {
			list_free(d->env_files, d->nenv_files);
			d->env_files = NULL;
			d->nenv_files = ld->cap_env_files = 0;
		} else if (v[*v == '-'] != '/')
			fail(ld, "EnvironmentFile: '%s' is not an absolute path", v);
		else
			list_add(ld, &d->env_files, &d->nenv_files, &ld->cap_env_files, v);
	}
	else if (!strcmp(k, "LimitNOFILE"))
		set_nofile(ld, v);
	else
		return 0;
	return 1;
}

static int handle_group(struct loader *ld, const char *k, const char *v)
{
	struct svc_def *d = ld->def;
	const char *why;
	char err[256];
	int r;

	if (!strcmp(k, "Name")) {
		if (grp_name_valid(v, &why) < 0)
			fail(ld, "Name: %s", why);
		else
			set_str(ld, &d->grp_name, v);
	} else if (!strcmp(k, "Parent")) {
		if (grp_path_valid(v, &why) < 0)
			fail(ld, "Parent: %s", why);
		else
			set_str(ld, &d->grp_parent, v);
	} else if (!strcmp(k, "notify_on_release")) {
		if (!parse_bool(v, &d->notify_on_release))
			fail(ld, "notify_on_release: '%s' is not a boolean", v);
	} else if (!strcmp(k, "auto_delete")) {
		if (!parse_bool(v, &d->auto_delete))
			fail(ld, "auto_delete: '%s' is not a boolean", v);
		ld->auto_delete_line = d->auto_delete ? ld->line : 0;
	} else {
		/* every other key belongs to a subsystem (its file says) */
		r = grp_limits_set(&d->limits, k, v, err, sizeof(err));
		if (r < 0)
			fail(ld, "%s", err);
		return r != 0;
	}
	return 1;
}

/* systemd's switches for what corral always does: every group is
 * accounted by every subsystem that reports, whatever they say; "no" cannot
 * be honoured, and the file is told */
static int accounting(struct loader *ld, const char *k, const char *v)
{
	static const char *const keys[] = {
		"CPUAccounting", "TasksAccounting", "MemoryAccounting",
	};
	bool on;

	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++) {
		if (strcmp(k, keys[i]))
			continue;
		if (!parse_bool(v, &on))
			fail(ld, "%s: '%s' is not a boolean", k, v);
		else if (!on)
			warn(ld, false, "%s=no: corral accounts every group; ignored", k);
		return 1;
	}
	return 0;
}

/* A subsystem's key in [Service], where systemd puts them (TasksMax=,
 * AllowedCPUs=, MemoryMax=...): 1 if it was one. */
static int service_limit(struct loader *ld, const char *k, const char *v)
{
	char err[256];
	unsigned *lines;
	int r = grp_limits_set(&ld->svc_limits, k, v, err, sizeof(err));

	if (!r)
		return accounting(ld, k, v);

	if (r < 0) {
		fail(ld, "%s", err);
		return 1;
	}
	lines = realloc(ld->svc_limit_lines, ld->svc_limits.n * sizeof(*lines));
	if (!lines) {
		oom(ld);
		return 1;
	}
	ld->svc_limit_lines = lines;
	/* the slot the key went to: the one holding its value now */
	for (unsigned i = 0; i < ld->svc_limits.n; i++)
		if (ld->svc_limits.v[i].value == grp_limits_get(&ld->svc_limits, k))
			lines[i] = ld->line;
	return 1;
}

/* [Service] limits under [Group]'s: [Group] is corral's own section, so
 * when both set a key, [Group] wins, and the file is told so. */
static void merge_service_limits(struct loader *ld)
{
	struct svc_def *d = ld->def;
	char err[256];

	for (unsigned i = 0; i < ld->svc_limits.n && !ld->failed; i++) {
		const struct grp_limit *lim = &ld->svc_limits.v[i];
		const char *name = grp_limit_name(lim), *g = grp_limits_get(&d->limits, name);

		if (g) {
			ld->line = ld->svc_limit_lines[i];
			if (strcmp(g, lim->value))
				warn(ld, false, "[Service] sets %s=%s, but [Group] %s=%s wins",
				     name, lim->value, name, g);
			continue;
		}
		if (grp_limits_set(&d->limits, name, lim->value, err, sizeof(err)) < 0) {
			ld->line = ld->svc_limit_lines[i];
			fail(ld, "%s", err);
		}
	}
}

static int handler(void *user, const char *section, const char *name,
		   const char *value)
{
	struct loader *ld = user;
	char *expanded = NULL;
	char why[512];
	int known;

	if (ld->long_value) {
		/* this line's value did not fit inih's buffer (reader()) */
		value = ld->long_value;
		ld->long_value = NULL;
	}
	if (ld->def->target && (!strcmp(section, "Service") || !strcmp(section, "Group"))) {
		fail(ld, "a target has no [%s] section (it runs nothing)", section);
		return 1;
	}
	/* specifiers first (specifier.c): every key sees the final value */
	if (strchr(value, '%')) {
		const char *swhy;

		expanded = svc_spec_expand(&ld->spec, value, &swhy);
		if (!expanded) {
			fail(ld, "%s: %s", name, swhy);
			return 1;
		}
		value = expanded;
	}
	/* services/exec_keys.c's keys first: they name the key in why */
	known = svc_exec_key(ld->def, section, name, value, why, sizeof(why));
	if (known < 0)
		fail(ld, "%s", why);
	if (known) {
		free(expanded);
		return 1;
	}
	if (!strcmp(section, "Unit"))
		known = handle_unit(ld, name, value);
	else if (!strcmp(section, "Service"))
		known = handle_service(ld, name, value) || service_limit(ld, name, value);
	else if (!strcmp(section, "Group"))
		known = handle_group(ld, name, value);
	else if (!strcmp(section, "Install"))
		known = handle_install(ld, name, value);
	else if (!*section) {
		fail(ld, "'%s' outside any section", name);
		known = 1;
	} else if (svc_exec_note(ld->def, section, name)) {
		known = 1;	/* accepted quietly */
	} else {
		warn(ld, true, "unknown section [%s]; ignored", section);
		known = 1;
	}
	/* a systemd key corral does not enforce: one line per file */
	if (!known && !svc_exec_note(ld->def, section, name))
		warn(ld, true, "unknown key %s in [%s]; ignored", name, section);
	free(expanded);
	return 1;
}

static void str_free(const char *p)
{
	if (p != empty)
		free((char *)p);
}

void svc_def_free(struct svc_def *d)
{
	str_free(d->file);
	str_free(d->description);
	list_free(d->after, d->nafter);
	list_free(d->requires, d->nrequires);
	for (int r = 0; r < SVC_NREL; r++)
		list_free(d->rel[r], d->nrel[r]);
	list_free(d->alias, d->nalias);
	/* exec_start and argv are views of the first ExecStart= */
	for (int k = 0; k < SVC_NCMD_KINDS; k++)
		svc_cmds_free(&d->cmds[k]);
	str_free(d->user);
	str_free(d->group);
	str_free(d->workdir);
	list_free(d->env, d->nenv);
	list_free(d->env_files, d->nenv_files);
	str_free(d->grp_name);
	str_free(d->grp_parent);
	grp_limits_free(&d->limits);
	svc_exec_free(&d->x);
	memset(d, 0, sizeof(*d));
}

/* Returns -1 when out of memory (d is then empty). */
static int defaults(struct svc_def *d, const char *name, const char *file)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->description = d->exec_start = d->user = d->group = d->workdir = empty;
	d->grp_name = d->grp_parent = empty;
	d->file = strdup(file);
	if (!d->file) {
		d->file = empty;
		return -1;
	}
	d->start_limit_burst = 5;
	d->start_limit_interval = 10;
	d->type = SVC_TYPE_SIMPLE;
	d->restart = SVC_RESTART_NO;
	d->restart_sec = 0.1;
	d->restart_max_delay = 60;
	d->restart_forgive = 1;
	d->timeout_stop_sec = 10;
	d->timeout_start_sec = 90;
	grp_limits_init(&d->limits);
	d->notify_on_release = true;
	svc_exec_init(&d->x);
	return 0;
}

/* Where the first NUL is, as a line number, or 0 if there is none. */
static unsigned nul_line(const char *text, size_t len)
{
	const char *nul = memchr(text, '\0', len);
	unsigned line = 1;

	if (!nul)
		return 0;
	for (const char *p = text; p < nul; p++)
		line += *p == '\n';
	return line;
}

static int parse(struct loader *ld, const char *name, size_t len)
{
	struct svc_def *d = ld->def;
	const char *why;
	int rc;

	if (defaults(d, name, ld->file) < 0) {
		snprintf(ld->err, ld->errlen, "%s: out of memory: %s", ld->file, strerror(errno));
		return -1;
	}
	d->target = strlen(name) > 7 && !strcmp(name + strlen(name) - 7, ".target");
	d->default_deps = true;
	if (grp_name_valid(name, &why) < 0) {
		snprintf(ld->err, ld->errlen, "%s: service name '%s': %s", ld->file, name, why);
		svc_def_free(d);
		return -1;
	}
	if (len > SVC_FILE_MAX) {
		snprintf(ld->err, ld->errlen, "%s: larger than %d bytes (%zu)", ld->file,
			 SVC_FILE_MAX, len);
		svc_def_free(d);
		return -1;
	}
	/* before inih sees anything: a NUL anywhere rejects the whole file,
	 * even behind an earlier error */
	ld->line = nul_line(ld->text, len);
	if (ld->line) {
		fail(ld, "NUL byte");
		svc_def_free(d);
		return -1;
	}
	/* before the parse: the reader advances ld->text to the end */
	d->digest = svc_digest(ld->text, len);
	svc_spec_init(&ld->spec, d->name, ld->text, len);
	rc = ini_parse_stream(reader, ld, handler, ld);
	merge_service_limits(ld);
	if (!ld->failed && d->auto_delete && !d->x.delegate) {
		ld->line = ld->auto_delete_line;
		warn(ld, false, "auto_delete=yes without Delegate=yes: the service makes "
		     "no groups of its own; ignored");
	}
	grp_limits_free(&ld->svc_limits);
	free(ld->svc_limit_lines);
	ld->svc_limit_lines = NULL;
	svc_spec_free(&ld->spec);
	warn_summary(ld);
	if (!ld->failed)
		svc_exec_report(d, ld->file);
	if (!ld->failed && rc > 0) {
		/* inih counts logical lines; name the first physical one */
		ld->line = (unsigned)rc <= ld->nlogical ? ld->lines[rc - 1] : (unsigned)rc;
		fail(ld, "syntax error (expected [Section] or key=value)");
	}
	free(ld->logical);
	free(ld->lines);
	ld->logical = NULL;
	ld->lines = NULL;
	if (!ld->failed && !d->cmds[SVC_CMD_START].n && !d->target) {
		ld->line = 0;
		snprintf(ld->err, ld->errlen, "%s: no ExecStart in [Service]", ld->file);
		ld->failed = true;
	}
	if (!ld->failed && d->cmds[SVC_CMD_START].n > 1 && d->type != SVC_TYPE_ONESHOT) {
		ld->line = ld->start_twice;
		fail(ld, "ExecStart given twice (several are for Type=oneshot only)");
	}
	if (!ld->failed && d->cmds[SVC_CMD_START].n) {	/* a target has none */
		const struct svc_cmd *c = &d->cmds[SVC_CMD_START].v[0];

		d->exec_start = c->line;
		d->argc = c->argc;
		d->argv = c->argv;
	}
	if (!ld->failed && !*d->grp_name)
		set_str(ld, &d->grp_name, d->name);
	if (!ld->failed && env_dedup(d) < 0) {
		snprintf(ld->err, ld->errlen, "%s: out of memory: %s", ld->file, strerror(errno));
		ld->failed = true;
	}
	if (ld->failed) {
		svc_def_free(d);
		return -1;
	}
	list_trim(&d->after, d->nafter);
	list_trim(&d->requires, d->nrequires);
	for (int r = 0; r < SVC_NREL; r++)
		list_trim(&d->rel[r], d->nrel[r]);
	list_trim(&d->alias, d->nalias);
	list_trim(&d->env, d->nenv);
	list_trim(&d->env_files, d->nenv_files);
	return 0;
}

/* FNV-1a over the file's bytes: equal digests, same definition (what a
 * reload compares; a collision would only hide a change until restart) */
uint64_t svc_digest(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

int svc_load_mem(const char *name, const void *data, size_t len, struct svc_def *def,
		 char *err, size_t errlen)
{
	struct loader ld = { .def = def, .file = name, .text = data,
			     .end = (const char *)data + len, .err = err, .errlen = errlen };

	return parse(&ld, name, len);
}

int svc_load_string(const char *name, const char *text, struct svc_def *def,
		    char *err, size_t errlen)
{
	return svc_load_mem(name, text, strlen(text), def, err, errlen);
}

static const char *file_kind(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" :
	       S_ISSOCK(m) ? "a socket" : S_ISCHR(m) ? "a character device" :
	       S_ISBLK(m) ? "a block device" : "not a regular file";
}

/*
 * Read a service file whole into a malloc'd buffer.  Returns 0, -1 with
 * err, or -2 with err if it is not a regular file (skipped, not an error
 * in the file).
 *
 * stat() first, so a FIFO, socket or device is refused without opening it
 * (open() of a FIFO waits for a writer; opening a device can have effects).
 * stat() follows symlinks on purpose: a link to a regular file is fine, so
 * O_NOFOLLOW would be wrong here.  The open() itself is O_NONBLOCK in case
 * the path was replaced in between, and fstat() checks what was opened.
 */
static int read_file(const char *path, char **data, size_t *len, char *err, size_t errlen)
{
	struct stat st;
	size_t cap, n = 0;
	char *buf = NULL;
	int fd;

	if (stat(path, &st) < 0) {
		snprintf(err, errlen, "%s: unable to stat: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: %s, not a regular file", path, file_kind(st.st_mode));
		return -2;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		snprintf(err, errlen, "%s: unable to open: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0) {
		snprintf(err, errlen, "%s: unable to fstat: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s: %s, not a regular file", path, file_kind(st.st_mode));
		close(fd);
		return -2;
	}
	if (st.st_size > SVC_FILE_MAX)
		goto too_big;
	/* sized from the file; grows if the file grows while we read it, up
	 * to one byte past the limit so an over-size file is noticed */
	cap = (size_t)st.st_size + 1;
	buf = malloc(cap);
	if (!buf) {
		snprintf(err, errlen, "%s: unable to allocate %zu bytes: %s", path, cap,
			 strerror(errno));
		goto fail;
	}
	for (;;) {
		ssize_t r;

		if (n == cap) {
			char *nb;

			if (cap > SVC_FILE_MAX)
				goto too_big;
			cap = cap * 2 > SVC_FILE_MAX + 1 ? SVC_FILE_MAX + 1 : cap * 2;
			nb = realloc(buf, cap);
			if (!nb) {
				snprintf(err, errlen, "%s: unable to allocate %zu bytes: %s",
					 path, cap, strerror(errno));
				goto fail;
			}
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errlen, "%s: unable to read: %s", path, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	*data = buf;
	*len = n;
	return 0;
too_big:
	snprintf(err, errlen, "%s: larger than %d bytes", path, SVC_FILE_MAX);
fail:
	free(buf);
	close(fd);
	return -1;
}

int svc_load_file(const char *path, struct svc_def *def, char *err, size_t errlen)
{
	char name[SVC_NAME_MAX + 16];
	const char *base = strrchr(path, '/');
	size_t len;

	memset(def, 0, sizeof(*def));	/* empty on every failure */
	base = base ? base + 1 : path;
	len = strlen(base);
	if (len > 8 && !strcmp(base + len - 8, ".service"))
		len -= 8;
	if (len >= sizeof(name)) {
		snprintf(err, errlen, "%s: file name too long", path);
		return -1;
	}
	memcpy(name, base, len);
	name[len] = '\0';
	return svc_load_file_as(path, name, def, err, errlen);
}

int svc_load_file_as(const char *path, const char *name, struct svc_def *def,
		     char *err, size_t errlen)
{
	struct loader ld = { .def = def, .file = path, .err = err, .errlen = errlen };
	char *data;
	size_t len;
	int rc;

	memset(def, 0, sizeof(*def));	/* empty on every failure */
	rc = read_file(path, &data, &len, err, errlen);
	if (rc < 0)
		return rc;
	ld.text = data;
	ld.end = data + len;
	rc = parse(&ld, name, len);
	free(data);
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int svc_load_dir(const char *dir, struct svc_def **out)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL, *path = NULL, err[1200];
	unsigned n = 0, cap = 0, loaded = 0;
	struct svc_def *defs = NULL;

	*out = NULL;
	if (!d) {
		log_warn_sys("open services directory", dir);
		return -1;
	}
	for (;;) {
		size_t len;

		errno = 0;
		de = readdir(d);
		if (!de) {
			if (errno)	/* the rest of the directory is unknown */
				log_error_sys("read services directory", dir);
			break;
		}
		len = strlen(de->d_name);
		if ((len <= 8 || strcmp(de->d_name + len - 8, ".service")) &&
		    (len <= 7 || strcmp(de->d_name + len - 7, ".target")))
			continue;	/* not a service or target file */
		if (de->d_name[0] == '.') {
			log_info("%s/%s: hidden file; skipped", dir, de->d_name);
			continue;
		}
		/* NAME@.service is a template: its instances run, not it */
		if (len > 9 && de->d_name[len - 9] == '@')
			continue;
		if (n == cap) {
			unsigned ncap = cap ? cap * 2 : 64;
			char **nv = ncap > cap ? reallocarray(names, ncap, sizeof(*names)) : NULL;

			if (!nv) {
				log_error("%s/%s: out of memory listing the services "
					  "directory; skipped", dir, de->d_name);
				continue;
			}
			names = nv;
			cap = ncap;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			log_error("%s/%s: out of memory; skipped", dir, de->d_name);
			continue;
		}
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_names);
	/* one definition per name at most: sized once, trimmed below */
	if (n && !(defs = calloc(n, sizeof(*defs)))) {
		log_error("%s: out of memory for %u service definitions; none loaded",
			  dir, n);
		n = 0;
	}
	for (unsigned i = 0; i < n; i++) {
		int rc;

		free(path);
		if (asprintf(&path, "%s/%s", dir, names[i]) < 0) {
			path = NULL;
			log_error("%s/%s: out of memory; service not loaded", dir, names[i]);
			continue;
		}
		rc = svc_load_file(path, &defs[loaded], err, sizeof(err));
		if (rc == -2) {
			log_warn("%s; skipped", err);
			continue;
		}
		if (rc < 0) {
			log_error("%s; service not loaded", err);
			continue;
		}
		loaded++;
	}
	free(path);
	for (unsigned i = 0; i < n; i++)
		free(names[i]);
	free(names);
	if (!loaded) {
		free(defs);
		return 0;
	}
	if (loaded < n) {
		struct svc_def *nd = reallocarray(defs, loaded, sizeof(*defs));

		if (nd)
			defs = nd;	/* else the longer block is still fine */
	}
	*out = defs;
	return (int)loaded;
}

const char *svc_type_name(enum svc_type t)
{
	static const char *const n[] = { "simple", "notify", "forking", "oneshot", "exec",
					 "dbus", "idle" };

	return (unsigned)t < sizeof(n) / sizeof(*n) ? n[t] : "?";
}

const char *svc_rel_key(enum svc_rel r)
{
	static const char *const n[] = { "Wants", "Before", "PartOf", "BindsTo",
					 "Conflicts", "Requisite" };

	return (unsigned)r < SVC_NREL ? n[r] : "?";
}

const char *svc_restart_name(enum svc_restart r)
{
	static const char *const n[] = { "no", "on-failure", "always", "on-success",
					 "on-abnormal", "on-abort", "on-watchdog" };

	return (unsigned)r < sizeof(n) / sizeof(*n) ? n[r] : "?";
}

void svc_group_path(const struct svc_def *def, char *buf, size_t len)
{
	if (*def->grp_parent)
		snprintf(buf, len, "%s/%s", def->grp_parent, def->grp_name);
	else
		snprintf(buf, len, "%s", def->grp_name);
}
