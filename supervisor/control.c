/*
 * supervisor/control.c - the control socket.
 *
 * A Unix stream socket, mode 0600, in the run directory.  A client sends
 * one fixed-size struct ctl_request; the magic, version and size are
 * checked before anything else, and the peer's credentials (SO_PEERCRED)
 * must be root or our own uid.  The answer is text: "ok" or
 * "error: why" on the first line, then the body; the server closes the
 * connection when done.  Clients are served from the event loop with
 * non-blocking I/O and a deadline, so a stuck client cannot stall PID 1.
 *
 * Running out of file descriptors must not make PID 1 spin: the listening
 * socket stays readable while connections wait in its backlog, so a
 * failing accept() would be retried at once, forever.  A reserve
 * descriptor is kept open for that case: on EMFILE it is closed, the
 * waiting connection accepted, told "error: out of file descriptors" and
 * closed, and the reserve reopened, so the backlog drains.  When even that
 * fails (ENFILE, ENOBUFS, ENOMEM, ...) the accept watcher pauses for
 * ACCEPT_PAUSE.  Either way one warning per FD_WARN_INTERVAL says how many
 * connections were refused.
 */
#include "internal.h"
#include "../lib/json.h"
#include "../lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define CONN_TIMEOUT 5.0
#define ACCEPT_PAUSE 0.25		/* s without accept() after a failure */
#define FD_WARN_INTERVAL 10.0		/* s between "refused" warnings */
/* A read-only answer that fills CTL_REPLY_MAX is built again with twice the
 * room, up to this: status --json of many services with hostile strings
 * (each byte may become a 6-byte escape) must never be cut into bad JSON. */
#define CTL_REPLY_LIMIT (16 * 1024 * 1024)

static struct {
	int reserve_fd;			/* /dev/null, given up on EMFILE */
	ev_timer pause;			/* restarts the accept watcher */
	double warned_at;		/* ev_now() of the last warning */
	unsigned long refused;		/* since the last warning */
} acc = { .reserve_fd = -1 };

struct conn {
	int fd;
	ev_io io;
	ev_timer deadline;
	struct ctl_request req;
	size_t got;
	char *out;
	size_t out_len, out_sent;
};

int ctl_request_check(const struct ctl_request *r, size_t len, const char **why)
{
	if (len != sizeof(*r)) {
		*why = "wrong request size";
		return -1;
	}
	if (r->magic != CTL_MAGIC) {
		*why = "bad magic";
		return -1;
	}
	if (r->version != CTL_VERSION) {
		*why = "unsupported protocol version";
		return -1;
	}
	if (r->size != sizeof(*r)) {
		*why = "wrong declared size";
		return -1;
	}
	if (r->cmd < CTL_LIST || r->cmd >= CTL_NCMDS) {
		*why = "unknown command";
		return -1;
	}
	if (!memchr(r->name, '\0', sizeof(r->name))) {
		*why = "unterminated name";
		return -1;
	}
	return 0;
}

static void conn_free(struct conn *c)
{
	ev_io_stop(sup.o.loop, &c->io);
	ev_timer_stop(sup.o.loop, &c->deadline);
	if (c->fd >= 0)		/* -1: handed over to a log follower */
		close(c->fd);
	free(c->out);
	free(c);
}

static void conn_write_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct conn *c = w->data;
	ssize_t r;

	(void)loop;
	(void)revents;
	while (c->out_sent < c->out_len) {
		r = send(c->fd, c->out + c->out_sent, c->out_len - c->out_sent, MSG_NOSIGNAL);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return;
		if (r <= 0)
			break;
		c->out_sent += (size_t)r;
	}
	conn_free(c);
}

static void reply(struct conn *c, size_t n)
{
	c->out_len = n;
	ev_io_stop(sup.o.loop, &c->io);
	ev_io_init(&c->io, conn_write_cb, c->fd, EV_WRITE);
	c->io.data = c;
	ev_io_start(sup.o.loop, &c->io);
}

/* len - 1 (the buffer is full) when it did not fit */
static size_t list_services(char *buf, size_t len, bool json)
{
	size_t n = 0;

	if (json)
		n += (size_t)snprintf(buf + n, len - n, "[");
	for (unsigned i = 0; i < sup.nsvcs && n < len; i++) {
		struct service *s = sup.svcs[i];

		if (json) {
			n += (size_t)snprintf(buf + n, len - n, "%s{\"name\":", i ? "," : "");
			if (n >= len)
				break;
			n += json_quote(buf + n, len - n, s->def.name, strlen(s->def.name));
			if (n >= len)
				break;
			n += (size_t)snprintf(buf + n, len - n, ",\"state\":\"%s\",\"pid\":%d}",
					      svc_state_name(s->state), (int)s->pid);
		} else {
			n += (size_t)snprintf(buf + n, len - n, "%s %s %d\n", s->def.name,
					      svc_state_name(s->state), (int)s->pid);
		}
	}
	if (json && n < len)
		n += (size_t)snprintf(buf + n, len - n, "]\n");
	return n < len ? n : len - 1;
}

/* initctl reload NAME: its ExecReload= commands, while it stays running.
 * The answer comes at once; status shows "reloading" until they end and
 * "detail reload failed: ..." if one failed. */
static size_t reload_service(struct service *s, char *out, size_t len)
{
	if (!s->def.cmds[SVC_CMD_RELOAD].n)
		return (size_t)snprintf(out, len, "error: %s has no ExecReload=\n", s->def.name);
	if (s->state == SVC_RELOADING)
		return (size_t)snprintf(out, len, "error: %s is reloading already\n", s->def.name);
	if (s->state != SVC_RUNNING)
		return (size_t)snprintf(out, len, "error: %s is %s, not running\n", s->def.name,
					svc_state_name(s->state));
	svc_dispatch(s, SVC_EV_RELOAD);
	return (size_t)snprintf(out, len, "ok\n%s %s\n", s->def.name, svc_state_name(s->state));
}

static size_t handle(struct conn *c, char *out, size_t len)
{
	const struct ctl_request *r = &c->req;
	bool json = r->flags & CTL_F_JSON;
	struct service *s = NULL;
	size_t n;

	if (*r->name) {
		/* "crond.service", as systemctl users type it, is crond; any
		 * client gets this, not only our initctl */
		char name[sizeof(r->name)];
		size_t nl = strlen(r->name);

		memcpy(name, r->name, nl + 1);
		if (nl > 8 && !strcmp(name + nl - 8, ".service"))
			name[nl - 8] = '\0';
		s = svc_find_any(name);
		if (!s && (r->cmd == CTL_START || r->cmd == CTL_RESTART)) {
			char why[1200];

			/* NAME@INST from its template (instance.c) */
			s = sup_instance_add(name, why, sizeof(why));
			if (!s && *why)
				return (size_t)snprintf(out, len, "error: %s\n", why);
		}
		if (!s)
			return (size_t)snprintf(out, len, "error: no service named %s\n", name);
	}
	switch ((enum ctl_cmd)r->cmd) {
	case CTL_LIST:
		n = (size_t)snprintf(out, len, "ok\n");
		return n + list_services(out + n, len - n, json);
	case CTL_STATUS:
		n = (size_t)snprintf(out, len, "ok\n%s", json ? "[" : "");
		for (unsigned i = 0; i < sup.nsvcs && n + 1 < len; i++) {
			if (s && sup.svcs[i] != s)
				continue;
			if (json) {
				if (out[n - 1] != '[')
					out[n++] = ',';
				n += svc_status_json(sup.svcs[i], out + n, len - n);
			} else if (r->flags & CTL_F_SUMMARY) {
				n += svc_status_summary(sup.svcs[i], out + n, len - n);
				if (n + 1 < len)
					out[n++] = '\n';
			} else {
				n += svc_status_text(sup.svcs[i], out + n, len - n);
				if (n + 1 < len)
					out[n++] = '\n';
			}
		}
		if (json && n + 2 < len) {
			out[n++] = ']';
			out[n++] = '\n';
		}
		return n;
	case CTL_START:
	case CTL_STOP:
	case CTL_RESTART:
		if (!s)
			return (size_t)snprintf(out, len, "error: a service name is needed\n");
		svc_dispatch(s, r->cmd == CTL_START ? SVC_EV_START :
				r->cmd == CTL_STOP ? SVC_EV_STOP : SVC_EV_RESTART);
		n = (size_t)snprintf(out, len, "ok\n%s %s\n", s->def.name, svc_state_name(s->state));
		sup_instance_request(s, (enum ctl_cmd)r->cmd);	/* may free s */
		return n;
	case CTL_LOG:
		if (!s)
			return (size_t)snprintf(out, len, "error: a service name is needed\n");
		if (!svc_output_any(s))	/* initctl log exits 1 on it */
			return (size_t)snprintf(out, len, "error: no output from %s yet\n", s->def.name);
		n = (size_t)snprintf(out, len, "ok\n");
		return n + svc_output_copy(s, out + n, len - n);
	case CTL_RELOAD: {
		char msg[512];

		if (s)
			return reload_service(s, out, len);
		if (!sup.reload_cb)
			return (size_t)snprintf(out, len, "error: not supported here\n");
		if (sup.reload_cb(msg, sizeof(msg)) < 0)
			return (size_t)snprintf(out, len, "error: %s\n", msg);
		return (size_t)snprintf(out, len, "ok\n%s\n", msg);
	}
	case CTL_ENABLE:
	case CTL_DISABLE: {
		char msg[4400];

		if (!s)
			return (size_t)snprintf(out, len, "error: a service name is needed\n");
		if (sup_enable(s, r->cmd == CTL_ENABLE, msg, sizeof(msg)) < 0)
			return (size_t)snprintf(out, len, "error: %s\n", msg);
		return (size_t)snprintf(out, len, "ok\n%s\n", msg);
	}
	case CTL_REBOOT:
	case CTL_POWEROFF:
	case CTL_HALT:
		if (!sup.action_cb)
			return (size_t)snprintf(out, len, "error: not supported here\n");
		sup.action_cb(r->cmd == CTL_REBOOT ? SUP_REBOOT :
			      r->cmd == CTL_POWEROFF ? SUP_POWEROFF : SUP_HALT);
		return (size_t)snprintf(out, len, "ok\n");
	default:
		return (size_t)snprintf(out, len, "error: unknown command\n");
	}
}

static bool read_only(uint32_t cmd)
{
	return cmd == CTL_LIST || cmd == CTL_STATUS || cmd == CTL_LOG;
}

/* handle() into c->out of cap bytes; a read-only answer that filled the
 * buffer (n == cap - 1: it may have been cut, and cut JSON is not JSON)
 * is built again with twice the room.  c->out is NULL if out of memory. */
static size_t handle_all(struct conn *c, size_t cap)
{
	size_t n, want = (size_t)sup.nsvcs * 1024;

	/* status of all: room for about 1 KB a service from the start, as
	 * each rebuild reads every service's control files again */
	if (c->req.cmd == CTL_STATUS && !*c->req.name && want > cap) {
		char *more;

		while (cap < want && cap < CTL_REPLY_LIMIT)
			cap *= 2;
		more = realloc(c->out, cap);
		if (!more) {
			log_error_sys("allocate", "control answer");
			free(c->out);
			c->out = NULL;
			return 0;
		}
		c->out = more;
	}
	n = handle(c, c->out, cap);

	while (n + 1 >= cap && read_only(c->req.cmd)) {
		char *more;

		if (cap >= CTL_REPLY_LIMIT)
			return (size_t)snprintf(c->out, cap, "error: the answer is larger than "
						"%d bytes; ask for one service\n", CTL_REPLY_LIMIT);
		cap *= 2;
		more = realloc(c->out, cap);
		if (!more) {
			log_error_sys("allocate", "control answer");
			free(c->out);
			c->out = NULL;
			return 0;
		}
		c->out = more;
		n = handle(c, c->out, cap);
	}
	return n;
}

static void conn_read_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct conn *c = w->data;
	const char *why;
	ssize_t r;
	size_t n;

	(void)loop;
	(void)revents;
	r = recv(c->fd, (char *)&c->req + c->got, sizeof(c->req) - c->got, 0);
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r <= 0) {
		conn_free(c);
		return;
	}
	c->got += (size_t)r;
	if (c->got < sizeof(c->req))
		return;
	c->out = malloc(CTL_REPLY_MAX);
	if (!c->out) {
		conn_free(c);
		return;
	}
	if (ctl_request_check(&c->req, c->got, &why) < 0) {
		log_warn("control: rejected request: %s", why);
		n = (size_t)snprintf(c->out, CTL_REPLY_MAX, "error: %s\n", why);
	} else if (c->req.cmd == CTL_LOG && (c->req.flags & CTL_F_FOLLOW) &&
		   svc_find_any(c->req.name)) {
		/* initctl log -f: a stream, fed by output.c from now on */
		svc_output_follow(svc_find_any(c->req.name), c->fd);
		c->fd = -1;
		conn_free(c);
		return;
	} else {
		n = handle_all(c, CTL_REPLY_MAX);
	}
	if (!c->out) {
		conn_free(c);
		return;
	}
	reply(c, n);
}

static void conn_timeout_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)loop;
	(void)revents;
	conn_free(w->data);
}

static void reserve_open(void)
{
	if (acc.reserve_fd < 0)
		acc.reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/* One warning per FD_WARN_INTERVAL, counting what was refused meanwhile;
 * the count that is not yet reported is logged by the next one. */
static void refused(struct ev_loop *loop, int err)
{
	double now = ev_now(loop);

	acc.refused++;
	if (acc.warned_at > 0 && now - acc.warned_at < FD_WARN_INTERVAL)
		return;
	log_warn("control: unable to accept on control socket: %s; refused %lu "
		 "connection%s (at most one warning per %.0f s)", strerror(err),
		 acc.refused, acc.refused == 1 ? "" : "s", FD_WARN_INTERVAL);
	acc.warned_at = now;
	acc.refused = 0;
}

static void accept_resume_cb(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)w;
	(void)revents;
	if (sup.ctl_fd >= 0)
		ev_io_start(loop, &sup.ctl_io);
}

/* accept() failed with err on the listening socket: never retry at once. */
static void accept_failed(struct ev_loop *loop, int lfd, int err)
{
	static const char msg[] = "error: out of file descriptors\n";
	int fd;

	if (err == EAGAIN || err == EINTR || err == ECONNABORTED)
		return;		/* nothing waiting, or the client gave up */
	refused(loop, err);
	if (err == EMFILE && acc.reserve_fd >= 0) {
		/* give our spare descriptor to the waiting client, just long
		 * enough to tell it why and hang up */
		close(acc.reserve_fd);
		acc.reserve_fd = -1;
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd >= 0) {
			if (send(fd, msg, sizeof(msg) - 1, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
				/* it hung up already */
			}
			close(fd);
		}
		reserve_open();
		if (fd >= 0 && acc.reserve_fd >= 0)
			return;	/* drained one; the watcher takes the next */
	}
	/* no way to drain the backlog now: stop polling it for a moment */
	ev_io_stop(loop, &sup.ctl_io);
	ev_timer_stop(loop, &acc.pause);
	ev_timer_set(&acc.pause, ACCEPT_PAUSE, 0);
	ev_timer_start(loop, &acc.pause);
}

static void accept_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	struct conn *c;
	int fd;

	(void)revents;
	fd = accept4(w->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0) {
		accept_failed(loop, w->fd, errno);
		return;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) < 0) {
		log_warn_sys("read the peer credentials of", "a control connection");
		close(fd);
		return;
	}
	if (cred.uid != 0 && cred.uid != geteuid()) {
		log_warn("control: refused connection from uid %d", (int)cred.uid);
		close(fd);
		return;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		log_error_sys("allocate", "control connection");
		close(fd);
		return;
	}
	c->fd = fd;
	ev_io_init(&c->io, conn_read_cb, fd, EV_READ);
	c->io.data = c;
	ev_io_start(loop, &c->io);
	ev_timer_init(&c->deadline, conn_timeout_cb, CONN_TIMEOUT, 0);
	c->deadline.data = c;
	ev_timer_start(loop, &c->deadline);
}

int sup_control_open(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char path[sizeof(sa.sun_path)];
	mode_t old;
	int fd;

	if (mkdir(sup.run_dir, 0755) < 0 && errno != EEXIST) {
		log_error_sys("mkdir", sup.run_dir);
		return -1;
	}
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", sup.run_dir, CTL_SOCKET) >= sizeof(path)) {
		log_error("run directory %s is too long for a socket path", sup.run_dir);
		return -1;
	}
	memcpy(sa.sun_path, path, sizeof(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_error_sys("create", "control socket");
		return -1;
	}
	unlink(path);
	old = umask(0177);	/* born 0600: no window where others may connect */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		umask(old);
		log_error_sys("bind", path);
		close(fd);
		return -1;
	}
	umask(old);
	if (listen(fd, 16) < 0) {
		log_error_sys("listen on", path);
		close(fd);
		return -1;
	}
	sup.ctl_fd = fd;
	ev_io_init(&sup.ctl_io, accept_cb, fd, EV_READ);
	ev_io_start(sup.o.loop, &sup.ctl_io);
	ev_timer_init(&acc.pause, accept_resume_cb, ACCEPT_PAUSE, 0);
	reserve_open();
	if (acc.reserve_fd < 0)
		log_warn_sys("open a reserve descriptor on", "/dev/null");
	return 0;
}

void sup_shutdown_sockets(void)
{
	char path[4200];

	sup_notify_close();
	if (sup.ctl_fd < 0)
		return;
	ev_io_stop(sup.o.loop, &sup.ctl_io);
	ev_timer_stop(sup.o.loop, &acc.pause);
	close(sup.ctl_fd);
	sup.ctl_fd = -1;
	if (acc.reserve_fd >= 0) {
		close(acc.reserve_fd);
		acc.reserve_fd = -1;
	}
	snprintf(path, sizeof(path), "%s/%s", sup.run_dir, CTL_SOCKET);
	unlink(path);
}
