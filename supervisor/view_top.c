/*
 * supervisor/view_top.c - `initctl top`: every group with its state,
 * tasks/limit, fork failures, CPU% over the refresh interval and CPU time,
 * refreshed in place.
 *
 * One row per group path (services that share a group share a row; a
 * nested group shows as parent/child).  CPU% is the growth of the group's
 * cpuacct usage between two samples divided by the growth of corral's
 * monotonic clock between them, both from the same status answer, so the
 * time initctl itself takes does not skew it; 100% is one CPU, as in
 * top(1).  The first frame has no earlier sample and shows "-".
 *
 * On a terminal the frame is redrawn from the home position, each line
 * ending in "erase to end of line" and the frame in "erase below", written
 * with one write(): no full-screen clear, so no flicker, and it works on
 * a serial console (only VT100 sequences).  Keys are read in raw mode;
 * the terminal is restored on every way out, signals included.  -b, or an
 * output that is not a terminal, prints plain frames one after the other.
 */
#include "views.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

enum sort_key { K_CPU, K_TIME, K_NAME, K_STATE, K_TASKS, K_FORK, K_NKEYS };
static const struct { char key; const char *label; } sort_keys[K_NKEYS] = {
	[K_CPU] = { 'c', "cpu%" }, [K_TIME] = { 't', "time" }, [K_NAME] = { 'n', "name" },
	[K_STATE] = { 's', "state" }, [K_TASKS] = { 'k', "tasks" }, [K_FORK] = { 'f', "forks" },
};

struct row {
	const char *name;		/* group path (points into the status) */
	const char *state;
	int rank;			/* of state: lower is "more up" */
	unsigned nsvc;
	bool have_tasks, have_cpu, have_mem;
	long long tasks, tasks_max;
	unsigned long long forks, usage_ns, mem, mem_max;
	double now;			/* corral's clock at the sample */
	double pct;			/* CPU%, -1 unknown */
};

struct sample {
	struct vw_status st;
	struct row *rows;
	unsigned nrows;
	double now;
};

static struct {
	double interval;
	long iterations;		/* 0: until q */
	bool batch, colour, keys;
	enum sort_key key;
	bool reverse;
	struct termios saved;
	bool raw;
} top = { .interval = 2, .key = K_CPU };

static volatile sig_atomic_t got_sig, got_winch;

static int state_rank(int st)
{
	static const int rank[SVC_NSTATES] = {
		[SVC_RUNNING] = 0, [SVC_STARTING] = 1, [SVC_STOPPING] = 2, [SVC_BACKOFF] = 3,
		[SVC_WAITING] = 4, [SVC_FAILED] = 5, [SVC_DONE] = 6, [SVC_DOWN] = 7,
	};

	return st >= 0 && st < SVC_NSTATES ? rank[st] : 8;
}

static void build_rows(struct sample *sm, const struct sample *prev)
{
	sm->rows = calloc(sm->st.n ? sm->st.n : 1, sizeof(*sm->rows));
	if (!sm->rows) {
		fprintf(stderr, "initctl: out of memory\n");
		exit(1);
	}
	for (unsigned i = 0; i < sm->st.n; i++) {
		struct vw_svc *s = &sm->st.svc[i];
		const char *name = *s->group ? s->group : s->name;
		struct row *r = NULL;

		if (s->now_mono > sm->now)
			sm->now = s->now_mono;
		for (unsigned k = 0; k < sm->nrows && !r; k++)
			if (!strcmp(sm->rows[k].name, name))
				r = &sm->rows[k];
		if (!r) {
			r = &sm->rows[sm->nrows++];
			r->name = name;
			r->rank = 99;
			r->pct = -1;
		}
		r->nsvc++;
		if (state_rank(s->st) < r->rank) {
			r->rank = state_rank(s->st);
			r->state = s->state;
		}
		/* services of one group report the same group: take one */
		if (s->have_tasks && !r->have_tasks) {
			r->have_tasks = true;
			r->tasks = s->tasks;
			r->tasks_max = s->tasks_max;
			r->forks = s->fork_failures;
		}
		if (s->have_cpu && !r->have_cpu) {
			r->have_cpu = true;
			r->usage_ns = s->usage_ns;
			r->now = s->now_mono;
		}
		if (s->have_mem && !r->have_mem) {
			r->have_mem = true;
			r->mem = s->mem;
			r->mem_max = s->mem_max;
		}
	}
	for (unsigned k = 0; prev && k < sm->nrows; k++) {
		struct row *r = &sm->rows[k];

		for (unsigned j = 0; j < prev->nrows; j++) {
			const struct row *p = &prev->rows[j];

			/* a counter that went back is a new group of that name */
			if (strcmp(p->name, r->name) || !p->have_cpu || !r->have_cpu ||
			    r->usage_ns < p->usage_ns || r->now <= p->now)
				continue;
			r->pct = (double)(r->usage_ns - p->usage_ns) / 1e9 / (r->now - p->now) * 100;
		}
	}
}

static void sample_free(struct sample *sm)
{
	vw_free(&sm->st);
	free(sm->rows);
	memset(sm, 0, sizeof(*sm));
}

static int cmp3(long double a, long double b)
{
	return a < b ? -1 : a > b;
}

/* the natural order of each key: the busiest or worst first, names a-z */
static int row_cmp(const void *pa, const void *pb)
{
	const struct row *a = pa, *b = pb;
	int c = 0;

	switch (top.key) {
	case K_CPU:
		c = cmp3(b->pct, a->pct);
		if (!c)
			c = cmp3(b->usage_ns, a->usage_ns);
		break;
	case K_TIME:
		c = cmp3(b->usage_ns, a->usage_ns);
		break;
	case K_NAME:
		break;
	case K_STATE:
		c = cmp3(a->rank, b->rank);
		break;
	case K_TASKS:
		c = cmp3(b->have_tasks ? b->tasks : -1, a->have_tasks ? a->tasks : -1);
		break;
	case K_FORK:
		c = cmp3(b->have_tasks ? (long double)b->forks : -1,
			 a->have_tasks ? (long double)a->forks : -1);
		break;
	case K_NKEYS:
		break;
	}
	if (!c)
		c = strcmp(a->name, b->name);
	return top.reverse ? -c : c;
}

static void fmt_time(char *buf, size_t len, unsigned long long ns)
{
	unsigned long long cs = ns / 10000000ull, s = cs / 100;

	if (s < 3600)
		snprintf(buf, len, "%llu:%02llu.%02llu", s / 60, s % 60, cs % 100);
	else
		snprintf(buf, len, "%llu:%02llu:%02llu", s / 3600, s / 60 % 60, s % 60);
}

static void fmt_bytes(char *buf, size_t len, unsigned long long b)
{
	const char *u = "KMGTP";
	double v = (double)b;
	int i = -1;

	if (b < 1024) {
		snprintf(buf, len, "%lluB", b);
		return;
	}
	while (v >= 1024 && i < 4) {
		v /= 1024;
		i++;
	}
	snprintf(buf, len, "%.1f%c", v, u[i]);
}

/* One line of at most w columns (w < 0: no limit), then the end-of-line
 * sequence of the mode.  Every line is ASCII, so bytes are columns. */
static void line(FILE *f, int w, const char *on, const char *text)
{
	int n = (int)strlen(text);

	if (w >= 0 && n > w)
		n = w;
	if (on && top.colour)
		fputs(on, f);
	fprintf(f, "%.*s", n, text);
	if (on && top.colour)
		fputs("\033[0m", f);
	fputs(top.batch ? "\n" : "\033[K\n", f);
}

static const char *state_colour(int rank)
{
	switch (rank) {
	case 0: return "\033[32m";			/* running */
	case 1: case 2: case 3: case 4: return "\033[33m";	/* on the way */
	case 5: return "\033[31m";			/* failed */
	default: return NULL;
	}
}

static void render(FILE *f, struct sample *sm, int width, int height)
{
	char buf[1024], tasks[48], forks[24], pct[16], tm[24], mem[48];
	unsigned counts[SVC_NSTATES + 1] = { 0 }, shown;
	bool have_mem = false;
	double total = 0;
	int namew = 30, w = top.batch ? -1 : width - 1, n;
	size_t used;

	qsort(sm->rows, sm->nrows, sizeof(*sm->rows), row_cmp);
	for (unsigned i = 0; i < sm->nrows; i++) {
		have_mem |= sm->rows[i].have_mem;
		if (sm->rows[i].pct > 0)
			total += sm->rows[i].pct;
	}
	for (unsigned i = 0; i < sm->st.n; i++)
		counts[sm->st.svc[i].st >= 0 ? sm->st.svc[i].st : SVC_NSTATES]++;
	if (top.batch) {
		for (unsigned i = 0; i < sm->nrows; i++)
			if ((int)strlen(sm->rows[i].name) > namew)
				namew = (int)strlen(sm->rows[i].name);
	} else {
		/* NAME takes what the fixed columns leave */
		namew = w - 49 - (have_mem ? 16 : 0);
		if (namew < 8)
			namew = 8;
	}
	snprintf(buf, sizeof(buf), "corral top - clock %.1fs, every %gs, sorted by %s%s",
		 sm->now, top.interval, sort_keys[top.key].label, top.reverse ? " (reversed)" : "");
	line(f, w, NULL, buf);
	used = (size_t)snprintf(buf, sizeof(buf), "%u groups, %u services:", sm->nrows, sm->st.n);
	for (int k = 0; k < SVC_NSTATES && used < sizeof(buf); k++)
		for (unsigned i = 0; i < sm->st.n; i++)
			if (sm->st.svc[i].st == k) {
				used += (size_t)snprintf(buf + used, sizeof(buf) - used, " %u %s,",
							 counts[k], sm->st.svc[i].state);
				break;
			}
	if (used < sizeof(buf))
		snprintf(buf + used - (buf[used - 1] == ','), sizeof(buf) - used + 1,
			 "; cpu %.1f%%", total);
	line(f, w, NULL, buf);
	n = snprintf(buf, sizeof(buf), "%-*s %-8s %11s %8s %6s %10s", namew, "NAME", "STATE",
		     "TASKS/LIMIT", "FORKFAIL", "CPU%", "CPU-TIME");
	if (have_mem)
		snprintf(buf + n, sizeof(buf) - (size_t)n, " %15s", "MEM/LIMIT");
	line(f, w, "\033[7m", buf);
	shown = sm->nrows;
	if (!top.batch && height - 4 < (int)shown)
		shown = height > 4 ? (unsigned)(height - 4) : 0;
	for (unsigned i = 0; i < shown; i++) {
		const struct row *r = &sm->rows[i];
		const char *col = top.colour ? state_colour(r->rank) : NULL;

		if (r->have_tasks) {
			if (r->tasks_max < 0)
				snprintf(tasks, sizeof(tasks), "%lld/max", r->tasks);
			else
				snprintf(tasks, sizeof(tasks), "%lld/%lld", r->tasks, r->tasks_max);
			snprintf(forks, sizeof(forks), "%llu", r->forks);
		} else {
			snprintf(tasks, sizeof(tasks), "-");
			snprintf(forks, sizeof(forks), "-");
		}
		if (r->pct >= 0)
			snprintf(pct, sizeof(pct), "%.1f", r->pct);
		else
			snprintf(pct, sizeof(pct), "-");
		if (r->have_cpu)
			fmt_time(tm, sizeof(tm), r->usage_ns);
		else
			snprintf(tm, sizeof(tm), "-");
		/* the name is cut from the left: the leaf of a deep path matters */
		n = (int)strlen(r->name);
		n = snprintf(buf, sizeof(buf), "%s%-*s %s%-8s%s %11s %8s %6s %10s",
			     n > namew ? "<" : "", n > namew ? namew - 1 : namew,
			     n > namew ? r->name + n - namew + 1 : r->name,
			     col ? col : "", r->state ? r->state : "-", col ? "\033[0m" : "",
			     tasks, forks, pct, tm);
		if (have_mem) {
			char a[16] = "-", b[16] = "max";

			if (r->have_mem)
				fmt_bytes(a, sizeof(a), r->mem);
			if (r->have_mem && r->mem_max)
				fmt_bytes(b, sizeof(b), r->mem_max);
			snprintf(mem, sizeof(mem), "%s/%s", a, b);
			snprintf(buf + n, sizeof(buf) - (size_t)n, " %15s", mem);
		}
		/* the colour codes take no columns */
		line(f, w < 0 ? -1 : w + (col ? 10 : 0), NULL, buf);
	}
	if (top.batch) {
		fputs("\n", f);
		return;
	}
	used = 0;
	for (int k = 0; k < K_NKEYS; k++)
		used += (size_t)snprintf(buf + used, sizeof(buf) - used, k == (int)top.key ?
					 "[%c %s] " : "%c %s  ", sort_keys[k].key, sort_keys[k].label);
	snprintf(buf + used, sizeof(buf) - used, "r rev  q quit%s",
		 shown < sm->nrows ? "  (more below)" : "");
	/* the last line: no newline, so a full screen does not scroll */
	if (top.colour)
		fputs("\033[7m", f);
	fprintf(f, "%.*s", w, buf);
	fputs(top.colour ? "\033[0m\033[K\033[J" : "\033[K\033[J", f);
}

static void term_size(int *w, int *h)
{
	struct winsize ws;

	*w = 80;
	*h = 24;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col && ws.ws_row) {
		*w = ws.ws_col;
		*h = ws.ws_row;
	}
}

static int draw(struct sample *sm)
{
	char *text = NULL;
	size_t len = 0, off = 0;
	FILE *f = open_memstream(&text, &len);
	int w, h;

	if (!f) {
		perror("initctl: open_memstream");
		return -1;
	}
	term_size(&w, &h);
	if (!top.batch)
		fputs("\033[H", f);
	render(f, sm, w, h);
	if (fclose(f)) {
		perror("initctl: writing the frame");
		free(text);
		return -1;
	}
	/* one write per frame: the terminal never shows half a frame */
	while (off < len) {
		ssize_t r = write(STDOUT_FILENO, text + off, len - off);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			free(text);
			return -1;
		}
		off += (size_t)r;
	}
	free(text);
	return 0;
}

static void on_signal(int sig)
{
	if (sig == SIGWINCH)
		got_winch = 1;
	else
		got_sig = sig;
}

static void term_restore(void)
{
	if (!top.raw)
		return;
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &top.saved);
	top.raw = false;
}

static void term_raw(void)
{
	struct termios t = top.saved;

	/* no echo, a key at a time; ISIG stays, so ^C is still SIGINT */
	t.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &t) == 0)
		top.raw = true;
	else
		perror("initctl: tcsetattr stdin");
}

static void screen_enter(void)
{
	if (top.keys)
		term_raw();
	/* one clear at the start; later frames overwrite in place */
	if (write(STDOUT_FILENO, "\033[?25l\033[H\033[2J", 13) < 0)
		return;
}

static void screen_leave(void)
{
	term_restore();
	if (write(STDOUT_FILENO, "\033[?25h\n", 7) < 0)
		return;
}

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A signal arrived: SIGWINCH redraws; ^Z restores the terminal, stops,
 * and takes it back when continued; the rest end top with the terminal
 * restored and then die of the signal as if top had no handler. */
static int handle_signals(struct sample *cur)
{
	int sig = got_sig;

	got_sig = 0;
	if (sig == SIGTSTP) {
		screen_leave();
		signal(SIGTSTP, SIG_DFL);
		raise(SIGTSTP);
		signal(SIGTSTP, on_signal);
		screen_enter();
		got_winch = 1;
	} else if (sig) {
		screen_leave();
		signal(sig, SIG_DFL);
		raise(sig);
		return -1;
	}
	if (got_winch) {
		got_winch = 0;
		draw(cur);
	}
	return 0;
}

/* 1: quit */
static int key(char c)
{
	if (c == 'q' || c == 'Q')
		return 1;
	if (c == 'r' || c == 'R') {
		top.reverse = !top.reverse;
		return 0;
	}
	for (int k = 0; k < K_NKEYS; k++)
		if (c == sort_keys[k].key || c == sort_keys[k].key - 'a' + 'A') {
			if (top.key != (enum sort_key)k)
				top.reverse = false;
			top.key = (enum sort_key)k;
		}
	return 0;
}

/* Wait out the interval, acting on keys and signals; 1 to quit. */
static int wait_interval(struct sample *cur)
{
	double deadline = mono() + top.interval;

	for (;;) {
		struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
		double left = deadline - mono();
		char c[32];
		ssize_t r;
		int pr;

		if (got_sig || got_winch)
			if (handle_signals(cur) < 0)
				return 1;
		if (left <= 0)
			return 0;
		pr = poll(&p, top.keys ? 1 : 0, (int)ceil(left * 1000));
		if (pr < 0 && errno != EINTR) {
			perror("initctl: poll");
			return 1;
		}
		if (pr <= 0)
			continue;
		r = read(STDIN_FILENO, c, sizeof(c));
		if (r <= 0) {
			if (r == 0 || errno != EINTR)
				top.keys = false;	/* EOF: keep refreshing */
			continue;
		}
		for (ssize_t i = 0; i < r; i++)
			if (key(c[i]))
				return 1;
		draw(cur);
	}
}

static int parse_args(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		char *end;

		if (!strcmp(argv[i], "-b")) {
			top.batch = true;
		} else if (!strcmp(argv[i], "-d") && i + 1 < argc) {
			top.interval = strtod(argv[++i], &end);
			if (*end || end == argv[i] || !(top.interval >= 0.1 && top.interval <= 3600)) {
				fprintf(stderr, "initctl: top -d '%s': want seconds from 0.1 to 3600\n",
					argv[i]);
				return -1;
			}
		} else if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			top.iterations = strtol(argv[++i], &end, 10);
			if (*end || end == argv[i] || top.iterations < 1) {
				fprintf(stderr, "initctl: top -n '%s': want a positive count\n", argv[i]);
				return -1;
			}
		} else {
			fprintf(stderr, "initctl: top: unknown argument '%s'\n"
				"usage: initctl top [-b] [-d SECONDS] [-n ITERATIONS]\n", argv[i]);
			return -1;
		}
	}
	return 0;
}

int vw_top(int argc, char **argv)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGWINCH };
	struct sample prev = { 0 }, cur = { 0 };
	struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART: poll wakes */
	const char *nc = getenv("NO_COLOR");
	int rc = 0;

	if (parse_args(argc, argv) < 0)
		return 2;
	if (!isatty(STDOUT_FILENO))
		top.batch = true;
	top.colour = !top.batch && !(nc && *nc);
	top.keys = !top.batch && isatty(STDIN_FILENO) &&
		   tcgetattr(STDIN_FILENO, &top.saved) == 0;
	if (!top.batch) {
		sigemptyset(&sa.sa_mask);
		for (unsigned i = 0; i < sizeof(sigs) / sizeof(*sigs); i++)
			sigaction(sigs[i], &sa, NULL);
		screen_enter();
	}
	for (long it = 1;; it++) {
		rc = vw_fetch(&cur.st);
		if (rc)
			break;
		build_rows(&cur, prev.rows ? &prev : NULL);
		if (draw(&cur) < 0) {
			rc = 1;
			break;
		}
		sample_free(&prev);
		prev = cur;
		memset(&cur, 0, sizeof(cur));
		if (top.iterations && it >= top.iterations)
			break;
		if (top.batch) {
			struct timespec ts = { (time_t)top.interval,
					       (long)((top.interval - floor(top.interval)) * 1e9) };

			while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
				;
		} else if (wait_interval(&prev)) {
			break;
		}
	}
	if (!top.batch)
		screen_leave();
	sample_free(&prev);
	sample_free(&cur);
	return rc;
}
