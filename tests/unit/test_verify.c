/*
 * tests/unit/test_verify.c - initctl verify / corral --verify
 * (services/verify.c): files loaded as corral loads them, every warning
 * collected (none capped, none logged), what will run described in text
 * and JSON, the exit status.  Pure: temporary files, no processes.
 */
#include "../../services/services.h"
#include "../../services/verify.h"
#include "../../lib/log.h"
#include "tap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/corral-verify.XXXXXX";

static char *file(const char *name, const char *text)
{
	static char path[8][256];
	static unsigned next;
	char *p = path[next++ % 8];
	FILE *f;

	snprintf(p, sizeof(path[0]), "%s/%s", dir, name);
	f = fopen(p, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(p);
		exit(1);
	}
	return p;
}

/* svc_verify over files into a string (free it); *rc its result */
static char *run(int *rc, bool json, int n, ...)
{
	char *files[8], *buf = NULL;
	size_t len = 0;
	va_list ap;
	FILE *f = open_memstream(&buf, &len);

	va_start(ap, n);
	for (int i = 0; i < n; i++)
		files[i] = va_arg(ap, char *);
	va_end(ap);
	*rc = svc_verify(f, files, n, json);
	fclose(f);
	return buf;
}

static int has(const char *out, const char *s)
{
	if (strstr(out, s))
		return 1;
	tap_diag("missing '%s' in:\n%s", s, out);
	return 0;
}

/* one line of the text form: "  LABEL" padded to 16, then the value */
static int has_line(const char *out, const char *label, const char *value)
{
	char want[512];

	snprintf(want, sizeof(want), "\n  %-16s%s\n", label, value);
	return has(out, want);
}

static unsigned count(const char *out, const char *s)
{
	unsigned n = 0;

	for (const char *p = out; (p = strstr(p, s)); p += strlen(s))
		n++;
	return n;
}

static void test_text(void)
{
	char *good = file("web.service",
		"[Unit]\nDescription=the web\nAfter=db net.target\nRequires=db.service\n"
		"[Service]\nType=notify\nExecStart=/bin/echo \"a b\" 'it''s' c\n"
		"User=nobody\nWorkingDirectory=/srv\nEnvironment=A=1 \"B=x y\"\n"
		"Restart=on-failure\nTimeoutStopSec=1min 30s\nTimeoutStartSec=infinity\n"
		"LimitNOFILE=1024:4096\n"
		"[Group]\nParent=apps\nAllowedCPUs=0\nTasksMax=16\n");
	int rc;
	char *out = run(&rc, false, 1, good);

	tap_ok(rc == 0, "a file that loads: result 0");
	tap_ok(has(out, ": loaded\n") && has(out, "the web"), "says loaded, with the description");
	tap_ok(has_line(out, "ExecStart:", "/bin/echo 'a b' its c"),
	       "ExecStart as the argv that runs, quoted where a word needs it");
	tap_ok(has_line(out, "user:", "nobody") && has_line(out, "working dir:", "/srv"),
	       "user and working directory");
	tap_ok(has(out, "notify (running at READY=1)") && has(out, "on-failure"),
	       "type and restart policy");
	tap_ok(has_line(out, "stop timeout:", "90 s") && has_line(out, "start timeout:", "infinity"),
	       "timeouts resolved (1min 30s; infinity)");
	tap_ok(has_line(out, "environment:", "A=1 'B=x y'"), "environment");
	tap_ok(has_line(out, "LimitNOFILE:", "1024:4096"), "LimitNOFILE");
	tap_ok(has_line(out, "cgroup:", "apps/web") && has_line(out, "  cpuset.cpus:", "0") &&
	       has_line(out, "  numtasks.max:", "16"), "the group's path and limits");
	tap_ok(has_line(out, "After:", "db net.target") && has_line(out, "Requires:", "db"),
	       "dependencies");
	tap_ok(has(out, "1 file: 1 loaded, 0 rejected\n"), "summary line");
	free(out);
}

static void test_rejected_and_warnings(void)
{
	char *bad = file("bad.service", "[Service]\nExecStart=/bin/true\nType=sometimes\n");
	char *noisy = file("noisy.service",
		"[Unit]\nK1=a\nK2=a\nK3=a\nK4=a\n[Service]\nExecStart=/bin/true\n"
		"K5=a\nK6=a\nK7=a\nK8=a\n");
	char logpath[300], logbuf[64] = "";
	int rc, fd;
	char *out;
	FILE *lf;

	/* the loader must say nothing on the log while verify collects */
	snprintf(logpath, sizeof(logpath), "%s/log", dir);
	fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	log_set_fd(fd);
	out = run(&rc, false, 2, bad, noisy);
	log_set_fd(2);
	close(fd);
	lf = fopen(logpath, "r");
	tap_ok(lf && fgets(logbuf, sizeof(logbuf), lf) == NULL,
	       "nothing logged while verifying (got '%s')", logbuf);
	if (lf)
		fclose(lf);

	tap_ok(rc == 1, "one rejected file: result 1");
	tap_ok(has(out, "bad.service: rejected\n") &&
	       has(out, "bad.service:3: Type: 'sometimes' is not"),
	       "rejected, with the loader's error at file:line");
	tap_ok(has(out, "noisy.service: loaded\n"), "the other file still loads");
	tap_ok(count(out, "\n  ignored:        ") == 8 && has(out, "noisy.service:11: unknown key K8"),
	       "all 8 unknown keys listed with their lines, not capped at %d", SVC_WARN_LINES);
	tap_ok(!strstr(out, "more unknown keys"), "no summary line instead of keys");
	tap_ok(has(out, "2 files: 1 loaded, 1 rejected\n"), "summary counts both");
	tap_ok(svc_warn_hook == NULL, "the loader's warning hook is unset afterwards");
	free(out);

	/* after verify the loader logs again, capped as before */
	{
		struct svc_def d;
		char err[300];

		fd = open(logpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		log_set_fd(fd);
		rc = svc_load_file(noisy, &d, err, sizeof(err));
		log_set_fd(2);
		close(fd);
		svc_def_free(&d);
		lf = fopen(logpath, "r");
		rc = 0;
		while (lf && fgets(logbuf, sizeof(logbuf), lf))
			rc += logbuf[strlen(logbuf) - 1] == '\n';
		if (lf)
			fclose(lf);
		tap_ok(rc == SVC_WARN_LINES + 1, "corral's own load still logs %d lines and a "
		       "summary (got %d)", SVC_WARN_LINES, rc);
	}
}

static void test_json(void)
{
	char *good = file("j.service",
		"[Service]\nExecStart=/bin/echo \"a \\\"q\\\" b\" c\nUser=nobody\nFoo=1\n");
	char *bad = file("k.service", "[Service]\nExecStart=\"/bin/true\n");
	int rc;
	char *out = run(&rc, true, 2, good, bad);

	tap_ok(rc == 1, "JSON: result 1 with a rejected file");
	tap_ok(has(out, "{\"files\":[{\"file\":") && has(out, "],\"loaded\":1,\"rejected\":1}\n"),
	       "one object: files, loaded and rejected counts");
	tap_ok(has(out, "\"exec\":[{\"key\":\"ExecStart\",\"argv\":[\"/bin/echo\",\"a \\\"q\\\" b\","
		   "\"c\"]}]"), "exec lines as key and argv array, escaped");
	tap_ok(has(out, "\"user\":\"nobody\",\"group\":null"), "unset group is null");
	tap_ok(has(out, "{\"kind\":\"ignored\",\"line\":4,\"text\":\"unknown key Foo in [Service]; "
		   "ignored\"}"), "an ignored key as kind, line, text");
	tap_ok(has(out, "\"loaded\":false,\"error\":\"") && has(out, "k.service:2: ExecStart:"),
	       "a rejected file: loaded false and its error");
	tap_ok(has(out, "\"timeout_start_sec\":null,\"timeout_stop_sec\":10"),
	       "start timeout null where nothing waits for it; stop timeout a number");
	free(out);
}

static void test_main(void)
{
	char *good = file("m.service", "[Service]\nExecStart=/bin/true\n");
	char *a1[] = { "--frob", good }, *a2[] = { "--json" }, *a3[] = { "--", good };
	int saved = dup(1), saved_err = dup(2), null = open("/dev/null", O_WRONLY);

	/* the report goes to stdout: keep TAP clean */
	fflush(stdout);
	fflush(stderr);
	dup2(null, 1);
	dup2(null, 2);
	int r1 = svc_verify_main("test", 2, a1, false);
	int r2 = svc_verify_main("test", 1, a2, false);
	int r3 = svc_verify_main("test", 0, NULL, false);
	int r4 = svc_verify_main("test", 2, a3, false);
	fflush(stdout);
	fflush(stderr);
	dup2(saved, 1);
	dup2(saved_err, 2);
	close(saved);
	close(saved_err);
	close(null);
	tap_ok(r1 == 2, "unknown option: exit 2");
	tap_ok(r2 == 2 && r3 == 2, "no file: exit 2");
	tap_ok(r4 == 0, "-- ends the options; a good file: exit 0");
}

int main(void)
{
	char cmd[100];

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_text();
	test_rejected_and_warnings();
	test_json();
	test_main();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		tap_diag("could not remove %s", dir);
	return tap_done();
}
