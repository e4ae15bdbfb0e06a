/*
 * tests/unit/test_services.c - service-file parsing, argv splitting and
 * the control request checks; pure, no processes or cgroups.
 */
#include "../../services/services.h"
#include "../../supervisor/supervisor.h"
#include "../../lib/log.h"
#include "tap.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static struct svc_def d;
static char err[600];

static int load(const char *text)
{
	err[0] = '\0';
	svc_def_free(&d);	/* the loader takes def as uninitialised */
	return svc_load_string("t", text, &d, err, sizeof(err));
}

/* split cmd; argv in *v (free it), NULL and *why on error */
static int split(const char *cmd, char ***v, const char **why)
{
	int n = -1;

	*v = svc_split_argv(cmd, &n, why);
	return *v ? n : -1;
}

static void test_argv(void)
{
	const char *why = NULL;
	char **argv;
	int n;

	n = split("/bin/sh -c 'echo \"hi there\"; exit 3'", &argv, &why);
	tap_ok(n == 3 && !strcmp(argv[0], "/bin/sh") && !strcmp(argv[2], "echo \"hi there\"; exit 3") &&
	       !argv[3], "single quotes keep double quotes and spaces");
	free(argv);
	n = split("a \"b c\" d\\ e \"\" 'x\\y'", &argv, &why);
	tap_ok(n == 5 && !strcmp(argv[1], "b c") && !strcmp(argv[2], "d e") && !strcmp(argv[3], "") &&
	       !strcmp(argv[4], "x\\y") && !argv[5],
	       "double quotes, backslash, empty arg, literal in single quotes");
	free(argv);
	n = split("  spaced\targs  ", &argv, &why);
	tap_ok(n == 2 && !strcmp(argv[1], "args"), "leading/trailing blanks and tabs");
	free(argv);
	n = split("''", &argv, &why);
	tap_ok(n == 1 && !strcmp(argv[0], "") && !argv[1], "one empty word (the tightest fit)");
	free(argv);
	tap_ok(split("echo 'open", &argv, &why) < 0 && !strcmp(why, "unbalanced quote"),
	       "unbalanced quote rejected");
	tap_ok(split("   ", &argv, &why) < 0 && !strcmp(why, "empty command"), "empty command rejected");
	tap_ok(split("", &argv, &why) < 0 && !strcmp(why, "empty command"), "empty string rejected");
	tap_ok(split("x \\", &argv, &why) < 0 && !strcmp(why, "trailing backslash"),
	       "trailing backslash rejected");
	n = split("$HOME *", &argv, &why);
	tap_ok(n == 2 && !strcmp(argv[0], "$HOME") && !strcmp(argv[1], "*"), "nothing is expanded");
	free(argv);
}

static void test_full(void)
{
	int rc = load("; a web server\n"
		      "[Unit]\n"
		      "Description=Web server\n"
		      "After=db.service net\n"
		      "Requires=db\n"
		      "StartLimitBurst=3\n"
		      "StartLimitIntervalSec=30s\n"
		      "[Service]\n"
		      "Type=forking\n"
		      "ExecStart=/usr/sbin/httpd -f \"/etc/httpd conf\"\n"
		      "Restart=on-failure\n"
		      "RestartSec=500ms\n"
		      "TimeoutStopSec=1min\n"
		      "User=www\n"
		      "Group=www\n"
		      "WorkingDirectory=/srv\n"
		      "Environment=A=1 \"B=two words\"\n"
		      "Environment=C=3\n"
		      "[Group]\n"
		      "Name=web\n"
		      "Parent=frontend\n"
		      "cpuset.cpus=0-1\n"
		      "AllowedMemoryNodes=0\n"
		      "TasksMax=64\n"
		      "notify_on_release=no\n");

	tap_ok(rc == 0, "full service file loads (%s)", err);
	tap_is_str(d.description, "Web server", "Description");
	tap_ok(d.nafter == 2 && !strcmp(d.after[0], "db") && !strcmp(d.after[1], "net"),
	       "After with .service suffix stripped");
	tap_ok(d.nrequires == 1 && !strcmp(d.requires[0], "db"), "Requires");
	tap_ok(d.start_limit_burst == 3 && d.start_limit_interval == 30, "start limit");
	tap_is_int(d.type, SVC_TYPE_FORKING, "Type=forking");
	tap_ok(d.argc == 3 && !strcmp(d.argv[2], "/etc/httpd conf"), "ExecStart split with quotes");
	tap_is_int(d.restart, SVC_RESTART_ON_FAILURE, "Restart=on-failure");
	tap_ok(d.restart_sec == 0.5 && d.timeout_stop_sec == 60, "RestartSec 500ms, TimeoutStopSec 1min");
	tap_ok(!strcmp(d.user, "www") && !strcmp(d.group, "www") && !strcmp(d.workdir, "/srv"),
	       "User, Group, WorkingDirectory");
	tap_ok(d.nenv == 3 && !strcmp(d.env[1], "B=two words") && !strcmp(d.env[2], "C=3"),
	       "Environment accumulates, quoted assignments");
	tap_ok(!strcmp(d.grp_name, "web") && !strcmp(d.grp_parent, "frontend"), "group name and parent");
	{
		char p[GRP_PATH_MAX];

		svc_group_path(&d, p, sizeof(p));
		tap_is_str(p, "frontend/web", "group path nests under Parent");
	}
	tap_ok(!strcmp(grp_limits_get(&d.limits, "cpuset.cpus"), "0-1") &&
	       !strcmp(grp_limits_get(&d.limits, "cpuset.mems"), "0") &&
	       !strcmp(grp_limits_get(&d.limits, "numtasks.max"), "64") && d.limits.n == 3,
	       "limits incl. systemd aliases");
	tap_ok(!d.notify_on_release, "notify_on_release=no");

	rc = load("[Service]\nExecStart=/bin/true\n");
	tap_ok(rc == 0 && d.type == SVC_TYPE_SIMPLE && d.restart == SVC_RESTART_NO &&
	       !strcmp(d.grp_name, "t") && d.notify_on_release &&
	       d.limits.n == 0 && d.start_limit_burst == 5,
	       "defaults: simple, no restart, own group named after the service, notify on");
	rc = load("[Service]\nExecStart=/bin/true\n[Group]\nnumtasks.max=max\nAllowedCPUs=3\n");
	tap_ok(rc == 0 && !strcmp(grp_limits_get(&d.limits, "TasksMax"), "max") &&
	       !strcmp(grp_limits_get(&d.limits, "cpuset.cpus"), "3"),
	       "numtasks.max=max and AllowedCPUs");
	/* issue 12 item 7: systemd's resource keys where systemd puts them */
	rc = load("[Service]\nExecStart=/bin/true\nTasksMax=12\nAllowedCPUs=0\n");
	tap_ok(rc == 0 && !strcmp(grp_limits_get(&d.limits, "numtasks.max"), "12") &&
	       !strcmp(grp_limits_get(&d.limits, "cpuset.cpus"), "0"),
	       "TasksMax= and AllowedCPUs= in [Service] limit the service's group");
	rc = load("[Service]\nExecStart=/bin/true\nTasksMax=12\n[Group]\nnumtasks.max=20\n");
	tap_ok(rc == 0 && !strcmp(grp_limits_get(&d.limits, "TasksMax"), "20"),
	       "[Group] wins over [Service] for the same key");
	rc = load("[Service]\nExecStart=/bin/true\nTasksMax=15%\nMemoryMax=1G\n"
		  "CPUAccounting=yes\nTasksAccounting=true\nMemoryAccounting=no\n");
	tap_ok(rc == 0 && !strcmp(grp_limits_get(&d.limits, "TasksMax"), "15%") &&
	       !strcmp(grp_limits_get(&d.limits, "memory.max"), "1073741824"),
	       "TasksMax=15%% and MemoryMax=1G; accounting keys accepted (%s)", err);
	rc = load("[Service]\nExecStart=/bin/true\nTasksMax=0\n");
	tap_ok(rc < 0 && strstr(err, "t:3: TasksMax: '0'"), "a bad [Service] limit names file:line (%s)", err);
}

static void test_errors(void)
{
	static const struct { const char *text, *want; } bad[] = {
		{ "[Service]\nType=sometimes\nExecStart=/x\n", "t:2: Type: 'sometimes'" },
		{ "[Service]\nExecStart=/x\nRestart=sometimes\n", "t:3: Restart" },
		{ "[Unit]\nStartLimitBurst=33\n[Service]\nExecStart=/x\n", "t:2: StartLimitBurst: '33' is not 1..32" },
		{ "[Service]\nExecStart=/x 'open\n", "t:2: ExecStart: unbalanced quote" },
		{ "[Service]\nExecStart=/x\nExecStart=/y\n", "t:3: ExecStart given twice" },
		{ "[Service]\nExecStart=/x\nRestartSec=soon\n", "t:3: RestartSec: bad time span" },
		{ "[Service]\nExecStart=/x\nWorkingDirectory=srv\n", "t:3: WorkingDirectory" },
		{ "[Service]\nExecStart=/x\nEnvironment=NOEQUALS\n", "t:3: Environment" },
		{ "[Service]\nExecStart=/x\n[Group]\ncpuset.cpus=0-\n", "t:4: cpuset.cpus: '0-' is not a cpu" },
		{ "[Service]\nExecStart=/x\n[Group]\nTasksMax=0%\n", "t:4: TasksMax: '0%' is not a percentage" },
		{ "[Service]\nExecStart=/x\nTasksMax=101%\n", "t:3: TasksMax: '101%'" },
		{ "[Service]\nExecStart=/x\nMemoryMax=12X\n", "t:3: MemoryMax: '12X' is not a size" },
		{ "[Service]\nExecStart=/x\nCPUAccounting=maybe\n", "t:3: CPUAccounting" },
		{ "[Service]\nExecStart=/x\n[Group]\nnumtasks.max=0\n", "t:4: numtasks.max" },
		{ "[Service]\nExecStart=/x\n[Group]\nName=../up\n", "t:4: Name" },
		{ "[Service]\nExecStart=/x\n[Group]\nName=tasks\n", "t:4: Name" },
		{ "[Service]\nExecStart=/x\n[Group]\nParent=/abs\n", "t:4: Parent" },
		{ "[Service]\nExecStart=/x\n[Group]\nnotify_on_release=maybe\n", "t:4: notify_on_release" },
		{ "[Unit]\nAfter=bad/name\n[Service]\nExecStart=/x\n", "t:2: bad unit name" },
		{ "[Unit]\nDescription=x\n", "t: no ExecStart" },
		{ "Key=outside\n[Service]\nExecStart=/x\n", "t:1: 'Key' outside any section" },
		{ "[Service]\nExecStart=/x\nthis line has no equals sign\n", "t:3: syntax error" },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		int rc = load(bad[i].text);

		tap_ok(rc < 0 && !strncmp(err, bad[i].want, strlen(bad[i].want)),
		       "rejected with file:line: %s", err);
	}
}

static void test_long_lines(void)
{
	char text[1024], arg[300];
	char *big, *p;
	size_t blen = SVC_LOGICAL_MAX + 4096;

	/* 199 bytes of content is what libinih holds: passed as it is */
	memset(arg, 'a', sizeof(arg));
	arg[199 - strlen("ExecStart=/bin/echo ")] = '\0';
	snprintf(text, sizeof(text), "[Service]\nExecStart=/bin/echo %s\n", arg);
	tap_ok(load(text) == 0, "a 199-byte line is accepted (%s)", err);
	tap_is_int(strlen(d.argv[1]), 199 - strlen("ExecStart=/bin/echo "), "and kept whole");
	/* one more byte: libinih would split it; the value is passed aside */
	arg[200 - strlen("ExecStart=/bin/echo ")] = '\0';
	memset(arg, 'a', 200 - strlen("ExecStart=/bin/echo "));
	snprintf(text, sizeof(text), "[Service]\nExecStart=/bin/echo %s\nUser=nobody\n", arg);
	tap_ok(load(text) == 0 && d.argc == 2 &&
	       strlen(d.argv[1]) == 200 - strlen("ExecStart=/bin/echo ") && !strcmp(d.user, "nobody"),
	       "a 200-byte line loads whole, the next line is its own (%s)", err);
	snprintf(text, sizeof(text), "[Service]\nExecStart=/bin/echo %s  ; a comment\n", arg);
	tap_ok(load(text) == 0 && d.argc == 2 && !strcmp(d.argv[1], arg),
	       "  its inline comment is cut as libinih cuts one (%s)", err);
	/* Debian's nut-driver@.service: a shell script in quotes with " ; "
	 * in it; libinih would cut it there, corral keeps it whole */
	tap_ok(load("[Service]\nExecStart=/bin/sh -c 'a || { echo x >&2 ; exit 1 ; } ; b'\n") == 0 &&
	       d.argc == 3 && !strcmp(d.argv[2], "a || { echo x >&2 ; exit 1 ; } ; b"),
	       "' ;' inside quotes is no comment (%s)", err);
	tap_ok(load("[Service]\nExecStart=/bin/echo \"a ; b\" ; said\n") == 0 && d.argc == 2 &&
	       !strcmp(d.argv[1], "a ; b"), "  outside them it is (%s)", err);
	snprintf(text, sizeof(text), "[Service]\nExecStart=/bin/true\n; %s%s\n", arg, arg);
	tap_ok(load(text) == 0, "a long comment is a comment (%s)", err);
	snprintf(text, sizeof(text), "[Service]\nExecStart=/bin/true\n[%s%s]\n", arg, arg);
	tap_ok(load(text) < 0 && strstr(err, "t:3: line longer than"),
	       "a section header longer than libinih holds is rejected (%s)", err);
	snprintf(text, sizeof(text), "[Service]\nExecStart=/bin/true\nRestart=no");
	tap_ok(load(text) == 0 && d.restart == SVC_RESTART_NO, "last line without newline");

	/* continuation lines (systemd's rule) */
	tap_ok(load("[Service]\nExecStart=/bin/echo a \\\n   b\\\n\tc\n") == 0 && d.argc == 4 &&
	       !strcmp(d.argv[1], "a") && !strcmp(d.argv[2], "b") && !strcmp(d.argv[3], "c"),
	       "a line ending in \\ continues on the next (%s)", err);
	tap_ok(load("[Service]\nExecStart=/bin/echo a \\\n# not this\n; nor this\n  b\n") == 0 &&
	       d.argc == 3 && !strcmp(d.argv[2], "b"),
	       "comment lines inside a continuation are skipped (%s)", err);
	tap_ok(load("[Service]\nExecStart=/bin/echo a\\\\\nUser=nobody\n") == 0 && d.argc == 2 &&
	       !strcmp(d.argv[1], "a\\") && !strcmp(d.user, "nobody"),
	       "an even number of backslashes does not continue (%s)", err);
	tap_ok(load("[Service]\n# a comment \\\nExecStart=/bin/true\n") == 0 && d.argc == 1,
	       "a comment line never continues (%s)", err);
	tap_ok(load("[Service]\r\nExecStart=/bin/echo a \\\r\n b\r\n") == 0 && d.argc == 3,
	       "CRLF continuation (%s)", err);
	tap_ok(load("[Service]\nExecStart=/bin/echo \\\n a\nRestart=bad\n") < 0 &&
	       strstr(err, "t:4: Restart"), "line numbers stay physical after a continuation (%s)", err);
	tap_ok(load("[Service]\nExecStart=/bin/true\nDescription=a \\\n b\nfoo\n") < 0 &&
	       strstr(err, "t:5: syntax error"), "  inih's syntax error too (%s)", err);
	tap_ok(load("[Service]\nExecStart=/bin/true \\\n") == 0 && d.argc == 1,
	       "a continuation at the end of the file ends the line (%s)", err);

	/* a logical line of 64 KiB loads; one byte more is rejected */
	big = malloc(blen);
	p = big + sprintf(big, "[Unit]\nDescription=x\n[Service]\nExecStart=/bin/echo");
	{
		/* lg: the logical line's length ("\\\n" is one space in it) */
		size_t lg = strlen("ExecStart=/bin/echo"), line = 0;

		while (lg < SVC_LOGICAL_MAX - 200) {
			int w = sprintf(p, " word%zu", line++);

			p += w;
			lg += (size_t)w;
			if (line % 10 == 0) {
				p += sprintf(p, " \\\n");
				lg += 2;
			}
		}
		*p++ = ' ';	/* the last word: z... */
		lg++;
		for (; lg < SVC_LOGICAL_MAX; lg++)
			*p++ = 'z';
		strcpy(p, "\nUser=nobody\n");
		tap_ok(load(big) == 0 && !strcmp(d.user, "nobody") && d.argc == (int)line + 2 &&
		       !strcmp(d.argv[d.argc - 1] + strlen(d.argv[d.argc - 1]) - 3, "zzz"),
		       "a continued ExecStart= of %d bytes over %zu lines loads whole",
		       SVC_LOGICAL_MAX, line / 10 + 1);
		tap_ok(err[0] == '\0', "  no error (%s)", err);
		strcpy(p, "z\nUser=nobody\n");
		tap_is_int(load(big), -1, "one byte more: rejected");
		tap_ok(strstr(err, "t:4: line longer than 65536 bytes") != NULL,
		       "  naming its first line (%s)", err);
	}
	free(big);
}

/* Exec*= kinds, prefixes, several ExecStart= for oneshot, resets */
static void test_exec_lines(void)
{
	const struct svc_cmds *c;

	tap_ok(load("[Service]\nType=oneshot\nExecStartPre=/bin/a 1\nExecStartPre=-/bin/b\n"
		    "ExecStart=/bin/m1\nExecStart=@/bin/m2 name x\nExecStartPost=+/bin/p\n"
		    "ExecReload=/bin/kill -HUP $MAINPID\nExecStop=!/bin/s\nExecStop=!!/bin/s2\n"
		    "ExecStopPost=:-/bin/sp\nRemainAfterExit=yes\n") == 0, "every Exec*= kind loads (%s)", err);
	c = d.cmds;
	tap_ok(c[SVC_CMD_START_PRE].n == 2 && !strcmp(c[SVC_CMD_START_PRE].v[0].argv[1], "1") &&
	       c[SVC_CMD_START_PRE].v[0].flags == 0 &&
	       c[SVC_CMD_START_PRE].v[1].flags == SVC_CMD_F_IGNORE &&
	       !strcmp(c[SVC_CMD_START_PRE].v[1].argv[0], "/bin/b") &&
	       !strcmp(c[SVC_CMD_START_PRE].v[1].line, "-/bin/b") &&
	       !strcmp(c[SVC_CMD_START_PRE].v[1].text, "/bin/b"),
	       "ExecStartPre=: two, in order, '-' parsed off the path, the line kept as written");
	tap_ok(c[SVC_CMD_START].n == 2 && c[SVC_CMD_START].v[1].flags == SVC_CMD_F_ARGV0 &&
	       !strcmp(svc_cmd_argv(&c[SVC_CMD_START].v[1])[0], "name") &&
	       !strcmp(svc_cmd_argv(&c[SVC_CMD_START].v[1])[1], "x") &&
	       !strcmp(c[SVC_CMD_START].v[1].argv[0], "/bin/m2"),
	       "Type=oneshot: two ExecStart=; '@': file /bin/m2, argv name x");
	tap_ok(d.argv == c[SVC_CMD_START].v[0].argv && !strcmp(d.exec_start, "/bin/m1"),
	       "argv/exec_start are the first ExecStart=");
	tap_ok(c[SVC_CMD_START_POST].v[0].flags == SVC_CMD_F_PRIV &&
	       c[SVC_CMD_STOP].v[0].flags == SVC_CMD_F_PRIV && c[SVC_CMD_STOP].v[1].flags == SVC_CMD_F_PRIV &&
	       c[SVC_CMD_STOP_POST].v[0].flags == (SVC_CMD_F_NOEXPAND | SVC_CMD_F_IGNORE) &&
	       !strcmp(c[SVC_CMD_STOP_POST].v[0].argv[0], "/bin/sp"),
	       "'+', '!', '!!' are privileged; ':-' is both flags");
	tap_ok(c[SVC_CMD_RELOAD].n == 1 && !strcmp(c[SVC_CMD_RELOAD].v[0].argv[2], "$MAINPID") &&
	       d.remain_after_exit, "ExecReload= kept unexpanded; RemainAfterExit=yes");
	tap_ok(load("[Service]\nExecStart=/bin/a\nExecStop=/bin/x\nExecStop=\nExecStop=/bin/y\n") == 0 &&
	       d.cmds[SVC_CMD_STOP].n == 1 && !strcmp(d.cmds[SVC_CMD_STOP].v[0].argv[0], "/bin/y"),
	       "an empty ExecStop= empties the list (%s)", err);
	tap_ok(load("[Service]\nExecStart=/bin/a\nExecStart=\nExecStart=/bin/b\n") == 0 &&
	       d.cmds[SVC_CMD_START].n == 1 && !strcmp(d.argv[0], "/bin/b"),
	       "ExecStart= reset, then one: fine for Type=simple (%s)", err);
	tap_ok(load("[Service]\nExecStart=/bin/a\nExecStart=\n") < 0 && strstr(err, "no ExecStart"),
	       "ExecStart= reset and nothing after: no ExecStart (%s)", err);
	tap_ok(load("[Service]\nExecStart=/bin/a\nExecStart=/bin/b\nType=oneshot\n") == 0 &&
	       d.cmds[SVC_CMD_START].n == 2, "Type=oneshot after two ExecStart=: fine (%s)", err);
	{
		static const struct { const char *text, *want; } bad[] = {
			{ "[Service]\nExecStart=/bin/a\nExecStart=/bin/b\n",
			  "t:3: ExecStart given twice (several are for Type=oneshot only)" },
			{ "[Service]\nType=forking\nExecStart=/bin/a\n\nExecStart=/bin/b\nExecStart=/c\n",
			  "t:5: ExecStart given twice" },
			{ "[Service]\nExecStart=/bin/a\nExecStartPre=@/bin/x\n",
			  "t:3: ExecStartPre: prefix '@' needs the program and its argv[0]" },
			{ "[Service]\nExecStart=/bin/a\nExecStop=--/bin/x\n", "t:3: ExecStop: a prefix given twice" },
			{ "[Service]\nExecStart=/bin/a\nExecStop=+!/bin/x\n",
			  "t:3: ExecStop: prefixes '+' and '!' exclude each other" },
			{ "[Service]\nExecStart=/bin/a\nExecStop=!!!/bin/x\n", "t:3: ExecStop: prefix '!' more than twice" },
			{ "[Service]\nExecStart=/bin/a\nExecStopPost=-\n", "t:3: ExecStopPost: empty command" },
			{ "[Service]\nExecStart=/bin/a\nExecReload=/bin/kill \"x\n", "t:3: ExecReload: unbalanced quote" },
			{ "[Service]\nExecStart=/bin/a\nRemainAfterExit=maybe\n", "t:3: RemainAfterExit: 'maybe'" },
		};

		for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
			tap_ok(load(bad[i].text) < 0 && strstr(err, bad[i].want), "rejected: %s (%s)",
			       bad[i].want, err);
	}
}

static void free_defs(struct svc_def *defs, int n)
{
	for (int i = 0; i < n; i++)
		svc_def_free(&defs[i]);
	free(defs);
}

static void test_dir(void)
{
	char dir[] = "/tmp/corral-svc-XXXXXX", p[128];
	struct svc_def *defs;
	FILE *f;
	int n;

	if (!mkdtemp(dir))
		return;
	snprintf(p, sizeof(p), "%s/b.service", dir);
	f = fopen(p, "w");
	fputs("[Service]\nExecStart=/bin/b\n[Weird]\nx=1\n[Service]\nUnknownKey=1\n", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/a.service", dir);
	f = fopen(p, "w");
	fputs("[Service]\nExecStart=/bin/a --flag\n", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/bad.service", dir);
	f = fopen(p, "w");
	fputs("[Service]\nType=wrong\nExecStart=/bin/x\n", f);
	fclose(f);
	snprintf(p, sizeof(p), "%s/README", dir);
	f = fopen(p, "w");
	fputs("not a service\n", f);
	fclose(f);
	n = svc_load_dir(dir, &defs);
	tap_is_int(n, 2, "a bad file fails alone; unknown keys and sections only warn");
	tap_ok(n == 2 && !strcmp(defs[0].name, "a") && !strcmp(defs[1].name, "b") &&
	       !strcmp(defs[0].argv[1], "--flag"), "loaded sorted by name, argv usable");
	free_defs(defs, n);
	tap_ok(svc_load_dir("/nonexistent-corral", &defs) < 0 && !defs,
	       "missing directory reported");
	{
		struct svc_def *shipped;
		int m = svc_load_dir("conf/services", &shipped);
		DIR *cd = opendir("conf/services");
		struct dirent *de;
		int files = 0;

		while (cd && (de = readdir(cd)))
			files += strstr(de->d_name, ".service") != NULL;
		if (cd)
			closedir(cd);
		tap_ok(m > 0 && m == files, "every shipped example in conf/services loads (%d of %d)",
		       m, files);
		free_defs(shipped, m);
	}
	snprintf(p, sizeof(p), "rm -rf '%s'", dir);
	if (system(p) != 0)
		tap_diag("cleanup of %s failed", dir);
}

static void test_seconds(void)
{
	tap_ok(svc_parse_seconds("5") == 5 && svc_parse_seconds("1.5s") == 1.5 &&
	       svc_parse_seconds("250ms") == 0.25 && svc_parse_seconds("2min") == 120 &&
	       svc_parse_seconds("infinity") >= 1e9, "time spans");
	tap_ok(svc_parse_seconds("-1") < 0 && svc_parse_seconds("5 s") < 0 &&
	       svc_parse_seconds("") < 0 && svc_parse_seconds("1d") < 0, "bad time spans");
}

static void test_ctl(void)
{
	struct ctl_request r = { .magic = CTL_MAGIC, .version = CTL_VERSION,
				 .size = sizeof(r), .cmd = CTL_STATUS };
	const char *why;

	tap_ok(ctl_request_check(&r, sizeof(r), &why) == 0, "valid request accepted");
	tap_ok(ctl_request_check(&r, sizeof(r) - 1, &why) < 0 && strstr(why, "size"),
	       "short request rejected");
	r.magic = 0x12345678;
	tap_ok(ctl_request_check(&r, sizeof(r), &why) < 0 && strstr(why, "magic"), "bad magic");
	r.magic = CTL_MAGIC;
	r.version = 99;
	tap_ok(ctl_request_check(&r, sizeof(r), &why) < 0 && strstr(why, "version"), "bad version");
	r.version = CTL_VERSION;
	r.cmd = 999;
	tap_ok(ctl_request_check(&r, sizeof(r), &why) < 0 && strstr(why, "command"), "bad command");
	r.cmd = CTL_START;
	memset(r.name, 'x', sizeof(r.name));
	tap_ok(ctl_request_check(&r, sizeof(r), &why) < 0 && strstr(why, "name"),
	       "unterminated name");
}

/* ---- issue 9: a file corral cannot read exactly is rejected whole ---- */

static char tdir[64];

/* Write len bytes to tdir/name; returns the path (static buffer). */
static const char *put(const char *name, const void *data, size_t len)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tdir, name);
	f = fopen(path, "w");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
		tap_diag("unable to write %s: %s", path, strerror(errno));
	return path;
}

/* Load bytes through a real file, as PID 1 does. */
static int load_file_bytes(const char *name, const void *data, size_t len)
{
	err[0] = '\0';
	svc_def_free(&d);
	return svc_load_file(put(name, data, len), &d, err, sizeof(err));
}

static bool err_has(const char *file, const char *rest)
{
	char want[600];

	snprintf(want, sizeof(want), "%s/%s%s", tdir, file, rest);
	return !strncmp(err, want, strlen(want));
}

static void test_nul(void)
{
	/* the reproducer: the User= line behind a NUL was dropped and
	 * the service ran as uid 0 */
	static const char repro[] = "[Service]\nType=oneshot\n"
		"ExecStart=/bin/sh -c \"id -u > /tmp/o\"\nGroup=nogroup\n\0User=nobody\n";
	static const char exec[] = "[Service]\nExecStart=/bin/echo safe\0; rm -rf /\n";
	static const char mid[] = "[Service]\nExecStart=/bin/true\nUser=nob\0ody\n";
	static const char last[] = "[Service]\nExecStart=/bin/true\n; comment\n\0";
	static const char after_err[] = "[Service]\nType=idle\nExecStart=/x\nUser=a\0b\n";
	int rc;

	rc = load_file_bytes("nul-user.service", repro, sizeof(repro) - 1);
	tap_ok(rc < 0 && err_has("nul-user.service", ":5: NUL byte"),
	       "issue 9 reproducer: NUL byte before User=nobody rejects the file: "
	       "file:5: NUL byte (%s)", err);
	rc = load_file_bytes("nul-exec.service", exec, sizeof(exec) - 1);
	tap_ok(rc < 0 && err_has("nul-exec.service", ":2: NUL byte"),
	       "NUL byte inside ExecStart= rejects the file: file:2: NUL byte (%s)", err);
	rc = load_file_bytes("nul-mid.service", mid, sizeof(mid) - 1);
	tap_ok(rc < 0 && err_has("nul-mid.service", ":3: NUL byte"),
	       "NUL byte inside a User= value rejects the file: file:3: NUL byte (%s)", err);
	rc = load_file_bytes("nul-last.service", last, sizeof(last) - 1);
	tap_ok(rc < 0 && err_has("nul-last.service", ":4: NUL byte"),
	       "NUL byte as the last byte, after a valid file, rejects it: file:4: NUL byte (%s)",
	       err);
	rc = load_file_bytes("nul-late.service", after_err, sizeof(after_err) - 1);
	tap_ok(rc < 0 && err_has("nul-late.service", ":4: NUL byte"),
	       "NUL byte is reported even behind another error on an earlier line (%s)", err);
	err[0] = '\0';
	svc_def_free(&d);
	rc = svc_load_mem("t", repro, sizeof(repro) - 1, &d, err, sizeof(err));
	tap_ok(rc < 0 && !strcmp(err, "t:5: NUL byte"),
	       "svc_load_mem: NUL byte before User= rejected: t:5: NUL byte (%s)", err);
	{
		/* bytes need no terminating NUL: the buffer ends at len */
		static const char nonul[] = "[Service]\nExecStart=/bin/true\nUser=nobodyXXXX";

		err[0] = '\0';
		svc_def_free(&d);
		rc = svc_load_mem("t", nonul, sizeof(nonul) - 1 - 4, &d, err, sizeof(err));
		tap_ok(rc == 0 && !strcmp(d.user, "nobody"),
		       "svc_load_mem reads exactly len bytes (User=nobody) (%s)", err);
	}
}

static void test_user_empty(void)
{
	tap_ok(load("[Service]\nExecStart=/x\nUser=\n") < 0 &&
	       !strcmp(err, "t:3: User= needs a user name"),
	       "empty User= rejected: t:3: User= needs a user name (%s)", err);
	tap_ok(load("[Service]\nExecStart=/x\nUser=   \n") < 0 &&
	       !strcmp(err, "t:3: User= needs a user name"),
	       "blank User= rejected (%s)", err);
	tap_ok(load("[Service]\nExecStart=/x\nUser=nobody\nGroup=\n") < 0 &&
	       !strcmp(err, "t:4: Group= needs a group name"),
	       "empty Group= rejected: t:4: Group= needs a group name (%s)", err);
	tap_ok(load("[Service]\nUser=\nExecStart=/x\n") < 0 && !strncmp(err, "t:2: User=", 10),
	       "empty User= before ExecStart= rejected too (%s)", err);
	tap_ok(load("[Service]\nExecStart=/x\nUser=nobody\nGroup=nogroup\n") == 0 &&
	       !strcmp(d.user, "nobody") && !strcmp(d.group, "nogroup"),
	       "non-empty User= and Group= still load");
}

/* Run svc_load_dir in a child with alarm(): a regression that blocks in
 * open() fails the test instead of hanging the suite. */
static void test_nonregular(void)
{
	char sub[128], p[256], target[256], buf[512] = "";
	int fds[2], status;
	pid_t pid;
	ssize_t r;
	size_t got = 0;

	snprintf(sub, sizeof(sub), "%s/svcdir", tdir);
	snprintf(target, sizeof(target), "%s/real-file.conf", tdir);
	if (mkdir(sub, 0700) < 0) {
		tap_diag("mkdir %s: %s", sub, strerror(errno));
		return;
	}
	put("real-file.conf", "[Service]\nExecStart=/bin/link\n", 29);
	put("svcdir/a.service", "[Service]\nExecStart=/bin/a\n", 26);
	snprintf(p, sizeof(p), "%s/fifo.service", sub);
	if (mkfifo(p, 0600) < 0)
		tap_diag("mkfifo %s: %s", p, strerror(errno));
	snprintf(p, sizeof(p), "%s/link.service", sub);
	if (symlink(target, p) < 0)
		tap_diag("symlink %s: %s", p, strerror(errno));
	snprintf(p, sizeof(p), "%s/null.service", sub);
	if (symlink("/dev/null", p) < 0)
		tap_diag("symlink %s: %s", p, strerror(errno));
	snprintf(p, sizeof(p), "%s/fifolink.service", sub);
	if (symlink("fifo.service", p) < 0)
		tap_diag("symlink %s: %s", p, strerror(errno));
	snprintf(p, sizeof(p), "%s/dir.service", sub);
	if (mkdir(p, 0700) < 0)
		tap_diag("mkdir %s: %s", p, strerror(errno));
	{
		struct sockaddr_un sa = { .sun_family = AF_UNIX };
		int s = socket(AF_UNIX, SOCK_STREAM, 0);

		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/sock.service", sub);
		if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0)
			tap_diag("bind %s: %s", sa.sun_path, strerror(errno));
		if (s >= 0)
			close(s);
	}
	if (pipe(fds) < 0) {
		tap_diag("pipe: %s", strerror(errno));
		return;
	}
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct svc_def *defs;
		char out[512];
		int n, o, rc;

		close(fds[0]);
		alarm(5);
		n = svc_load_dir(sub, &defs);
		o = snprintf(out, sizeof(out), "%d", n);
		for (int i = 0; i < n; i++)
			o += snprintf(out + o, sizeof(out) - (size_t)o, " %s", defs[i].name);
		snprintf(p, sizeof(p), "%s/fifo.service", sub);
		rc = svc_load_file(p, &d, err, sizeof(err));
		o += snprintf(out + o, sizeof(out) - (size_t)o, "|%d %s", rc, err);
		if (write(fds[1], out, (size_t)o) < 0)
			_exit(2);
		_exit(0);
	}
	close(fds[1]);
	while (pid > 0 && got < sizeof(buf) - 1 &&
	       (r = read(fds[0], buf + got, sizeof(buf) - 1 - got)) > 0)
		got += (size_t)r;
	buf[got] = '\0';
	close(fds[0]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		status = -1;
	tap_ok(status == 0, "svc_load_dir returns with a FIFO named fifo.service in the "
	       "directory (no block in open; status %#x)", status);
	tap_ok(!strncmp(buf, "2 a link|", 9),
	       "FIFO, socket, directory, /dev/null link skipped; a and the symlink to a "
	       "regular file loaded (%s)", buf);
	tap_ok(strstr(buf, "|-2 ") && strstr(buf, "fifo.service: a FIFO, not a regular file"),
	       "svc_load_file on a FIFO returns -2: a FIFO, not a regular file (%s)", buf);
}

static void test_size(void)
{
	static const char head[] = "[Service]\nExecStart=/bin/true\n";
	size_t len = SVC_FILE_MAX + 1, o;
	char *big = malloc(len + 1);
	int rc;

	if (!big) {
		tap_diag("malloc: %s", strerror(errno));
		return;
	}
	/* exactly SVC_FILE_MAX bytes: comments after a valid head */
	memcpy(big, head, sizeof(head) - 1);
	for (o = sizeof(head) - 1; o < SVC_FILE_MAX; o++)
		big[o] = (o + 1) % 100 == 0 || o == SVC_FILE_MAX - 1 ? '\n' :
			 (o % 100 == 0 || big[o - 1] == '\n') ? ';' : 'x';
	rc = load_file_bytes("max.service", big, SVC_FILE_MAX);
	tap_ok(rc == 0, "a service file of exactly 1 MiB loads (%s)", err);
	big[SVC_FILE_MAX] = '\n';
	rc = load_file_bytes("over.service", big, SVC_FILE_MAX + 1);
	tap_ok(rc < 0 && err_has("over.service", ": larger than 1048576 bytes"),
	       "a service file of 1 MiB + 1 byte is rejected: larger than 1048576 bytes (%s)",
	       err);
	svc_def_free(&d);
	rc = svc_load_mem("t", big, SVC_FILE_MAX + 1, &d, err, sizeof(err));
	tap_ok(rc < 0 && strstr(err, "t: larger than 1048576 bytes"),
	       "svc_load_mem applies the same bound (%s)", err);
	free(big);
}

static void test_timespans(void)
{
	static const struct { const char *s; double want; } good[] = {
		{ "5", 5 }, { "1.5", 1.5 }, { "0", 0 }, { "0.25", 0.25 }, { "500ms", 0.5 },
		{ "250ms", 0.25 }, { "100us", 0.0001 }, { "10s", 10 }, { "3sec", 3 },
		{ "2m", 120 }, { "2min", 120 }, { "1h", 3600 }, { "1.5h", 5400 },
		{ "1min 30s", 90 }, { "1min30s", 90 }, { "1h 2min\t3s", 3723 },
		{ "1 2", 3 }, { "1min 30", 90 }, { "315360000", SVC_SECONDS_MAX }, { "infinity", SVC_SECONDS_INFINITY },
	};
	static const char *const bad[] = {
		"0x10", "0X10", "0x", "1e3", "1E3", "9e300", "1e-3", "-1", "+5", "-0",
		"nan", "NaN", "inf", "Inf", "INFINITY", "Infinity", "infinite", "", " ",
		"5 s", "1 min", "1.", ".5", "1..5", "1.5.3", "1d", "5x", "5ss", "5secs",
		"5s garbage", "1min,30s", "1min -30s", "315360001", "5256001min",
		"87601h", "99999999999999999999999999", "1e999", "5s;", "0,5",
	};
	double v;
	const char *why;

	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		int rc = svc_parse_timespan(good[i].s, &v, &why);

		tap_ok(rc == 0 && v == good[i].want && svc_parse_seconds(good[i].s) == good[i].want,
		       "time span '%s' is %g s", good[i].s, good[i].want);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		why = NULL;
		tap_ok(svc_parse_timespan(bad[i], &v, &why) < 0 && why &&
		       svc_parse_seconds(bad[i]) == -1,
		       "time span '%s' rejected (%s)", bad[i], why ? why : "accepted");
	}
	/* through the loader: file:line and the reason */
	tap_ok(load("[Service]\nExecStart=/x\nRestartSec=0x10\n") < 0 &&
	       !strncmp(err, "t:3: RestartSec: bad time span '0x10'", 37),
	       "RestartSec=0x10 rejected with file:line (%s)", err);
	tap_ok(load("[Service]\nExecStart=/x\nTimeoutStopSec=1e3\n") < 0 &&
	       !strncmp(err, "t:3: TimeoutStopSec: bad time span '1e3'", 40),
	       "TimeoutStopSec=1e3 rejected with file:line (%s)", err);
	tap_ok(load("[Service]\nExecStart=/x\nTimeoutStartSec=9e300\n") < 0 &&
	       !strncmp(err, "t:3: TimeoutStartSec: bad time span '9e300'", 43),
	       "TimeoutStartSec=9e300 rejected with file:line (%s)", err);
	tap_ok(load("[Unit]\nStartLimitIntervalSec=11y\n[Service]\nExecStart=/x\n") < 0 &&
	       !strncmp(err, "t:2: StartLimitIntervalSec: bad time span", 41),
	       "StartLimitIntervalSec=11y rejected with file:line (%s)", err);
	tap_ok(load("[Service]\nExecStart=/x\nRestartSec=400000000\n") < 0 &&
	       strstr(err, "t:3: RestartSec:") && strstr(err, "more than 10 years"),
	       "RestartSec of more than 10 years rejected, says why (%s)", err);
	tap_ok(load("[Service]\nExecStart=/x\nRestartSec=\n") < 0 &&
	       strstr(err, "t:3: RestartSec: bad time span '': empty"),
	       "empty RestartSec= rejected (%s)", err);
	tap_ok(load("[Service]\nExecStart=/x\nRestartSec=1min 30s\nTimeoutStopSec=0\n"
		    "TimeoutStartSec=infinity\n") == 0 && d.restart_sec == 90 &&
	       d.timeout_stop_sec == SVC_SECONDS_INFINITY &&
	       d.timeout_start_sec == SVC_SECONDS_INFINITY,
	       "RestartSec=1min 30s, TimeoutStopSec=0 (no timeout, as in systemd), "
	       "TimeoutStartSec=infinity load (%s)", err);
	tap_ok(load("[Unit]\nStartLimitBurst=0x10\n[Service]\nExecStart=/x\n") < 0 &&
	       load("[Unit]\nStartLimitBurst=+5\n[Service]\nExecStart=/x\n") < 0,
	       "StartLimitBurst takes plain digits only (%s)", err);
}

/* Capture corral's log in a temporary file while fn-free code runs. */
static FILE *logcap;

static void capture_start(void)
{
	logcap = tmpfile();
	if (!logcap) {
		tap_diag("tmpfile: %s", strerror(errno));
		return;
	}
	log_set_fd(fileno(logcap));
	log_set_level(LOG_LVL_WARN);
}

/* Stop capturing; returns the number of lines, the last one in last. */
static unsigned capture_end(char *first, char *last, size_t len)
{
	char line[1024];
	unsigned n = 0;

	log_set_level(LOG_LVL_ERROR);
	log_set_fd(2);
	first[0] = last[0] = '\0';
	if (!logcap)
		return 0;
	rewind(logcap);
	while (fgets(line, sizeof(line), logcap)) {
		line[strcspn(line, "\n")] = '\0';
		if (!n++)
			snprintf(first, len, "%s", line);
		snprintf(last, len, "%s", line);
	}
	fclose(logcap);
	logcap = NULL;
	return n;
}

/* issue 12 item 1: the dependency keys real Debian units use, [Install],
 * targets */
static void test_unit_keys(void)
{
	char first[1024], last[1024];
	const char *debian =
		"[Unit]\nDescription=OpenBSD Secure Shell server\n"
		"Documentation=man:sshd(8) man:sshd_config(5)\n"
		"After=network.target auditd.service\nWants=network-online.target\n"
		"Before=multi-user.target\nPartOf=net.service\nBindsTo=dev-x.device\n"
		"Conflicts=shutdown.target\nRequisite=base.service\nDefaultDependencies=no\n"
		"ConditionPathExists=!/etc/ssh/sshd_not_to_be_run\nFrobnicate=yes\n"
		"[Service]\nExecStart=/usr/sbin/sshd -D\n"
		"[Install]\nWantedBy=multi-user.target\nRequiredBy=x.target\nAlso=y.socket\n"
		"Alias=sshd.service\nDefaultInstance=tty1\n";
	struct svc_def *defs;
	unsigned lines;
	int n;

	capture_start();
	n = load(debian);
	lines = capture_end(first, last, sizeof(first));
	tap_ok(n == 0, "an sshd-like Debian unit with every new dependency key loads (%s)", err);
	tap_ok(d.nafter == 2 && !strcmp(d.after[0], "network.target") &&
	       !strcmp(d.after[1], "auditd") &&
	       d.nrel[SVC_REL_WANTS] == 1 && !strcmp(d.rel[SVC_REL_WANTS][0], "network-online.target") &&
	       d.nrel[SVC_REL_BEFORE] == 1 && !strcmp(d.rel[SVC_REL_BEFORE][0], "multi-user.target") &&
	       d.nrel[SVC_REL_PARTOF] == 1 && !strcmp(d.rel[SVC_REL_PARTOF][0], "net") &&
	       d.nrel[SVC_REL_BINDSTO] == 1 && !strcmp(d.rel[SVC_REL_BINDSTO][0], "dev-x.device") &&
	       d.nrel[SVC_REL_CONFLICTS] == 1 &&
	       !strcmp(d.rel[SVC_REL_CONFLICTS][0], "shutdown.target") &&
	       d.nrel[SVC_REL_REQUISITE] == 1 && !strcmp(d.rel[SVC_REL_REQUISITE][0], "base"),
	       "  names kept with their unit suffix, .service dropped");
	tap_ok(d.nalias == 1 && !strcmp(d.alias[0], "sshd"), "  [Install] Alias=sshd.service -> alias sshd");
	tap_ok(lines == 1 && strstr(first, "Frobnicate"),
	       "  [Install], Documentation=, Condition*= and the dependency keys warn nothing; "
	       "only the unknown Frobnicate= does (%u lines: %s)", lines, first);
	tap_ok(!d.target, "  a .service is not a target");
	tap_ok(!d.default_deps, "  DefaultDependencies=no read");
	tap_ok(load("[Service]\nExecStart=/x\n") == 0 && d.default_deps,
	       "DefaultDependencies= is yes by default");
	tap_ok(load("[Unit]\nDefaultDependencies=maybe\n[Service]\nExecStart=/x\n") < 0 &&
	       strstr(err, "t:2: DefaultDependencies: 'maybe' is not a boolean"),
	       "DefaultDependencies= must be a boolean (%s)", err);
	tap_ok(load("[Unit]\nWants=t.service\n[Service]\nExecStart=/x\n") < 0 &&
	       strstr(err, "Wants= names the service itself"), "Wants= on itself rejected (%s)", err);
	tap_ok(load("[Unit]\nBefore=a/b\n[Service]\nExecStart=/x\n") < 0 &&
	       strstr(err, "t:2: bad unit name in Before"), "a bad name in Before= names file:line (%s)", err);
	capture_start();
	n = load("[Service]\nExecStart=/x\n[Install]\nWantedBy=multi-user.target\nBogus=1\n");
	lines = capture_end(first, last, sizeof(first));
	tap_ok(n == 0 && lines == 1 && strstr(first, "unknown key Bogus in [Install]"),
	       "an unknown [Install] key still warns (%s)", first);

	/* targets: NAME.target in the services directory */
	err[0] = '\0';
	svc_def_free(&d);
	n = svc_load_string("app.target", "[Unit]\nDescription=App\nWants=a\nAfter=a b.service\n",
			    &d, err, sizeof(err));
	tap_ok(n == 0 && d.target && !strcmp(d.name, "app.target") && d.nafter == 2 &&
	       !strcmp(d.after[1], "b"), "a [Unit]-only NAME.target loads as a target (%s)", err);
	svc_def_free(&d);
	n = svc_load_string("app.target", "[Unit]\nAfter=a\n[Service]\nExecStart=/x\n",
			    &d, err, sizeof(err));
	tap_ok(n < 0 && strstr(err, "app.target:4: a target has no [Service] section"),
	       "a target with [Service] is rejected with file:line (%s)", err);
	n = load("[Unit]\nAfter=a\n");
	tap_ok(n < 0 && strstr(err, "no ExecStart"), "a .service without ExecStart still fails (%s)", err);
	put("one.service", "[Service]\nExecStart=/x\n", strlen("[Service]\nExecStart=/x\n"));
	put("two.target", "[Unit]\nAfter=one\n", strlen("[Unit]\nAfter=one\n"));
	put("three.socket", "[Socket]\n", strlen("[Socket]\n"));
	n = svc_load_dir(tdir, &defs);
	{
		bool one = false, two = false, socket = false;

		for (int i = 0; i < n; i++) {
			one |= !strcmp(defs[i].name, "one") && !defs[i].target;
			two |= !strcmp(defs[i].name, "two.target") && defs[i].target;
			socket |= strstr(defs[i].name, "three") != NULL;
		}
		tap_ok(one && two && !socket, "the directory gives NAME.service and NAME.target, "
		       "not other unit files");
		free_defs(defs, n);
	}
	unlink(put("one.service", "", 0));
	unlink(put("two.target", "", 0));
	unlink(put("three.socket", "", 0));
}

static void test_warn_summary(void)
{
	size_t cap = 110 * 1024, o;
	char *text = malloc(cap), first[1024], last[1024], want[1024];
	unsigned keys = 0, lines;
	int rc;

	if (!text) {
		tap_diag("malloc: %s", strerror(errno));
		return;
	}
	o = (size_t)snprintf(text, cap, "[Service]\nExecStart=/bin/true\n");
	while (o < 100 * 1024) {
		o += (size_t)snprintf(text + o, cap - o, "Unknown%05u=1\n", keys);
		keys++;
	}
	capture_start();
	rc = load_file_bytes("many-unknown.service", text, o);
	lines = capture_end(first, last, sizeof(first));
	tap_ok(rc == 0, "100 KB of unknown keys (%u) still loads (%s)", keys, err);
	tap_is_int(lines, SVC_WARN_LINES + 1,
		   "%u unknown keys print %d warning lines and one summary, not %u lines",
		   keys, SVC_WARN_LINES, keys);
	snprintf(want, sizeof(want), "corral: warning: %s/many-unknown.service:3: unknown key "
		 "Unknown00000 in [Service]; ignored", tdir);
	tap_is_str(first, want, "the first warnings still name file:line and the key");
	snprintf(want, sizeof(want), "corral: warning: %s/many-unknown.service: ... and %u "
		 "more unknown keys; ignored", tdir, keys - SVC_WARN_LINES);
	tap_is_str(last, want, "summary line: file: ... and N more unknown keys");

	/* unknown sections count alike; the budget is per file */
	capture_start();
	rc = load("[Service]\nExecStart=/x\n[A]\na=1\n[B]\nb=1\nc=1\nd=1\ne=1\nf=1\ng=1\n");
	svc_def_free(&d);
	rc |= svc_load_string("u", "[Service]\nExecStart=/x\nOne=1\n", &d, err, sizeof(err));
	lines = capture_end(first, last, sizeof(first));
	tap_ok(rc == 0 && lines == SVC_WARN_LINES + 2 &&
	       !strcmp(first, "corral: warning: t:4: unknown section [A]; ignored") &&
	       !strcmp(last, "corral: warning: u:3: unknown key One in [Service]; ignored"),
	       "unknown sections share the budget; the next file gets its own (%u lines, %s)",
	       lines, last);

	/* the inline-comment warning is bounded the same way */
	o = (size_t)snprintf(text, cap, "[Unit]\n");
	for (unsigned i = 0; i < 1000; i++)
		o += (size_t)snprintf(text + o, cap - o, "Description=a ;b\n");
	o += (size_t)snprintf(text + o, cap - o, "[Service]\nExecStart=/x\n");
	capture_start();
	svc_def_free(&d);
	rc = svc_load_mem("t", text, o, &d, err, sizeof(err));
	lines = capture_end(first, last, sizeof(first));
	tap_ok(rc == 0 && lines == SVC_WARN_LINES + 1 &&
	       !strcmp(last, "corral: warning: t: ... and 995 more warnings"),
	       "1000 ' ;' inline-comment warnings print %d lines and a summary (%u, %s)",
	       SVC_WARN_LINES, lines, last);
	free(text);
}

/* The fuzz seeds are the files: each must keep failing (or
 * loading) for its reason, or the corpus stops covering it. */
static void test_corpus(void)
{
	static const struct { const char *file, *want; } seeds[] = {
		{ "nul-user.service", ":5: NUL byte" },
		{ "nul-exec.service", ":2: NUL byte" },
		{ "nul-value.service", ":3: NUL byte" },
		{ "empty-user.service", ":4: User= needs a user name" },
		{ "empty-group.service", ":4: Group= needs a group name" },
		{ "hex-time.service", ":4: RestartSec: bad time span '0x10'" },
		{ "exp-time.service", ":4: RestartSec: bad time span '1e3'" },
		{ "huge-time.service", ":3: TimeoutStopSec: bad time span '9e300'" },
		{ "over-10-years.service", ":3: TimeoutStopSec: bad time span '400000000'" },
		{ "neg-time.service", ":3: RestartSec: bad time span '-1'" },
		{ "nan-time.service", ":3: RestartSec: bad time span 'nan'" },
		{ "trailing-time.service", ":3: RestartSec: bad time span '5s garbage'" },
		{ "long-line.service", NULL },	/* loads whole since issue 12 */
		{ "full.service", NULL },
		{ "sum-time.service", NULL },
		{ "many-unknown.service", NULL },
		{ "inline-comment.service", NULL },
		{ "unknown-section.service", NULL },
	};
	const char *dir = "tests/fuzz/corpus/service";

	for (size_t i = 0; i < sizeof(seeds) / sizeof(*seeds); i++) {
		char path[256], want[512];
		int rc;

		snprintf(path, sizeof(path), "%s/%s", dir, seeds[i].file);
		err[0] = '\0';
		svc_def_free(&d);
		rc = svc_load_file(path, &d, err, sizeof(err));
		if (!seeds[i].want) {
			tap_ok(rc == 0, "seed %s loads (%s)", seeds[i].file, err);
			continue;
		}
		snprintf(want, sizeof(want), "%s%s", path, seeds[i].want);
		tap_ok(rc == -1 && !strncmp(err, want, strlen(want)),
		       "seed %s rejected: %s (%s)", seeds[i].file, seeds[i].want, err);
	}
}

/* ---- issue 11: no fixed caps in a definition ---- */

/* Append printf output to a growing text (a test's service file). */
static void cat(char **text, size_t *len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void cat(char **text, size_t *len, const char *fmt, ...)
{
	va_list ap;
	char *add = NULL, *nt;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&add, fmt, ap);
	va_end(ap);
	if (n < 0 || !(nt = realloc(*text, *len + (size_t)n + 1))) {
		tap_diag("out of memory");
		exit(2);
	}
	memcpy(nt + *len, add, (size_t)n + 1);
	*text = nt;
	*len += (size_t)n;
	free(add);
}

static void test_no_caps(void)
{
	char *text = NULL;
	size_t len = 0;
	bool ok;
	int rc;

	/* 100 After= names (the old cap was 16), 38 to a line so each line
	 * stays within what libinih takes; 40 Requires=, 12 to a line */
	cat(&text, &len, "[Unit]\n");
	for (int i = 0; i < 100; i++)
		cat(&text, &len, "%s%s%03d%s", i % 38 ? "" : "After=", "s", i,
		    i % 38 == 37 || i == 99 ? "\n" : " ");
	for (int i = 0; i < 40; i++)
		cat(&text, &len, "%sr%03d%s", i % 12 ? "" : "Requires=", i,
		    i % 12 == 11 || i == 39 ? ".service\n" : ".service ");
	/* 200 Environment= entries (the old cap was 32), 15 to a line */
	cat(&text, &len, "[Service]\n");
	for (int i = 0; i < 200; i++)
		cat(&text, &len, "%sV%03d=%d%s", i % 15 ? "" : "Environment=", i, i * 7,
		    i % 15 == 14 || i == 199 ? "\n" : " ");
	/* ExecStart= with 93 arguments: the most one 199-byte line holds
	 * (the old cap was 64) */
	cat(&text, &len, "ExecStart=/x");
	for (int i = 0; i < 93; i++)
		cat(&text, &len, " %c", 'a' + i % 26);
	cat(&text, &len, "\n");
	rc = load(text);
	tap_ok(rc == 0, "a file with 100 After=, 40 Requires=, 200 Environment= entries "
	       "and 93 ExecStart= arguments loads (%s)", err);
	ok = rc == 0 && d.nafter == 100;
	for (unsigned i = 0; ok && i < 100; i++) {
		char want[8];

		snprintf(want, sizeof(want), "s%03u", i);
		ok = !strcmp(d.after[i], want);
	}
	tap_ok(ok, "all 100 After= names kept, in order (%u)", d.nafter);
	ok = rc == 0 && d.nrequires == 40;
	for (unsigned i = 0; ok && i < 40; i++) {
		char want[8];

		snprintf(want, sizeof(want), "r%03u", i);
		ok = !strcmp(d.requires[i], want);
	}
	tap_ok(ok, "all 40 Requires= names kept, .service stripped (%u)", d.nrequires);
	ok = rc == 0 && d.nenv == 200;
	for (unsigned i = 0; ok && i < 200; i++) {
		char want[32];

		snprintf(want, sizeof(want), "V%03u=%u", i, i * 7);
		ok = !strcmp(d.env[i], want);
	}
	tap_ok(ok, "all 200 Environment= entries kept, in order (%u)", d.nenv);
	ok = rc == 0 && d.argc == 94 && !strcmp(d.argv[0], "/x") && !d.argv[94];
	for (int i = 0; ok && i < 93; i++)
		ok = d.argv[i + 1][0] == 'a' + i % 26 && !d.argv[i + 1][1];
	tap_ok(ok, "ExecStart= split into 94 words, NULL-terminated (%d)", d.argc);
	free(text);

	/* systemd's rule: a later assignment of a name replaces the earlier */
	rc = load("[Service]\nExecStart=/x\nEnvironment=A=1 B=2 AB=3\nEnvironment=A=4 \"B=5 6\"\n"
		  "Environment=C=7 A=8\n");
	tap_ok(rc == 0 && d.nenv == 4 && !strcmp(d.env[0], "AB=3") && !strcmp(d.env[1], "B=5 6") &&
	       !strcmp(d.env[2], "C=7") && !strcmp(d.env[3], "A=8"),
	       "Environment=: one entry per name, the last one wins, a prefix is another name "
	       "(%u: %s %s %s %s)", d.nenv, d.nenv > 0 ? d.env[0] : "", d.nenv > 1 ? d.env[1] : "",
	       d.nenv > 2 ? d.env[2] : "", d.nenv > 3 ? d.env[3] : "");

	/* the splitter itself has no cap on words or on their length */
	{
		char *cmd = NULL, **argv;
		size_t clen = 0;
		const char *why = NULL;
		int n;

		cat(&cmd, &clen, "/bin/prog");
		for (int i = 0; i < 150; i++)
			cat(&cmd, &clen, " arg%d", i);
		cat(&cmd, &clen, " '");
		for (int i = 0; i < 2000; i++)
			cat(&cmd, &clen, "%c", 'a' + i % 26);
		cat(&cmd, &clen, "'");
		n = split(cmd, &argv, &why);
		ok = n == 152 && !argv[152] && !strcmp(argv[150], "arg149") && strlen(argv[151]) == 2000;
		tap_ok(ok, "svc_split_argv: 150 arguments and a 2000-byte one, nothing cut (%d)", n);
		if (n > 0)
			free(argv);
		free(cmd);
	}
}

/* 300 service files (the old scan stopped at 256 entries, and PID 1's
 * array at 128): all loaded, sorted by name. */
static void test_dir_300(void)
{
	char sub[128], p[256];
	struct svc_def *defs = NULL;
	int n;
	bool ok;

	snprintf(sub, sizeof(sub), "%s/many", tdir);
	if (mkdir(sub, 0700) < 0) {
		tap_diag("mkdir %s: %s", sub, strerror(errno));
		return;
	}
	/* written in reverse so the directory order is not the sorted one */
	for (int i = 299; i >= 0; i--) {
		char body[128];
		int blen = snprintf(body, sizeof(body), "[Service]\nExecStart=/bin/sleep %d\n", i);

		snprintf(p, sizeof(p), "many/svc%03d.service", i);
		put(p, body, (size_t)blen);
	}
	put("many/README", "not a service\n", 14);
	put("many/.hidden.service", "[Service]\nExecStart=/x\n", 23);
	n = svc_load_dir(sub, &defs);
	tap_is_int(n, 300, "a directory of 300 service files: all 300 loaded");
	ok = n == 300;
	for (int i = 0; ok && i < 300; i++) {
		char want[16], arg[16];

		snprintf(want, sizeof(want), "svc%03d", i);
		snprintf(arg, sizeof(arg), "%d", i);
		ok = !strcmp(defs[i].name, want) && defs[i].argc == 2 && !strcmp(defs[i].argv[1], arg);
	}
	tap_ok(ok, "sorted by name, each with its own ExecStart=");
	free_defs(defs, n);
}

/* Ownership: a definition moves by copying the struct; freeing is
 * idempotent; a failed load leaves the definition empty. */
static void test_ownership(void)
{
	struct svc_def copy;

	tap_ok(load("[Unit]\nDescription=moved\nAfter=x\n[Service]\nExecStart=/bin/a b\n"
		    "Environment=K=v\nUser=nobody\n") == 0, "load (%s)", err);
	memcpy(&copy, &d, sizeof(copy));
	memset(&d, 0xa5, sizeof(d));	/* nothing may point into the struct */
	tap_ok(!strcmp(copy.description, "moved") && !strcmp(copy.after[0], "x") &&
	       copy.argc == 2 && !strcmp(copy.argv[1], "b") && !strcmp(copy.env[0], "K=v") &&
	       !strcmp(copy.user, "nobody") && !strcmp(copy.grp_name, "t"),
	       "a definition moved by struct copy keeps every string and list");
	memset(&d, 0, sizeof(d));
	svc_def_free(&copy);
	tap_ok(!copy.argv && !copy.env && !copy.after && !copy.file && copy.nenv == 0,
	       "svc_def_free leaves the definition empty");
	svc_def_free(&copy);	/* a second free is harmless (ASan would say) */
	tap_ok(load("[Service]\nExecStart=/x\nEnvironment=A=1\nUser=\n") < 0 && !d.env && !d.argv &&
	       !d.file && d.nenv == 0, "a failed load leaves nothing allocated in def (%s)", err);
	tap_ok(load("[Service]\nExecStart=/x\n") == 0 && d.description && !*d.description &&
	       !*d.user && !*d.group && !*d.workdir && !*d.grp_parent && !d.nenv && !d.env,
	       "unset strings are \"\" (never NULL), unset lists empty");
}

/* ---- leading whitespace: no continuation lines ---- */

static void test_indent(void)
{
	static const struct { const char *text, *want; } bad[] = {
		/* the report: Debian's libinih (INI_ALLOW_MULTILINE) handed
		 * "root" to User= again, so the service ran as root */
		{ "[Service]\nExecStart=/bin/true\nUser=nobody\n  root\n", "t:4: syntax error" },
		{ "[Service]\nExecStart=/bin/true\nUser=nobody\n\troot\n", "t:4: syntax error" },
		{ "[Service]\nExecStart=/bin/true\nUser=nobody\n\froot\n", "t:4: syntax error" },
		{ "[Service]\nExecStart=/bin/true\nUser=nobody\n\vroot\n", "t:4: syntax error" },
		{ "[Service]\nExecStart=/bin/true\nUser=nobody\n\r root\n", "t:4: syntax error" },
		/* a continuation of ExecStart= used to be "given twice" at best */
		{ "[Service]\nExecStart=/bin/echo\n   --flag\n", "t:3: syntax error" },
	};
	int rc;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		rc = load(bad[i].text);
		tap_ok(rc < 0 && !strncmp(err, bad[i].want, strlen(bad[i].want)),
		       "indented word after a key is a line of its own: %s (user '%s')", err,
		       rc == 0 ? d.user : "-");
	}
	rc = load_file_bytes("indent.service", "[Service]\nExecStart=/bin/true\nUser=nobody\n  root\n", 48);
	tap_ok(rc < 0 && err_has("indent.service", ":4: syntax error"),
	       "the same through a real file (%s)", err);
	/* an indented key=value is that key, not the value of the key above */
	rc = load("[Unit]\nDescription=web\n  After=db\n[Service]\nExecStart=/bin/true\n"
		  "Environment=A=1\n\tUser=nobody\n");
	tap_ok(rc == 0 && !strcmp(d.user, "nobody") && !strcmp(d.description, "web") &&
	       d.nafter == 1 && !strcmp(d.after[0], "db") && d.nenv == 1 && !strcmp(d.env[0], "A=1"),
	       "indented User= and After= are those keys (user '%s', description '%s') (%s)",
	       d.user, d.description, err);
	/* an indented section header is a section, comments and blank lines
	 * stay what they are */
	rc = load("[Unit]\nDescription=x\n  [Service]\n  ; a comment\n \t \nExecStart=/bin/true\n"
		  "   # another\n");
	tap_ok(rc == 0 && !strcmp(d.description, "x") && d.argc == 1,
	       "indented [Service], indented comments and blank lines (%s)", err);
	/* the line limit is on the line as written, indentation included */
	{
		char text[512], line[300];

		memset(line, ' ', 150);
		snprintf(line + 150, sizeof(line) - 150, "Description=%s", "0123456789012345678901234567890123456");
		snprintf(text, sizeof(text), "[Unit]\n%s\n[Service]\nExecStart=/x\n", line);
		tap_ok(strlen(line) == 199 && load(text) == 0, "a 199-byte indented line loads (%s)", err);
		strcat(line, "7");
		snprintf(text, sizeof(text), "[Unit]\n%s\n[Service]\nExecStart=/x\n", line);
		tap_ok(load(text) == 0 && strlen(d.description) == 38,
		       "a 200-byte indented line loads too (%s)", err);
	}
}

int main(void)
{
	log_set_level(LOG_LVL_ERROR);
	test_argv();
	test_full();
	test_errors();
	test_long_lines();
	test_exec_lines();
	test_dir();
	test_seconds();
	test_ctl();
	snprintf(tdir, sizeof(tdir), "/tmp/corral-svc9-XXXXXX");
	if (!mkdtemp(tdir)) {
		tap_ok(0, "mkdtemp %s: %s", tdir, strerror(errno));
	} else {
		char rm[128];

		test_nul();
		test_user_empty();
		test_nonregular();
		test_size();
		test_timespans();
		test_warn_summary();
		test_corpus();
		test_no_caps();
		test_dir_300();
		test_ownership();
		test_indent();
		test_unit_keys();
		snprintf(rm, sizeof(rm), "rm -rf '%s'", tdir);
		if (system(rm) != 0)
			tap_diag("cleanup of %s failed", tdir);
	}
	return tap_done();
}
