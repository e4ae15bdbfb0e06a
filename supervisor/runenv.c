/*
 * supervisor/runenv.c - what a start computes in corral before it forks:
 * the EnvironmentFile= variables laid over the service's environment, and
 * ExecStart= with its $VARs expanded in that final environment.
 *
 * The files are read at every start, never cached: a changed
 * /etc/default/foo applies at the next start or restart, as in systemd.
 * They are read here, in the parent, so the child parses nothing and a
 * missing file is reported as one clear failure ("stage environment",
 * with the path in the detail line of initctl status).
 *
 * Order of precedence, lowest first (systemd.exec(5)): corral's defaults
 * (PATH, HOME, USER, ...), Environment=, EnvironmentFile= in file order.
 * A command without a "$" is exec'ed from the definition as it is: no
 * copy, no scan beyond one strchr() per word.
 */
#include "internal.h"
#include "../lib/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmp_key(const void *a, const void *b)
{
	const char *x = *(const char *const *)a, *y = *(const char *const *)b;
	size_t kx = strcspn(x, "="), ky = strcspn(y, "=");
	int c = memcmp(x, y, kx < ky ? kx : ky);

	return c ? c : (kx > ky) - (kx < ky);
}

/* base with every name vars sets replaced: a new vector whose strings
 * belong to base and vars.  NULL when out of memory. */
static char **overlay(char **base, const struct svc_vars *vars)
{
	size_t nb = 0, n = 0;
	char **sorted, **out;

	while (base[nb])
		nb++;
	out = calloc(nb + vars->n + 1, sizeof(*out));
	sorted = malloc(vars->n * sizeof(*sorted));
	if (!out || !sorted) {
		free(out);
		free(sorted);
		return NULL;
	}
	memcpy(sorted, vars->v, vars->n * sizeof(*sorted));
	qsort(sorted, vars->n, sizeof(*sorted), cmp_key);
	for (size_t i = 0; i < nb; i++)
		if (!bsearch(&base[i], sorted, vars->n, sizeof(*sorted), cmp_key))
			out[n++] = base[i];
	for (unsigned i = 0; i < vars->n; i++)
		out[n++] = vars->v[i];
	out[n] = NULL;
	free(sorted);
	return out;
}

/* A start that cannot work until someone changes something: the file
 * named in detail, the stage in exec_error. */
static int env_failed(struct service *s, int err, const char *msg)
{
	s->fail_stage = SVC_STAGE_ENVIRONMENT;
	s->fail_errno = err;
	free(s->detail);
	s->detail = strdup(msg);
	log_error("%s: %s", s->def.name, msg);
	return -4;
}

int svc_runenv_build(struct service *s, const struct svc_cmd *c, char **base,
		     struct svc_runenv *re)
{
	char err[700];
	const char *why;
	int argc;

	memset(re, 0, sizeof(*re));
	re->envp = base;
	re->argv = c->argv;
	if (s->def.nenv_files) {
		if (svc_env_files_load(s->def.env_files, s->def.nenv_files, &re->vars,
				       err, sizeof(err)) < 0) {
			if (errno == ENOMEM) {
				log_error("%s: %s", s->def.name, err);
				return -1;	/* may pass: retried like a failed fork */
			}
			return env_failed(s, errno, err);
		}
		if (re->vars.n) {
			re->envp = overlay(base, &re->vars);
			if (!re->envp) {
				log_error_sys("build the environment of", s->def.name);
				svc_vars_free(&re->vars);
				return -1;
			}
			re->envp_own = true;
		}
	}
	/* ':' asks for the words as written */
	if (!(c->flags & SVC_CMD_F_NOEXPAND) && svc_argv_has_vars(c->argv)) {
		re->argv = svc_expand_argv(c->argv, re->envp, &argc, &why);
		if (!re->argv) {
			int e = errno;

			re->argv = c->argv;
			svc_runenv_free(re);
			if (e == ENOMEM) {
				log_error("%s: expanding %s: %s", s->def.name, c->line, why);
				return -1;
			}
			snprintf(err, sizeof(err), "%s: %s", c->line, why);
			return env_failed(s, e, err);
		}
		re->argv_own = true;
		log_debug("%s: %s expands to %d words", s->def.name, c->line, argc);
	}
	return 0;
}

void svc_runenv_free(struct svc_runenv *re)
{
	if (re->envp_own)
		free(re->envp);
	if (re->argv_own)
		free(re->argv);
	svc_vars_free(&re->vars);
	memset(re, 0, sizeof(*re));
}
