/*
 * supervisor/initctl.c - talk to corral's control socket.
 *
 *   initctl [-s SOCKET | -r RUNDIR] [--json | -k|--kv] list
 *   initctl ... status [NAME]
 *   initctl ... start|stop|restart|log NAME
 *   initctl ... reload [NAME] | enable NAME | disable NAME
 *   initctl ... reboot|poweroff|halt
 *   initctl ... top [-b] [-d SECONDS] [-n ITERATIONS]
 *   initctl ... analyze blame | critical-chain [NAME] | plot
 *   initctl ... metrics
 *   initctl [--json] verify FILE...   (no corral needed: services/verify.c)
 *
 * top, analyze and metrics are computed here from `status` (views.h);
 * so are the human status and list (view_status.c), while --kv status
 * prints corral's "key value" answer unchanged for scripts.
 * Exit status: 0 done, 1 corral refused, 2 usage, 3 cannot connect.
 */
#include "supervisor.h"
#include "views.h"
#include "../lib/version.h"
#include "../services/verify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The value of "key value" line key in corral's status text, into buf. */
static const char *kv_get(const char *text, const char *key, char *buf, size_t len)
{
	size_t kl = strlen(key);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, key, kl) && l[kl] == ' ') {
			snprintf(buf, len, "%.*s", (int)strcspn(l + kl + 1, "\n"), l + kl + 1);
			return buf;
		}
	*buf = '\0';
	return buf;
}

/* initctl reload NAME: wait while NAME is "reloading" (corral bounds that
 * with TimeoutStartSec), then say how it went, like systemctl reload. */
static int wait_reload(const char *name)
{
	struct timespec tick = { 0, 50 * 1000 * 1000 };
	char st[64], detail[512];

	for (;;) {
		char *out;
		size_t len;
		int rc = vw_call(CTL_STATUS, name, 0, &out, &len);

		if (rc)
			return rc;
		kv_get(out, "state", st, sizeof(st));
		kv_get(out, "detail", detail, sizeof(detail));
		free(out);
		if (strcmp(st, "reloading"))
			break;
		nanosleep(&tick, NULL);
	}
	if (!strncmp(detail, "reload failed", 13)) {
		fprintf(stderr, "initctl: %s: %s\n", name, detail);
		return 1;
	}
	printf("%s %s\n", name, st);
	return 0;
}

static const struct { const char *name; enum ctl_cmd cmd; int needs_name; } cmds[] = {
	{ "list", CTL_LIST, 0 },	{ "status", CTL_STATUS, -1 },
	{ "start", CTL_START, 1 },	{ "stop", CTL_STOP, 1 },
	{ "restart", CTL_RESTART, 1 },	{ "log", CTL_LOG, 1 },
	{ "reboot", CTL_REBOOT, 0 },	{ "poweroff", CTL_POWEROFF, 0 },
	{ "halt", CTL_HALT, 0 },	{ "reload", CTL_RELOAD, -1 },
	{ "enable", CTL_ENABLE, 1 },	{ "disable", CTL_DISABLE, 1 },
};

static const struct { const char *name; int (*run)(int, char **); } views[] = {
	{ "top", vw_top }, { "analyze", vw_analyze }, { "metrics", vw_metrics },
	{ "log", vw_log },	/* -n N, -f: view_log.c */
};

static int usage(FILE *f)
{
	fprintf(f,
		"usage: initctl [-s SOCKET | -r RUNDIR] [--json | -k|--kv] COMMAND [ARG]\n"
		"  -s SOCKET                 corral's control socket (or $CORRAL_SOCKET)\n"
		"  -r RUNDIR                 corral's run directory (default /run/corral)\n"
		"  --json                    list, status, log answers as JSON\n"
		"  -k, --kv                  status as stable \"key value\" lines for scripts\n"
		"  -h, --help                this help\n"
		"  -V, --version             initctl's version\n"
		"  NAME may be given as NAME.service.\n"
		"  list                      table of services: state, pid, uptime, tasks, CPU\n"
		"  status [NAME]             state, process tree, group and log of one or every service\n"
		"  start|stop|restart NAME   want NAME up / down / restarted\n"
		"  log NAME [-n N] [-f]      NAME's recent output with timestamps; -n the last N\n"
		"                            lines, -f follow new lines until interrupted\n"
		"  reload                    re-read the services directory (as SIGHUP)\n"
		"  reload NAME               run NAME's ExecReload= ($MAINPID set); it stays running\n"
		"  enable|disable NAME       start NAME at boot, or not\n"
		"  reboot|poweroff|halt      end the system (corral as PID 1)\n"
		"  top [-b] [-d SECONDS] [-n ITERATIONS]\n"
		"                            live view of every group: state, tasks/limit,\n"
		"                            fork failures, CPU%% over the interval, CPU time;\n"
		"                            keys c t n s k f sort, r reverses, q quits;\n"
		"                            -b plain lines for scripts (default when not a tty)\n"
		"  analyze blame             start request to running/ready per service, slowest first\n"
		"  analyze critical-chain [NAME]\n"
		"                            the dependencies that decided when NAME (default:\n"
		"                            the last service to become ready) was ready\n"
		"  analyze plot              the boot as an SVG timeline on stdout\n"
		"  metrics                   Prometheus text format, e.g. for node_exporter's\n"
		"                            textfile collector\n"
		"  verify [--json] FILE...   load service files exactly as corral would and say\n"
		"                            what will run; no corral needed; exit 1 if any is\n"
		"                            rejected\n");
	return f == stderr ? 2 : 0;
}

/* a usage error: what was wrong, and where to look */
static int usage_error(const char *fmt, const char *a, const char *b)
{
	fprintf(stderr, "initctl: ");
	fprintf(stderr, fmt, a, b);
	fprintf(stderr, "\nTry 'initctl --help' for the commands and options.\n");
	return 2;
}

int main(int argc, char **argv)
{
	static char path[4096];
	const char *sock = getenv("CORRAL_SOCKET"), *rundir = "/run/corral";
	uint32_t flags = 0;
	char *out, *name = NULL;
	size_t len;
	int i = 1, ci = -1, rc;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--json"))
			flags |= CTL_F_JSON;
		else if (!strcmp(argv[i], "-s") && i + 1 < argc)
			sock = argv[++i];
		else if (!strcmp(argv[i], "-r") && i + 1 < argc)
			rundir = argv[++i];
		else if (!strcmp(argv[i], "-k") || !strcmp(argv[i], "--kv"))
			flags |= VW_F_KV;
		else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help"))
			return usage(stdout);
		else if (!strcmp(argv[i], "-V") || !strcmp(argv[i], "--version"))
			return printf("initctl %s\n", CORRAL_VERSION) < 0 ? 1 : 0;
		else if (!strcmp(argv[i], "-s") || !strcmp(argv[i], "-r"))
			return usage_error("%s needs an argument%s", argv[i], "");
		else
			return usage_error("unknown option '%s'%s", argv[i], "");
	}
	if (i >= argc)
		return usage(stderr);
	if ((flags & CTL_F_JSON) && (flags & VW_F_KV))
		return usage_error("--json and --kv exclude each other%s%s", "", "");
	/* a pure client of the loader: no socket, no corral */
	if (!strcmp(argv[i], "verify")) {
		if (flags & VW_F_KV)
			return usage_error("verify has no --kv form%s%s", "", "");
		return svc_verify_main("initctl", argc - i - 1, argv + i + 1, flags & CTL_F_JSON);
	}
	if (sock)
		snprintf(path, sizeof(path), "%s", sock);
	else
		snprintf(path, sizeof(path), "%s/%s", rundir, CTL_SOCKET);
	vw_socket = path;
	if (!strcmp(argv[i], "help"))
		return usage(stdout);
	for (unsigned k = 0; k < sizeof(views) / sizeof(*views); k++)
		if (!strcmp(argv[i], views[k].name)) {
			if (flags & CTL_F_JSON) {
				fprintf(stderr, "initctl: %s has no --json form\n", argv[i]);
				return 2;
			}
			return views[k].run(argc - i, argv + i);
		}
	for (unsigned k = 0; k < sizeof(cmds) / sizeof(*cmds); k++)
		if (!strcmp(argv[i], cmds[k].name))
			ci = (int)k;
	if (ci < 0)
		return usage_error("unknown command '%s'%s", argv[i], "");
	rc = vw_cmd_args(cmds[ci].name, cmds[ci].needs_name, argc - i, argv + i, &flags, &name);
	if (rc)
		return rc;
	if (cmds[ci].cmd == CTL_STATUS && !(flags & (CTL_F_JSON | VW_F_KV)))
		return vw_status_human(name);
	if (cmds[ci].cmd == CTL_LIST && !(flags & CTL_F_JSON))
		return vw_list_table();
	rc = vw_call(cmds[ci].cmd, name, flags & ~VW_F_KV, &out, &len);
	if (rc)
		return rc;
	if (cmds[ci].cmd == CTL_RELOAD && name) {
		free(out);
		return wait_reload(name);
	}
	rc = fwrite(out, 1, len, stdout) == len && fflush(stdout) == 0 ? 0 : 1;
	free(out);
	return rc;
}
