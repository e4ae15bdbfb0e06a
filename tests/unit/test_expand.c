/*
 * tests/unit/test_expand.c - EnvironmentFile= parsing, $VAR expansion in
 * command lines, %-specifiers and template instances; pure, no processes.
 */
#include "../../services/services.h"
#include "../../lib/log.h"
#include "tap.h"

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/test_expand.XXXXXX";

/* ---- log capture: warnings land in a temporary file ---- */
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

/* Everything logged since capture_start(), in buf. */
static void capture_end(char *buf, size_t len)
{
	size_t n = 0;

	log_set_level(LOG_LVL_ERROR);
	log_set_fd(2);
	buf[0] = '\0';
	if (!logcap)
		return;
	rewind(logcap);
	n = fread(buf, 1, len - 1, logcap);
	buf[n] = '\0';
	for (char *p = buf; *p; p++)	/* one TAP line each */
		if (*p == '\n')
			*p = ' ';
	fclose(logcap);
	logcap = NULL;
}

/* The value of name in v, or NULL. */
static const char *get(const struct svc_vars *v, const char *name)
{
	size_t n = strlen(name);

	for (unsigned i = 0; i < v->n; i++)
		if (!strncmp(v->v[i], name, n) && v->v[i][n] == '=')
			return v->v[i] + n + 1;
	return NULL;
}

static int parse(const char *text, struct svc_vars *v, char *log, size_t loglen)
{
	int rc;

	memset(v, 0, sizeof(*v));
	capture_start();
	rc = svc_envfile_parse("f", text, strlen(text), v);
	capture_end(log, loglen);
	return rc;
}

static void test_envfile(void)
{
	struct svc_vars v;
	char log[4096];
	const char *x;

	tap_ok(parse("# comment\n; also\n\nA=1\n  B = two words  \nC=\n", &v, log, sizeof(log)) == 0 &&
	       v.n == 3 && !strcmp(get(&v, "A"), "1") && !strcmp(get(&v, "B"), "two words") &&
	       !strcmp(get(&v, "C"), "") && !*log,
	       "comments, blank lines, blanks around key and value, empty value");
	svc_vars_free(&v);
	parse("S='a \"b\" $c\\d'\nD=\"x \\\"y\\\" \\$z \\n \\\\\"\n", &v, log, sizeof(log));
	tap_ok(v.n == 2 && !strcmp(get(&v, "S"), "a \"b\" $c\\d") &&
	       !strcmp(get(&v, "D"), "x \"y\" $z \\n \\"),
	       "single quotes verbatim; double quotes unescape \\\" \\$ \\\\ and keep \\n (%s|%s)",
	       get(&v, "S"), get(&v, "D"));
	svc_vars_free(&v);
	parse("L=one \\\n  two\nQ=\"multi\nline\"\nR='a'\"b\"c\nU=x \"y\" z\\ \n", &v, log, sizeof(log));
	tap_ok(v.n == 4 && !strcmp(get(&v, "L"), "one   two") && !strcmp(get(&v, "Q"), "multi\nline") &&
	       !strcmp(get(&v, "R"), "abc") && !strcmp(get(&v, "U"), "x \"y\" z "),
	       "backslash-newline joins; quoted newline kept; 'a'\"b\"c joins; a later quote is "
	       "a character; an escaped blank at the end stays (%s|%s|%s)",
	       get(&v, "L"), get(&v, "R"), get(&v, "U"));
	svc_vars_free(&v);
	parse("GOOD=1\nno equals here\n1BAD=x\nexport EXP=yes\nALSO BAD=2\nLAST=ok", &v, log,
	      sizeof(log));
	tap_ok(v.n == 3 && get(&v, "GOOD") && !strcmp(get(&v, "EXP"), "yes") &&
	       !strcmp(get(&v, "LAST"), "ok") && strstr(log, "f:2: no '='") &&
	       strstr(log, "f:3: '1BAD' is not a variable name") &&
	       strstr(log, "f:5: 'ALSO BAD' is not a variable name"),
	       "bad lines warn with file:line and are skipped; export tolerated; no final "
	       "newline (%s)", log);
	svc_vars_free(&v);
	parse("A=1\nQ='open\nB=2\n", &v, log, sizeof(log));
	x = get(&v, "Q");
	tap_ok(v.n == 2 && x && !strcmp(x, "open\nB=2\n") && strstr(log, "f:2: quote not closed"),
	       "an unclosed quote runs to the end of the file, with a warning (%s)", log);
	svc_vars_free(&v);
	{
		static const char nul[] = "A=1\nB=x\0y\nC=3\n";

		memset(&v, 0, sizeof(v));
		capture_start();
		svc_envfile_parse("f", nul, sizeof(nul) - 1, &v);
		capture_end(log, sizeof(log));
		tap_ok(v.n == 2 && get(&v, "A") && get(&v, "C") && !get(&v, "B") &&
		       strstr(log, "f:2: NUL byte"), "a NUL byte skips its assignment (%s)", log);
		svc_vars_free(&v);
	}
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		tap_diag("write %s: %s", path, strerror(errno));
}

static void test_envfiles(void)
{
	char a[256], b[256], missing[256], optional[256], err[800], log[4096];
	char *files[4];
	struct svc_vars v;
	int rc;

	snprintf(a, sizeof(a), "%s/a.env", tmpdir);
	snprintf(b, sizeof(b), "%s/b.env", tmpdir);
	snprintf(missing, sizeof(missing), "%s/missing.env", tmpdir);
	snprintf(optional, sizeof(optional), "-%s/missing.env", tmpdir);
	write_file(a, "X=from-a\nY=a\nX=again-a\n");
	write_file(b, "Y=from-b\nZ=b\n");
	files[0] = a;
	files[1] = optional;
	files[2] = b;
	capture_start();
	rc = svc_env_files_load(files, 3, &v, err, sizeof(err));
	capture_end(log, sizeof(log));
	tap_ok(rc == 0 && v.n == 3 && !strcmp(get(&v, "X"), "again-a") &&
	       !strcmp(get(&v, "Y"), "from-b") && !strcmp(get(&v, "Z"), "b") && !*log,
	       "later line and later file win; a missing '-' file is skipped silently (%s)", log);
	svc_vars_free(&v);
	files[1] = missing;
	rc = svc_env_files_load(files, 3, &v, err, sizeof(err));
	tap_ok(rc < 0 && errno == ENOENT && strstr(err, "EnvironmentFile=") &&
	       strstr(err, "missing.env: No such file or directory") && v.n == 0,
	       "a missing file without '-' fails, naming it (%s)", err);
	files[0] = tmpdir;	/* a directory */
	rc = svc_env_files_load(files, 1, &v, err, sizeof(err));
	tap_ok(rc < 0 && strstr(err, "not a regular file"), "a directory is refused (%s)", err);
}

/* expand words (NULL-terminated) with env; the result joined by "|" */
static int expand(const char *const *words, const char *const *env, char *out, size_t len,
		  const char **why)
{
	int argc = -1;
	char **r = svc_expand_argv((char *const *)words, (char *const *)env, &argc, why);
	size_t o = 0;

	out[0] = '\0';
	if (!r)
		return -1;
	for (int i = 0; i < argc; i++)
		o += (size_t)snprintf(out + o, len - o, "%s%s", i ? "|" : "", r[i]);
	if (r[argc] != NULL)
		argc = -2;
	free(r);
	return argc;
}

static void test_expand(void)
{
	static const char *const env[] = {
		"OPTS=-D  -p 22 \"a b\" 'c d' e\\ f", "ONE=one", "EMPTY=", "SP=x y",
		"PATH=/bin", NULL
	};
	char out[512];
	const char *why = "";
	int n;

	{
		const char *w[] = { "/usr/sbin/sshd", "$OPTS", "-f", NULL };

		n = expand(w, env, out, sizeof(out), &why);
		tap_ok(n == 8 && !strcmp(out, "/usr/sbin/sshd|-D|-p|22|a b|c d|e f|-f"),
		       "a whole-word $VAR splits at blanks, quotes group, backslash keeps (%s)", out);
	}
	{
		const char *w[] = { "/x", "$EMPTY", "$UNSET", "--", NULL };

		n = expand(w, env, out, sizeof(out), &why);
		tap_ok(n == 2 && !strcmp(out, "/x|--"), "empty and unset $VAR give no word (%s)", out);
	}
	{
		const char *w[] = { "/x", "--opt=${SP}", "${SP}", "${EMPTY}", "${UNSET}", "a${ONE}b", NULL };

		n = expand(w, env, out, sizeof(out), &why);
		tap_ok(n == 6 && !strcmp(out, "/x|--opt=x y|x y|||aoneb"),
		       "${VAR} stays one word, empty or unset too (%s)", out);
	}
	{
		const char *w[] = { "/x", "$$ONE", "cost$$5", "a$ONE", "${open", "$", "$1x", NULL };

		n = expand(w, env, out, sizeof(out), &why);
		tap_ok(n == 5 && !strcmp(out, "/x|$ONE|cost$5|a$ONE|${open"),
		       "$$ is $; $VAR inside a word stays; unclosed ${ stays; '$' and '$1x' give "
		       "no word, as in systemd (%s)", out);
	}
	{
		const char *w[] = { "$UNSET", "$EMPTY", NULL };

		why = "";
		n = expand(w, env, out, sizeof(out), &why);
		tap_ok(n < 0 && errno == EINVAL && strstr(why, "no words"),
		       "a command expanding to nothing is refused (%s)", why);
	}
	{
		const char *w[] = { "/bin/echo", "plain", NULL };
		const char *bad[] = { "/x", "$ok", "$no/slash", NULL };

		tap_ok(!svc_argv_has_vars((char *const *)w) && svc_argv_has_vars((char *const *)bad) &&
		       svc_argv_check_vars((char *const *)bad) &&
		       !strcmp(svc_argv_check_vars((char *const *)bad), "$no/slash") &&
		       !svc_argv_check_vars((char *const *)w),
		       "has_vars and check_vars find the words that matter");
	}
}

static struct svc_def d;
static char err[1200];

static int load_as(const char *name, const char *text)
{
	err[0] = '\0';
	svc_def_free(&d);
	return svc_load_string(name, text, &d, err, sizeof(err));
}

static void test_specifiers(void)
{
	struct passwd *me = getpwuid(geteuid());
	char want[512];
	char *u;
	const char *why;
	int rc;

	tap_ok(load_as("getty@tty1",
		       "[Unit]\nDescription=Getty on %I (%n, %N, %p, %%)\nAfter=setup@%i.service\n"
		       "[Service]\nExecStart=/sbin/agetty %i --run %t/%p --state %S %C %L %E %T %V\n"
		       "EnvironmentFile=-%E/default/%p\n[Group]\nName=%p-%i\n") == 0 &&
	       !strcmp(d.description, "Getty on tty1 (getty@tty1.service, getty@tty1, getty, %)") &&
	       d.nafter == 1 && !strcmp(d.after[0], "setup@tty1") &&
	       d.argc == 11 && !strcmp(d.argv[1], "tty1") && !strcmp(d.argv[3], "/run/getty") &&
	       !strcmp(d.argv[5], "/var/lib") && !strcmp(d.argv[10], "/var/tmp") &&
	       d.nenv_files == 1 && !strcmp(d.env_files[0], "-/etc/default/getty") &&
	       !strcmp(d.grp_name, "getty-tty1"),
	       "%%i %%I %%n %%N %%p %%t %%S %%C %%L %%E %%T %%V %%%% in Description, After, "
	       "ExecStart, EnvironmentFile, [Group] Name (%s)", err);
	tap_ok(load_as("mount@dev-disk-by\\x2dlabel", "[Service]\nExecStart=/x %I %f %j %J\n") < 0 &&
	       strstr(err, "service name"),
	       "an escaped instance is no group name: rejected naming it (%s)", err);
	tap_ok(svc_name_unescape("dev-disk-by\\x2dlabel", 20, &u, &why) == 0 &&
	       !strcmp(u, "dev/disk/by-label"), "unescape: '-' is '/', \\x2d is '-'");
	free(u);
	tap_ok(svc_name_unescape("bad\\x2", 6, &u, &why) < 0 && svc_name_unescape("b\\y41", 5, &u, &why) < 0,
	       "unescape refuses a short or unknown escape");
	tap_ok(load_as("fsck@dev-sda1", "[Service]\nExecStart=/x %I %f %j %J %P\n") == 0 &&
	       d.argc == 6 && !strcmp(d.argv[1], "dev/sda1") && !strcmp(d.argv[2], "/dev/sda1") &&
	       !strcmp(d.argv[3], "fsck") && !strcmp(d.argv[4], "fsck") && !strcmp(d.argv[5], "fsck"),
	       "%%I %%f %%j %%J %%P (%s)", err);
	tap_ok(load_as("a-b-c", "[Service]\nExecStart=/x '%i' %j %f\n") == 0 && d.argc == 4 &&
	       !strcmp(d.argv[1], "") && !strcmp(d.argv[2], "c") && !strcmp(d.argv[3], "/a/b/c"),
	       "not an instance: %%i empty, %%j the last dash part, %%f the prefix (%s)", err);
	tap_ok(load_as("t", "[Service]\nExecStart=/bin/date +%Q\n") < 0 &&
	       strstr(err, "t:2: ExecStart: unknown specifier %Q (write %% for a literal %)"),
	       "unknown specifier rejected with file:line (%s)", err);
	rc = load_as("t", "[Service]\nExecStart=/bin/date +%s +%%s\n");
	tap_ok(rc == 0 && d.argc == 3 &&
	       d.argv[1][0] == '+' && d.argv[1][1] == '/' && !strcmp(d.argv[2], "+%s"),
	       "date +%%s gets the user's shell, as in systemd; %%%%s is a literal %%s (%s)",
	       d.argc == 3 ? d.argv[1] : err);
	tap_ok(load_as("t", "[Unit]\nDescription=100%\n[Service]\nExecStart=/x\n") == 0 &&
	       !strcmp(d.description, "100%"),
	       "a lone %% at the end of a value stays (%s)", err);
	/* %u before the User= line that sets it */
	if (me) {
		rc = load_as("t", "[Service]\nExecStart=/x %u %h %U\nUser=  nobody ; why\n");
		tap_ok(rc == 0 && d.argc == 4 && !strcmp(d.argv[1], "nobody") &&
		       !strcmp(d.argv[2], getpwnam("nobody") ? getpwnam("nobody")->pw_dir : "?"),
		       "%%u %%h %%U come from a later User= line (%s %s %s)", d.argv ? d.argv[1] : "",
		       d.argc > 2 ? d.argv[2] : "", err);
		snprintf(want, sizeof(want), "%s", me->pw_name);
		tap_ok(load_as("t", "[Service]\nExecStart=/x %u %h\n") == 0 && d.argc == 3 &&
		       !strcmp(d.argv[1], want) && !strcmp(d.argv[2], me->pw_dir),
		       "no User=: %%u and %%h are corral's own user (%s)", err);
		tap_ok(load_as("u@nobody", "[Service]\nUser=%i\nExecStart=/x %u\n") == 0 &&
		       !strcmp(d.user, "nobody") && !strcmp(d.argv[1], "nobody"),
		       "User=%%i, and %%u of it (%s)", err);
	}
	tap_ok(load_as("t", "[Service]\nExecStart=/x %h\nUser=no-such-user-h3\n") < 0 &&
	       strstr(err, "t:2: ExecStart: %h: no such user 'no-such-user-h3'"),
	       "%%h of a user that does not exist rejects the file (%s)", err);
	tap_ok(load_as("t", "[Service]\nUser=%u\nExecStart=/x\n") < 0 && strstr(err, "User= cannot use"),
	       "User=%%u refused (%s)", err);
	tap_ok(svc_name_is_template("getty@") && !svc_name_is_template("getty@tty1") &&
	       !svc_name_is_template("getty") && !svc_name_is_template("@"),
	       "templates are NAME@");
	{
		char t[80];

		tap_ok(svc_name_template("getty@tty1", t, sizeof(t)) == 0 && !strcmp(t, "getty@") &&
		       svc_name_template("getty@", t, sizeof(t)) < 0 &&
		       svc_name_template("getty", t, sizeof(t)) < 0 &&
		       svc_name_template("@x", t, sizeof(t)) < 0,
		       "the template of an instance");
	}
}

static void test_template_dir(void)
{
	char dir[300], path[400], link[400];
	struct svc_def *defs = NULL;
	int n;

	snprintf(dir, sizeof(dir), "%s/services", tmpdir);
	if (mkdir(dir, 0755) < 0)
		tap_diag("mkdir %s: %s", dir, strerror(errno));
	snprintf(path, sizeof(path), "%s/echo@.service", dir);
	write_file(path, "[Unit]\nDescription=echo %i\n[Service]\nExecStart=/bin/echo %i\n");
	snprintf(link, sizeof(link), "%s/echo@one.service", dir);
	if (symlink("echo@.service", link) < 0)
		tap_diag("symlink: %s", strerror(errno));
	snprintf(link, sizeof(link), "%s/echo@two.service", dir);
	write_file(link, "[Service]\nExecStart=/bin/echo copy %i\n");
	n = svc_load_dir(dir, &defs);
	tap_ok(n == 2 && !strcmp(defs[0].name, "echo@one") && !strcmp(defs[0].argv[1], "one") &&
	       !strcmp(defs[0].description, "echo one") && !strcmp(defs[0].grp_name, "echo@one") &&
	       !strcmp(defs[1].name, "echo@two") && !strcmp(defs[1].argv[2], "two"),
	       "the template is not loaded; a symlink and a copy are instances (%d)", n);
	for (int i = 0; i < n; i++)
		svc_def_free(&defs[i]);
	free(defs);
	tap_ok(svc_load_file_as(path, "echo@three", &d, err, sizeof(err)) == 0 &&
	       !strcmp(d.name, "echo@three") && !strcmp(d.argv[1], "three"),
	       "a template read as an instance of it (%s)", err);
	svc_def_free(&d);
}

static void test_load_keys(void)
{
	tap_ok(load_as("t", "[Service]\nExecStart=/x\nEnvironmentFile=/a\nEnvironmentFile=-/b\n") == 0 &&
	       d.nenv_files == 2 && !strcmp(d.env_files[1], "-/b"),
	       "EnvironmentFile= twice, with '-' (%s)", err);
	tap_ok(load_as("t", "[Service]\nExecStart=/x\nEnvironmentFile=/a\nEnvironmentFile=\n"
		       "EnvironmentFile=/c\n") == 0 && d.nenv_files == 1 && !strcmp(d.env_files[0], "/c"),
	       "an empty EnvironmentFile= forgets the earlier ones (%s)", err);
	tap_ok(load_as("t", "[Service]\nExecStart=/x\nEnvironmentFile=rel\n") < 0 &&
	       strstr(err, "t:3: EnvironmentFile: 'rel' is not an absolute path") &&
	       load_as("t", "[Service]\nExecStart=/x\nEnvironmentFile=-rel\n") < 0,
	       "a relative EnvironmentFile= rejected (%s)", err);
	tap_ok(load_as("t", "[Service]\nExecStart=/x \"$OPTS\" '${A}' $$\n") == 0 && d.argc == 4 &&
	       !strcmp(d.argv[1], "$OPTS") && !strcmp(d.argv[2], "${A}") && !strcmp(d.argv[3], "$$"),
	       "ExecStart= keeps $ words for the start to expand (%s)", err);
	tap_ok(load_as("t", "[Service]\nExecStart=/x \"$OPTS\n") < 0 && strstr(err, "unbalanced quote"),
	       "quoting is still checked at load (%s)", err);
	{
		char log[2048];

		capture_start();
		load_as("t", "[Service]\nExecStart=/x $no/var\n");
		capture_end(log, sizeof(log));
		tap_ok(strstr(log, "t:2: ExecStart: '$no/var' is no variable name") != NULL,
		       "a '$' word that is no variable warns at load (%s)", log);
	}
}

int main(void)
{
	if (!mkdtemp(tmpdir)) {
		printf("1..0 # SKIP mkdtemp: %s\n", strerror(errno));
		return 0;
	}
	log_set_level(LOG_LVL_ERROR);
	test_envfile();
	test_envfiles();
	test_expand();
	test_specifiers();
	test_template_dir();
	test_load_keys();
	svc_def_free(&d);
	{
		char cmd[400];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			tap_diag("could not remove %s", tmpdir);
	}
	return tap_done();
}
