/*
 * supervisor/output.c - service stdout/stderr.
 *
 * Each service gets one pipe for both streams, created once and kept for
 * its lifetime: PID 1 holds the write end too, so the read end never sees
 * EOF between runs and daemons of a forking service can keep writing.
 * The read end is non-blocking and drained from the event loop, so a
 * chatty service can only ever block itself (on a full pipe), never PID 1.
 * Lines go to the console prefixed with the service name, into a
 * per-service ring of timestamped lines that `initctl log` reads (and
 * `initctl log -f` follows: see struct follower), and into the service's
 * log file when a log directory is set (lib/rotate.h).
 *
 * The console itself never blocks PID 1 either: it is a log.h console
 * (non-blocking, a bounded buffer, whole lines dropped and counted when a
 * slow serial line or an unread pipe cannot keep up), flushed from the
 * event loop when the console is writable.  The ring gets every line,
 * whatever the console dropped.
 */
#include "internal.h"
#include "../lib/log.h"

#include "../lib/rotate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static struct {
	struct ev_loop *loop;
	int out_id;			/* log.h console of service output */
	ev_io io[LOG_CONSOLE_MAX];	/* EV_WRITE while output is pending */
} con = { .out_id = -1 };

static void console_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	int id = (int)(w - con.io);

	(void)revents;
	if (log_console_flush(id) == 0)
		ev_io_stop(loop, w);
}

/* log.h: console id has output pending; watch it until it is written */
static void console_wake(int id)
{
	ev_io *w = &con.io[id];

	if (!con.loop || ev_is_active(w))
		return;
	ev_io_set(w, log_console_fd(id), EV_WRITE);
	ev_io_start(con.loop, w);
}

int sup_console_open(struct ev_loop *loop, int out_fd, int log_fd)
{
	int log_id;

	con.loop = loop;
	for (int i = 0; i < LOG_CONSOLE_MAX; i++)
		ev_init(&con.io[i], console_cb);
	log_console_set_wake(console_wake);
	log_id = log_console_open(log_fd, LOG_CONSOLE_BUF);
	if (log_id < 0)
		log_warn_sys("open a non-blocking console on", "standard error");
	log_set_console(log_id);
	con.out_id = log_console_open(out_fd, LOG_CONSOLE_BUF);
	if (con.out_id < 0)
		log_warn_sys("open a non-blocking console on", "standard output");
	/* lines logged before the loop existed */
	for (int i = 0; i < LOG_CONSOLE_MAX; i++)
		if (log_console_pending(i))
			console_wake(i);
	return log_id < 0 || con.out_id < 0 ? -1 : 0;
}

/* ---- the ring, the log file, the followers ------------------------------ */

/*
 * The ring holds whole lines "SECONDS.MICROS text\n", the realtime clock
 * when corral read the line, oldest first; when a line does not fit, the
 * oldest lines are dropped whole.  It is allocated with the line buffer
 * and the log file at the service's first output, so a service that never
 * writes costs one pointer.
 */
struct svc_log {
	size_t head, len;		/* bytes of ring in use */
	size_t line_len;		/* bytes of line read so far */
	bool file_open;			/* file is valid (maybe failed) */
	struct rot_file file;		/* LOGDIR/NAME/current */
	char line[SVC_LINE_BUF];
	char ring[SVC_LOG_RING];
};

/* `initctl log -f`: a connection kept open and fed every new line.  Its
 * buffer is bounded: a client that reads too slowly loses lines (counted,
 * then one marker line says how many), never blocks PID 1. */
#define FOLLOW_BUF (64 * 1024)
struct follower {
	struct follower *next;
	struct service *s;
	int fd;
	ev_io io;
	char *buf;			/* a ring of FOLLOW_BUF bytes */
	size_t head, len;
	unsigned long dropped;		/* lines not sent, not yet reported */
};

static struct {
	char *dir;			/* NULL: no log files */
	size_t max;
	unsigned keep;
	struct follower *followers;
} lf;

static struct svc_log *log_get(struct service *s)
{
	if (!s->log) {
		s->log = calloc(1, sizeof(*s->log));
		if (!s->log)
			log_error_sys("allocate the output ring of", s->def.name);
	}
	return s->log;
}

static void ring_put(struct svc_log *l, const char *p, size_t n)
{
	if (n > SVC_LOG_RING)
		return;
	/* make room by dropping the oldest lines whole */
	while (l->len + n > SVC_LOG_RING) {
		while (l->len > 0) {
			char c = l->ring[l->head];

			l->head = (l->head + 1) % SVC_LOG_RING;
			l->len--;
			if (c == '\n')
				break;
		}
	}
	for (size_t i = 0; i < n; i++)
		l->ring[(l->head + l->len + i) % SVC_LOG_RING] = p[i];
	l->len += n;
}

bool svc_output_any(const struct service *s)
{
	return s->log && s->log->len > 0;
}

size_t svc_output_copy(const struct service *s, char *buf, size_t len)
{
	const struct svc_log *l = s->log;
	size_t skip, n;

	if (!l || !len)
		return 0;
	/* the newest whole lines that fit */
	skip = l->len > len ? l->len - len : 0;
	if (skip)
		while (skip < l->len && l->ring[(l->head + skip - 1) % SVC_LOG_RING] != '\n')
			skip++;
	n = l->len - skip;
	for (size_t i = 0; i < n; i++)
		buf[i] = l->ring[(l->head + skip + i) % SVC_LOG_RING];
	return n;
}

void sup_log_files(const char *dir, size_t max, unsigned keep)
{
	free(lf.dir);
	lf.dir = NULL;
	if (!dir || !*dir)
		return;
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		log_warn_sys("mkdir", dir);
		log_warn("service logs are not written to files");
		return;
	}
	lf.dir = strdup(dir);
	if (!lf.dir)
		log_error_sys("allocate", dir);
	lf.max = max;
	lf.keep = keep;
}

/* At shutdown, before the root file system is remounted read-only: a log
 * file PID 1 holds open for writing keeps it busy (EBUSY), and the disk
 * would not be clean.  Nothing is written to files after this. */
void sup_log_files_close(void)
{
	sup_log_files(NULL, 0, 0);
	for (unsigned i = 0; i < sup.nsvcs; i++) {
		struct svc_log *l = sup.svcs[i]->log;

		if (l && l->file_open) {
			rot_close(&l->file);
			l->file_open = false;
		}
	}
}

static void file_put(struct service *s, struct svc_log *l, const struct timespec *ts,
		     const char *text, size_t n)
{
	char path[4200], stamp[48], *rec;
	struct tm tm;
	size_t sn;

	if (!lf.dir)
		return;
	if (!l->file_open) {
		l->file_open = true;
		snprintf(path, sizeof(path), "%s/%s", lf.dir, s->def.name);
		(void)rot_open(&l->file, path, lf.max, lf.keep);	/* reported there */
	}
	if (l->file.failed)
		return;
	gmtime_r(&ts->tv_sec, &tm);
	sn = strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	sn += (size_t)snprintf(stamp + sn, sizeof(stamp) - sn, ".%06ldZ ", ts->tv_nsec / 1000);
	rec = malloc(sn + n + 1);
	if (!rec)
		return;
	memcpy(rec, stamp, sn);
	memcpy(rec + sn, text, n);
	rec[sn + n] = '\n';
	(void)rot_write(&l->file, rec, sn + n + 1);	/* one write: whole lines */
	free(rec);
}

static void follower_free(struct follower *f)
{
	for (struct follower **pp = &lf.followers; *pp; pp = &(*pp)->next)
		if (*pp == f) {
			*pp = f->next;
			break;
		}
	ev_io_stop(con.loop, &f->io);
	close(f->fd);
	free(f->buf);
	free(f);
}

static void follower_watch(struct follower *f)
{
	int ev = EV_READ | (f->len ? EV_WRITE : 0);

	if ((f->io.events & (EV_READ | EV_WRITE)) == ev && ev_is_active(&f->io))
		return;
	ev_io_stop(con.loop, &f->io);
	ev_io_set(&f->io, f->fd, ev);
	ev_io_start(con.loop, &f->io);
}

static void follower_append(struct follower *f, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		f->buf[(f->head + f->len + i) % FOLLOW_BUF] = p[i];
	f->len += n;
}

/* The "N lines dropped" line, once room > need bytes are free besides. */
static void follower_mark(struct follower *f, size_t need)
{
	char mark[128];
	struct timespec ts;
	int mn;

	if (!f->dropped)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	mn = snprintf(mark, sizeof(mark), "%lld.%06ld [corral: %lu lines dropped: "
		      "this client reads too slowly]\n", (long long)ts.tv_sec,
		      ts.tv_nsec / 1000, f->dropped);
	if (mn > 0 && f->len + (size_t)mn + need <= FOLLOW_BUF) {
		follower_append(f, mark, (size_t)mn);
		f->dropped = 0;
	}
}

/* Queue one whole line, or count it dropped. */
static void follower_put(struct follower *f, const char *p, size_t n)
{
	follower_mark(f, n);
	if (f->dropped || f->len + n > FOLLOW_BUF) {
		f->dropped++;
		return;
	}
	follower_append(f, p, n);
}

/* Write what the socket takes now; false if the client is gone. */
static bool follower_flush(struct follower *f)
{
	while (f->len > 0) {
		size_t chunk = FOLLOW_BUF - f->head < f->len ? FOLLOW_BUF - f->head : f->len;
		ssize_t r = send(f->fd, f->buf + f->head, chunk, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (r <= 0)
			return false;
		f->head = (f->head + (size_t)r) % FOLLOW_BUF;
		f->len -= (size_t)r;
	}
	if (f->len == 0)
		f->head = 0;
	return true;
}

static void follower_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct follower *f = w->data;
	char junk[256];

	(void)loop;
	if (revents & EV_READ) {
		ssize_t r = recv(f->fd, junk, sizeof(junk), MSG_DONTWAIT);

		/* the client hung up (initctl interrupted) */
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR)) {
			follower_free(f);
			return;
		}
	}
	if (!follower_flush(f)) {
		follower_free(f);
		return;
	}
	/* drained to half: say what was lost without waiting for a line */
	if (f->dropped && f->len <= FOLLOW_BUF / 2) {
		follower_mark(f, 0);
		if (!follower_flush(f)) {
			follower_free(f);
			return;
		}
	}
	follower_watch(f);
}

void svc_output_follow(struct service *s, int fd)
{
	static const char ok[] = "ok\n";
	struct follower *f = calloc(1, sizeof(*f));
	char *snap = malloc(SVC_LOG_RING);
	size_t n;

	if (f)
		f->buf = malloc(FOLLOW_BUF);
	if (!f || !f->buf || !snap) {
		log_error_sys("allocate a log follower for", s->def.name);
		if (f)
			free(f->buf);
		free(f);
		free(snap);
		close(fd);
		return;
	}
	f->s = s;
	f->fd = fd;
	/* "ok", what the ring holds, an empty line, then each new line */
	follower_append(f, ok, sizeof(ok) - 1);
	n = svc_output_copy(s, snap, SVC_LOG_RING);
	follower_append(f, snap, n);
	follower_append(f, "\n", 1);
	free(snap);
	ev_init(&f->io, follower_cb);
	f->io.data = f;
	f->next = lf.followers;
	lf.followers = f;
	if (!follower_flush(f)) {
		follower_free(f);
		return;
	}
	follower_watch(f);
}

void svc_output_free(struct service *s)
{
	struct follower *f = lf.followers, *next;

	for (; f; f = next) {
		next = f->next;
		if (f->s == s)
			follower_free(f);
	}
	if (s->log) {
		if (s->log->file_open)
			rot_close(&s->log->file);
		free(s->log);
		s->log = NULL;
	}
}

static void emit_line(struct service *s, struct svc_log *l)
{
	char out[SVC_LINE_BUF + SVC_NAME_MAX + 40];
	struct timespec ts;
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);	/* when corral read it */
	n = snprintf(out, sizeof(out), "%s: %.*s\n", s->def.name,
		     (int)l->line_len, l->line);
	if (n > (int)sizeof(out) - 1)
		n = (int)sizeof(out) - 1;
	if (con.out_id >= 0)
		log_console_put(con.out_id, out, (size_t)n, 0);
	else if (sup.o.console_fd >= 0 && write(sup.o.console_fd, out, (size_t)n) < 0) {
		/* console gone: the ring still has it */
	}
	n = snprintf(out, sizeof(out), "%lld.%06ld %.*s\n", (long long)ts.tv_sec,
		     ts.tv_nsec / 1000, (int)l->line_len, l->line);
	if (n > (int)sizeof(out) - 1)
		n = (int)sizeof(out) - 1;
	ring_put(l, out, (size_t)n);
	for (struct follower *f = lf.followers, *next; f; f = next) {
		next = f->next;
		if (f->s != s)
			continue;
		follower_put(f, out, (size_t)n);
		if (!follower_flush(f))
			follower_free(f);
		else
			follower_watch(f);
	}
	file_put(s, l, &ts, l->line, l->line_len);
	l->line_len = 0;
}

void svc_output_drain(struct service *s)
{
	char buf[4096];
	ssize_t r;
	int rounds = 0;
	struct svc_log *l;

	/* bounded, so one flooding service cannot starve the loop */
	while (rounds++ < 16) {
		r = read(s->out_rd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		l = log_get(s);
		if (!l)
			continue;	/* out of memory: drained, not kept */
		for (ssize_t i = 0; i < r; i++) {
			if (buf[i] == '\n') {
				emit_line(s, l);
				continue;
			}
			l->line[l->line_len++] = buf[i];
			if (l->line_len == sizeof(l->line))
				emit_line(s, l);	/* over-long line: split it */
		}
	}
}

/* ---- start times and the boot summary ------------------------------------ */

static struct {
	unsigned left, total, failed;
	bool watching;
} boot;

static void boot_settled(struct service *s, enum svc_state st)
{
	if (!s->boot_wait)
		return;
	s->boot_wait = false;
	if (st == SVC_FAILED)
		boot.failed++;
	if (boot.left && --boot.left == 0 && boot.watching) {
		boot.watching = false;
		log_info("all %u services up in %.3f s (%u failed)", boot.total,
			 log_clock(), boot.failed);
	}
}

void sup_boot_watch(void)
{
	boot.left = boot.total = boot.failed = 0;
	for (unsigned i = 0; i < sup.nsvcs; i++) {
		struct service *s = sup.svcs[i];

		s->boot_wait = false;
		if (s->want != SVC_WANT_UP || s->def.target)	/* services only */
			continue;
		boot.total++;
		if (s->state == SVC_RUNNING || s->state == SVC_DONE || s->state == SVC_FAILED) {
			if (s->state == SVC_FAILED)
				boot.failed++;
			continue;
		}
		s->boot_wait = true;
		boot.left++;
	}
	boot.watching = boot.left > 0;
	if (!boot.watching)
		log_info("all %u services up in %.3f s (%u failed)", boot.total,
			 log_clock(), boot.failed);
}

void svc_output_state(struct service *s, enum svc_state st)
{
	if (st == SVC_RUNNING || st == SVC_DONE) {
		/* from the fork (entering starting) of this run; a run that
		 * was up already (running, then done) is not a new start */
		double now = s->hist[(s->nhist - 1) % SVC_HIST_MAX].t;

		for (unsigned k = 1; k < SVC_HIST_MAX && k < s->nhist; k++) {
			const struct svc_hist *h = &s->hist[(s->nhist - 1 - k) % SVC_HIST_MAX];

			if (h->st == SVC_STARTING) {
				log_info("%s: %s after %.3f s", s->def.name, svc_state_name(st),
					 now - h->t);
				break;
			}
			if (h->st == SVC_RUNNING || h->st == SVC_DONE)
				break;
		}
	}
	if (st == SVC_RUNNING || st == SVC_DONE || st == SVC_FAILED || st == SVC_DOWN)
		boot_settled(s, st);
}

static void out_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	(void)loop;
	(void)revents;
	svc_output_drain(w->data);
}

int svc_output_open(struct service *s)
{
	int p[2];

	if (s->out_rd >= 0)
		return 0;
	if (pipe2(p, O_CLOEXEC) < 0) {
		log_error_sys("create output pipe for", s->def.name);
		return -1;
	}
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	s->out_rd = p[0];
	s->out_wr = p[1];
	ev_io_init(&s->out_io, out_cb, p[0], EV_READ);
	s->out_io.data = s;
	ev_io_start(sup.o.loop, &s->out_io);
	return 0;
}

/* The service is being dropped: its pipe and watcher go with it. */
void svc_output_close(struct service *s)
{
	if (s->out_rd >= 0) {
		ev_io_stop(sup.o.loop, &s->out_io);
		close(s->out_rd);
		s->out_rd = -1;
	}
	if (s->out_wr >= 0) {
		close(s->out_wr);
		s->out_wr = -1;
	}
}
