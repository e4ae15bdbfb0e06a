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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static struct svc_def d;
static char err[600];

static int load(const char *text)
{
	err[0] = '\0';
	return svc_load_string("t", text, &d, err, sizeof(err));
}

static void test_argv(void)
{
	char buf[256], *argv[8];
	const char *why = NULL;
	int n;

	n = svc_split_argv("/bin/sh -c 'echo \"hi there\"; exit 3'", buf, sizeof(buf), argv, 7, &why);
	tap_ok(n == 3 && !strcmp(argv[0], "/bin/sh") && !strcmp(argv[2], "echo \"hi there\"; exit 3"),
	       "single quotes keep double quotes and spaces");
	n = svc_split_argv("a \"b c\" d\\ e \"\" 'x\\y'", buf, sizeof(buf), argv, 7, &why);
	tap_ok(n == 5 && !strcmp(argv[1], "b c") && !strcmp(argv[2], "d e") && !strcmp(argv[3], "") &&
	       !strcmp(argv[4], "x\\y"), "double quotes, backslash, empty arg, literal in single quotes");
	n = svc_split_argv("  spaced\targs  ", buf, sizeof(buf), argv, 7, &why);
	tap_ok(n == 2 && !strcmp(argv[1], "args"), "leading/trailing blanks and tabs");
	tap_ok(svc_split_argv("echo 'open", buf, sizeof(buf), argv, 7, &why) < 0 &&
	       !strcmp(why, "unbalanced quote"), "unbalanced quote rejected");
	tap_ok(svc_split_argv("a b c d e f g h", buf, sizeof(buf), argv, 7, &why) < 0,
	       "too many arguments rejected");
	tap_ok(svc_split_argv("   ", buf, sizeof(buf), argv, 7, &why) < 0, "empty command rejected");
	tap_ok(svc_split_argv("x \\", buf, sizeof(buf), argv, 7, &why) < 0, "trailing backslash rejected");
	tap_ok(svc_split_argv("$HOME *", buf, sizeof(buf), argv, 7, &why) == 2 &&
	       !strcmp(argv[0], "$HOME") && !strcmp(argv[1], "*"), "nothing is expanded");
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
	svc_def_fixup(&d);
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
	tap_ok(!strcmp(d.limits.cpus, "0-1") && !strcmp(d.limits.mems, "0") &&
	       d.limits.numtasks_max == 64, "limits incl. systemd aliases");
	tap_ok(!d.notify_on_release, "notify_on_release=no");

	rc = load("[Service]\nExecStart=/bin/true\n");
	tap_ok(rc == 0 && d.type == SVC_TYPE_SIMPLE && d.restart == SVC_RESTART_NO &&
	       !strcmp(d.grp_name, "t") && d.notify_on_release &&
	       d.limits.numtasks_max == GRP_NUMTASKS_UNSET && d.start_limit_burst == 5,
	       "defaults: simple, no restart, own group named after the service, notify on");
	rc = load("[Service]\nExecStart=/bin/true\n[Group]\nnumtasks.max=max\nAllowedCPUs=3\n");
	tap_ok(rc == 0 && d.limits.numtasks_max == GRP_NUMTASKS_MAX && !strcmp(d.limits.cpus, "3"),
	       "numtasks.max=max and AllowedCPUs");
}

static void test_errors(void)
{
	static const struct { const char *text, *want; } bad[] = {
		{ "[Service]\nType=idle\nExecStart=/x\n", "t:2: Type: 'idle'" },
		{ "[Service]\nExecStart=/x\nRestart=sometimes\n", "t:3: Restart" },
		{ "[Unit]\nStartLimitBurst=33\n[Service]\nExecStart=/x\n", "t:2: StartLimitBurst: '33' is not 1..32" },
		{ "[Service]\nExecStart=/x 'open\n", "t:2: ExecStart: unbalanced quote" },
		{ "[Service]\nExecStart=/x\nExecStart=/y\n", "t:3: ExecStart given twice" },
		{ "[Service]\nExecStart=/x\nRestartSec=soon\n", "t:3: RestartSec: bad time span" },
		{ "[Service]\nExecStart=/x\nWorkingDirectory=srv\n", "t:3: WorkingDirectory" },
		{ "[Service]\nExecStart=/x\nEnvironment=NOEQUALS\n", "t:3: Environment" },
		{ "[Service]\nExecStart=/x\n[Group]\ncpuset.cpus=0-\n", "t:4: cpuset.cpus: bad cpu list" },
		{ "[Service]\nExecStart=/x\n[Group]\nTasksMax=15%\n", "t:4: TasksMax" },
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

	/* 199 bytes of content is what libinih holds: accepted */
	memset(arg, 'a', sizeof(arg));
	arg[199 - strlen("ExecStart=/bin/echo ")] = '\0';
	snprintf(text, sizeof(text), "[Service]\nExecStart=/bin/echo %s\n", arg);
	tap_ok(load(text) == 0, "a 199-byte line is accepted (%s)", err);
	svc_def_fixup(&d);
	tap_is_int(strlen(d.argv[1]), 199 - strlen("ExecStart=/bin/echo "), "and kept whole");
	/* one more byte: libinih would split it and parse the tail as a key */
	arg[200 - strlen("ExecStart=/bin/echo ")] = '\0';
	memset(arg, 'a', 200 - strlen("ExecStart=/bin/echo "));
	snprintf(text, sizeof(text), "[Service]\nExecStart=/bin/echo %s\n", arg);
	tap_ok(load(text) < 0 && strstr(err, "t:2: line longer than 199"),
	       "a 200-byte line rejects the file (%s)", err);
	snprintf(text, sizeof(text), "[Service]\nExecStart=/bin/true\n; %s%s\n", arg, arg);
	tap_ok(load(text) < 0 && strstr(err, "t:3:"), "even in a comment, with its line number");
	snprintf(text, sizeof(text), "[Service]\nExecStart=/bin/true\nRestart=no");
	tap_ok(load(text) == 0 && d.restart == SVC_RESTART_NO, "last line without newline");
}

static void test_dir(void)
{
	char dir[] = "/tmp/corral-svc-XXXXXX", p[128];
	struct svc_def defs[4];
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
	n = svc_load_dir(dir, defs, 4);
	tap_is_int(n, 2, "a bad file fails alone; unknown keys and sections only warn");
	tap_ok(n == 2 && !strcmp(defs[0].name, "a") && !strcmp(defs[1].name, "b") &&
	       !strcmp(defs[0].argv[1], "--flag"), "loaded sorted by name, argv usable");
	tap_ok(svc_load_dir("/nonexistent-corral", defs, 4) < 0, "missing directory reported");
	{
		struct svc_def shipped[16];
		int m = svc_load_dir("conf/services", shipped, 16);
		DIR *cd = opendir("conf/services");
		struct dirent *de;
		int files = 0;

		while (cd && (de = readdir(cd)))
			files += strstr(de->d_name, ".service") != NULL;
		if (cd)
			closedir(cd);
		tap_ok(m > 0 && m == files, "every shipped example in conf/services loads (%d of %d)",
		       m, files);
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

int main(void)
{
	log_set_level(LOG_LVL_ERROR);
	test_argv();
	test_full();
	test_errors();
	test_long_lines();
	test_dir();
	test_seconds();
	test_ctl();
	return tap_done();
}
