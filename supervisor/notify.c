/*
 * supervisor/notify.c - the sd_notify(3) receiver.
 *
 * Services of Type=notify get NOTIFY_SOCKET, an AF_UNIX datagram socket
 * with SO_PASSCRED, so every message carries the sender's pid as the
 * kernel saw it.  A message is accepted only from a process inside one of
 * our service groups, and applies to that service:
 *   READY=1       Type=notify: starting → running
 *   STATUS=...    free text shown by initctl status
 *   MAINPID=N     only if N is a task of the same group (a service cannot
 *                 point corral at a foreign process)
 *   STOPPING=1    logged; the exit that follows is handled as usual
 * Empty, oversized (truncated), credential-less or malformed datagrams are
 * dropped whole: a garbage line means the sender is confused, and acting
 * on half of its message would be worse than ignoring it.
 */
#include "internal.h"
#include "../lib/log.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define NOTIFY_MAX 4096		/* what systemd accepts, too */

static int notify_fd = -1;
static ev_io notify_io;
static char notify_path[sizeof(((struct sockaddr_un *)0)->sun_path)];

static bool group_has(struct service *s, pid_t pid)
{
	pid_t pids[1024];
	int n;

	if (!s->grp)
		return false;
	n = grp_group_procs(s->grp, pids, 1024);
	for (int i = 0; i < n && i < 1024; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

static struct service *sender(pid_t pid)
{
	struct service *s = svc_find_pid(pid);

	if (s)
		return s;
	for (unsigned i = 0; i < sup.nsvcs; i++)
		if (group_has(sup.svcs[i], pid))
			return sup.svcs[i];
	return NULL;
}

/* Every line must be KEY=VALUE with a printable key; 1 if well formed. */
static bool well_formed(char *msg)
{
	for (char *line = msg; *line;) {
		char *nl = strchr(line, '\n'), *eq = strchr(line, '=');

		if (nl)
			*nl = '\0';
		if (*line) {
			if (!eq || eq == line)
				return false;
			for (char *p = line; p < eq; p++)
				if (!isupper((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_')
					return false;
			for (char *p = eq + 1; *p; p++)
				if ((unsigned char)*p < 0x20 && *p != '\t')
					return false;
		}
		if (nl)
			*nl = '\n';
		if (!nl)
			break;
		line = nl + 1;
	}
	return true;
}

static void apply(struct service *s, char *msg)
{
	char *save = NULL;

	for (char *line = strtok_r(msg, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (!strcmp(line, "READY=1")) {
			log_debug("%s: READY=1", s->def.name);
			svc_dispatch(s, SVC_EV_READY);
		} else if (!strncmp(line, "STATUS=", 7)) {
			snprintf(s->status_text, sizeof(s->status_text), "%s", line + 7);
		} else if (!strcmp(line, "STOPPING=1")) {
			log_info("%s: reports it is stopping", s->def.name);
		} else if (!strncmp(line, "MAINPID=", 8)) {
			char *end;
			long p = strtol(line + 8, &end, 10);

			if (*end || p <= 0 || !group_has(s, (pid_t)p)) {
				log_warn("%s: ignoring MAINPID=%s: not a process of its group",
					 s->def.name, line + 8);
				continue;
			}
			if (s->pid != (pid_t)p)
				log_info("%s: main pid is now %ld", s->def.name, p);
			s->pid = (pid_t)p;
		}
		/* other keys (WATCHDOG=1, ERRNO=, ...) are not used here */
	}
}

static void notify_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	char buf[NOTIFY_MAX + 1];
	char cbuf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * 16)];
	struct iovec iov = { buf, NOTIFY_MAX };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	int rounds = 0;

	(void)loop;
	(void)revents;
	while (rounds++ < 32) {
		struct ucred *cred = NULL;
		struct service *s;
		ssize_t n;

		mh.msg_controllen = sizeof(cbuf);
		mh.msg_flags = 0;
		n = recvmsg(w->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
		if (n < 0) {
			if (errno != EAGAIN && errno != EINTR)
				log_warn_sys("receive on", notify_path);
			return;
		}
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
			    c->cmsg_len == CMSG_LEN(sizeof(struct ucred)))
				cred = (struct ucred *)CMSG_DATA(c);
			else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
				/* fd store is not supported: never leak them */
				int *fds = (int *)CMSG_DATA(c);
				size_t nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

				for (size_t i = 0; i < nfds; i++)
					close(fds[i]);
			}
		}
		if (n == 0 || n > NOTIFY_MAX || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))) {
			log_debug("notify: dropped %s datagram", n == 0 ? "an empty" : "an oversized");
			continue;
		}
		if (!cred || cred->pid <= 0) {
			log_debug("notify: dropped a datagram without credentials");
			continue;
		}
		buf[n] = '\0';
		if (memchr(buf, '\0', (size_t)n) || !well_formed(buf)) {
			log_warn("notify: dropped a malformed message from pid %d", (int)cred->pid);
			continue;
		}
		s = sender(cred->pid);
		if (!s) {
			log_warn("notify: message from pid %d, which is in no service group",
				 (int)cred->pid);
			continue;
		}
		apply(s, buf);
	}
}

const char *sup_notify_open(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int one = 1;

	if ((size_t)snprintf(notify_path, sizeof(notify_path), "%s/notify.sock", sup.run_dir) >=
	    sizeof(notify_path)) {
		log_error("run directory %s is too long for a socket path", sup.run_dir);
		return NULL;
	}
	memcpy(sa.sun_path, notify_path, sizeof(notify_path));
	notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (notify_fd < 0) {
		log_error_sys("create", "notify socket");
		return NULL;
	}
	unlink(notify_path);
	if (bind(notify_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    setsockopt(notify_fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0) {
		log_error_sys("set up", notify_path);
		close(notify_fd);
		notify_fd = -1;
		return NULL;
	}
	/* services may run as other users; the credentials decide who counts */
	if (chmod(notify_path, 0666) < 0)
		log_warn_sys("chmod", notify_path);
	ev_io_init(&notify_io, notify_cb, notify_fd, EV_READ);
	ev_io_start(sup.o.loop, &notify_io);
	sup.o.notify_path = notify_path;
	return notify_path;
}

void sup_notify_close(void)
{
	if (notify_fd < 0)
		return;
	ev_io_stop(sup.o.loop, &notify_io);
	close(notify_fd);
	notify_fd = -1;
	unlink(notify_path);
}
