/*
 * tests/unit/test_exec.c - the systemd exec/kill/service keys of
 * services/exec.h: parsing (good values and bad ones naming file:line),
 * the Restart= table, SuccessExitStatus=, the not-enforced line,
 * Condition*=/Assert*= evaluation against files made here and a fake
 * /proc, and the directory helpers of supervisor/sandbox.c (a planted
 * symlink is never followed).
 */
#include "../../services/services.h"
#include "../../supervisor/internal.h"
#include "../../lib/log.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static struct svc_def d;
static char err[1200];

static int load(const char *text)
{
	err[0] = '\0';
	svc_def_free(&d);
	return svc_load_string("t", text, &d, err, sizeof(err));
}

/* load "[Service]\nExecStart=/x\n" + one line (line 3) */
static int load_svc(const char *line)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "[Service]\nExecStart=/x\n%s\n", line);
	return load(buf);
}

static int load_unit(const char *line)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "[Unit]\n%s\n[Service]\nExecStart=/x\n", line);
	return load(buf);
}

#define EXITED(c) ((c) << 8)
#define KILLED(s) (s)

static void test_timeouts(void)
{
	tap_ok(load_svc("TimeoutStopSec=0") == 0 && d.timeout_stop_sec == SVC_SECONDS_INFINITY,
	       "TimeoutStopSec=0 is no timeout (redis' unit), not 0 s");
	tap_ok(load_svc("TimeoutStartSec=0") == 0 && d.timeout_start_sec == SVC_SECONDS_INFINITY,
	       "TimeoutStartSec=0 is no timeout");
	tap_ok(load_svc("TimeoutSec=5min 30s") == 0 && d.timeout_stop_sec == 330 &&
	       d.timeout_start_sec == 330, "TimeoutSec= sets both, compound span 5min 30s");
	tap_ok(load_svc("TimeoutSec=infinity") == 0 && d.timeout_stop_sec == SVC_SECONDS_INFINITY,
	       "TimeoutSec=infinity");
	tap_ok(load_svc("TimeoutSec=soon") < 0 && strstr(err, "t:3: TimeoutSec: bad time span"),
	       "TimeoutSec=soon rejected naming t:3 (%s)", err);
}

static void test_types_restart(void)
{
	static const char *const types[] = { "exec", "dbus", "idle" };
	static const enum svc_type tv[] = { SVC_TYPE_EXEC, SVC_TYPE_DBUS, SVC_TYPE_IDLE };
	static const char *const rs[] = { "on-success", "on-abnormal", "on-abort", "on-watchdog" };
	static const enum svc_restart rv[] = { SVC_RESTART_ON_SUCCESS, SVC_RESTART_ON_ABNORMAL,
					       SVC_RESTART_ON_ABORT, SVC_RESTART_ON_WATCHDOG };
	char line[64];

	for (int i = 0; i < 3; i++) {
		snprintf(line, sizeof(line), "Type=%s", types[i]);
		tap_ok(load_svc(line) == 0 && d.type == tv[i] && !strcmp(svc_type_name(d.type), types[i]),
		       "Type=%s", types[i]);
	}
	for (int i = 0; i < 4; i++) {
		snprintf(line, sizeof(line), "Restart=%s", rs[i]);
		tap_ok(load_svc(line) == 0 && d.restart == rv[i] &&
		       !strcmp(svc_restart_name(d.restart), rs[i]), "Restart=%s", rs[i]);
	}
}

/* systemd.service(5)'s table, row by row */
static void test_restart_table(void)
{
	static const struct { enum svc_end e; int status; const char *what; } ends[] = {
		{ SVC_END_CLEAN, EXITED(0), "clean exit" },
		{ SVC_END_EXIT_CODE, EXITED(3), "unclean exit code" },
		{ SVC_END_SIGNAL, KILLED(SIGSEGV), "unclean signal" },
		{ SVC_END_TIMEOUT, -1, "timeout" },
		{ SVC_END_WATCHDOG, -1, "watchdog" },
	};
	static const struct { enum svc_restart r; const char *row; } rows[] = {
		{ SVC_RESTART_NO, "00000" },
		{ SVC_RESTART_ALWAYS, "11111" },
		{ SVC_RESTART_ON_SUCCESS, "10000" },
		{ SVC_RESTART_ON_FAILURE, "01111" },
		{ SVC_RESTART_ON_ABNORMAL, "00111" },
		{ SVC_RESTART_ON_ABORT, "00100" },
		{ SVC_RESTART_ON_WATCHDOG, "00001" },
	};
	struct svc_exec x;

	svc_exec_init(&x);
	for (unsigned r = 0; r < sizeof(rows) / sizeof(*rows); r++) {
		char got[6];

		for (int e = 0; e < 5; e++)
			got[e] = svc_restart_wanted(&x, rows[r].r, ends[e].e, ends[e].status) ? '1' : '0';
		got[5] = '\0';
		tap_is_str(got, rows[r].row, "Restart=%s: clean, exit code, signal, timeout, "
			   "watchdog", svc_restart_name(rows[r].r));
	}
	tap_ok(load_svc("RestartPreventExitStatus=3 SIGSEGV") == 0 &&
	       !svc_restart_wanted(&d.x, SVC_RESTART_ALWAYS, SVC_END_EXIT_CODE, EXITED(3)) &&
	       !svc_restart_wanted(&d.x, SVC_RESTART_ON_FAILURE, SVC_END_SIGNAL, KILLED(SIGSEGV)) &&
	       svc_restart_wanted(&d.x, SVC_RESTART_ON_FAILURE, SVC_END_EXIT_CODE, EXITED(4)),
	       "RestartPreventExitStatus=3 SIGSEGV vetoes those, not exit 4");
	tap_ok(load_svc("RestartForceExitStatus=7") == 0 &&
	       svc_restart_wanted(&d.x, SVC_RESTART_NO, SVC_END_EXIT_CODE, EXITED(7)),
	       "RestartForceExitStatus=7 restarts even with Restart=no");
}

static void test_success_status(void)
{
	tap_ok(load_svc("SuccessExitStatus=75 SIGUSR1 HUP") == 0, "SuccessExitStatus=75 SIGUSR1 HUP");
	tap_ok(svc_status_clean(&d.x, EXITED(75), true) && svc_status_clean(&d.x, KILLED(SIGUSR1), true) &&
	       svc_status_clean(&d.x, EXITED(0), true), "  75, SIGUSR1 and 0 are clean");
	tap_ok(!svc_status_clean(&d.x, EXITED(76), true) && !svc_status_clean(&d.x, KILLED(SIGUSR2), true),
	       "  76 and SIGUSR2 are not");
	tap_ok(svc_status_clean(&d.x, KILLED(SIGTERM), true) && svc_status_clean(&d.x, KILLED(SIGPIPE), true) &&
	       !svc_status_clean(&d.x, KILLED(SIGKILL), true),
	       "  SIGTERM, SIGPIPE clean by systemd's rule, SIGKILL not");
	tap_ok(!svc_status_clean(&d.x, KILLED(SIGTERM), false) &&
	       svc_status_clean(&d.x, KILLED(SIGUSR1), false),
	       "  for a command (oneshot) SIGTERM is not clean, a listed signal is");
	tap_ok(load_svc("SuccessExitStatus=256") < 0 &&
	       strstr(err, "t:3: SuccessExitStatus: '256' is not an exit code 0..255"),
	       "SuccessExitStatus=256 rejected (%s)", err);
	tap_ok(load_svc("SuccessExitStatus=SIGNOPE") < 0 && strstr(err, "t:3: SuccessExitStatus"),
	       "SuccessExitStatus=SIGNOPE rejected (%s)", err);
	tap_ok(load("[Service]\nExecStart=/x\nSuccessExitStatus=5\nSuccessExitStatus=\n") == 0 &&
	       !svc_status_clean(&d.x, EXITED(5), true), "SuccessExitStatus= (empty) resets the list");
}

static void test_kill(void)
{
	tap_ok(load("[Service]\nExecStart=/x\nKillMode=mixed\nKillSignal=SIGINT\n"
		    "FinalKillSignal=9\nSendSIGKILL=no\nSendSIGHUP=yes\n") == 0 &&
	       d.x.kill_mode == SVC_KILL_MIXED && d.x.kill_signal == SIGINT &&
	       d.x.final_kill_signal == SIGKILL && !d.x.send_sigkill && d.x.send_sighup,
	       "KillMode=mixed KillSignal=SIGINT FinalKillSignal=9 SendSIGKILL=no SendSIGHUP=yes");
	tap_ok(load_svc("KillSignal=RTMIN+2") == 0 && d.x.kill_signal == SIGRTMIN + 2,
	       "KillSignal=RTMIN+2");
	tap_ok(load_svc("KillMode=group") < 0 && strstr(err, "t:3: KillMode: 'group'"),
	       "KillMode=group rejected (%s)", err);
	tap_ok(load_svc("KillSignal=SIGFOO") < 0 && strstr(err, "t:3: KillSignal: 'SIGFOO'"),
	       "KillSignal=SIGFOO rejected (%s)", err);
	tap_ok(load_svc("SendSIGKILL=maybe") < 0 && strstr(err, "t:3: SendSIGKILL"),
	       "SendSIGKILL=maybe rejected (%s)", err);
	tap_ok(load_svc("PIDFile=foo.pid") == 0 && !strcmp(d.x.pidfile, "/run/foo.pid"),
	       "PIDFile=foo.pid is /run/foo.pid (systemd's rule)");
	tap_ok(load_svc("PIDFile=") < 0 && strstr(err, "t:3: PIDFile"), "empty PIDFile= rejected");
}

static void test_limits(void)
{
	tap_ok(load("[Service]\nExecStart=/x\nLimitCORE=infinity\nLimitFSIZE=1M\nLimitAS=1.5G\n"
		    "LimitNPROC=100:200\nLimitCPU=2min\nLimitRTTIME=500\nLimitNICE=-5\n"
		    "LimitMEMLOCK=64K:infinity\n") == 0, "Limit* with units load (%s)", err);
	tap_ok(d.x.rlim_set[RLIMIT_CORE] && d.x.rlim_soft[RLIMIT_CORE] == SVC_RLIM_INFINITY,
	       "  LimitCORE=infinity");
	tap_ok(d.x.rlim_soft[RLIMIT_FSIZE] == 1048576 && d.x.rlim_hard[RLIMIT_FSIZE] == 1048576,
	       "  LimitFSIZE=1M is 1048576 (base 1024)");
	tap_ok(d.x.rlim_soft[RLIMIT_AS] == 1610612736ULL, "  LimitAS=1.5G");
	tap_ok(d.x.rlim_soft[RLIMIT_NPROC] == 100 && d.x.rlim_hard[RLIMIT_NPROC] == 200,
	       "  LimitNPROC=100:200 soft:hard");
	tap_ok(d.x.rlim_soft[RLIMIT_CPU] == 120, "  LimitCPU=2min is 120 s");
	tap_ok(d.x.rlim_soft[RLIMIT_RTTIME] == 500, "  LimitRTTIME=500 is microseconds");
	tap_ok(d.x.rlim_soft[RLIMIT_NICE] == 25, "  LimitNICE=-5 is the rlimit 25 (20 - nice)");
	tap_ok(d.x.rlim_soft[RLIMIT_MEMLOCK] == 65536 &&
	       d.x.rlim_hard[RLIMIT_MEMLOCK] == SVC_RLIM_INFINITY, "  LimitMEMLOCK=64K:infinity");
	tap_ok(!d.x.rlim_set[RLIMIT_STACK], "  LimitSTACK not given, not set");
	tap_ok(load_svc("LimitRTTIME=1s") == 0 && d.x.rlim_soft[RLIMIT_RTTIME] == 1000000,
	       "LimitRTTIME=1s is 1000000 us");
	tap_ok(load_svc("LimitFSIZE=10Q") < 0 && strstr(err, "t:3: LimitFSIZE: '10Q'"),
	       "LimitFSIZE=10Q rejected (%s)", err);
	tap_ok(load_svc("LimitNPROC=5:2") < 0 && strstr(err, "t:3: LimitNPROC: soft limit above"),
	       "LimitNPROC=5:2 rejected (%s)", err);
	tap_ok(load_svc("LimitNICE=+20") < 0 && strstr(err, "t:3: LimitNICE"),
	       "LimitNICE=+20 rejected (%s)", err);
	tap_ok(load_svc("LimitSTACK=-1") < 0 && strstr(err, "t:3: LimitSTACK"),
	       "LimitSTACK=-1 rejected (%s)", err);
}

static void test_process_keys(void)
{
	tap_ok(load("[Service]\nExecStart=/x\nUMask=0077\nNice=-5\nOOMScoreAdjust=-500\n"
		    "SupplementaryGroups=adm \"tty\"\nSupplementaryGroups=disk\n") == 0 &&
	       d.x.umask == 077 && d.x.nice_set && d.x.nice == -5 && d.x.oom_set &&
	       d.x.oom_score_adj == -500 && d.x.ngroups == 3 && !strcmp(d.x.groups[2], "disk"),
	       "UMask=0077 Nice=-5 OOMScoreAdjust=-500 SupplementaryGroups (two lines add up)");
	tap_ok(load_svc("UMask=0888") < 0 && strstr(err, "t:3: UMask"), "UMask=0888 rejected (%s)", err);
	tap_ok(load_svc("Nice=20") < 0 && strstr(err, "t:3: Nice: '20' is not -20..19"),
	       "Nice=20 rejected (%s)", err);
	tap_ok(load_svc("OOMScoreAdjust=1001") < 0 && strstr(err, "t:3: OOMScoreAdjust"),
	       "OOMScoreAdjust=1001 rejected (%s)", err);
	tap_ok(load_svc("UMask=027") == 0 && d.x.umask == 027, "UMask=027");
	tap_ok(load("[Service]\nExecStart=/x\n") == 0 && d.x.umask == 022,
	       "UMask defaults to 0022 (systemd's)");
}

static void test_dirs_keys(void)
{
	tap_ok(load("[Service]\nExecStart=/x\nRuntimeDirectory=a a/b\nStateDirectory=s\n"
		    "CacheDirectory=c\nLogsDirectory=l\nConfigurationDirectory=e\n"
		    "RuntimeDirectoryMode=0750\nRuntimeDirectoryPreserve=restart\n") == 0 &&
	       d.x.dirs[SVC_DIR_RUNTIME].n == 2 && !strcmp(d.x.dirs[SVC_DIR_RUNTIME].names[1], "a/b") &&
	       d.x.dirs[SVC_DIR_RUNTIME].mode == 0750 && d.x.dirs[SVC_DIR_STATE].mode == 0755 &&
	       d.x.dirs[SVC_DIR_CONFIG].n == 1 && d.x.runtime_preserve == SVC_PRESERVE_RESTART,
	       "the five *Directory= keys, nested a/b, *Mode, Preserve=restart (%s)", err);
	tap_ok(load_svc("RuntimeDirectory=/abs") < 0 && strstr(err, "t:3: RuntimeDirectory: '/abs'"),
	       "RuntimeDirectory=/abs rejected (%s)", err);
	tap_ok(load_svc("StateDirectory=a/../b") < 0 && strstr(err, "t:3: StateDirectory"),
	       "StateDirectory=a/../b rejected (%s)", err);
	tap_ok(load_svc("LogsDirectoryMode=rwx") < 0 && strstr(err, "t:3: LogsDirectoryMode"),
	       "LogsDirectoryMode=rwx rejected (%s)", err);
	tap_ok(load_svc("RuntimeDirectoryPreserve=sometimes") < 0 &&
	       strstr(err, "t:3: RuntimeDirectoryPreserve"), "RuntimeDirectoryPreserve=sometimes rejected");
}

static void test_sandbox_keys(void)
{
	tap_ok(load("[Service]\nExecStart=/x\nNoNewPrivileges=yes\nPrivateTmp=true\n"
		    "PrivateDevices=1\nProtectSystem=strict\nProtectHome=read-only\n"
		    "ReadWritePaths=/var/lib/x -/nope\nReadOnlyPaths=/srv\nInaccessiblePaths=/secret\n"
		    "CapabilityBoundingSet=CAP_NET_BIND_SERVICE CAP_SETUID\n"
		    "AmbientCapabilities=CAP_NET_BIND_SERVICE\n") == 0,
	       "sandbox keys load (%s)", err);
	tap_ok(d.x.no_new_privs && d.x.private_tmp && d.x.private_devices &&
	       d.x.protect_system == SVC_PROTECT_SYSTEM_STRICT &&
	       d.x.protect_home == SVC_PROTECT_HOME_RO, "  booleans and modes");
	tap_ok(d.x.nrw == 2 && !strcmp(d.x.rw[1], "-/nope") && d.x.nro == 1 && d.x.ninacc == 1,
	       "  path lists, '-' kept");
	tap_ok(d.x.capbset_set && d.x.capbset == (1ULL << 10 | 1ULL << 7) &&
	       d.x.ambient == 1ULL << 10, "  capability sets as masks");
	tap_ok(load("[Service]\nExecStart=/x\nCapabilityBoundingSet=~CAP_SYS_ADMIN\n") == 0 &&
	       d.x.capbset == ~(1ULL << 21), "CapabilityBoundingSet=~CAP_SYS_ADMIN: all but it");
	tap_ok(load("[Service]\nExecStart=/x\nCapabilityBoundingSet=CAP_KILL\n"
		    "CapabilityBoundingSet=CAP_CHOWN\n") == 0 && d.x.capbset == (1ULL << 5 | 1ULL << 0),
	       "two CapabilityBoundingSet= lines add up");
	tap_ok(load_svc("CapabilityBoundingSet=CAP_FLY") < 0 &&
	       strstr(err, "t:3: CapabilityBoundingSet: 'CAP_FLY'"), "CAP_FLY rejected (%s)", err);
	tap_ok(load_svc("ProtectSystem=everything") < 0 && strstr(err, "t:3: ProtectSystem"),
	       "ProtectSystem=everything rejected (%s)", err);
	tap_ok(load_svc("ProtectHome=sometimes") < 0 && strstr(err, "t:3: ProtectHome"),
	       "ProtectHome=sometimes rejected");
	tap_ok(load_svc("ReadWritePaths=relative") < 0 && strstr(err, "t:3: ReadWritePaths"),
	       "ReadWritePaths=relative rejected (%s)", err);
	tap_ok(load_svc("NoNewPrivileges=perhaps") < 0 && strstr(err, "t:3: NoNewPrivileges"),
	       "NoNewPrivileges=perhaps rejected");
}

/* ---- the not-enforced line ------------------------------------------------- */

static unsigned capture(const char *text, char *all, size_t len)
{
	FILE *f = tmpfile();
	unsigned n = 0;
	char line[2048];
	size_t o = 0;

	*all = '\0';
	if (!f)
		return 0;
	log_set_fd(fileno(f));
	log_set_level(LOG_LVL_WARN);
	load(text);
	log_set_level(LOG_LVL_ERROR);
	log_set_fd(2);
	rewind(f);
	while (fgets(line, sizeof(line), f)) {
		n++;
		o += (size_t)snprintf(all + o, o < len ? len - o : 0, "%s", line);
	}
	fclose(f);
	return n;
}

static void test_unenforced(void)
{
	char out[4096];
	unsigned n;

	n = capture("[Unit]\nDocumentation=man:x(8)\nConditionFirstBoot=yes\n[Service]\nExecStart=/x\n"
		    "ProtectKernelTunables=yes\nMemoryDenyWriteExecute=yes\nRestrictNamespaces=yes\n"
		    "ProtectKernelTunables=no\nSystemCallFilter=@system-service\nKillMode=process\n"
		    "Frobnicate=1\n[Install]\nWantedBy=multi-user.target\nAlias=y.service\n",
		    out, sizeof(out));
	tap_is_int(n, 2, "one not-enforced line and one unknown-key warning");
	if (n != 2)
		tap_diag("%s", out);
	tap_ok(strstr(out, "t: not enforced: KillMode=process (as mixed: a run ends when its group "
		      "is empty), ConditionFirstBoot, ProtectKernelTunables, MemoryDenyWriteExecute, "
		      "RestrictNamespaces, SystemCallFilter\n") != NULL,
	       "  the line lists each known unenforced key once, in order");
	tap_ok(strstr(out, "t:12: unknown key Frobnicate in [Service]") != NULL,
	       "  an unknown key still warns with file:line");
	tap_ok(!strstr(out, "Documentation") && !strstr(out, "WantedBy") && !strstr(out, "Install"),
	       "  Documentation= and [Install] accepted quietly");
	tap_ok(!strcmp(d.x.unenforced, "ConditionFirstBoot, ProtectKernelTunables, "
		       "MemoryDenyWriteExecute, RestrictNamespaces, SystemCallFilter"),
	       "  kept in the definition for verify");
	n = capture("[Service]\nExecStart=/x\nPrivateTmp=yes\nLimitCORE=0\nX-Custom=1\n[X-Tool]\nA=b\n",
		    out, sizeof(out));
	tap_is_int(n, 0, "enforced keys and X- keys or sections: no line at all");
	n = capture("[Service]\nType=dbus\nBusName=org.x\nExecStart=/x\n", out, sizeof(out));
	tap_ok(n == 1 && strstr(out, "Type=dbus (running at exec"), "Type=dbus says it is approximated");
}

/* ---- conditions ---------------------------------------------------------- */

static char tdir[64];

static void put(const char *rel, const char *text, mode_t mode)
{
	char p[256];
	int fd;

	snprintf(p, sizeof(p), "%s/%s", tdir, rel);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, mode);
	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		tap_diag("write %s: %s", p, strerror(errno));
	if (fd >= 0)
		close(fd);
	chmod(p, mode);
}

/* check one [Unit] body against the fake root; 0, 1 (condition), 2 (assert) */
static int check(const char *unit, const char *root, char *why)
{
	char buf[2048];
	struct svc_cond_env env = { root };

	snprintf(buf, sizeof(buf), "[Unit]\n%s[Service]\nExecStart=/x\n", unit);
	if (load(buf) < 0) {
		snprintf(why, 600, "load: %s", err);
		return -1;
	}
	return svc_conds_check(&d.x, &env, why, 600);
}

static void test_conditions(void)
{
	char why[600], u[1024], root[128];

	snprintf(tdir, sizeof(tdir), "/tmp/corral-exec.XXXXXX");
	if (!mkdtemp(tdir)) {
		tap_diag("mkdtemp: %s", strerror(errno));
		return;
	}
	put("empty", "", 0644);
	put("full", "x", 0644);
	put("run.sh", "#!/bin/sh\n", 0755);
	snprintf(u, sizeof(u), "%s/d", tdir);
	mkdir(u, 0755);
	snprintf(u, sizeof(u), "%s/e", tdir);
	mkdir(u, 0755);
	snprintf(u, sizeof(u), "%s/e/.hidden", tdir);
	close(open(u, O_WRONLY | O_CREAT, 0644));
	snprintf(u, sizeof(u), "%s/d/f", tdir);
	close(open(u, O_WRONLY | O_CREAT, 0644));
	snprintf(u, sizeof(u), "%s/link", tdir);
	symlink("full", u);

#define T(body, want, what) do { \
		int r_ = check(body, "", why); \
		tap_ok(r_ == (want), "%s -> %d (%s)", what, r_, why); \
	} while (0)
	snprintf(u, sizeof(u), "ConditionPathExists=%s/full\nConditionPathIsDirectory=%s/d\n"
		 "ConditionFileNotEmpty=%s/full\nConditionDirectoryNotEmpty=%s/d\n"
		 "ConditionFileIsExecutable=%s/run.sh\nConditionPathIsSymbolicLink=%s/link\n"
		 "ConditionPathExistsGlob=%s/f*l\nConditionPathIsReadWrite=%s\n"
		 "ConditionPathIsMountPoint=/proc\n",
		 tdir, tdir, tdir, tdir, tdir, tdir, tdir, tdir);
	T(u, 0, "every path condition holds");
	snprintf(u, sizeof(u), "ConditionPathExists=%s/nope\n", tdir);
	T(u, 1, "ConditionPathExists of a missing file: skipped");
	tap_ok(strstr(why, "ConditionPathExists=") && strstr(why, "/nope"), "  why names it: %s", why);
	snprintf(u, sizeof(u), "ConditionPathExists=!%s/nope\n", tdir);
	T(u, 0, "ConditionPathExists=! of a missing file holds");
	snprintf(u, sizeof(u), "ConditionFileNotEmpty=%s/empty\n", tdir);
	T(u, 1, "ConditionFileNotEmpty of an empty file");
	snprintf(u, sizeof(u), "ConditionDirectoryNotEmpty=%s/e\n", tdir);
	T(u, 1, "ConditionDirectoryNotEmpty: only a hidden file");
	snprintf(u, sizeof(u), "ConditionFileIsExecutable=%s/full\n", tdir);
	T(u, 1, "ConditionFileIsExecutable of a 0644 file");
	snprintf(u, sizeof(u), "ConditionPathIsSymbolicLink=%s/full\n", tdir);
	T(u, 1, "ConditionPathIsSymbolicLink of a file");
	snprintf(u, sizeof(u), "ConditionPathExistsGlob=%s/q*\n", tdir);
	T(u, 1, "ConditionPathExistsGlob without a match");
	snprintf(u, sizeof(u), "ConditionPathIsMountPoint=%s\n", tdir);
	T(u, 1, "ConditionPathIsMountPoint of a plain directory");
	snprintf(u, sizeof(u), "ConditionPathExists=|%s/nope\nConditionPathExists=|%s/full\n",
		 tdir, tdir);
	T(u, 0, "triggers: one of two holds");
	snprintf(u, sizeof(u), "ConditionPathExists=|%s/nope\nConditionPathExists=|!%s/full\n"
		 "ConditionPathExists=%s/full\n", tdir, tdir, tdir);
	T(u, 1, "triggers: none holds (|! negated)");
	tap_ok(strstr(why, "none of the '|' conditions held") != NULL, "  says so: %s", why);
	snprintf(u, sizeof(u), "AssertPathExists=%s/nope\n", tdir);
	T(u, 2, "AssertPathExists of a missing file: failed, not skipped");
	tap_ok(strstr(why, "AssertPathExists=") != NULL, "  why names the assert: %s", why);
	snprintf(u, sizeof(u), "ConditionPathExists=%s/nope\nAssertPathExists=%s/nope\n", tdir, tdir);
	T(u, 1, "a failed condition skips before asserts are checked");
	snprintf(u, sizeof(u), "ConditionPathExists=%s/nope\nConditionPathExists=\n"
		 "AssertPathExists=%s/full\n", tdir, tdir);
	T(u, 0, "ConditionPathExists= (empty) resets the conditions, not the asserts");
	T("ConditionArchitecture=native\n", 0, "ConditionArchitecture=native");
	T("ConditionArchitecture=!native\n", 1, "ConditionArchitecture=!native");
	T("ConditionHost=!no-such-host-*\n", 0, "ConditionHost=!no-such-host-* (glob)");

	/* a fake root for /proc and /sys */
	snprintf(root, sizeof(root), "%s/root", tdir);
	mkdir(root, 0755);
	snprintf(u, sizeof(u), "%s/proc", root);
	mkdir(u, 0755);
	snprintf(u, sizeof(u), "%s/proc/1", root);
	mkdir(u, 0755);
	snprintf(u, sizeof(u), "%s/proc/self", root);
	mkdir(u, 0755);
	put("root/proc/cmdline", "BOOT_IMAGE=/vmlinuz quiet \"foo=a b\" debug=1\n", 0644);
	put("root/proc/self/status", "Name:\tx\nCapBnd:\t0000000000000400\n", 0644);
	put("root/proc/1/environ", "", 0644);
#define R(body, want, what) do { \
		int r_ = check(body, root, why); \
		tap_ok(r_ == (want), "%s -> %d (%s)", what, r_, why); \
	} while (0)
	R("ConditionKernelCommandLine=quiet\n", 0, "KernelCommandLine=quiet (a word)");
	R("ConditionKernelCommandLine=debug\n", 0, "KernelCommandLine=debug matches debug=1");
	R("ConditionKernelCommandLine=debug=2\n", 1, "KernelCommandLine=debug=2 must match exactly");
	R("ConditionKernelCommandLine=foo=a b\n", 0, "KernelCommandLine: a quoted word");
	R("ConditionKernelCommandLine=qui\n", 1, "KernelCommandLine=qui is not a prefix match");
	R("ConditionCapability=CAP_NET_BIND_SERVICE\n", 0, "Capability in the bounding set");
	R("ConditionCapability=CAP_SYS_ADMIN\n", 1, "Capability not in the bounding set");
	R("ConditionVirtualization=no\n", 0, "Virtualization=no: no container, no DMI");
	R("ConditionVirtualization=container\n", 1, "Virtualization=container: no");
	put("root/proc/1/environ", "HOME=/\0container=lxc\0", 0644);
	/* put() stops at the NUL: write the environ whole */
	{
		char p[256];
		int fd;

		snprintf(p, sizeof(p), "%s/proc/1/environ", root);
		fd = open(p, O_WRONLY | O_TRUNC);
		if (fd >= 0) {
			if (write(fd, "HOME=/\0container=lxc\0", 22) < 0)
				tap_diag("write: %s", strerror(errno));
			close(fd);
		}
	}
	R("ConditionVirtualization=container\n", 0, "container=lxc in /proc/1/environ: container");
	R("ConditionVirtualization=lxc\n", 0, "  and by name");
	R("ConditionVirtualization=vm\n", 1, "  not a vm");
	{
		bool ct;

		tap_is_str(svc_virt_detect(root, &ct), "lxc", "svc_virt_detect: lxc");
	}
	put("root/proc/1/environ", "", 0644);
	snprintf(u, sizeof(u), "%s/sys", root);
	mkdir(u, 0755);
	snprintf(u, sizeof(u), "%s/sys/class", root);
	mkdir(u, 0755);
	snprintf(u, sizeof(u), "%s/sys/class/dmi", root);
	mkdir(u, 0755);
	snprintf(u, sizeof(u), "%s/sys/class/dmi/id", root);
	mkdir(u, 0755);
	put("root/sys/class/dmi/id/sys_vendor", "QEMU\n", 0644);
	R("ConditionVirtualization=vm\n", 0, "DMI sys_vendor QEMU: a vm");
	R("ConditionVirtualization=qemu\n", 0, "  named qemu");
	R("ConditionVirtualization=yes\n", 0, "  virtualized: yes");
	R("ConditionVirtualization=kvm\n", 1, "  not kvm");

	tap_ok(load_unit("ConditionPathExists=relative") < 0 &&
	       strstr(err, "t:2: ConditionPathExists: 'relative' is not an absolute path"),
	       "ConditionPathExists=relative rejected (%s)", err);
	tap_ok(load_unit("AssertCapability=CAP_FLY") < 0 && strstr(err, "t:2: AssertCapability"),
	       "AssertCapability=CAP_FLY rejected (%s)", err);
	tap_ok(load_unit("ConditionPathExists=|!") < 0 && strstr(err, "t:2: ConditionPathExists"),
	       "ConditionPathExists=|! rejected (%s)", err);
}

/* ---- directories -------------------------------------------------------- */

static void test_dirs(void)
{
	char base[128], p[256], q[256];
	struct stat st;

	snprintf(base, sizeof(base), "%s/base", tdir);
	mkdir(base, 0755);
	tap_ok(sbx_mkdir_owned(base, "a/b", 0750, true, 65534, 65534) == 0, "a/b created");
	snprintf(p, sizeof(p), "%s/a/b", base);
	tap_ok(stat(p, &st) == 0 && (st.st_mode & 07777) == 0750 && st.st_uid == 65534 &&
	       st.st_gid == 65534, "  the innermost: mode 0750, owned by 65534:65534");
	snprintf(p, sizeof(p), "%s/a", base);
	tap_ok(stat(p, &st) == 0 && (st.st_mode & 07777) == 0755 && st.st_uid == 0,
	       "  the one above: 0755, root's");
	tap_ok(sbx_mkdir_owned(base, "a/b", 0700, false, 0, 0) == 0 && stat(p, &st) == 0,
	       "again: exists is fine");
	/* a symlink planted where a directory goes is never followed */
	snprintf(p, sizeof(p), "%s/target", tdir);
	mkdir(p, 0700);
	snprintf(q, sizeof(q), "%s/evil", base);
	symlink(p, q);
	errno = 0;
	tap_ok(sbx_mkdir_owned(base, "evil/x", 0755, true, 65534, 65534) < 0 && errno == ELOOP,
	       "a planted symlink component is refused (ELOOP)");
	snprintf(q, sizeof(q), "%s/x", p);
	tap_ok(stat(q, &st) < 0 && stat(p, &st) == 0 && st.st_uid == 0,
	       "  nothing made or chowned through it");
	tap_ok(sbx_mkdir_owned(base, "evil", 0755, true, 65534, 65534) < 0 && errno == ELOOP &&
	       stat(p, &st) == 0 && st.st_uid == 0, "a symlink as the innermost: refused, target untouched");
	/* removal: contents, no symlink followed */
	snprintf(q, sizeof(q), "%s/a/b/link", base);
	symlink(p, q);
	snprintf(q, sizeof(q), "%s/a/b/f", base);
	close(open(q, O_WRONLY | O_CREAT, 0644));
	snprintf(q, sizeof(q), "%s/keep", p);
	close(open(q, O_WRONLY | O_CREAT, 0644));
	tap_ok(sbx_rmtree(base, "a/b") == 0, "rmtree a/b");
	snprintf(p, sizeof(p), "%s/a/b", base);
	tap_ok(lstat(p, &st) < 0 && errno == ENOENT, "  gone with its contents");
	tap_ok(stat(q, &st) == 0, "  a symlink's target is left alone");
	snprintf(p, sizeof(p), "%s/a", base);
	tap_ok(stat(p, &st) == 0, "  the directory above stays");
	tap_ok(sbx_rmtree(base, "never") == 0, "rmtree of a missing name is fine");
}

int main(void)
{
	log_set_level(LOG_LVL_ERROR);
	test_timeouts();
	test_types_restart();
	test_restart_table();
	test_success_status();
	test_kill();
	test_limits();
	test_process_keys();
	test_dirs_keys();
	test_sandbox_keys();
	test_unenforced();
	test_conditions();
	if (geteuid() == 0)
		test_dirs();
	else
		tap_skip("needs root (chown)", "directory helpers");
	svc_def_free(&d);
	if (*tdir) {
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tdir);
		if (system(cmd) != 0)
			tap_diag("cleanup of %s failed", tdir);
	}
	return tap_done();
}
