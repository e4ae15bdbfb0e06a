/*
 * supervisor/view_status.c - initctl's human views: `initctl status [NAME]`
 * and `initctl list` (views.h).
 *
 * Both are rendered here, in the client, from the "key value" status text
 * that corral answers (supervisor/status.c); `initctl --kv status` prints
 * that text unchanged for scripts.  Keys this initctl does not know are
 * ignored and missing ones are left out, so an older or newer corral
 * still gets a readable view.  What only the client can see cheaply (the
 * main process's name, the process tree with command lines) comes from
 * /proc.
 *
 * Colour and the state markers appear only when stdout is a terminal and
 * NO_COLOR is unset or empty (https://no-color.org); pipes and files get
 * plain text.
 */
#include "views.h"
#include "../grouping/grouping.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LOG_TAIL 10		/* log lines under status NAME */

/* ---- arguments -------------------------------------------------------- */

int vw_cmd_args(const char *cmd, int needs_name, int argc, char **argv,
		uint32_t *flags, char **name)
{
	*name = NULL;
	for (int i = 1; i < argc; i++) {
		char *a = argv[i];
		size_t n = strlen(a);

		if (!strcmp(a, "--json")) {
			*flags |= CTL_F_JSON;
		} else if (!strcmp(a, "-k") || !strcmp(a, "--kv")) {
			*flags |= VW_F_KV;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "initctl: %s: unknown option '%s'\n", cmd, a);
			goto hint;
		} else if (!needs_name) {
			fprintf(stderr, "initctl: %s takes no arguments (got '%s')\n", cmd, a);
			goto hint;
		} else if (*name) {
			fprintf(stderr, "initctl: %s takes one service name; "
				"unexpected argument '%s'\n", cmd, a);
			goto hint;
		} else {
			/* what systemctl users type: crond.service is crond */
			if (n > 8 && !strcmp(a + n - 8, ".service"))
				a[n -= 8] = '\0';
			if (!n || n > SVC_NAME_MAX) {
				fprintf(stderr, "initctl: '%s' is not a service name "
					"(1 to %d characters)\n", a, SVC_NAME_MAX);
				goto hint;
			}
			*name = a;
		}
	}
	if ((*flags & CTL_F_JSON) && (*flags & VW_F_KV)) {
		fprintf(stderr, "initctl: --json and --kv exclude each other\n");
		goto hint;
	}
	if (needs_name == 1 && !*name) {
		fprintf(stderr, "initctl: %s needs a service name\n", cmd);
		goto hint;
	}
	return 0;
hint:
	fprintf(stderr, "Try 'initctl --help' for the commands and options.\n");
	return 2;
}

/* ---- the status text, as key/value lines per service ---------------- */

struct kv {
	char *key, *val;
};

struct block {
	struct kv *kv;
	unsigned n;
};

struct blocks {
	struct block *b;
	unsigned n;
};

/* Split text in place: a block per "service NAME" line. */
static int parse_blocks(char *text, struct blocks *bs)
{
	char *save = NULL;
	unsigned line = 0;

	memset(bs, 0, sizeof(*bs));
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *v = strchr(l, ' ');
		struct block *b;

		line++;
		if (v)
			*v++ = '\0';
		else
			v = l + strlen(l);
		if (!strcmp(l, "service")) {
			bs->b = vw_xrealloc(bs->b, (bs->n + 1) * sizeof(*bs->b));
			memset(&bs->b[bs->n++], 0, sizeof(*bs->b));
		} else if (!bs->n) {
			fprintf(stderr, "initctl: status answer, line %u: '%s' before any service\n",
				line, l);
			return -1;
		}
		b = &bs->b[bs->n - 1];
		b->kv = vw_xrealloc(b->kv, (b->n + 1) * sizeof(*b->kv));
		b->kv[b->n++] = (struct kv){ l, v };
	}
	return 0;
}

static void free_blocks(struct blocks *bs)
{
	for (unsigned i = 0; i < bs->n; i++)
		free(bs->b[i].kv);
	free(bs->b);
}

static const char *get(const struct block *b, const char *key)
{
	for (unsigned i = 0; i < b->n; i++)
		if (!strcmp(b->kv[i].key, key))
			return b->kv[i].val;
	return NULL;
}

static const char *get_or(const struct block *b, const char *key, const char *dflt)
{
	const char *v = get(b, key);

	return v ? v : dflt;
}

/* ---- terminal ---------------------------------------------------------- */

static struct {
	bool color;		/* ANSI colours and the ● marker */
	bool utf8;		/* box-drawing characters for the process tree */
} term;

static void term_init(void)
{
	const char *nc = getenv("NO_COLOR");
	const char *lc = getenv("LC_ALL");

	if (!lc || !*lc)
		lc = getenv("LC_CTYPE");
	if (!lc || !*lc)
		lc = getenv("LANG");
	term.color = isatty(STDOUT_FILENO) && (!nc || !*nc);
	term.utf8 = lc && (strstr(lc, "UTF-8") || strstr(lc, "utf8") || strstr(lc, "UTF8") ||
			   strstr(lc, "utf-8"));
}

static const char *state_color(const char *state)
{
	if (!term.color)
		return "";
	if (!strcmp(state, "running") || !strcmp(state, "done") || !strcmp(state, "reached"))
		return "\033[32m";	/* green */
	if (!strcmp(state, "failed"))
		return "\033[31m";	/* red */
	if (!strcmp(state, "down"))
		return "";
	return "\033[33m";		/* waiting, starting, stopping, backoff: yellow */
}

static const char *reset(void)
{
	return term.color ? "\033[0m" : "";
}

/* The marker before a name, on a terminal only: filled for running/done,
 * a cross for failed, hollow otherwise. */
static const char *marker(const char *state)
{
	if (!term.color)
		return "";
	if (!strcmp(state, "failed"))
		return term.utf8 ? "\u00d7 " : "x ";
	if (!strcmp(state, "running") || !strcmp(state, "done") || !strcmp(state, "reached"))
		return term.utf8 ? "\u25cf " : "* ";
	return term.utf8 ? "\u25cb " : "o ";
}

/* ---- formatting -------------------------------------------------------- */

/* "5.1s", "2min 3s", "1h 2min", "3d 4h" */
static void fmt_duration(double s, char *buf, size_t len)
{
	/* converted only once known not negative: (unsigned)-1.0 is undefined */
	unsigned long long t = s > 0 ? (unsigned long long)s : 0;

	if (s < 0)
		snprintf(buf, len, "-");
	else if (s < 60)
		snprintf(buf, len, "%.1fs", s);
	else if (t < 3600)
		snprintf(buf, len, "%llumin %llus", t / 60, t % 60);
	else if (t < 86400)
		snprintf(buf, len, "%lluh %llumin", t / 3600, t % 3600 / 60);
	else
		snprintf(buf, len, "%llud %lluh", t / 86400, t % 86400 / 3600);
}

static void fmt_time(double epoch, char *buf, size_t len)
{
	time_t t = (time_t)epoch;
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, len, "%a %Y-%m-%d %H:%M:%S %Z", &tm))
		snprintf(buf, len, "@%.0f", epoch);
}

static double num(const struct block *b, const char *key, double dflt)
{
	const char *v = get(b, key);
	char *end;
	double d;

	if (!v || !*v)
		return dflt;
	d = strtod(v, &end);
	return *end ? dflt : d;
}

static double now_real(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_REALTIME, &ts) < 0)
		return 0;
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool active(const char *state)
{
	static const char *const up[] = { "running", "starting", "stopping", "start-pre",
					  "start-post", "reloading", "stop-cmd", "stop-post" };

	for (size_t i = 0; i < sizeof(up) / sizeof(*up); i++)
		if (!strcmp(state, up[i]))
			return true;
	return false;
}

/* CPU time of the group: "1.234s", or "-" without cpuacct */
static void fmt_cpu(const struct block *b, char *buf, size_t len)
{
	double ns = num(b, "cpu_usage_ns", -1);

	if (ns < 0 && get(b, "cpu_user_ms"))
		ns = (num(b, "cpu_user_ms", 0) + num(b, "cpu_system_ms", 0)) * 1e6;
	if (ns < 0)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.3fs", ns / 1e9);
}

/* Status fields the lines above do not show, as their subsystem's
 * descriptor says what they are: sizes in K/M/G, times in seconds, a
 * limit of "max" as "none".  A subsystem added later shows here without
 * a change to this file. */
static bool shown_above(const char *key)
{
	static const char *const keys[] = {
		"cpus", "mems", "numtasks_current", "numtasks_max", "fork_failures",
		"cpu_user_ms", "cpu_system_ms", "cpu_usage_ns",
	};

	for (size_t i = 0; i < sizeof(keys) / sizeof(*keys); i++)
		if (!strcmp(key, keys[i]))
			return true;
	return false;
}

static void fmt_field(const struct grp_field *f, const char *v, char *buf, size_t len)
{
	static const char units[] = "KMGTP";
	double x = strtod(v, NULL);
	int u = -1;

	switch (f->kind) {
	case GRP_FIELD_BYTES:
	case GRP_FIELD_BYTES_LIMIT:
		if (!strcmp(v, "max")) {
			snprintf(buf, len, "none");
			return;
		}
		while (x >= 1024 && u < 4) {
			x /= 1024;
			u++;
		}
		if (u < 0)
			snprintf(buf, len, "%sB", v);
		else
			snprintf(buf, len, "%.1f%c", x, units[u]);
		return;
	case GRP_FIELD_LIMIT:
		snprintf(buf, len, "%s", strcmp(v, "max") ? v : "none");
		return;
	case GRP_FIELD_NSEC:
		snprintf(buf, len, "%.3fs", x / 1e9);
		return;
	case GRP_FIELD_MSEC:
		snprintf(buf, len, "%.3fs", x / 1e3);
		return;
	default:
		snprintf(buf, len, "%s", v);
	}
}

static void show_other_fields(const struct block *b)
{
	for (unsigned i = 0; i < b->n; i++) {
		const struct grp_field *f = grp_field_lookup(b->kv[i].key);
		char buf[128];

		if (!f || shown_above(f->name))
			continue;
		fmt_field(f, b->kv[i].val, buf, sizeof(buf));
		printf("%*s: %s\n", 12, f->name, buf);
	}
}

/* "exited 3" from corral, in words */
static void fmt_exit(const char *e, char *buf, size_t len)
{
	int code;

	if (!e || !*e || !strcmp(e, "-"))
		snprintf(buf, len, "none yet");
	else if (sscanf(e, "exited %d", &code) == 1)
		snprintf(buf, len, code ? "exited with status %d (failure)" :
				   "exited with status %d (success)", code);
	else
		snprintf(buf, len, "%s", e);
}

/* ---- /proc --------------------------------------------------------------- */

static bool read_file(const char *path, char *buf, size_t len, size_t *got)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, len - 1, f);
	fclose(f);
	buf[n] = '\0';
	if (got)
		*got = n;
	return n > 0;
}

static void proc_comm(long pid, char *buf, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	if (!read_file(path, buf, len, NULL)) {
		snprintf(buf, len, "?");
		return;
	}
	buf[strcspn(buf, "\n")] = '\0';
}

/* the command line with spaces between arguments, or [comm] for a kernel
 * thread or a zombie */
static void proc_cmdline(long pid, char *buf, size_t len)
{
	char path[64], comm[64];
	size_t n;

	snprintf(path, sizeof(path), "/proc/%ld/cmdline", pid);
	if (read_file(path, buf, len, &n)) {
		for (size_t i = 0; i + 1 < n; i++)
			if (buf[i] == '\0')
				buf[i] = ' ';
		for (char *p = buf; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';	/* no escape sequences to the terminal */
		return;
	}
	proc_comm(pid, comm, sizeof(comm));
	snprintf(buf, len, "[%s]", comm);
}

static long proc_ppid(long pid)
{
	char path[64], buf[512], *p;
	long ppid;

	snprintf(path, sizeof(path), "/proc/%ld/stat", pid);
	if (!read_file(path, buf, sizeof(buf), NULL))
		return -1;
	p = strrchr(buf, ')');	/* comm may hold spaces and parentheses */
	if (!p || sscanf(p + 1, " %*c %ld", &ppid) != 1)
		return -1;
	return ppid;
}

struct proc {
	long pid, ppid;
};

static void print_tree(const struct proc *p, unsigned n, long parent, const char *indent)
{
	for (unsigned i = 0; i < n; i++) {
		char cmd[256], sub[256];
		bool last = true;

		if (p[i].ppid != parent)
			continue;
		for (unsigned k = i + 1; k < n; k++)
			if (p[k].ppid == parent)
				last = false;
		proc_cmdline(p[i].pid, cmd, sizeof(cmd));
		printf("%s%s%ld %s\n", indent,
		       term.utf8 ? (last ? "\u2514\u2500" : "\u251c\u2500") : (last ? "`-" : "|-"),
		       p[i].pid, cmd);
		snprintf(sub, sizeof(sub), "%s%s", indent,
			 last ? "  " : (term.utf8 ? "\u2502 " : "| "));
		print_tree(p, n, p[i].pid, sub);
	}
}

static int cmp_proc(const void *a, const void *b)
{
	const struct proc *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* the group's processes from "procs 1 2 3", as a tree by parent pid */
static void show_procs(const char *procs, const char *pad)
{
	struct proc *p = NULL;
	unsigned n = 0;
	char *copy = strdup(procs), *save = NULL;

	if (!copy)
		return;
	for (char *t = strtok_r(copy, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		long pid = strtol(t, NULL, 10);

		if (pid <= 0)
			continue;
		p = vw_xrealloc(p, (n + 1) * sizeof(*p));
		p[n++] = (struct proc){ pid, proc_ppid(pid) };
	}
	free(copy);
	qsort(p, n, sizeof(*p), cmp_proc);
	/* a process whose parent is not in the group is a root of the tree */
	for (unsigned i = 0; i < n; i++) {
		bool inside = false;

		for (unsigned k = 0; k < n; k++)
			if (p[k].pid == p[i].ppid)
				inside = true;
		if (!inside)
			p[i].ppid = 0;
	}
	print_tree(p, n, 0, pad);
	free(p);
}

/* ---- status NAME --------------------------------------------------------- */

static void show_log(const char *name)
{
	char *out, *start;
	size_t len;
	unsigned lines = 0;

	int saved = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	int rc;

	/* a service without output is an error answer for `initctl log`;
	 * here it is only an empty tail, not a message on stderr */
	fflush(stderr);
	if (saved >= 0 && null >= 0)
		dup2(null, STDERR_FILENO);
	rc = vw_call(CTL_LOG, name, 0, &out, &len);
	fflush(stderr);
	if (saved >= 0 && null >= 0)
		dup2(saved, STDERR_FILENO);
	if (saved >= 0)
		close(saved);
	if (null >= 0)
		close(null);
	if (rc) {
		printf("\n  (no output captured)\n");
		return;
	}
	/* the last LOG_TAIL lines: count newlines back from the end */
	while (len && out[len - 1] == '\n')
		out[--len] = '\0';
	start = out + len;
	while (start > out && lines < LOG_TAIL) {
		start--;
		if (*start == '\n' && ++lines == LOG_TAIL) {
			start++;
			break;
		}
	}
	printf("\n");
	if (!len)
		printf("  (no output captured)\n");
	else
		for (char *l = start, *nl; l && *l; l = nl ? nl + 1 : NULL) {
			nl = strchr(l, '\n');
			if (nl)
				*nl = '\0';
			for (char *c = l; *c; c++)
				if ((unsigned char)*c < 0x20 && *c != '\t')
					*c = '?';	/* a service's bytes never drive the terminal */
			printf("  ");
			vw_log_print(l, strlen(l));	/* its time as initctl log shows it */
		}
	free(out);
}

static void show_one(const struct block *b, bool with_log)
{
	const char *name = get_or(b, "service", "?"), *state = get_or(b, "state", "?");
	const char *desc = get(b, "description"), *v;
	double since = num(b, "state_since_realtime", -1), up = num(b, "uptime", -1);
	double started = num(b, "started_at_realtime", -1);
	long pid = (long)num(b, "pid", 0);
	char t[64], d[64], buf[320];
	/* a target runs nothing: no process, group or output to show */
	bool target = !strcmp(get_or(b, "type", ""), "target");

	if (target && !strcmp(state, "running"))
		state = "reached";
	printf("%s%s%s%s%s%s\n", state_color(state), marker(state), reset(), name,
	       desc && *desc ? " - " : "", desc ? desc : "");
	/* when the current run began for an active service, else when it
	 * entered its state */
	if (active(state) && started > 0) {
		fmt_time(started, t, sizeof(t));
		/* corral's own count where it has one (running, starting):
		 * immune to a clock step since the start */
		fmt_duration(up > 0 ? up : now_real() - started, d, sizeof(d));
	} else if (since > 0) {
		fmt_time(since, t, sizeof(t));
		fmt_duration(now_real() - since, d, sizeof(d));
	} else {
		*t = '\0';
	}
	printf("      Active: %s%s%s", state_color(state), state, reset());
	if (*t)
		printf(" since %s (%s ago)", t, d);
	if ((v = get(b, "reason")))
		printf("; %s", v);
	if ((v = get(b, "detail")))
		printf(": %s", v);
	printf("\n");
	printf("        Type: %s, wanted %s", get_or(b, "type", "?"), get_or(b, "want", "?"));
	if ((v = get(b, "enabled")))
		printf(", %s at boot", strcmp(v, "no") ? "enabled" : "disabled");
	printf("\n");
	/* a reload's pending definition or removal (supervisor/table.c) */
	/* the dependency keys of status (supervisor/status.c), as written */
	static const char *const dep_key[] = { "requires", "wants", "bindsto", "requisite",
					       "partof", "conflicts", "after", "before", "alias" };
	static const char *const dep_label[] = { "Requires", "Wants", "BindsTo", "Requisite",
						 "PartOf", "Conflicts", "After", "Before", "Alias" };
	for (unsigned i = 0; i < sizeof(dep_key) / sizeof(*dep_key); i++)
		if ((v = get(b, dep_key[i])) && *v)
			printf("%12s: %s\n", dep_label[i], v);
	if ((v = get(b, "changed")))
		printf("     Changed: the file changed; %s\n",
		       strchr(v, '(') ? "restart to apply" : v);
	if ((v = get(b, "removed")))
		printf("     Removed: the file is gone; dropped once down\n");
	if (target)
		return;
	if (pid > 0) {
		proc_comm(pid, t, sizeof(t));
		printf("    Main PID: %ld (%s)\n", pid, t);
	} else {
		printf("    Main PID: -\n");
	}
	if ((v = get(b, "control")))	/* an ExecStartPre= ... that runs now */
		printf("     Control: %s\n", v);
	fmt_exit(get(b, "last_exit"), buf, sizeof(buf));
	printf("    Restarts: %s, last exit: %s\n", get_or(b, "restarts", "0"), buf);
	if ((v = get(b, "exec_error")))
		printf("  Exec error: %s\n", v);
	if ((v = get(b, "status_text")))
		printf("      Status: \"%s\"\n", v);
	if ((v = get(b, "numtasks_current"))) {
		const char *max = get_or(b, "numtasks_max", "max"), *ff = get(b, "fork_failures");

		printf("       Tasks: %s (limit %s)", v, strcmp(max, "max") ? max : "none");
		if (ff && strcmp(ff, "0"))
			printf(", %s fork%s refused", ff, strcmp(ff, "1") ? "s" : "");
		printf("\n");
	}
	fmt_cpu(b, buf, sizeof(buf));
	if (strcmp(buf, "-"))
		printf("         CPU: %s (user %.3fs, system %.3fs)\n", buf,
		       num(b, "cpu_user_ms", 0) / 1e3, num(b, "cpu_system_ms", 0) / 1e3);
	if ((v = get(b, "cpus")))
		printf("      CPUset: cpus %s, mems %s\n", v, get_or(b, "mems", "-"));
	show_other_fields(b);
	printf("       Group: %s\n", get_or(b, "group", "-"));
	for (unsigned i = 0; i < b->n; i++) {
		char kind[64];
		const char *p = b->kv[i].val, *sp;

		if (strcmp(b->kv[i].key, "path") || !(sp = strchr(p, ' ')))
			continue;
		snprintf(kind, sizeof(kind), "%.*s:", (int)(sp - p), p);
		printf("              %-16s %s\n", kind, sp + 1);
	}
	if ((v = get(b, "procs")) && *v) {
		printf("   Processes:\n");
		show_procs(v, "              ");
	}
	if (with_log)
		show_log(name);
}

int vw_status_human(const char *name)
{
	struct blocks bs;
	char *text;
	size_t len;
	int rc = vw_call(CTL_STATUS, name, 0, &text, &len);

	if (rc)
		return rc;
	term_init();
	if (parse_blocks(text, &bs) < 0) {
		free(text);
		return 1;
	}
	for (unsigned i = 0; i < bs.n; i++) {
		if (i)
			printf("\n");
		show_one(&bs.b[i], true);
	}
	free_blocks(&bs);
	free(text);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}

/* ---- list ------------------------------------------------------------------ */

enum { C_NAME, C_STATE, C_PID, C_UP, C_TASKS, C_CPU, C_DESC, NCOL };

int vw_list_table(void)
{
	static const char *const head[NCOL] = { "NAME", "STATE", "PID", "UPTIME", "TASKS",
						"CPU", "DESCRIPTION" };
	struct blocks bs;
	char *text, *(*cell)[NCOL];
	size_t len, w[NCOL];
	/* the summary: what the table shows, read cheaply (status_list.c) */
	int rc = vw_call(CTL_STATUS, NULL, CTL_F_SUMMARY, &text, &len);

	if (rc)
		return rc;
	term_init();
	if (parse_blocks(text, &bs) < 0) {
		free(text);
		return 1;
	}
	cell = vw_xrealloc(NULL, (bs.n + 1) * sizeof(*cell));
	for (int c = 0; c < NCOL; c++)
		w[c] = strlen(head[c]);
	for (unsigned i = 0; i < bs.n; i++) {
		const struct block *b = &bs.b[i];
		const char *state = get_or(b, "state", "?");
		long pid = (long)num(b, "pid", 0);
		char buf[64];

		if (!strcmp(get_or(b, "reached", "no"), "yes"))
			state = "reached";	/* a target: running means reached */

		cell[i][C_NAME] = strdup(get_or(b, "service", "?"));
		cell[i][C_STATE] = strdup(state);
		snprintf(buf, sizeof(buf), pid > 0 ? "%ld" : "-", pid);
		cell[i][C_PID] = strdup(buf);
		fmt_duration(!active(state) ? -1 : num(b, "uptime", 0) > 0 ? num(b, "uptime", 0) :
			     num(b, "started_at_realtime", 0) > 0 ?
			     now_real() - num(b, "started_at_realtime", 0) : -1, buf, sizeof(buf));
		cell[i][C_UP] = strdup(buf);
		cell[i][C_TASKS] = strdup(get_or(b, "numtasks_current", "-"));
		fmt_cpu(b, buf, sizeof(buf));
		cell[i][C_CPU] = strdup(buf);
		cell[i][C_DESC] = strdup(get_or(b, "description", ""));
		for (int c = 0; c < NCOL; c++) {
			if (!cell[i][c]) {
				fprintf(stderr, "initctl: out of memory\n");
				exit(1);
			}
			if (strlen(cell[i][c]) > w[c])
				w[c] = strlen(cell[i][c]);
		}
	}
	/* on a terminal the name column carries the 2-column marker */
	printf("%s%-*s %-*s %*s %*s %*s %*s %s%s\n", term.color ? "\033[1m" : "",
	       (int)w[C_NAME] + (term.color ? 2 : 0), head[C_NAME], (int)w[C_STATE], head[C_STATE],
	       (int)w[C_PID], head[C_PID], (int)w[C_UP], head[C_UP], (int)w[C_TASKS], head[C_TASKS],
	       (int)w[C_CPU], head[C_CPU], head[C_DESC], reset());
	for (unsigned i = 0; i < bs.n; i++) {
		const char *st = cell[i][C_STATE];

		printf("%s%s%s%-*s %s%-*s%s %*s %*s %*s %*s%s%s\n", state_color(st), marker(st),
		       reset(), (int)w[C_NAME], cell[i][C_NAME], state_color(st),
		       (int)w[C_STATE], st, reset(), (int)w[C_PID], cell[i][C_PID],
		       (int)w[C_UP], cell[i][C_UP], (int)w[C_TASKS], cell[i][C_TASKS],
		       (int)w[C_CPU], cell[i][C_CPU], *cell[i][C_DESC] ? " " : "",
		       cell[i][C_DESC]);
		for (int c = 0; c < NCOL; c++)
			free(cell[i][c]);
	}
	free(cell);
	free_blocks(&bs);
	free(text);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : 1;
}
