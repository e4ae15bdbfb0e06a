/*
 * services/exec.c - Exec*= lines: systemd's prefixes, then the words.
 *
 * The prefixes come first, directly before the command, in any order:
 * '-' (a failure is recorded, not acted on), '@' (the second word is the
 * argv[0] the program sees), '+' (full privileges: User=/Group= are not
 * applied), '!' and '!!' (systemd: only the user change is skipped, or
 * ambient capabilities are used instead; corral has neither mode, so both
 * mean what '+' means for the user change), ':' (no $VAR expansion).
 * A prefix given twice, or '+' with '!', is an error, as in systemd.
 */
#include "services.h"

#include <stdlib.h>
#include <string.h>

static const struct {
	const char *key, *name;
} kinds[SVC_NCMD_KINDS] = {
	[SVC_CMD_START_PRE] = { "ExecStartPre", "start-pre" },
	[SVC_CMD_START] = { "ExecStart", "start" },
	[SVC_CMD_START_POST] = { "ExecStartPost", "start-post" },
	[SVC_CMD_RELOAD] = { "ExecReload", "reload" },
	[SVC_CMD_STOP] = { "ExecStop", "stop" },
	[SVC_CMD_STOP_POST] = { "ExecStopPost", "stop-post" },
};

const char *svc_cmd_kind_name(enum svc_cmd_kind k)
{
	return (unsigned)k < SVC_NCMD_KINDS ? kinds[k].name : "?";
}

const char *svc_cmd_key(enum svc_cmd_kind k)
{
	return (unsigned)k < SVC_NCMD_KINDS ? kinds[k].key : "?";
}

int svc_cmd_parse(const char *value, struct svc_cmd *c, const char **why)
{
	const char *p = value;
	unsigned bangs = 0, seen = 0;
	char *line;

	memset(c, 0, sizeof(*c));
	for (;; p++) {
		unsigned bit;

		if (*p == '-')
			bit = SVC_CMD_F_IGNORE;
		else if (*p == '@')
			bit = SVC_CMD_F_ARGV0;
		else if (*p == '+')
			bit = 1u << 8;
		else if (*p == ':')
			bit = SVC_CMD_F_NOEXPAND;
		else if (*p == '!') {
			/* "!" or "!!", not more */
			if (++bangs > 2) {
				*why = "prefix '!' more than twice";
				return -1;
			}
			continue;
		} else
			break;
		if (seen & bit) {
			*why = "a prefix given twice";
			return -1;
		}
		seen |= bit;
	}
	if ((seen & (1u << 8)) && bangs) {
		*why = "prefixes '+' and '!' exclude each other";
		return -1;
	}
	c->flags = (seen & ~(1u << 8)) | ((seen & (1u << 8)) || bangs ? SVC_CMD_F_PRIV : 0);
	line = strdup(value);
	if (!line) {
		*why = "out of memory";
		return -1;
	}
	c->line = line;
	c->text = line + (p - value);
	c->argv = svc_split_argv(c->text, &c->argc, why);
	if (!c->argv) {
		svc_cmd_free(c);
		return -1;
	}
	if ((c->flags & SVC_CMD_F_ARGV0) && c->argc < 2) {
		*why = "prefix '@' needs the program and its argv[0]";
		svc_cmd_free(c);
		return -1;
	}
	return 0;
}

char *const *svc_cmd_argv(const struct svc_cmd *c)
{
	return c->argv + (c->flags & SVC_CMD_F_ARGV0 ? 1 : 0);
}

void svc_cmd_free(struct svc_cmd *c)
{
	free((char *)c->line);
	free(c->argv);
	memset(c, 0, sizeof(*c));
}

void svc_cmds_free(struct svc_cmds *l)
{
	for (unsigned i = 0; i < l->n; i++)
		svc_cmd_free(&l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}
