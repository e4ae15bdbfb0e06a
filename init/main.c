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
 * them stops the services and exits.  SIGHUP re-reads the services
 * directory (supervisor/table.c says what a reload does).
 */
#include "init.h"
#include "../grouping/grouping.h"
#include "../lib/log.h"
#include "../lib/version.h"
#include "../services/services.h"
#include "../services/verify.h"
#include "../supervisor/supervisor.h"

#include <errno.h>
#include <ev.h>
#include <ini.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/reboot.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#define SHUTDOWN_GRACE 120.0	/* services get this long in total */

static struct {
	char config_dir[1024];
	char run_dir[1024];
	char subtree[GRP_PATH_MAX];
	char layout[128];
	char cgroup_base[1024];
	bool debug;
	bool pid1;
	char log_dir[1024];		/* "" none; "default": see log_files() */
	unsigned long log_max;		/* bytes of a log file before rotation */
	unsigned log_keep;		/* rotated files kept per service */
	struct ev_loop *loop;
	struct grp_engine *engine;
	bool shutting_down;
	bool services_down;		/* the loop ended for the shutdown */
	enum init_action action;
	ev_timer shutdown_timer;
} g = {
	.config_dir = "/etc/corral",
	.run_dir = "/run/corral",
	.subtree = "corral",
	.layout = "auto",
	.cgroup_base = "/sys/fs/cgroup",
	.log_dir = "default",
	.log_max = 1024 * 1024,
	.log_keep = 5,
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
	else if (!strcmp(name, "log_dir"))
		snprintf(g.log_dir, sizeof(g.log_dir), "%s", value);
	else if (!strcmp(name, "log_max_bytes") || !strcmp(name, "log_keep")) {
		char *end;
		unsigned long v;

		errno = 0;
		v = strtoul(value, &end, 10);
		if (errno || end == value || *end || v == 0 || v > (1ul << 30))
			log_warn("corral.conf: %s=%s: not a number from 1 to 2^30; ignored", name, value);
		else if (name[4] == 'm')
			g.log_max = v;
		else
			g.log_keep = v > 1000 ? 1000 : (unsigned)v;
	} else
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

static int usage(FILE *f)
{
	fprintf(f, "usage: corral [OPTION]...\n"
		"PID 1 init and service supervisor; not PID 1, a child subreaper.\n"
		"  --config-dir DIR       corral.conf and services/*.service (default /etc/corral)\n"
		"  --run-dir DIR          control socket corral.sock (default /run/corral)\n"
		"  --cgroup-subtree NAME  corral's subtree in every hierarchy (default corral)\n"
		"  --layout L             auto, v1, v2 or v1:A,B:C (default auto)\n"
		"  --cgroup-base DIR      where hierarchies are found or mounted (default /sys/fs/cgroup)\n"
		"  --log-dir DIR          service logs DIR/NAME/current (default /var/log/corral\n"
		"                         if it exists, or as PID 1 can be made; none: no files)\n"
		"  --debug                log every event\n"
		"  --verify [--json] FILE...\n"
		"                         load service files as corral would, say what will\n"
		"                         run, and exit (1 if any is rejected); see initctl(8)\n"
		"  -h, --help             this help\n"
		"  -V, --version          corral's version\n"
		"See corral(8), corral.conf(5), corral.service(5), initctl(8).\n");
	return f == stdout ? 0 : 2;
}

/* --help, --version and bad options, before anything is touched; PID 1
 * ignores what it cannot use (the kernel passes it unknown words). */
static int early_options(int argc, char **argv)
{
	static const char *const with_value[] = { "--config-dir", "--run-dir",
		"--cgroup-subtree", "--layout", "--cgroup-base", "--log-dir" };

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool known = false;

		if (!strcmp(a, "-h") || !strcmp(a, "--help"))
			return usage(stdout) + 1000;
		if (!strcmp(a, "-V") || !strcmp(a, "--version"))
			return printf("corral %s\n", CORRAL_VERSION) < 0 ? 1001 : 1000;
		if (!strcmp(a, "--debug"))
			continue;
		/* a check of files, nothing started (PID 1 never takes it) */
		if (!strcmp(a, "--verify") && getpid() != 1)
			return svc_verify_main("corral", argc - i - 1, argv + i + 1, false) + 1000;
		for (unsigned k = 0; k < sizeof(with_value) / sizeof(*with_value); k++)
			if (!strcmp(a, with_value[k]))
				known = true;
		if (known && i + 1 < argc) {
			i++;
			continue;
		}
		if (getpid() == 1)
			continue;
		if (known)
			fprintf(stderr, "corral: option '%s' needs a value\n", a);
		else
			fprintf(stderr, "corral: unknown option '%s'\n", a);
		fprintf(stderr, "Try 'corral --help' for the options.\n");
		return 1002;
	}
	return 0;
}

/* ---- one instance per run dir and subtree --------------------------------- */

/* Lock path (made if missing, O_CLOEXEC so no service inherits it) for
 * corral's whole life and write our pid into it.  0; 1 if another corral
 * holds it (*other its pid, 0 if unknown); -1 on another error (logged). */
static int lock_path(const char *path, int *fdp, long *other)
{
	struct stat a, b;
	char buf[32];
	ssize_t r;
	int fd, tries = 0;

again:
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	*other = 0;
	if (fd < 0) {
		log_error_sys("open", path);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		int err = errno;

		if (err != EWOULDBLOCK) {
			log_error_sys("lock", path);
			close(fd);
			return -1;
		}
		r = pread(fd, buf, sizeof(buf) - 1, 0);
		buf[r > 0 ? r : 0] = '\0';
		*other = strtol(buf, NULL, 10);
		close(fd);
		return 1;
	}
	/* the holder unlinks the file as it exits (instance_unlock()): a
	 * lock on a file no longer at path locks nothing, so try again */
	if (fstat(fd, &a) < 0 || stat(path, &b) < 0 || a.st_ino != b.st_ino ||
	    a.st_dev != b.st_dev) {
		close(fd);
		if (++tries < 10)
			goto again;
		log_error("%s keeps changing; cannot lock it", path);
		return -1;
	}
	r = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)r, 0) != r)
		log_warn_sys("write our pid into", path);
	*fdp = fd;
	return 0;
}

/*
 * Two corrals on one run dir would take each other's control socket; two
 * on one cgroup subtree would share (and stop) each other's groups.  So
 * RUNDIR/corral.lock, and for the subtree /run/corral-subtree.NAME.lock
 * (NAME with '/' as '-'; /run is per machine, and private in a PID 1
 * namespace with its own /run), are flock()ed for corral's life.  The
 * second instance is refused with the first's pid; PID 1 only logs it.
 */
static struct {
	int run_fd, sub_fd;
	char run_path[1200], sub_path[1200];
} lk = { -1, -1, "", "" };

/* Not PID 1, at exit: leave no lock files behind (a try-out or a test
 * would otherwise leave one per subtree in /run).  Unlinked while still
 * locked, so a corral starting now either waits for us or sees the file
 * change and locks the new one. */
static void instance_unlock(void)
{
	if (lk.sub_fd >= 0 && unlink(lk.sub_path) < 0)
		log_warn_sys("remove", lk.sub_path);
	if (lk.run_fd >= 0 && unlink(lk.run_path) < 0)
		log_warn_sys("remove", lk.run_path);
}

static int instance_lock(void)
{
	int *run_fd = &lk.run_fd, *sub_fd = &lk.sub_fd;
	char *path = lk.run_path;
	long other;
	int rc;

	if (mkdir(g.run_dir, 0755) < 0 && errno != EEXIST) {
		log_error_sys("mkdir", g.run_dir);
		return -1;
	}
	snprintf(path, sizeof(lk.run_path), "%s/corral.lock", g.run_dir);
	rc = lock_path(path, run_fd, &other);
	if (rc == 1)
		log_error("another corral (pid %ld) is running with run directory %s; "
			  "refusing to start", other, g.run_dir);
	if (rc)
		return -1;
	path = lk.sub_path;
	snprintf(path, sizeof(lk.sub_path), "/run/corral-subtree.%s.lock", g.subtree);
	for (char *p = path + strlen("/run/"); *p; p++)
		if (*p == '/')
			*p = '-';
	if (access("/run", W_OK) < 0) {
		log_debug("/run is not writable: no check that subtree %s is unused", g.subtree);
		return 0;
	}
	rc = lock_path(path, sub_fd, &other);
	if (rc == 1)
		log_error("another corral (pid %ld) is using cgroup subtree %s; "
			  "refusing to start", other, g.subtree);
	return rc ? -1 : 0;
}

/* Persistent service logs: --log-dir / log_dir=, "none" for none.  The
 * default /var/log/corral is used when it exists and is writable, or when
 * PID 1 can make it; a subreaper never makes it, so a try-out or a test
 * leaves the host's /var/log alone. */
static void log_files(void)
{
	const char *dir = g.log_dir;

	if (!strcmp(dir, "none") || !*dir) {
		dir = NULL;
	} else if (!strcmp(dir, "default")) {
		dir = "/var/log/corral";
		if (access(dir, W_OK) < 0 && (!g.pid1 || access("/var/log", W_OK) < 0))
			dir = NULL;
	}
	sup_log_files(dir, g.log_max, g.log_keep);
	log_info("service logs: %s", dir ? dir : "none (initctl log only)");
}

/* ---- shutdown ----------------------------------------------------------- */

/* Runs inside some callback (often a group release reported by the
 * engine's own check, deep in its iteration): only end the loop here.
 * Everything that frees or ends is in finish_shutdown(), after ev_run()
 * has returned and no callback of the engine or the supervisor is live. */
static void services_stopped(void *data)
{
	(void)data;
	ev_timer_stop(g.loop, &g.shutdown_timer);
	g.services_down = true;
	ev_break(g.loop, EVBREAK_ALL);
}

/* Returns only when not PID 1. */
static void finish_shutdown(void)
{
	sup_shutdown_sockets();
	if (g.pid1)
		init_kill_remaining();
	/* PID 1's open log files would keep / from going read-only */
	sup_log_files_close();
	/* groups are empty now: remove corral's subtree, which matters when
	 * this is PID 1 of a namespace on a host that keeps running */
	grp_engine_close(g.engine, true);
	g.engine = NULL;
	if (g.pid1)
		init_reboot(g.action);
	/* A group is empty once its tasks have exited, which can be before
	 * they are reaped: reap what is ours, or the zombies of stopped
	 * daemons (re-parented to us as subreaper) would outlive us and be
	 * left to the machine's init. */
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	instance_unlock();
	log_info("services stopped; exiting");
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
	/* with events, each group that empties says so itself (and a main
	 * process's group is checked as it is reaped); without, look */
	if (g.engine && !grp_engine_event_driven(g.engine))
		grp_engine_check(g.engine);
}

/* Re-read the services directory (SIGHUP, initctl reload).  Files that
 * do not load are reported by the loader and change nothing. */
static int reload_services(char *msg, size_t len)
{
	char dir[1100];
	struct svc_def *defs = NULL;
	int n;

	if (g.shutting_down) {
		snprintf(msg, len, "shutting down; not reloading");
		return -1;
	}
	snprintf(dir, sizeof(dir), "%s/services", g.config_dir);
	n = svc_load_dir(dir, &defs);
	if (n < 0) {
		snprintf(msg, len, "cannot read %s: %s", dir, strerror(errno));
		return -1;
	}
	sup_reload(defs, (unsigned)n, msg, len);	/* takes every definition */
	free(defs);
	return 0;
}

static void sigact_cb(struct ev_loop *loop, ev_signal *w, int revents)
{
	char msg[512];

	(void)loop;
	(void)revents;
	switch (w->signum) {
	case SIGHUP:
		if (reload_services(msg, sizeof(msg)) < 0)
			log_warn("reload: %s", msg);
		break;
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

/* PID 1 starts with the kernel's soft RLIMIT_NOFILE of 1024: too few for
 * an init with many services and clients.  Take the hard limit; services
 * get the usual 1024 back in spawn.c (or their LimitNOFILE=). */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
		log_warn_sys("get", "RLIMIT_NOFILE");
		return;
	}
	if (rl.rlim_cur == rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		log_warn_sys("raise to the hard limit", "RLIMIT_NOFILE");
}

int main(int argc, char **argv)
{
	static const int signums[] = { SIGCHLD, SIGTERM, SIGINT, SIGUSR1, SIGUSR2, SIGHUP };
	static ev_signal sigs[sizeof(signums) / sizeof(*signums)];
	struct svc_def *defs = NULL;
	struct grp_config cfg = { 0 };
	char services_dir[1100], conf[1100], err[256];
	sigset_t all;
	int n;

	/* exit status + 1000 when done before starting: help, version, error */
	if ((n = early_options(argc, argv)))
		return n - 1000;
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
	raise_nofile();
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
				return usage(stderr);
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
			else if (pass == 1 && !strcmp(a, "--log-dir"))
				dst = g.log_dir, len = sizeof(g.log_dir);
			else if (strcmp(a, "--run-dir") && strcmp(a, "--cgroup-subtree") &&
				 strcmp(a, "--layout") && strcmp(a, "--cgroup-base") &&
				 strcmp(a, "--log-dir") && !g.pid1)
				return usage(stderr);
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
	/* "[  1.234] corral: ...": since boot as PID 1, else since now */
	log_set_origin(!g.pid1);
	log_set_stamp(1);
	if (instance_lock() < 0 && !g.pid1)
		return 1;
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
	/* from here on, log lines and service output never block PID 1 */
	sup_console_open(g.loop, 1, 2);
	for (unsigned i = 0; i < sizeof(signums) / sizeof(*signums); i++) {
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
			.run_dir = g.run_dir, .config_dir = g.config_dir,
		};

		sup_init(&so);
	}
	sup_set_action_cb(action_cb);
	sup_set_reload_cb(reload_services);
	if (sup_control_open() < 0 && !g.pid1)
		return 111;
	if (!sup_notify_open())
		log_warn("no notify socket: Type=notify services cannot report ready");

	snprintf(services_dir, sizeof(services_dir), "%s/services", g.config_dir);
	n = g.engine ? svc_load_dir(services_dir, &defs) : 0;
	/* sup_add() takes each definition's storage; the array is ours */
	for (int i = 0; i < n; i++)
		sup_add(&defs[i]);
	free(defs);
	log_info("%d services loaded from %s", n < 0 ? 0 : n, services_dir);
	log_files();
	/* systemd-sysv's poweroff falls back to this FIFO (machine init only:
	 * /run is the machine's) */
	if (init_is_machine_init())
		init_request_open(g.loop, "/run/initctl", begin_shutdown);
	sup_start_all();
	sup_boot_watch();	/* "all N services up in T s" */

	ev_run(g.loop, 0);
	if (g.services_down) {
		finish_shutdown();	/* PID 1 does not come back */
		return 0;
	}
	/* the loop ran out of watchers, which it never should */
	log_error("event loop ended unexpectedly");
	if (g.pid1)
		for (;;)
			pause();
	return 111;
}
