/*
 * services/load.c - reading service files with inih.
 *
 * Debian's libinih is built with INI_MAX_LINE 200: a longer line is cut
 * and its remainder parsed as a line of its own, which could silently turn
 * the tail of a long ExecStart into a different key.  We feed
 * ini_parse_stream() through our own reader, which counts lines (inih's
 * handler does not get line numbers in Debian's build) and stops the parse
 * at the first over-long line so the whole file is rejected.
 */
#include "services.h"
#include "../lib/log.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct loader {
	struct svc_def *def;
	const char *file;
	/* input: a FILE or a string */
	FILE *f;
	const char *text;
	unsigned line;
	bool too_long;
	bool have_exec;
	char *err;
	size_t errlen;
	bool failed;
};

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

/* fgets-like, for ini_parse_stream(); num is inih's line buffer size. */
static char *reader(char *str, int num, void *stream)
{
	struct loader *ld = stream;
	size_t n = 0;
	int ch;

	if (ld->too_long)
		return NULL;
	for (;;) {
		if (ld->f)
			ch = getc(ld->f);
		else
			ch = *ld->text ? (unsigned char)*ld->text++ : EOF;
		if (ch == EOF)
			break;
		if (ch == '\n') {
			/* inih strips it anyway; keep it only if it fits */
			if ((int)n < num - 1)
				str[n++] = '\n';
			break;
		}
		if ((int)n >= num - 1 || n >= SVC_LINE_MAX) {
			/* inih would cut the line here and parse the rest as
			 * a line of its own */
			ld->line++;
			ld->too_long = true;
			fail(ld, "line longer than %d bytes (libinih would split it)",
			     SVC_LINE_MAX);
			return NULL;
		}
		str[n++] = (char)ch;
	}
	if (n == 0)
		return NULL;
	str[n] = '\0';
	ld->line++;
	/* libinih cuts a value at whitespace followed by ';' (an inline
	 * comment); say so, or "a ; b" silently becomes "a" */
	if (str[strspn(str, " \t")] != ';' && str[strspn(str, " \t")] != '#') {
		const char *eq = strchr(str, '=');

		for (const char *p = eq; p && *p; p++)
			if ((p[0] == ' ' || p[0] == '\t') && p[1] == ';') {
				log_warn("%s:%u: ' ;' starts an inline comment; the rest "
					 "of the line is ignored (write ';' without the "
					 "space before it)", ld->file, ld->line);
				break;
			}
	}
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

double svc_parse_seconds(const char *s)
{
	static const struct { const char *sfx; double mul; } units[] = {
		{ "ms", 0.001 }, { "s", 1 }, { "sec", 1 }, { "min", 60 },
		{ "m", 60 }, { "h", 3600 }, { "", 1 },
	};
	char *end;
	double v;

	if (!strcmp(s, "infinity"))
		return 1e9;
	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtod(s, &end);
	if (errno || v < 0 || !isfinite(v))
		return -1;
	for (unsigned i = 0; i < sizeof(units) / sizeof(*units); i++)
		if (!strcmp(end, units[i].sfx))
			return v * units[i].mul;
	return -1;
}

/* "a b.service c" -> names; dependencies may carry systemd's suffix */
static void add_names(struct loader *ld, const char *key, const char *v,
		      char list[][SVC_NAME_MAX + 1], unsigned *n)
{
	char buf[SVC_STR_MAX], *save = NULL, *tok;
	const char *why;

	snprintf(buf, sizeof(buf), "%s", v);
	for (tok = strtok_r(buf, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
		size_t len = strlen(tok);

		if (len > 8 && !strcmp(tok + len - 8, ".service"))
			tok[len - 8] = '\0';
		if (grp_name_valid(tok, &why) < 0) {
			fail(ld, "bad unit name in %s: %s", key, why);
			return;
		}
		if (*n == SVC_DEPS_MAX) {
			fail(ld, "too many %s entries (at most 16)", key);
			return;
		}
		snprintf(list[(*n)++], SVC_NAME_MAX + 1, "%s", tok);
	}
}

static void add_env(struct loader *ld, const char *v)
{
	char buf[SVC_STR_MAX];
	char *argv[SVC_ENV_MAX + 1];
	const char *why;
	int n = svc_split_argv(v, buf, sizeof(buf), argv, SVC_ENV_MAX, &why);

	if (n < 0) {
		fail(ld, "Environment: %s", why);
		return;
	}
	for (int i = 0; i < n; i++) {
		char *eq = strchr(argv[i], '=');

		if (!eq || eq == argv[i]) {
			fail(ld, "Environment: '%s' is not NAME=value", argv[i]);
			return;
		}
		if (ld->def->nenv == SVC_ENV_MAX) {
			fail(ld, "too many Environment entries (at most 32)");
			return;
		}
		if (strlen(argv[i]) >= sizeof(ld->def->env[0])) {
			fail(ld, "Environment: '%s' longer than 255 bytes", argv[i]);
			return;
		}
		snprintf(ld->def->env[ld->def->nenv++], sizeof(ld->def->env[0]), "%s", argv[i]);
	}
}

static void set_seconds(struct loader *ld, const char *key, const char *v, double *out)
{
	double s = svc_parse_seconds(v);

	if (s < 0)
		fail(ld, "%s: bad time span '%s' (e.g. 5, 500ms, 2min)", key, v);
	else
		*out = s;
}

static void set_str(struct loader *ld, const char *key, const char *v,
		    char *out, size_t len)
{
	if (strlen(v) >= len)
		fail(ld, "%s: value too long", key);
	else
		snprintf(out, len, "%s", v);
}

static int handle_unit(struct loader *ld, const char *k, const char *v)
{
	struct svc_def *d = ld->def;

	if (!strcmp(k, "Description"))
		set_str(ld, k, v, d->description, sizeof(d->description));
	else if (!strcmp(k, "After"))
		add_names(ld, k, v, d->after, &d->nafter);
	else if (!strcmp(k, "Requires"))
		add_names(ld, k, v, d->requires, &d->nrequires);
	else if (!strcmp(k, "StartLimitBurst")) {
		char *end;
		long b = strtol(v, &end, 10);

		if (*end || b < 1 || b > SVC_START_LIMIT_MAX)
			fail(ld, "StartLimitBurst: '%s' is not 1..%d", v, SVC_START_LIMIT_MAX);
		else
			d->start_limit_burst = (unsigned)b;
	} else if (!strcmp(k, "StartLimitIntervalSec"))
		set_seconds(ld, k, v, &d->start_limit_interval);
	else
		return 0;
	return 1;
}

static int handle_service(struct loader *ld, const char *k, const char *v)
{
	struct svc_def *d = ld->def;

	if (!strcmp(k, "Type")) {
		static const char *const names[] = { "simple", "notify", "forking", "oneshot" };
		unsigned i;

		for (i = 0; i < 4 && strcmp(v, names[i]); i++)
			;
		if (i == 4)
			fail(ld, "Type: '%s' is not simple, notify, forking or oneshot", v);
		else
			d->type = (enum svc_type)i;
	} else if (!strcmp(k, "ExecStart")) {
		const char *why;

		if (ld->have_exec) {
			fail(ld, "ExecStart given twice");
			return 1;
		}
		ld->have_exec = true;
		set_str(ld, k, v, d->exec_start, sizeof(d->exec_start));
		d->argc = svc_split_argv(v, d->argbuf, sizeof(d->argbuf), d->argv,
					 SVC_ARGS_MAX, &why);
		if (d->argc < 0) {
			d->argc = 0;
			fail(ld, "ExecStart: %s", why);
		}
	} else if (!strcmp(k, "Restart")) {
		if (!strcmp(v, "no"))
			d->restart = SVC_RESTART_NO;
		else if (!strcmp(v, "on-failure"))
			d->restart = SVC_RESTART_ON_FAILURE;
		else if (!strcmp(v, "always"))
			d->restart = SVC_RESTART_ALWAYS;
		else
			fail(ld, "Restart: '%s' is not always, on-failure or no", v);
	} else if (!strcmp(k, "RestartSec"))
		set_seconds(ld, k, v, &d->restart_sec);
	else if (!strcmp(k, "TimeoutStopSec"))
		set_seconds(ld, k, v, &d->timeout_stop_sec);
	else if (!strcmp(k, "TimeoutStartSec"))
		set_seconds(ld, k, v, &d->timeout_start_sec);
	else if (!strcmp(k, "User"))
		set_str(ld, k, v, d->user, sizeof(d->user));
	else if (!strcmp(k, "Group"))
		set_str(ld, k, v, d->group, sizeof(d->group));
	else if (!strcmp(k, "WorkingDirectory")) {
		if (v[0] != '/')
			fail(ld, "WorkingDirectory: '%s' is not an absolute path", v);
		else
			set_str(ld, k, v, d->workdir, sizeof(d->workdir));
	} else if (!strcmp(k, "Environment"))
		add_env(ld, v);
	else
		return 0;
	return 1;
}

static int handle_group(struct loader *ld, const char *k, const char *v)
{
	struct svc_def *d = ld->def;
	const char *why;
	uint64_t bits[64];

	if (!strcmp(k, "Name")) {
		if (grp_name_valid(v, &why) < 0)
			fail(ld, "Name: %s", why);
		else
			set_str(ld, k, v, d->grp_name, sizeof(d->grp_name));
	} else if (!strcmp(k, "Parent")) {
		if (grp_path_valid(v, &why) < 0)
			fail(ld, "Parent: %s", why);
		else
			set_str(ld, k, v, d->grp_parent, sizeof(d->grp_parent));
	} else if (!strcmp(k, "cpuset.cpus") || !strcmp(k, "AllowedCPUs")) {
		if (!*v || grp_cpulist_parse(v, bits, 4096) < 0)
			fail(ld, "%s: bad cpu list '%s' (e.g. 0-3,5)", k, v);
		else
			set_str(ld, k, v, d->limits.cpus, sizeof(d->limits.cpus));
	} else if (!strcmp(k, "cpuset.mems") || !strcmp(k, "AllowedMemoryNodes")) {
		if (!*v || grp_cpulist_parse(v, bits, 4096) < 0)
			fail(ld, "%s: bad node list '%s' (e.g. 0)", k, v);
		else
			set_str(ld, k, v, d->limits.mems, sizeof(d->limits.mems));
	} else if (!strcmp(k, "numtasks.max") || !strcmp(k, "TasksMax")) {
		if (grp_numtasks_parse(v, &d->limits.numtasks_max) < 0)
			fail(ld, "%s: '%s' is not a positive count or \"max\"", k, v);
	} else if (!strcmp(k, "notify_on_release")) {
		if (!parse_bool(v, &d->notify_on_release))
			fail(ld, "notify_on_release: '%s' is not a boolean", v);
	} else
		return 0;
	return 1;
}

static int handler(void *user, const char *section, const char *name,
		   const char *value)
{
	struct loader *ld = user;
	int known;

	if (!strcmp(section, "Unit"))
		known = handle_unit(ld, name, value);
	else if (!strcmp(section, "Service"))
		known = handle_service(ld, name, value);
	else if (!strcmp(section, "Group"))
		known = handle_group(ld, name, value);
	else if (!*section) {
		fail(ld, "'%s' outside any section", name);
		return 1;
	} else {
		log_warn("%s:%u: unknown section [%s]; ignored", ld->file, ld->line, section);
		return 1;
	}
	if (!known)
		log_warn("%s:%u: unknown key %s in [%s]; ignored", ld->file, ld->line,
			 name, section);
	return 1;
}

static void defaults(struct svc_def *d, const char *name, const char *file)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "%s", name);
	snprintf(d->file, sizeof(d->file), "%s", file);
	d->start_limit_burst = 5;
	d->start_limit_interval = 10;
	d->type = SVC_TYPE_SIMPLE;
	d->restart = SVC_RESTART_NO;
	d->restart_sec = 0.1;
	d->timeout_stop_sec = 10;
	d->timeout_start_sec = 90;
	grp_limits_init(&d->limits);
	d->notify_on_release = true;
}

static int parse(struct loader *ld, const char *name)
{
	struct svc_def *d = ld->def;
	const char *why;
	int rc;

	defaults(d, name, ld->file);
	if (grp_name_valid(name, &why) < 0) {
		snprintf(ld->err, ld->errlen, "%s: service name '%s': %s", ld->file, name, why);
		return -1;
	}
	rc = ini_parse_stream(reader, ld, handler, ld);
	if (!ld->failed && rc > 0) {
		ld->line = (unsigned)rc;
		fail(ld, "syntax error (expected [Section] or key=value)");
	}
	if (!ld->failed && !ld->have_exec) {
		ld->line = 0;
		snprintf(ld->err, ld->errlen, "%s: no ExecStart in [Service]", ld->file);
		ld->failed = true;
	}
	if (ld->failed)
		return -1;
	if (!*d->grp_name)
		snprintf(d->grp_name, sizeof(d->grp_name), "%s", d->name);
	return 0;
}

int svc_load_string(const char *name, const char *text, struct svc_def *def,
		    char *err, size_t errlen)
{
	struct loader ld = { .def = def, .file = name, .text = text,
			     .err = err, .errlen = errlen };

	return parse(&ld, name);
}

int svc_load_file(const char *path, struct svc_def *def, char *err, size_t errlen)
{
	struct loader ld = { .def = def, .file = path, .err = err, .errlen = errlen };
	char name[SVC_NAME_MAX + 16];
	const char *base = strrchr(path, '/');
	size_t len;
	int rc;

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
	ld.f = fopen(path, "re");
	if (!ld.f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = parse(&ld, name);
	fclose(ld.f);
	return rc;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int svc_load_dir(const char *dir, struct svc_def *defs, unsigned max)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *names[256];
	unsigned n = 0, loaded = 0;

	if (!d) {
		log_warn_sys("open services directory", dir);
		return -1;
	}
	while ((de = readdir(d)) && n < 256) {
		size_t len = strlen(de->d_name);

		if (len > 8 && !strcmp(de->d_name + len - 8, ".service") &&
		    de->d_name[0] != '.')
			names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_names);
	for (unsigned i = 0; i < n; i++) {
		char path[SVC_STR_MAX + 300], err[1200];

		if (!names[i])
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		free(names[i]);
		if (loaded == max) {
			log_warn("%s: more than %u services; ignored", path, max);
			continue;
		}
		if (svc_load_file(path, &defs[loaded], err, sizeof(err)) < 0) {
			log_error("%s; service not loaded", err);
			continue;
		}
		svc_def_fixup(&defs[loaded]);
		loaded++;
	}
	return (int)loaded;
}

const char *svc_type_name(enum svc_type t)
{
	static const char *const n[] = { "simple", "notify", "forking", "oneshot" };

	return (unsigned)t < 4 ? n[t] : "?";
}

const char *svc_restart_name(enum svc_restart r)
{
	static const char *const n[] = { "no", "on-failure", "always" };

	return (unsigned)r < 3 ? n[r] : "?";
}

void svc_group_path(const struct svc_def *def, char *buf, size_t len)
{
	if (*def->grp_parent)
		snprintf(buf, len, "%s/%s", def->grp_parent, def->grp_name);
	else
		snprintf(buf, len, "%s", def->grp_name);
}
