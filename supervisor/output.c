/*
 * supervisor/output.c - service stdout/stderr.
 *
 * Each service gets one pipe for both streams, created once and kept for
 * its lifetime: PID 1 holds the write end too, so the read end never sees
 * EOF between runs and daemons of a forking service can keep writing.
 * The read end is non-blocking and drained from the event loop, so a
 * chatty service can only ever block itself (on a full pipe), never PID 1.
 * Lines go to the console prefixed with the service name, and into a
 * per-service ring that `initctl log` reads.
 */
#include "internal.h"
#include "../lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static void ring_put(struct service *s, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		s->ring[(s->ring_head + s->ring_len) % SVC_LOG_RING] = p[i];
		if (s->ring_len < SVC_LOG_RING)
			s->ring_len++;
		else
			s->ring_head = (s->ring_head + 1) % SVC_LOG_RING;
	}
}

size_t svc_output_copy(const struct service *s, char *buf, size_t len)
{
	size_t n = s->ring_len < len ? s->ring_len : len;
	size_t skip = s->ring_len - n;	/* keep the newest part */

	for (size_t i = 0; i < n; i++)
		buf[i] = s->ring[(s->ring_head + skip + i) % SVC_LOG_RING];
	return n;
}

static void emit_line(struct service *s)
{
	char out[SVC_LINE_BUF + SVC_NAME_MAX + 8];
	int n;

	n = snprintf(out, sizeof(out), "%s: %.*s\n", s->def.name,
		     (int)s->line_len, s->line);
	if (n > (int)sizeof(out) - 1)
		n = (int)sizeof(out) - 1;
	if (sup.o.console_fd >= 0 && write(sup.o.console_fd, out, (size_t)n) < 0) {
		/* console gone: the ring still has it */
	}
	ring_put(s, s->line, s->line_len);
	ring_put(s, "\n", 1);
	s->line_len = 0;
}

void svc_output_drain(struct service *s)
{
	char buf[4096];
	ssize_t r;
	int rounds = 0;

	/* bounded, so one flooding service cannot starve the loop */
	while (rounds++ < 16) {
		r = read(s->out_rd, buf, sizeof(buf));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		for (ssize_t i = 0; i < r; i++) {
			if (buf[i] == '\n') {
				emit_line(s);
				continue;
			}
			s->line[s->line_len++] = buf[i];
			if (s->line_len == sizeof(s->line))
				emit_line(s);	/* over-long line: split it */
		}
	}
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
