/*
 * init/initreq.c - the SysV init request FIFO, /run/initctl.
 *
 * A Debian userland asks its init to power off through this FIFO when the
 * init is not systemd: systemd-sysv's poweroff, reboot, halt and shutdown
 * (systemctl) try systemd over D-Bus and then write sysvinit's request
 * (struct init_request, 384 bytes, magic 0x03091969, INIT_CMD_RUNLVL) with
 * runlevel '0' or '6' here; sysvinit's own tools and BusyBox do the same.
 * corral as the machine's init reads it: '0' powers off, '6' reboots.
 * Everything else is logged and ignored (corral has no runlevels).
 *
 * PID 1 holds a write end of its own open, so the FIFO never reports
 * end-of-file when a writer closes (which would make the read watcher
 * fire for ever).  A short or malformed request is dropped with a warning;
 * requests are read whole, one at a time, never blocking.
 */
#include "init.h"
#include "../lib/log.h"

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INITREQ_MAGIC 0x03091969
#define INITREQ_CMD_RUNLVL 1

static struct {
	int rfd, wfd;
	ev_io io;
	void (*cb)(enum init_action a);
	char path[256];
} q = { .rfd = -1, .wfd = -1 };

int init_request_parse(const void *buf, size_t len, enum init_action *a,
		       char *why, size_t whylen)
{
	int32_t magic, cmd, runlevel;
	const unsigned char *p = buf;

	if (len != INITREQ_SIZE) {
		snprintf(why, whylen, "request of %zu bytes, not %d", len, INITREQ_SIZE);
		return -1;
	}
	memcpy(&magic, p, 4);
	memcpy(&cmd, p + 4, 4);
	memcpy(&runlevel, p + 8, 4);
	if (magic != INITREQ_MAGIC) {
		snprintf(why, whylen, "bad magic 0x%08x", (unsigned)magic);
		return -1;
	}
	if (cmd != INITREQ_CMD_RUNLVL) {
		snprintf(why, whylen, "command %d is not a runlevel change", (int)cmd);
		return 0;
	}
	switch (runlevel) {
	case '0':
		*a = INIT_POWEROFF;
		return 1;
	case '6':
		*a = INIT_REBOOT;
		return 1;
	default:
		if (runlevel > ' ' && runlevel < 127)
			snprintf(why, whylen, "runlevel %c: corral has no runlevels", runlevel);
		else
			snprintf(why, whylen, "runlevel %d: corral has no runlevels", (int)runlevel);
		return 0;
	}
}

static void fifo_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	unsigned char buf[INITREQ_SIZE + 1];
	char why[128];
	enum init_action a;
	ssize_t n;

	(void)loop;
	(void)w;
	(void)revents;
	/* one request per read: writers send it with a single write(2),
	 * which the pipe keeps whole (384 < PIPE_BUF) */
	n = read(q.rfd, buf, sizeof(buf));
	if (n < 0) {
		if (errno != EAGAIN && errno != EINTR)
			log_warn_sys("read", q.path);
		return;
	}
	if (n == 0)
		return;
	switch (init_request_parse(buf, (size_t)n, &a, why, sizeof(why))) {
	case 1:
		log_info("%s: %s requested", q.path, init_action_name(a));
		q.cb(a);
		break;
	case 0:
		log_info("%s: ignored: %s", q.path, why);
		break;
	default:
		log_warn("%s: dropped: %s", q.path, why);
		/* what is left of a longer write would be misread as the
		 * start of the next request: discard it */
		while (read(q.rfd, buf, sizeof(buf)) > 0)
			;
		break;
	}
}

int init_request_open(struct ev_loop *loop, const char *path, void (*cb)(enum init_action a))
{
	struct stat st;

	snprintf(q.path, sizeof(q.path), "%s", path);
	q.cb = cb;
	if (mkfifo(path, 0600) < 0 && errno != EEXIST) {
		log_warn_sys("create the FIFO", path);
		return -1;
	}
	/* O_NONBLOCK: opening the read end must not wait for a writer */
	q.rfd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (q.rfd < 0) {
		log_warn_sys("open", path);
		return -1;
	}
	if (fstat(q.rfd, &st) < 0 || !S_ISFIFO(st.st_mode)) {
		log_warn("%s: not a FIFO; SysV init requests are not read", path);
		close(q.rfd);
		q.rfd = -1;
		return -1;
	}
	q.wfd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	if (q.wfd < 0) {
		log_warn_sys("open for writing", path);
		close(q.rfd);
		q.rfd = -1;
		return -1;
	}
	ev_io_init(&q.io, fifo_cb, q.rfd, EV_READ);
	ev_io_start(loop, &q.io);
	return 0;
}
