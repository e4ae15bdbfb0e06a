/*
 * supervisor/notify.c - the sd_notify(3) receiver.
 *
 * Every Type=notify service gets a socket of its own,
 * NOTIFY_SOCKET=RUNDIR/notify/NAME.sock: the socket a datagram arrives on
 * says which service sent it.  Asking the kernel who the sender is and then
 * looking for that pid in the groups cannot work for the common client that
 * sends READY=1 and exits at once (sh -c "systemd-notify --ready --no-block;
 * exec daemon"): by the time corral reads the groups the sender is gone,
 * and the readiness was lost.  A datagram on service A's socket can only
 * affect A.
 *
 * Who may send: the socket is mode 0600, owned by the service's user (its
 * User=, else corral's own), and SO_PASSCRED credentials are still checked:
 * only that uid or root counts.  A process of another user, another
 * service's included, cannot reach it; services of the same user could,
 * but they can also ptrace each other, so a uid is the boundary that
 * exists anyway.
 *
 *   READY=1       Type=notify: starting → running
 *   STATUS=...    free text shown by initctl status
 *   MAINPID=N     only if N is a task of the service's group (a service
 *                 cannot point corral at a foreign process)
 *   STOPPING=1    logged; the exit that follows is handled as usual
 * Empty, oversized (truncated), credential-less or malformed datagrams are
 * dropped whole: a garbage line means the sender is confused, and acting
 * on half of its message would be worse than ignoring it.  The check is
 * notify_parse(), a pure function (fuzzed: tests/fuzz/fuzz_notify.c).
 *
 * A socket is made at the service's first start and kept across restarts;
 * what an earlier run left queued is discarded before each start, so a
 * late READY=1 of a dead run can never make the next run "running".
 */
#include "internal.h"
#include "../lib/log.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define NOTIFY_ROUNDS 32	/* datagrams per wake-up, then others' turn */

static char notify_dir[PATH_MAX];

/* ---- the datagram ----------------------------------------------------- */

static bool key_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static bool eq(const char *key, size_t klen, const char *want)
{
	return klen == strlen(want) && !memcmp(key, want, klen);
}

/* Refused: nothing of the datagram may be acted on. */
static int refuse(struct notify_msg *out, const char *why)
{
	memset(out, 0, sizeof(*out));
	out->why = why;
	return -1;
}

int notify_parse(const char *buf, size_t len, struct notify_msg *out)
{
	const char *end = buf + len;

	memset(out, 0, sizeof(*out));
	if (len == 0)
		return refuse(out, "empty datagram");
	if (len > SVC_NOTIFY_MAX)
		return refuse(out, "longer than 4096 bytes");
	if (memchr(buf, '\0', len))
		return refuse(out, "NUL byte");
	for (const char *line = buf; line < end;) {
		const char *nl = memchr(line, '\n', (size_t)(end - line));
		const char *lend = nl ? nl : end;
		const char *eqs = memchr(line, '=', (size_t)(lend - line));
		const char *val;
		size_t klen, vlen;

		if (lend == line) {	/* empty line: allowed, as systemd does */
			line = lend + 1;
			continue;
		}
		if (!eqs || eqs == line)
			return refuse(out, "a line is not KEY=VALUE");
		klen = (size_t)(eqs - line);
		for (size_t i = 0; i < klen; i++)
			if (!key_char(line[i]))
				return refuse(out, "a key has characters other than A-Z, 0-9 and _");
		val = eqs + 1;
		vlen = (size_t)(lend - val);
		for (size_t i = 0; i < vlen; i++)
			if (((unsigned char)val[i] < 0x20 && val[i] != '\t') || val[i] == 0x7f)
				return refuse(out, "a value has a control character");
		if (eq(line, klen, "READY")) {
			if (vlen == 1 && val[0] == '1')
				out->ready = true;
		} else if (eq(line, klen, "STOPPING")) {
			if (vlen == 1 && val[0] == '1')
				out->stopping = true;
		} else if (eq(line, klen, "STATUS")) {
			out->status = val;
			out->status_len = vlen;
		} else if (eq(line, klen, "MAINPID")) {
			long long p = 0;

			if (vlen == 0 || vlen > 10)
				return refuse(out, "MAINPID= is not a pid");
			for (size_t i = 0; i < vlen; i++) {
				if (val[i] < '0' || val[i] > '9')
					return refuse(out, "MAINPID= is not a pid");
				p = p * 10 + (val[i] - '0');
			}
			if (p <= 0 || p > INT_MAX)
				return refuse(out, "MAINPID= is not a pid");
			out->mainpid = (pid_t)p;
		}
		/* other keys (WATCHDOG=1, ERRNO=, BARRIER=1, ...) are well
		 * formed but not used here */
		line = lend + 1;
	}
	return 0;
}

/* ---- applying it -------------------------------------------------------- */

/* Is pid a task of s's group?  Reads the group's own cgroup.procs only,
 * sized from what the group holds. */
static bool group_has(struct service *s, pid_t pid)
{
	size_t cap = 256;
	pid_t *pids = NULL;
	bool found = false;

	if (!s->grp)
		return false;
	for (int tries = 0; tries < 4; tries++) {
		pid_t *np = realloc(pids, cap * sizeof(*pids));
		int n;

		if (!np) {
			log_warn_sys("allocate a pid list for", s->def.name);
			break;
		}
		pids = np;
		n = grp_group_procs(s->grp, pids, cap);
		if (n < 0)
			break;
		if ((size_t)n <= cap) {
			for (int i = 0; i < n; i++)
				if (pids[i] == pid)
					found = true;
			break;
		}
		cap = (size_t)n + 64;	/* it grew while we read: again */
	}
	free(pids);
	return found;
}

static void apply(struct service *s, const struct notify_msg *m)
{
	if (m->status) {
		size_t n = m->status_len;

		if (n >= sizeof(s->status_text)) {
			n = sizeof(s->status_text) - 1;
			/* never cut a UTF-8 sequence in half */
			while (n > 0 && ((unsigned char)m->status[n] & 0xc0) == 0x80)
				n--;
		}
		memcpy(s->status_text, m->status, n);
		s->status_text[n] = '\0';
	}
	if (m->mainpid) {
		if (!group_has(s, m->mainpid)) {
			log_warn("%s: ignoring MAINPID=%d: not a process of its group",
				 s->def.name, (int)m->mainpid);
		} else {
			if (s->pid != m->mainpid)
				log_info("%s: main pid is now %d", s->def.name, (int)m->mainpid);
			s->pid = m->mainpid;
		}
	}
	if (m->stopping)
		log_info("%s: reports it is stopping", s->def.name);
	if (m->ready) {
		log_debug("%s: READY=1", s->def.name);
		svc_dispatch(s, SVC_EV_READY);
	}
}

/* ---- the sockets -------------------------------------------------------- */

/* Receive one datagram into buf (size SVC_NOTIFY_MAX + 1).  Returns its
 * length (> SVC_NOTIFY_MAX if it was truncated), or -1 when the queue is
 * empty or on error.  Passed descriptors are closed: fd store is not
 * supported, and they must never leak into PID 1. */
static ssize_t receive(int fd, const char *path, char *buf, struct ucred *cred, bool *has_cred)
{
	char cbuf[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * 16)];
	struct iovec iov = { buf, SVC_NOTIFY_MAX };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	ssize_t n;

	*has_cred = false;
	do
		n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		if (errno != EAGAIN)
			log_warn_sys("receive on", path);
		return -1;
	}
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS &&
		    c->cmsg_len == CMSG_LEN(sizeof(struct ucred))) {
			memcpy(cred, CMSG_DATA(c), sizeof(*cred));
			*has_cred = true;
		} else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
			size_t nfds = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (size_t i = 0; i < nfds; i++) {
				int pfd;

				memcpy(&pfd, CMSG_DATA(c) + i * sizeof(int), sizeof(pfd));
				close(pfd);
			}
		}
	}
	if (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC))
		return n > SVC_NOTIFY_MAX ? n : SVC_NOTIFY_MAX + 1;
	return n;
}

static void notify_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct service *s = w->data;
	char buf[SVC_NOTIFY_MAX + 1];

	(void)loop;
	(void)revents;
	for (int round = 0; round < NOTIFY_ROUNDS && s->notify_open; round++) {
		struct notify_msg m;
		struct ucred cred;
		bool has_cred;
		ssize_t n = receive(s->notify_fd, s->notify_path, buf, &cred, &has_cred);

		if (n < 0)
			return;
		if (!has_cred) {
			log_warn("%s: notify: dropped a datagram without credentials", s->def.name);
			continue;
		}
		if (cred.uid != 0 && cred.uid != s->notify_uid) {
			log_warn("%s: notify: dropped a message from pid %d, uid %u: only "
				 "root and uid %u may send", s->def.name, (int)cred.pid,
				 (unsigned)cred.uid, (unsigned)s->notify_uid);
			continue;
		}
		if (notify_parse(buf, (size_t)n, &m) < 0) {
			log_warn("%s: notify: dropped a malformed message from pid %d: %s",
				 s->def.name, (int)cred.pid, m.why);
			continue;
		}
		apply(s, &m);
	}
}

/* Discard what is queued: messages of a run that has ended. */
static void drain(struct service *s)
{
	char buf[SVC_NOTIFY_MAX + 1];
	struct ucred cred;
	bool has_cred;
	unsigned n = 0;

	while (receive(s->notify_fd, s->notify_path, buf, &cred, &has_cred) >= 0)
		n++;
	if (n)
		log_debug("%s: notify: discarded %u message(s) of an earlier run", s->def.name, n);
}

static int open_socket(struct service *s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	size_t len = strlen(notify_dir) + strlen(s->def.name) + sizeof("/.sock");
	int one = 1;

	if (len > sizeof(sa.sun_path)) {
		log_error("%s: notify socket %s/%s.sock: path longer than %zu bytes "
			  "(use a shorter --run-dir)", s->def.name, notify_dir, s->def.name,
			  sizeof(sa.sun_path) - 1);
		errno = ENAMETOOLONG;
		return -1;
	}
	s->notify_path = malloc(len);
	if (!s->notify_path) {
		log_error_sys("allocate notify socket path for", s->def.name);
		return -1;
	}
	snprintf(s->notify_path, len, "%s/%s.sock", notify_dir, s->def.name);
	memcpy(sa.sun_path, s->notify_path, len);
	s->notify_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->notify_fd < 0) {
		log_error_sys("create notify socket", s->notify_path);
		goto fail;
	}
	if (unlink(s->notify_path) < 0 && errno != ENOENT)
		log_warn_sys("remove stale", s->notify_path);
	if (bind(s->notify_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		log_error_sys("bind", s->notify_path);
		goto fail_fd;
	}
	if (setsockopt(s->notify_fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one)) < 0) {
		log_error_sys("set SO_PASSCRED on", s->notify_path);
		goto fail_bound;
	}
	if (chmod(s->notify_path, 0600) < 0) {
		log_error_sys("chmod", s->notify_path);
		goto fail_bound;
	}
	ev_io_init(&s->notify_io, notify_cb, s->notify_fd, EV_READ);
	s->notify_io.data = s;
	ev_io_start(sup.o.loop, &s->notify_io);
	s->notify_uid = geteuid();
	s->notify_open = true;
	return 0;
fail_bound:
	unlink(s->notify_path);
fail_fd:
	close(s->notify_fd);
fail:
	s->notify_fd = -1;
	free(s->notify_path);
	s->notify_path = NULL;
	return -1;
}

int svc_notify_prepare(struct service *s, uid_t uid)
{
	if (!sup.o.notify_path)
		return 0;	/* no notify directory: warned at start */
	if (!s->notify_open && open_socket(s) < 0)
		return -1;
	if (s->notify_uid != uid) {
		if (chown(s->notify_path, uid, (gid_t)-1) < 0) {
			log_error_sys("chown", s->notify_path);
			return -1;
		}
		s->notify_uid = uid;
	}
	drain(s);
	return 0;
}

void svc_notify_drop(struct service *s)
{
	if (!s->notify_open)
		return;
	ev_io_stop(sup.o.loop, &s->notify_io);
	close(s->notify_fd);
	s->notify_fd = -1;
	if (unlink(s->notify_path) < 0 && errno != ENOENT)
		log_warn_sys("remove", s->notify_path);
	free(s->notify_path);
	s->notify_path = NULL;
	s->notify_open = false;
}

/* Sockets of an earlier instance: nobody listens on them any more. */
static void remove_stale(void)
{
	DIR *d = opendir(notify_dir);
	struct dirent *de;

	if (!d) {
		log_warn_sys("open", notify_dir);
		return;
	}
	while ((de = readdir(d)))
		if (de->d_type == DT_SOCK && unlinkat(dirfd(d), de->d_name, 0) < 0)
			log_warn_sys("remove stale socket", de->d_name);
	closedir(d);
}

const char *sup_notify_open(void)
{
	struct stat st;

	if ((size_t)snprintf(notify_dir, sizeof(notify_dir), "%s/notify", sup.run_dir) >=
	    sizeof(notify_dir)) {
		log_error("run directory %s is too long", sup.run_dir);
		return NULL;
	}
	if (mkdir(notify_dir, 0755) < 0 && errno != EEXIST) {
		log_error_sys("mkdir", notify_dir);
		return NULL;
	}
	/* an existing one must be a real directory, not a symlink elsewhere */
	if (lstat(notify_dir, &st) < 0) {
		log_error_sys("stat", notify_dir);
		return NULL;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
		log_error("%s is not a directory of ours; no notify sockets", notify_dir);
		return NULL;
	}
	/* services of any user must reach their own socket in it */
	if ((st.st_mode & 07777) != 0755 && chmod(notify_dir, 0755) < 0)
		log_warn_sys("chmod", notify_dir);
	remove_stale();
	sup.o.notify_path = notify_dir;
	return notify_dir;
}

void sup_notify_close(void)
{
	if (!sup.o.notify_path)
		return;
	for (unsigned i = 0; i < sup.nsvcs; i++)
		svc_notify_drop(sup.svcs[i]);
	if (rmdir(notify_dir) < 0 && errno != ENOENT && errno != ENOTEMPTY)
		log_warn_sys("rmdir", notify_dir);
	sup.o.notify_path = NULL;
}
