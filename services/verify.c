/*
 * services/verify.c - `initctl verify FILE...` and `corral --verify FILE...`.
 *
 * Each file is loaded by svc_load_file(), the loader corral itself uses,
 * so a file verify accepts is a file corral accepts, and the error it
 * prints is the one corral would log.  Nothing here needs PID 1, a socket
 * or a cgroup: verify is a pure client.
 *
 * What the loader says about a file is collected, not logged: its
 * warnings through svc_warn_hook (every one, without the per-file cap
 * corral's console has), and anything else it logs through log_set_sink().
 * Then the definition is described: what will run (each Exec line as the
 * argv corral will execute), as whom, where, how it is supervised, its
 * group's limits and its dependencies.  A few facts of this machine that
 * decide whether a start can work (the user and group exist, the program
 * is there) are added as notes; they never reject a file, because the
 * machine verify runs on need not be the one the service runs on.
 *
 * One walk over the definition feeds two emitters, text and JSON (lib/json),
 * so the two forms cannot drift apart.
 */
#include "verify.h"
#include "services.h"
#include "../lib/json.h"
#include "../lib/log.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Out of memory while writing the report: it is incomplete, so
 * svc_verify() says so and returns 1 whatever the files were. */
static bool out_oom;

/* One message about a file, in the order it came. */
struct vnote {
	unsigned line;		/* 0: the file as a whole, or not known */
	const char *kind;	/* "ignored", "warning", "notice", "error" */
	char *text;
};

struct vnotes {
	struct vnote *v;
	unsigned n, cap;
	bool oom;
};

/* The emitter: text for people, or JSON.  A JSON member is preceded by a
 * comma unless it is the first of its object or array (first). */
struct vout {
	FILE *f;
	bool json;
	bool first;
};

static void note_add(struct vnotes *ns, unsigned line, const char *kind, const char *text)
{
	char *copy;

	if (ns->n == ns->cap) {
		unsigned ncap = ns->cap ? ns->cap * 2 : 8;
		struct vnote *nv = ncap > ns->cap ? reallocarray(ns->v, ncap, sizeof(*nv)) : NULL;

		if (!nv) {
			ns->oom = true;
			return;
		}
		ns->v = nv;
		ns->cap = ncap;
	}
	copy = strdup(text);
	if (!copy) {
		ns->oom = true;
		return;
	}
	ns->v[ns->n++] = (struct vnote){ line, kind, copy };
}

static void notes_free(struct vnotes *ns)
{
	for (unsigned i = 0; i < ns->n; i++)
		free(ns->v[i].text);
	free(ns->v);
	memset(ns, 0, sizeof(*ns));
}

/* svc_warn_hook: a loader warning, with its line */
static void on_warn(void *ctx, const char *file, unsigned line, bool unknown, const char *msg)
{
	note_add(ctx, line, unknown ? "ignored" : "warning", msg);
}

/* log_set_sink: anything else the loader logs while it reads the file */
static void on_log(void *ctx, enum log_level lvl, const char *msg)
{
	note_add(ctx, 0, lvl <= LOG_LVL_ERROR ? "error" : lvl == LOG_LVL_WARN ? "warning" :
		 "notice", msg);
}

/* ---- emitters ------------------------------------------------------------ */

static void js(FILE *f, const char *s)
{
	size_t need = json_quote(NULL, 0, s, strlen(s));
	char *buf = malloc(need + 1);

	if (!buf) {
		fputs("\"\"", f);	/* still valid JSON; svc_verify() then fails */
		out_oom = true;
		return;
	}
	json_quote(buf, need + 1, s, strlen(s));
	fputs(buf, f);
	free(buf);
}

/* A word as a shell would need it quoted to give back the same word. */
static void shq(FILE *f, const char *s)
{
	if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
			 "0123456789_@%+=:,./-") == strlen(s)) {
		fputs(s, f);
		return;
	}
	fputc('\'', f);
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	fputc('\'', f);
}

/* Start a member: "  label:  " in text, "key": in JSON. */
static void member(struct vout *o, const char *label, const char *key)
{
	if (o->json) {
		fputs(o->first ? "" : ",", o->f);
		js(o->f, key);
		fputc(':', o->f);
	} else {
		fprintf(o->f, "  %-16s", label);
	}
	o->first = false;
}

static void end_text(struct vout *o)
{
	if (!o->json)
		fputc('\n', o->f);
}

static void out_str(struct vout *o, const char *label, const char *key, const char *v)
{
	member(o, label, key);
	if (o->json)
		js(o->f, v);
	else
		fputs(v, o->f);
	end_text(o);
}

/* v NULL: JSON null, text what says why (e.g. "not set: root") */
static void out_opt(struct vout *o, const char *label, const char *key, const char *v,
		    const char *what)
{
	member(o, label, key);
	if (o->json)
		v ? js(o->f, v) : (void)fputs("null", o->f);
	else
		fputs(v ? v : what, o->f);
	end_text(o);
}

static void out_num(struct vout *o, const char *label, const char *key, double v,
		    const char *unit)
{
	member(o, label, key);
	fprintf(o->f, "%g%s", v, o->json ? "" : unit);
	end_text(o);
}

/* seconds, or "infinity" (no limit) */
static void out_span(struct vout *o, const char *label, const char *key, double v)
{
	if (v >= SVC_SECONDS_INFINITY)
		out_str(o, label, key, "infinity");
	else
		out_num(o, label, key, v, " s");
}

static void out_bool(struct vout *o, const char *label, const char *key, bool v)
{
	member(o, label, key);
	fputs(o->json ? (v ? "true" : "false") : (v ? "yes" : "no"), o->f);
	end_text(o);
}

/* A list of words: a JSON array, or the words quoted as a shell would need
 * them (argv) or separated by blanks (names); "-" when empty. */
static void out_words(struct vout *o, const char *label, const char *key,
		      char *const *v, unsigned n, bool quote)
{
	member(o, label, key);
	if (o->json)
		fputc('[', o->f);
	else if (!n)
		fputc('-', o->f);
	for (unsigned i = 0; i < n; i++) {
		if (i)
			fputc(o->json ? ',' : ' ', o->f);
		if (o->json)
			js(o->f, v[i]);
		else if (quote)
			shq(o->f, v[i]);
		else
			fputs(v[i], o->f);
	}
	if (o->json)
		fputc(']', o->f);
	end_text(o);
}

static void obj_begin(struct vout *o, const char *key)
{
	if (!o->json)
		return;
	member(o, key, key);
	fputc('{', o->f);
	o->first = true;
}

static void obj_end(struct vout *o)
{
	if (!o->json)
		return;
	fputc('}', o->f);
	o->first = false;
}

/* ---- what will happen ------------------------------------------------------ */

/* Where execvp() will find argv0 with the service's PATH: the path, or
 * NULL if no executable is there. */
static const char *find_exec(const struct svc_def *d, const char *argv0, char *buf, size_t len)
{
	const char *path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

	if (strchr(argv0, '/'))
		return access(argv0, X_OK) == 0 ? argv0 : NULL;
	for (unsigned i = 0; i < d->nenv; i++)	/* Environment=PATH=... wins */
		if (!strncmp(d->env[i], "PATH=", 5))
			path = d->env[i] + 5;
	while (*path) {
		size_t n = strcspn(path, ":");

		snprintf(buf, len, "%.*s/%s", (int)n, n ? path : ".", argv0);
		if (access(buf, X_OK) == 0)
			return buf;
		path += n + (path[n] == ':');
	}
	return NULL;
}

/* Facts of this machine that decide whether a start can work. */
static void host_notes(const struct svc_def *d, struct vnotes *ns)
{
	char buf[4200], msg[4400];

	if (d->argc > 0 && !find_exec(d, d->argv[0], buf, sizeof(buf))) {
		snprintf(msg, sizeof(msg), "%s: no such executable on this machine", d->argv[0]);
		note_add(ns, 0, "note", msg);
	}
	if (*d->user) {
		errno = 0;
		if (!getpwnam(d->user)) {
			snprintf(msg, sizeof(msg), "no user '%s' on this machine: the start "
				 "would fail at stage user", d->user);
			note_add(ns, 0, "note", msg);
		}
	}
	if (*d->group) {
		errno = 0;
		if (!getgrnam(d->group)) {
			snprintf(msg, sizeof(msg), "no group '%s' on this machine: the start "
				 "would fail at stage user", d->group);
			note_add(ns, 0, "note", msg);
		}
	}
}

/* The Exec lines: text, one "  ExecStart:    argv" line each; JSON,
 * "exec": [{"key": "ExecStart", "argv": [...]}, ...]. */
static void exec_begin(struct vout *o)
{
	if (!o->json)
		return;
	member(o, "", "exec");
	fputc('[', o->f);
	o->first = true;
}

/* the prefixes a command was given, as written: "-", "+", "@:" ... */
static const char *prefixes(unsigned flags, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s", flags & SVC_CMD_F_IGNORE ? "-" : "",
		 flags & SVC_CMD_F_ARGV0 ? "@" : "", flags & SVC_CMD_F_PRIV ? "+" : "",
		 flags & SVC_CMD_F_NOEXPAND ? ":" : "");
	return buf;
}

static void exec_line(struct vout *o, const char *key, unsigned flags, char *const *argv,
		      unsigned argc)
{
	char label[48], pf[8];

	prefixes(flags, pf, sizeof(pf));
	if (!o->json) {
		snprintf(label, sizeof(label), *pf ? "%s (%s):" : "%s:", key, pf);
		out_words(o, label, "argv", argv, argc, true);
		return;
	}
	fputs(o->first ? "{" : ",{", o->f);
	o->first = true;
	out_str(o, "", "key", key);
	if (*pf)
		out_str(o, "", "prefixes", pf);
	out_words(o, "", "argv", argv, argc, true);
	fputc('}', o->f);
	o->first = false;
}

static void exec_end(struct vout *o)
{
	if (!o->json)
		return;
	fputc(']', o->f);
	o->first = false;
}

/* Every Exec line as the argv a start on this machine would run: $VAR
 * expanded (as at a start) from Environment= and the EnvironmentFile=
 * files as they are now; a file that cannot be read counts as empty here
 * (the start would fail on it unless it has '-'; the loader's notes say
 * so).  In the order they run. */
static void exec_cmds(struct vout *o, const struct svc_def *d)
{
	static const enum svc_cmd_kind order[] = {
		SVC_CMD_START_PRE, SVC_CMD_START, SVC_CMD_START_POST, SVC_CMD_RELOAD,
		SVC_CMD_STOP, SVC_CMD_STOP_POST,
	};
	struct svc_vars vars = { 0 };
	char err[512], **envp;
	unsigned n = 0;

	if (d->nenv_files)
		(void)svc_env_files_load(d->env_files, d->nenv_files, &vars, err, sizeof(err));
	envp = calloc((size_t)d->nenv + vars.n + 1, sizeof(*envp));
	for (unsigned i = 0; envp && i < d->nenv; i++)
		envp[n++] = d->env[i];
	for (unsigned i = 0; envp && i < vars.n; i++)
		envp[n++] = vars.v[i];	/* later entries win in the expansion */
	exec_begin(o);
	for (size_t k = 0; k < sizeof(order) / sizeof(*order); k++)
		for (unsigned i = 0; i < d->cmds[order[k]].n; i++) {
			const struct svc_cmd *c = &d->cmds[order[k]].v[i];
			char **x = NULL;
			int argc = c->argc;
			const char *why;

			if (envp && !(c->flags & SVC_CMD_F_NOEXPAND) && svc_argv_has_vars(c->argv))
				x = svc_expand_argv(c->argv, envp, &argc, &why);
			if (!x)
				argc = c->argc;
			exec_line(o, svc_cmd_key(order[k]), c->flags, x ? x : c->argv,
				  (unsigned)argc);
			free(x);
		}
	exec_end(o);
	free(envp);
	svc_vars_free(&vars);
}

static const char *type_means(enum svc_type t)
{
	switch (t) {
	case SVC_TYPE_SIMPLE: return "simple (running once executed)";
	case SVC_TYPE_NOTIFY: return "notify (running at READY=1)";
	case SVC_TYPE_FORKING: return "forking (running when the starter exits 0)";
	case SVC_TYPE_ONESHOT: return "oneshot (done when it exits 0)";
	case SVC_TYPE_EXEC: return "exec (running once executed)";
	case SVC_TYPE_DBUS: return "dbus (running once executed; no bus is watched)";
	case SVC_TYPE_IDLE: return "idle (as simple)";
	default: break;
	}
	return "?";
}

static void describe(struct vout *o, const struct svc_def *d)
{
	char buf[GRP_LIST_MAX * 2 + 64];

	obj_begin(o, "service");
	out_str(o, "description:", "description", d->description);
	member(o, "type:", "type");
	o->json ? js(o->f, svc_type_name(d->type)) : (void)fputs(type_means(d->type), o->f);
	end_text(o);
	/* every Exec line as the argv that will be executed, in the order
	 * they run */
	exec_cmds(o, d);
	out_opt(o, "user:", "user", *d->user ? d->user : NULL, "root (not set)");
	out_opt(o, "group:", "group", *d->group ? d->group : NULL,
		*d->user ? "the user's (not set)" : "root (not set)");
	out_str(o, "working dir:", "working_directory", *d->workdir ? d->workdir : "/");
	out_words(o, "environment:", "environment", d->env, d->nenv, true);
	out_str(o, "restart:", "restart", svc_restart_name(d->restart));
	out_span(o, "restart delay:", "restart_sec", d->restart_sec);
	out_span(o, "restart max:", "restart_max_delay_sec", d->restart_max_delay);
	out_span(o, "restart reset:", "restart_forgive_sec", d->restart_forgive);
	out_num(o, "start limit:", "start_limit_burst", d->start_limit_burst, " starts");
	out_span(o, "  within:", "start_limit_interval_sec", d->start_limit_interval);
	/* TimeoutStartSec only counts for the types that wait for readiness */
	if (d->type == SVC_TYPE_NOTIFY || d->type == SVC_TYPE_FORKING)
		out_span(o, "start timeout:", "timeout_start_sec", d->timeout_start_sec);
	else
		out_opt(o, "start timeout:", "timeout_start_sec", NULL, "- (not waited for)");
	out_span(o, "stop timeout:", "timeout_stop_sec", d->timeout_stop_sec);
	member(o, "LimitNOFILE:", "limit_nofile");
	if (!d->nofile_set)
		o->json ? (void)fputs("null", o->f) :
			(void)fputs("1024 soft, hard as corral's (not set)", o->f);
	else if (d->nofile_soft == SVC_NOFILE_INFINITY && d->nofile_hard == SVC_NOFILE_INFINITY)
		o->json ? js(o->f, "infinity") : (void)fputs("infinity", o->f);
	else {
		snprintf(buf, sizeof(buf), "%llu:%llu", d->nofile_soft, d->nofile_hard);
		if (d->nofile_soft == SVC_NOFILE_INFINITY)
			snprintf(buf, sizeof(buf), "infinity:%llu", d->nofile_hard);
		else if (d->nofile_hard == SVC_NOFILE_INFINITY)
			snprintf(buf, sizeof(buf), "%llu:infinity", d->nofile_soft);
		o->json ? js(o->f, buf) : (void)fputs(buf, o->f);
	}
	end_text(o);
	obj_begin(o, "group");
	svc_group_path(d, buf, sizeof(buf));
	out_str(o, "cgroup:", "path", buf);
	/* every limit the subsystems' keys were given, canonical; the rest
	 * is inherited */
	if (!d->limits.n)
		out_opt(o, "  limits:", "limits", NULL, "none (inherited)");
	for (unsigned i = 0; i < d->limits.n; i++) {
		char label[64];

		snprintf(label, sizeof(label), "  %s:", grp_limit_name(&d->limits.v[i]));
		out_str(o, label, grp_limit_name(&d->limits.v[i]), d->limits.v[i].value);
	}
	out_bool(o, "  release:", "notify_on_release", d->notify_on_release);
	/* Delegate=: the group is the service's to populate */
	if (d->x.delegate || o->json) {
		out_str(o, "  delegate:", "delegate", !d->x.delegate ? "no" :
			d->x.delegate_controllers ? d->x.delegate_controllers : "yes");
		out_bool(o, "  auto_delete:", "auto_delete", d->x.delegate && d->auto_delete);
	}
	obj_end(o);
	out_words(o, "After:", "after", d->after, d->nafter, false);
	out_words(o, "Requires:", "requires", d->requires, d->nrequires, false);
	for (int r = 0; r < SVC_NREL; r++) {
		char label[32], key[32];

		if (!d->nrel[r] && !o->json)
			continue;
		snprintf(label, sizeof(label), "%s:", svc_rel_key((enum svc_rel)r));
		snprintf(key, sizeof(key), "%s", svc_rel_key((enum svc_rel)r));
		for (char *p = key; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		out_words(o, label, key, d->rel[r], d->nrel[r], false);
	}
	if (d->nalias || o->json)
		out_words(o, "Alias:", "alias", d->alias, d->nalias, false);
	if (d->nenv_files || o->json)
		out_words(o, "env files:", "environment_files", d->env_files, d->nenv_files, false);
	obj_end(o);
}

static void out_notes(struct vout *o, const char *file, const struct vnotes *ns)
{
	if (o->json) {
		member(o, "", "messages");
		fputc('[', o->f);
	}
	for (unsigned i = 0; i < ns->n; i++) {
		const struct vnote *v = &ns->v[i];

		if (!o->json) {
			char label[32];

			snprintf(label, sizeof(label), "%s:", v->kind);
			fprintf(o->f, "  %-16s", label);
			if (v->line)
				fprintf(o->f, "%s:%u: ", file, v->line);
			fprintf(o->f, "%s\n", v->text);
			continue;
		}
		fputs(i ? ",{" : "{", o->f);
		o->first = true;
		out_str(o, "", "kind", v->kind);
		member(o, "", "line");
		fprintf(o->f, "%u", v->line);
		out_str(o, "", "text", v->text);
		fputc('}', o->f);
	}
	if (o->json) {
		fputc(']', o->f);
		o->first = false;
	}
}

/* ---- one file, many files ------------------------------------------------------ */

/* Load path as corral would and describe it.  Returns 0 if it loads. */
static int verify_one(struct vout *o, const char *path)
{
	struct svc_def d;
	struct vnotes ns = { 0 };
	char err[1200];
	int rc;

	svc_warn_hook = on_warn;
	svc_warn_ctx = &ns;
	log_set_sink(on_log, &ns);
	rc = svc_load_file(path, &d, err, sizeof(err));
	log_set_sink(NULL, NULL);
	svc_warn_hook = NULL;
	svc_warn_ctx = NULL;
	if (rc == 0)
		host_notes(&d, &ns);
	if (ns.oom) {
		out_oom = true;
		note_add(&ns, 0, "error", "out of memory: some messages are missing");
	}

	if (o->json) {
		fputs(o->first ? "{" : ",{", o->f);
		o->first = true;
		out_str(o, "", "file", path);
		out_str(o, "", "name", rc == 0 ? d.name : "");
		out_bool(o, "", "loaded", rc == 0);
		out_opt(o, "", "error", rc == 0 ? NULL : err, "");
	} else {
		fprintf(o->f, "%s: %s\n", path, rc == 0 ? "loaded" : "rejected");
		if (rc != 0)
			out_str(o, "error:", "error", err);
	}
	if (rc == 0)
		describe(o, &d);
	out_notes(o, path, &ns);
	if (o->json) {
		fputc('}', o->f);
		o->first = false;
	}
	notes_free(&ns);
	if (rc == 0)
		svc_def_free(&d);
	return rc == 0 ? 0 : 1;
}

int svc_verify(FILE *f, char *const *files, int n, bool json)
{
	struct vout o = { .f = f, .json = json, .first = true };
	int rejected = 0;

	if (json)
		fputs("{\"files\":[", f);
	for (int i = 0; i < n; i++)
		rejected += verify_one(&o, files[i]);
	if (json)
		fprintf(f, "],\"loaded\":%d,\"rejected\":%d}\n", n - rejected, rejected);
	else
		fprintf(f, "%d file%s: %d loaded, %d rejected\n", n, n == 1 ? "" : "s",
			n - rejected, rejected);
	if (out_oom) {
		fprintf(stderr, "verify: out of memory: the report is incomplete\n");
		out_oom = false;
		return 1;
	}
	return rejected ? 1 : 0;
}

int svc_verify_main(const char *prog, int argc, char **argv, bool json)
{
	char **files = NULL;
	int n = 0, rc;
	bool opts = true;

	files = calloc((size_t)argc + 1, sizeof(*files));
	if (!files) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 1;
	}
	for (int i = 0; i < argc; i++) {
		if (opts && !strcmp(argv[i], "--"))
			opts = false;
		else if (opts && !strcmp(argv[i], "--json"))
			json = true;
		else if (opts && argv[i][0] == '-' && argv[i][1]) {
			fprintf(stderr, "%s: verify: unknown option '%s'\n"
				"Try '%s --help' for the commands and options.\n",
				prog, argv[i], prog);
			free(files);
			return 2;
		} else
			files[n++] = argv[i];
	}
	if (!n) {
		fprintf(stderr, "%s: verify needs one or more service files\n"
			"Try '%s --help' for the commands and options.\n", prog, prog);
		free(files);
		return 2;
	}
	rc = svc_verify(stdout, files, n, json);
	free(files);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "%s: verify: unable to write the report: %s\n", prog,
			strerror(errno));
		return 1;
	}
	return rc;
}
