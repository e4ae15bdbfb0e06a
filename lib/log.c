/*
 * lib/log.c - formatting and writing log lines, and the console.
 *
 * One write(2) per line so lines from several processes sharing the console
 * do not interleave mid-line.  Failures to write are ignored on purpose:
 * there is nowhere left to report them.
 *
 * The console (see log.h) must not block, but O_NONBLOCK is a flag of the
 * open file description, not of the descriptor: set on corral's stdout
 * it would also be set for every process sharing that description (the
 * shell that started corral on a tty would then see EAGAIN and quit).  So
 * a console gets a description of its own: the file is opened again
 * through /proc/self/fd/N with O_NONBLOCK (a pipe, FIFO or tty; O_NOCTTY,
 * so PID 1 never gains a controlling terminal).  A socket cannot be
 * reopened that way, but send(MSG_DONTWAIT) is non-blocking per call.  A
 * regular file is written directly: it never waits for a reader.  Only
 * when reopening fails (no /proc, a FIFO without a reader) is O_NONBLOCK
 * set on the shared description, as the lesser evil for PID 1.  Services
 * never share it: their stdout and stderr are their own pipe (output.c).
 */
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *log_prog = "corral";
static enum log_level log_level = LOG_LVL_INFO;
static int log_fd = 2;
static int log_con = -1;
static int log_stamp;
static double log_origin;	/* CLOCK_MONOTONIC seconds; 0: boot */
static void (*log_sink)(void *ctx, enum log_level lvl, const char *msg);
static void *log_sink_ctx;

enum con_mode { CON_DIRECT, CON_NONBLOCK, CON_SOCKET };

static struct console {
	bool open;
	enum con_mode mode;
	int fd;			/* what is written to */
	bool own_fd;		/* fd was opened here (/proc/self/fd/N) */
	dev_t dev;		/* the file, to share one console for 2>&1 */
	ino_t ino;
	char *buf;		/* a ring of cap bytes */
	size_t cap, head, len;
	unsigned long dropped;	/* lines dropped, not yet reported */
} cons[LOG_CONSOLE_MAX];
static void (*con_wake)(int id);

static const char *const level_names[] = {
	[LOG_LVL_ERROR] = "error: ",
	[LOG_LVL_WARN] = "warning: ",
	[LOG_LVL_INFO] = "",
	[LOG_LVL_DEBUG] = "debug: ",
};

void log_set_prog(const char *prog) { log_prog = prog; }
void log_set_level(enum log_level lvl) { log_level = lvl; }
enum log_level log_get_level(void) { return log_level; }
void log_set_fd(int fd) { log_fd = fd; }
void log_set_console(int id) { log_con = id >= 0 && id < LOG_CONSOLE_MAX && cons[id].open ? id : -1; }

static double mono(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

void log_set_sink(void (*sink)(void *ctx, enum log_level lvl, const char *msg), void *ctx)
{
	log_sink = sink;
	log_sink_ctx = ctx;
}

void log_set_stamp(int on) { log_stamp = on; }
void log_set_origin(int origin_now) { log_origin = origin_now ? mono() : 0; }
double log_clock(void) { return mono() - log_origin; }

void log_vmsg(enum log_level lvl, const char *fmt, va_list ap)
{
	char line[1024];
	int saved = errno;
	int n = 0;

	if (lvl > log_level)
		goto out;
	if (log_sink) {
		vsnprintf(line, sizeof(line), fmt, ap);
		log_sink(log_sink_ctx, lvl, line);
		goto out;
	}
	/* before the program name, as the kernel's own console lines */
	if (log_stamp)
		n = snprintf(line, sizeof(line), "[%7.3f] ", log_clock());
	n += snprintf(line + n, sizeof(line) - (size_t)n, "%s: %s", log_prog, level_names[lvl]);
	if (n < 0)
		goto out;
	if ((size_t)n < sizeof(line))
		n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if ((size_t)n >= sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (log_con >= 0)
		log_console_put(log_con, line, (size_t)n, 1);
	else if (write(log_fd, line, (size_t)n) < 0) {
		/* nowhere to report it */
	}
out:
	errno = saved;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(lvl, fmt, ap);
	va_end(ap);
}

void log_sys(enum log_level lvl, const char *verb, const char *path)
{
	int saved = errno;

	log_msg(lvl, "unable to %s %s: %s", verb, path, strerror(saved));
	errno = saved;
}

/* ---- the console -------------------------------------------------------- */

static struct console *con_get(int id)
{
	return id >= 0 && id < LOG_CONSOLE_MAX && cons[id].open ? &cons[id] : NULL;
}

static void con_sync_atexit(void)
{
	log_console_sync(2000);
}

int log_console_open(int fd, size_t cap)
{
	static bool atexit_done;
	char path[64];
	struct stat st;
	struct console *c = NULL;
	int id, nfd;

	if (fstat(fd, &st) < 0)
		return -1;
	for (id = 0; id < LOG_CONSOLE_MAX; id++)
		if (cons[id].open && cons[id].dev == st.st_dev && cons[id].ino == st.st_ino)
			return id;
	for (id = 0; id < LOG_CONSOLE_MAX && !c; id++)
		if (!cons[id].open)
			c = &cons[id];
	if (!c) {
		errno = ENOSPC;
		return -1;
	}
	id = (int)(c - cons);
	memset(c, 0, sizeof(*c));
	c->dev = st.st_dev;
	c->ino = st.st_ino;
	c->fd = fd;
	if (S_ISREG(st.st_mode)) {
		c->mode = CON_DIRECT;
	} else if (S_ISSOCK(st.st_mode)) {
		c->mode = CON_SOCKET;
	} else {
		c->mode = CON_NONBLOCK;
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		nfd = open(path, O_WRONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
		if (nfd >= 0) {
			c->fd = nfd;
			c->own_fd = true;
		} else {
			int fl = fcntl(fd, F_GETFL);

			if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
				return -1;
		}
	}
	if (c->mode != CON_DIRECT) {
		c->buf = malloc(cap);
		if (!c->buf) {
			if (c->own_fd)
				close(c->fd);
			return -1;
		}
		c->cap = cap;
	}
	c->open = true;
	if (!atexit_done) {
		atexit(con_sync_atexit);
		atexit_done = true;
	}
	return id;
}

void log_console_close(int id)
{
	struct console *c = con_get(id);

	if (!c)
		return;
	if (log_con == id)
		log_con = -1;
	free(c->buf);
	/* a description of our own (not the caller's fd) is ours to close */
	if (c->mode == CON_NONBLOCK && c->own_fd)
		close(c->fd);
	memset(c, 0, sizeof(*c));
}

void log_console_set_wake(void (*wake)(int id)) { con_wake = wake; }

int log_console_fd(int id)
{
	struct console *c = con_get(id);

	return c ? c->fd : -1;
}

size_t log_console_pending(int id)
{
	struct console *c = con_get(id);

	return c ? c->len : 0;
}

unsigned long log_console_dropped(int id)
{
	struct console *c = con_get(id);

	return c ? c->dropped : 0;
}

/* One non-blocking write attempt. */
static ssize_t con_write(struct console *c, const char *p, size_t n)
{
	ssize_t r;

	do {
		if (c->mode == CON_SOCKET)
			r = send(c->fd, p, n, MSG_DONTWAIT | MSG_NOSIGNAL);
		else
			r = write(c->fd, p, n);
	} while (r < 0 && errno == EINTR);
	return r;
}

static void con_append(struct console *c, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		c->buf[(c->head + c->len + i) % c->cap] = p[i];
	c->len += n;
}

/* Queue (or write at once) one whole line; -1 if it did not fit. */
static int con_put(struct console *c, int id, const char *line, size_t n, bool own)
{
	size_t limit = own ? c->cap : c->cap - c->cap / 4;
	bool was_empty = c->len == 0;
	ssize_t r;

	if (c->len == 0) {
		r = con_write(c, line, n);
		if (r == (ssize_t)n)
			return 0;
		if (r < 0 && errno != EAGAIN) {
			/* the console is gone (EPIPE, EIO): nothing to wait for */
			return -1;
		}
		if (r > 0) {
			/* a line already begun is never dropped: keep the rest */
			line += r;
			n -= (size_t)r;
			limit = c->cap;
		}
	}
	if (n > limit || c->len > limit - n) {
		c->dropped++;
		return -1;
	}
	con_append(c, line, n);
	if (was_empty && con_wake)
		con_wake(id);
	return 0;
}

/* The "N lines dropped" line, once it fits. */
static void con_report_dropped(struct console *c, int id)
{
	char msg[128];
	int n;

	/* only once half the buffer is free: a console that drains slowly
	 * gets one report per half buffer, not one per write */
	if (!c->dropped || c->len > c->cap / 2)
		return;
	n = snprintf(msg, sizeof(msg), "%s: warning: console too slow: %lu lines dropped\n",
		     log_prog, c->dropped);
	if (n <= 0 || (size_t)n >= sizeof(msg))
		return;
	c->dropped = 0;
	(void)con_put(c, id, msg, (size_t)n, true);
}

int log_console_put(int id, const char *line, size_t n, int own)
{
	struct console *c = con_get(id);

	if (!c)
		return -1;
	if (c->mode == CON_DIRECT) {
		while (n > 0) {
			ssize_t r = write(c->fd, line, n);

			if (r < 0 && errno == EINTR)
				continue;
			if (r <= 0)
				return -1;
			line += r;
			n -= (size_t)r;
		}
		return 0;
	}
	/* the report goes before the lines that come after the gap */
	con_report_dropped(c, id);
	return con_put(c, id, line, n, own != 0);
}

size_t log_console_flush(int id)
{
	struct console *c = con_get(id);

	if (!c)
		return 0;
	while (c->len > 0) {
		size_t chunk = c->cap - c->head < c->len ? c->cap - c->head : c->len;
		ssize_t r = con_write(c, c->buf + c->head, chunk);

		if (r < 0 && errno == EAGAIN)
			break;
		if (r <= 0) {
			/* gone: drop what was waiting rather than retry forever */
			c->head = 0;
			c->len = 0;
			break;
		}
		c->head = (c->head + (size_t)r) % c->cap;
		c->len -= (size_t)r;
	}
	if (c->len == 0)
		c->head = 0;
	con_report_dropped(c, id);
	return c->len;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

void log_console_sync(int timeout_ms)
{
	struct timespec t0;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (int id = 0; id < LOG_CONSOLE_MAX; id++) {
		struct console *c = con_get(id);
		int saved = errno;

		while (c && log_console_flush(id) > 0) {
			struct pollfd p = { .fd = c->fd, .events = POLLOUT };
			long left = timeout_ms - ms_since(&t0);

			if (left <= 0 || (poll(&p, 1, (int)left) < 0 && errno != EINTR))
				break;
		}
		errno = saved;
	}
}
