/*
 * init/main.c - corral: PID 1 or subreaper supervisor.
 *
 *   corral [--config-dir DIR] [--run-dir DIR] [--cgroup-subtree NAME]
 *          [--layout auto|v1|v2|v1:...] [--cgroup-base DIR] [--debug]
 *
 * Services are DIR/services/NAME.service (default DIR /etc/corral).
 * DIR/corral.conf may set [corral] layout, subtree and debug; on the
 * kernel command line corral.layout=, corral.subtree= and corral.debug
 * override it, the command line overrides both.
 *
 * Signals, as BusyBox init reads them: SIGTERM reboot, SIGUSR1 halt,
 * SIGUSR2 poweroff, SIGINT ctrl-alt-del (reboot).  When not PID 1 any of
 * them stops the services and exits.
 */
#include "init.h"
#include "../grouping/grouping.h"
#include "../lib/log.h"
#include "../services/services.h"
#include "../supervisor/supervisor.h"

#include <errno.h>
#include <ev.h>
#include <ini.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/reboot.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_DEFS 128
#define SHUTDOWN_GRACE 120.0	/* services get this long in total */

static struct {
	char config_dir[1024];
	char run_dir[1024];
	char subtree[GRP_PATH_MAX];
	char layout[128];
	char cgroup_base[1024];
	bool debug;
	bool pid1;
	struct ev_loop *loop;
	struct grp_engine *engine;
	bool shutting_down;
	enum init_action action;
	ev_timer shutdown_timer;
} g = {
	.config_dir = "/etc/corral",
	.run_dir = "/run/corral",
	.subtree = "corral",
	.layout = "auto",
	.cgroup_base = "/sys/fs/cgroup",
};

static int conf_handler(void *user, const char *section, const char *name, const char *value)
{
	(void)user;
	if (strcmp(section, "corral")) {
		log_warn("corral.conf: unknown section [%s]; ignored", section);
		return 1;
	}
	if (!strcmp(name, "layout"))
		snprintf(g.layout, sizeof(g.layout), "%s", value);
	else if (!strcmp(name, "subtree"))
		snprintf(g.subtree, sizeof(g.subtree), "%s", value);
	else if (!strcmp(name, "debug"))
		g.debug = !strcmp(value, "1") || !strcmp(value, "yes") || !strcmp(value, "true");
	else
		log_warn("corral.conf: unknown key %s; ignored", name);
	return 1;
}

static void read_cmdline(void)
{
	char buf[4096], *save = NULL, *tok;
	FILE *f = fopen("/proc/cmdline", "re");
	size_t n;

	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (tok = strtok_r(buf, " \n", &save); tok; tok = strtok_r(NULL, " \n", &save)) {
		if (!strncmp(tok, "corral.layout=", 14))
			snprintf(g.layout, sizeof(g.layout), "%s", tok + 14);
		else if (!strncmp(tok, "corral.subtree=", 15))
			snprintf(g.subtree, sizeof(g.subtree), "%s", tok + 15);
		else if (!strcmp(tok, "corral.debug"))
			g.debug = true;
	}
}

static int usage(void)
{
	fprintf(stderr, "usage: corral [--config-dir DIR] [--run-dir DIR] "
		"[--cgroup-subtree NAME] [--layout auto|v1|v2|v1:A,B:C] "
		"[--cgroup-base DIR] [--debug]\n");
	return 100;
}

/* ---- shutdown ----------------------------------------------------------- */

static void services_stopped(void *data)
{
	(void)data;
	ev_timer_stop(g.loop, &g.shutdown_timer);
	sup_shutdown_sockets();
	if (g.pid1)
		init_kill_remaining();
	/* groups are empty now: remove corral's subtree, which matters when
	 * this is PID 1 of a namespace on a host that keeps running */
	grp_engine_close(g.engine, true);
	g.engine = NULL;
	if (g.pid1)
		init_reboot(g.action);
	log_info("services stopped; exiting");
	ev_break(g.loop, EVBREAK_ALL);
}

static void shutdown_timeout(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)w;
	(void)revents;
	log_warn("services did not stop within %.0f s; going on", SHUTDOWN_GRACE);
	services_stopped(NULL);
}

static void begin_shutdown(enum init_action a)
{
	if (g.shutting_down) {
		log_info("already shutting down");
		return;
	}
	g.shutting_down = true;
	g.action = g.pid1 ? a : INIT_EXIT;
	log_info("shutdown: %s; stopping services", init_action_name(g.action));
	ev_timer_init(&g.shutdown_timer, shutdown_timeout, SHUTDOWN_GRACE, 0);
	ev_timer_start(g.loop, &g.shutdown_timer);
	sup_stop_all(services_stopped, NULL);
}

static void action_cb(enum sup_action a)
{
	begin_shutdown(a == SUP_REBOOT ? INIT_REBOOT : a == SUP_POWEROFF ? INIT_POWEROFF : INIT_HALT);
}

/* ---- signals ------------------------------------------------------------ */

static void sigchld_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	int status;
	pid_t pid;

	(void)loop;
	(void)w;
	(void)revents;
	/* reap everything: orphans re-parented to us included */
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		sup_child_exited(pid, status);
	if (g.engine)
		grp_engine_check(g.engine);
}

static void sigact_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	(void)loop;
	(void)revents;
	switch (w->signum) {
	case SIGUSR1:
		begin_shutdown(INIT_HALT);
		break;
	case SIGUSR2:
		begin_shutdown(INIT_POWEROFF);
		break;
	default:	/* SIGTERM, SIGINT (ctrl-alt-del as PID 1) */
		begin_shutdown(INIT_REBOOT);
		break;
	}
}

int main(int argc, char **argv)
{
	static ev_signal sigs[5];
	static const int signums[] = { SIGCHLD, SIGTERM, SIGINT, SIGUSR1, SIGUSR2 };
	static struct svc_def defs[MAX_DEFS];
	struct grp_config cfg = { 0 };
	char services_dir[1100], conf[1100], err[256];
	sigset_t all;
	int n;

	/* Users send poweroff signals to init very early (BusyBox's
	 * comment): block everything first, libev takes them over below. */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL);
	g.pid1 = getpid() == 1;
	log_set_prog("corral");

	if (g.pid1) {
		init_mount_api_filesystems();
		if (init_is_machine_init()) {
			init_console();
			/* ctrl-alt-del becomes SIGINT for us, not an instant reboot */
			reboot(RB_DISABLE_CAD);
		}
		setsid();
	}
	/* Precedence, lowest first: defaults, corral.conf, the kernel
	 * command line (PID 1), our own options.  --config-dir must be known
	 * before corral.conf is read, so options are parsed twice. */
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 1; i < argc; i++) {
			const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
			char *dst = NULL;
			size_t len = 0;

			if (!strcmp(a, "--debug")) {
				g.debug = true;
				continue;
			}
			if (!v) {
				if (g.pid1)
					break;	/* PID 1 ignores what it cannot use */
				return usage();
			}
			if (!strcmp(a, "--config-dir"))
				dst = g.config_dir, len = sizeof(g.config_dir);
			else if (pass == 1 && !strcmp(a, "--run-dir"))
				dst = g.run_dir, len = sizeof(g.run_dir);
			else if (pass == 1 && !strcmp(a, "--cgroup-subtree"))
				dst = g.subtree, len = sizeof(g.subtree);
			else if (pass == 1 && !strcmp(a, "--layout"))
				dst = g.layout, len = sizeof(g.layout);
			else if (pass == 1 && !strcmp(a, "--cgroup-base"))
				dst = g.cgroup_base, len = sizeof(g.cgroup_base);
			else if (strcmp(a, "--run-dir") && strcmp(a, "--cgroup-subtree") &&
				 strcmp(a, "--layout") && strcmp(a, "--cgroup-base") && !g.pid1)
				return usage();
			if (dst)
				snprintf(dst, len, "%s", v);
			i++;
		}
		if (pass == 0) {
			snprintf(conf, sizeof(conf), "%s/corral.conf", g.config_dir);
			if (access(conf, R_OK) == 0 && ini_parse(conf, conf_handler, NULL) != 0)
				log_warn("%s: syntax error; rest of the file ignored", conf);
			if (g.pid1)
				read_cmdline();
		}
	}
	if (g.debug)
		log_set_level(LOG_LVL_DEBUG);
	if (!g.pid1 && prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		log_warn_sys("become", "child subreaper");

	g.loop = ev_loop_new(EVFLAG_AUTO | EVFLAG_SIGNALFD);
	if (!g.loop) {
		log_error("cannot create the event loop");
		if (!g.pid1)
			return 111;
		for (;;)
			pause();
	}
	for (unsigned i = 0; i < 5; i++) {
		ev_signal_init(&sigs[i], i ? sigact_cb : sigchld_cb, signums[i]);
		ev_signal_start(g.loop, &sigs[i]);
	}

	if (grp_layout_parse(g.layout, &cfg.layout, err, sizeof(err)) < 0) {
		log_error("layout: %s; using auto", err);
		grp_layout_parse("auto", &cfg.layout, NULL, 0);
	}
	cfg.mount_base = g.cgroup_base;
	cfg.subtree = g.subtree;
	cfg.mount = g.pid1;
	cfg.own_root = init_is_machine_init();
	g.engine = grp_engine_open(&cfg);
	if (!g.engine) {
		log_error("no usable cgroup hierarchy: services cannot be grouped");
		if (!g.pid1)
			return 111;
	} else {
		grp_engine_start(g.engine, g.loop);
		log_info("grouping: %s, %u hierarchies, release %s",
			 grp_engine_kind(g.engine) == GRP_LAYOUT_V2 ? "cgroup v2" : "cgroup v1",
			 grp_engine_nhier(g.engine),
			 grp_engine_event_driven(g.engine) ? "event-driven" : "polled");
	}

	{
		struct sup_options so = {
			.engine = g.engine, .loop = g.loop, .console_fd = 1,
			.run_dir = g.run_dir,
		};

		sup_init(&so);
	}
	sup_set_action_cb(action_cb);
	if (sup_control_open() < 0 && !g.pid1)
		return 111;
	if (!sup_notify_open())
		log_warn("no notify socket: Type=notify services cannot report ready");

	snprintf(services_dir, sizeof(services_dir), "%s/services", g.config_dir);
	n = g.engine ? svc_load_dir(services_dir, defs, MAX_DEFS) : 0;
	for (int i = 0; i < n; i++)
		sup_add(&defs[i]);
	log_info("%d services loaded from %s", n < 0 ? 0 : n, services_dir);
	sup_start_all();

	ev_run(g.loop, 0);
	/* only a non-PID 1 supervisor gets here */
	if (g.pid1)
		for (;;)
			pause();
	return 0;
}
