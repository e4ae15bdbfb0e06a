/*
 * tests/fuzz/fuzz_service.c - the service-file loader: bytes in, a
 * definition or a file:line error out, never a crash, a leak or a
 * definition that breaks the rules the supervisor relies on.
 *
 * The input is the whole file, NUL bytes included (svc_load_mem takes a
 * length): a NUL anywhere must reject the file.  Warnings are formatted
 * as usual but written to /dev/null, so the formatting runs too.  The
 * definition owns heap storage: LeakSanitizer (on in libFuzzer) catches
 * whatever a load or svc_def_free() leaves behind.
 */
#include "fuzz.h"
#include "../../services/services.h"
#include "../../lib/log.h"

#include <fcntl.h>
#include <math.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	(void)argc;
	(void)argv;
	if (fd >= 0)
		log_set_fd(fd);
	return 0;
}

static void check_span(const char *what, double v)
{
	FUZZ_CHECK(isfinite(v) && v >= 0, "%s = %g", what, v);
}

static void check_str(const char *what, const char *s)
{
	/* never NULL after a load: an unset string is "" */
	FUZZ_CHECK(s != NULL, "%s is NULL", what);
}

/* services/exec.h: what the supervisor's sandbox.c and kill.c rely on */
static void check_exec(const struct svc_exec *x)
{
	FUZZ_CHECK(x->kill_signal >= 1 && x->kill_signal <= 64 && x->final_kill_signal >= 1 &&
		   x->final_kill_signal <= 64, "signals %d %d", x->kill_signal, x->final_kill_signal);
	FUZZ_CHECK((unsigned)x->kill_mode <= SVC_KILL_NONE, "KillMode %d", (int)x->kill_mode);
	FUZZ_CHECK(x->umask <= 0777, "UMask %o", (unsigned)x->umask);
	FUZZ_CHECK(!x->nice_set || (x->nice >= -20 && x->nice <= 19), "Nice %d", x->nice);
	FUZZ_CHECK(!x->oom_set || (x->oom_score_adj >= -1000 && x->oom_score_adj <= 1000),
		   "OOMScoreAdjust %d", x->oom_score_adj);
	FUZZ_CHECK(!x->pidfile || x->pidfile[0] == '/', "PIDFile '%s'", x->pidfile);
	for (int r = 0; r < SVC_RLIMITS; r++)
		FUZZ_CHECK(!x->rlim_set[r] || x->rlim_soft[r] <= x->rlim_hard[r],
			   "limit %d soft %llu > hard %llu", r, x->rlim_soft[r], x->rlim_hard[r]);
	for (int k = 0; k < SVC_NDIRS; k++) {
		FUZZ_CHECK(x->dirs[k].mode <= 07777, "directory mode %o", (unsigned)x->dirs[k].mode);
		for (unsigned i = 0; i < x->dirs[k].n; i++)
			FUZZ_CHECK(x->dirs[k].names[i][0] && x->dirs[k].names[i][0] != '/' &&
				   !strstr(x->dirs[k].names[i], ".."),
				   "directory '%s'", x->dirs[k].names[i]);
	}
	for (unsigned i = 0; i < x->nrw; i++)
		FUZZ_CHECK(x->rw[i][x->rw[i][0] == '-'] == '/', "ReadWritePaths '%s'", x->rw[i]);
	for (unsigned i = 0; i < x->nro; i++)
		FUZZ_CHECK(x->ro[i][x->ro[i][0] == '-'] == '/', "ReadOnlyPaths '%s'", x->ro[i]);
	for (unsigned i = 0; i < x->ninacc; i++)
		FUZZ_CHECK(x->inacc[i][x->inacc[i][0] == '-'] == '/', "InaccessiblePaths '%s'",
			   x->inacc[i]);
	for (unsigned i = 0; i < x->nconds; i++)
		FUZZ_CHECK((unsigned)x->conds[i].kind < SVC_NCONDS && x->conds[i].arg &&
			   x->conds[i].arg[0], "condition %u", i);
}

static void check_def(const struct svc_def *d, const uint8_t *data, size_t size)
{
	char path[2 * GRP_PATH_MAX + 2];
	const char *why = "";

	check_str("description", d->description);
	check_str("exec_start", d->exec_start);
	check_str("user", d->user);
	check_str("group", d->group);
	check_str("workdir", d->workdir);
	check_str("grp_name", d->grp_name);
	check_str("grp_parent", d->grp_parent);

	/* something to exec, argv NULL-terminated */
	FUZZ_CHECK(d->argv && d->argc >= 1, "argc %d", d->argc);
	FUZZ_CHECK(d->argv[d->argc] == NULL, "argv not NULL-terminated");
	for (int i = 0; i < d->argc; i++)
		FUZZ_CHECK(d->argv[i] != NULL, "argv[%d] NULL", i);

	/* every Exec*= line split, its text inside the line as written;
	 * several ExecStart= only for Type=oneshot, the first is argv */
	for (int k = 0; k < SVC_NCMD_KINDS; k++)
		for (unsigned i = 0; i < d->cmds[k].n; i++) {
			const struct svc_cmd *c = &d->cmds[k].v[i];

			FUZZ_CHECK(c->argv && c->argc >= 1 && !c->argv[c->argc], "%s argc %d",
				   svc_cmd_key(k), c->argc);
			FUZZ_CHECK(c->line && c->text >= c->line &&
				   c->text <= c->line + strlen(c->line), "%s text", svc_cmd_key(k));
			FUZZ_CHECK(!(c->flags & SVC_CMD_F_ARGV0) || c->argc >= 2, "'@' with %d words",
				   c->argc);
		}
	FUZZ_CHECK(d->cmds[SVC_CMD_START].n == 1 ||
		   (d->type == SVC_TYPE_ONESHOT && d->cmds[SVC_CMD_START].n > 1),
		   "%u ExecStart= for Type=%s", d->cmds[SVC_CMD_START].n, svc_type_name(d->type));
	FUZZ_CHECK(d->argv == d->cmds[SVC_CMD_START].v[0].argv, "argv is not the first ExecStart=");

	FUZZ_CHECK(!d->nafter || d->after, "%u after, no list", d->nafter);
	FUZZ_CHECK(!d->nrequires || d->requires, "%u requires, no list", d->nrequires);
	for (unsigned i = 0; i < d->nafter; i++)
		FUZZ_CHECK(grp_name_valid(d->after[i], &why) == 0, "After= '%s': %s", d->after[i], why);
	for (unsigned i = 0; i < d->nrequires; i++)
		FUZZ_CHECK(grp_name_valid(d->requires[i], &why) == 0, "Requires= '%s': %s",
			   d->requires[i], why);

	/* NAME=value, one per name */
	FUZZ_CHECK(!d->nenv || d->env, "%u env, no list", d->nenv);
	for (unsigned i = 0; i < d->nenv; i++) {
		const char *eq = strchr(d->env[i], '=');

		FUZZ_CHECK(eq && eq > d->env[i], "env '%s' is not NAME=value", d->env[i]);
		for (unsigned j = 0; j < i; j++)
			FUZZ_CHECK(strncmp(d->env[j], d->env[i], (size_t)(eq - d->env[i]) + 1),
				   "env '%s' set twice", d->env[i]);
	}

	FUZZ_CHECK(d->start_limit_burst >= 1 && d->start_limit_burst <= SVC_START_LIMIT_MAX,
		   "StartLimitBurst %u", d->start_limit_burst);
	check_span("start_limit_interval", d->start_limit_interval);
	check_span("restart_sec", d->restart_sec);
	check_span("restart_max_delay", d->restart_max_delay);
	check_span("restart_forgive", d->restart_forgive);
	check_span("timeout_stop_sec", d->timeout_stop_sec);
	check_span("timeout_start_sec", d->timeout_start_sec);
	FUZZ_CHECK((unsigned)d->type <= SVC_TYPE_IDLE, "type %d", (int)d->type);
	FUZZ_CHECK((unsigned)d->restart <= SVC_RESTART_ON_WATCHDOG, "restart %d", (int)d->restart);
	check_exec(&d->x);
	FUZZ_CHECK(!*d->workdir || d->workdir[0] == '/', "WorkingDirectory '%s'", d->workdir);
	FUZZ_CHECK(!d->nofile_set || d->nofile_soft <= d->nofile_hard,
		   "LimitNOFILE soft %llu > hard %llu", d->nofile_soft, d->nofile_hard);
	FUZZ_CHECK(d->digest == svc_digest(data, size), "digest is not of the file's bytes");

	/* the group it would run in is a valid group path */
	FUZZ_CHECK(grp_name_valid(d->grp_name, &why) == 0, "group name '%s': %s", d->grp_name, why);
	svc_group_path(d, path, sizeof(path));
	FUZZ_CHECK(grp_path_valid(path, &why) == 0, "group path '%s': %s", path, why);
}

/* "On failure def is left empty" */
static void check_empty(const struct svc_def *d)
{
	FUZZ_CHECK(!d->description && !d->exec_start && !d->argv && !d->after &&
		   !d->requires && !d->env && !d->env_files && !d->grp_name && !d->user,
		   "a rejected definition still holds storage");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct svc_def def, def2;
	char err[1200], err2[1200];
	int rc;

	err[0] = '\0';
	rc = svc_load_mem("fuzz.service", data, size, &def, err, sizeof(err));
	if (rc < 0) {
		/* every rejection names the file (and usually the line) */
		FUZZ_CHECK(rc == -1, "rc %d", rc);
		FUZZ_CHECK(!strncmp(err, "fuzz.service:", 13), "error '%s'", err);
		check_empty(&def);
	} else {
		FUZZ_CHECK(rc == 0, "rc %d", rc);
		FUZZ_CHECK(!memchr(data, '\0', size), "a file with a NUL byte was accepted");
		check_def(&def, data, size);
	}

	/* the C-string entry point agrees with the length-taking one */
	if (!memchr(data, '\0', size)) {
		char *s = fuzz_cstr(data, size);
		int rc2 = svc_load_string("fuzz.service", s, &def2, err2, sizeof(err2));

		FUZZ_CHECK(rc2 == rc, "svc_load_string %d, svc_load_mem %d", rc2, rc);
		FUZZ_CHECK(rc == 0 || !strcmp(err, err2), "'%s' vs '%s'", err, err2);
		if (rc2 == 0) {
			FUZZ_CHECK(!strcmp(def.exec_start, def2.exec_start), "ExecStart differs");
			svc_def_free(&def2);
		}
		free(s);
	}
	if (rc == 0) {
		/* freeing twice is harmless (a moved-from copy is freed too) */
		svc_def_free(&def);
		svc_def_free(&def);
	}
	return 0;
}
