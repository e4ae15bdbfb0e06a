/*
 * supervisor/spawn.c - fork, enter the group, exec.
 *
 * The child puts itself into its containers before exec, so the service
 * never runs a single instruction outside its limits.  Anything that
 * fails between fork and exec is written as {stage, errno} to a
 * close-on-exec pipe: the parent reads EOF when exec succeeded, or the
 * record when it did not, and initctl can show "stage attach: ENOSPC".
 *
 * Everything the child needs (argv, envp, uid/gid) is prepared before
 * fork so the child allocates as little as possible.
 */
#include "internal.h"
#include "../lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct exec_report {
	int stage;
	int err;
};

static void exec_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct service *s = w->data;

	(void)loop;
	(void)revents;
	svc_exec_collect(s);
}

/* Read the status pipe once: EOF = exec happened, a record = failure.
 * Also called from the EXIT handler, which may run first. */
void svc_exec_collect(struct service *s)
{
	struct exec_report rep;
	ssize_t r;

	if (s->exec_fd < 0)
		return;
	do
		r = read(s->exec_fd, &rep, sizeof(rep));
	while (r < 0 && errno == EINTR);
	if (r < 0 && errno == EAGAIN)
		return;		/* not yet: the child is still on its way */
	ev_io_stop(sup.o.loop, &s->exec_io);
	close(s->exec_fd);
	s->exec_fd = -1;
	/* the child has attached (or given up): normal release rules again */
	if (s->grp)
		grp_group_unpin(s->grp);
	if (r == (ssize_t)sizeof(rep)) {
		s->fail_stage = (enum svc_exec_stage)rep.stage;
		s->fail_errno = rep.err;
		svc_dispatch(s, SVC_EV_EXEC_FAIL);
	} else {
		svc_dispatch(s, SVC_EV_EXEC_OK);
	}
}

static void env_set(struct service *s, unsigned i, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void env_set(struct service *s, unsigned i, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->envbuf[i], sizeof(s->envbuf[i]), fmt, ap);
	va_end(ap);
	s->envp[i] = s->envbuf[i];
}

static void build_env(struct service *s, const struct passwd *pw)
{
	unsigned n = 0;

#define ENV(...) env_set(s, n++, __VA_ARGS__)
	ENV("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	if (pw) {
		ENV("HOME=%s", pw->pw_dir);
		ENV("USER=%s", pw->pw_name);
		ENV("LOGNAME=%s", pw->pw_name);
	} else {
		ENV("HOME=/");
	}
	ENV("CORRAL_SERVICE=%s", s->def.name);
	if (sup.o.notify_path && s->def.type == SVC_TYPE_NOTIFY)
		ENV("NOTIFY_SOCKET=%s", sup.o.notify_path);
#undef ENV
	for (unsigned i = 0; i < s->def.nenv && n < SVC_ENV_MAX + 7; i++) {
		/* Environment= overrides the defaults above */
		size_t klen = strcspn(s->def.env[i], "=") + 1;
		unsigned j;

		for (j = 0; j < n && strncmp(s->envp[j], s->def.env[i], klen); j++)
			;
		env_set(s, j, "%s", s->def.env[i]);
		if (j == n)
			n++;
	}
	s->envp[n] = NULL;
}

static void report(int fd, enum svc_exec_stage stage)
{
	struct exec_report rep = { stage, errno };

	if (write(fd, &rep, sizeof(rep)) < 0) {
		/* the parent will see EOF and an exit status of 127 */
	}
	_exit(127);
}

/* execvpe() is a GNU extension musl also has; search PATH from envp's
 * PATH, not PID 1's. */
static void child(struct service *s, int errfd, uid_t uid, gid_t gid, bool setids,
		  const char *username)
{
	sigset_t all;
	int fd;

	/* PID 1 blocks everything; a service must start with a clean slate */
	for (int sig = 1; sig < NSIG; sig++)
		signal(sig, SIG_DFL);
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
	setsid();

	if (s->grp && grp_group_attach(s->grp, 0) < 0)
		report(errfd, SVC_STAGE_ATTACH);

	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd < 0 || dup2(fd, 0) < 0 || dup2(s->out_wr, 1) < 0 || dup2(s->out_wr, 2) < 0)
		report(errfd, SVC_STAGE_STDIO);

	if (chdir(*s->def.workdir ? s->def.workdir : "/") < 0)
		report(errfd, SVC_STAGE_CHDIR);

	if (setids) {
		if ((username ? initgroups(username, gid) : setgroups(0, NULL)) < 0)
			report(errfd, SVC_STAGE_SETGROUPS);
		if (setgid(gid) < 0)
			report(errfd, SVC_STAGE_SETGID);
		if (setuid(uid) < 0)
			report(errfd, SVC_STAGE_SETUID);
	}
	environ = s->envp;
	execvp(s->def.argv[0], s->def.argv);
	report(errfd, SVC_STAGE_EXEC);
}

int svc_spawn(struct service *s)
{
	struct passwd *pw = NULL;
	uid_t uid = 0;
	gid_t gid = 0;
	bool setids = false;
	int p[2];
	pid_t pid;

	if (svc_output_open(s) < 0)
		return -1;
	if (*s->def.user) {
		errno = 0;
		pw = getpwnam(s->def.user);
		if (!pw) {
			s->fail_stage = SVC_STAGE_USER;
			s->fail_errno = errno ? errno : ENOENT;
			log_error("%s: unknown user %s", s->def.name, s->def.user);
			goto lookup_failed;
		}
		uid = pw->pw_uid;
		gid = pw->pw_gid;
		setids = true;
	}
	if (*s->def.group) {
		struct group *gr;

		errno = 0;
		gr = getgrnam(s->def.group);
		if (!gr) {
			s->fail_stage = SVC_STAGE_USER;
			s->fail_errno = errno ? errno : ENOENT;
			log_error("%s: unknown group %s", s->def.name, s->def.group);
			goto lookup_failed;
		}
		gid = gr->gr_gid;
		if (!pw)
			uid = getuid();
		setids = true;
	}
	build_env(s, pw);
	if (pipe2(p, O_CLOEXEC) < 0) {
		log_error_sys("create exec status pipe for", s->def.name);
		return -1;
	}
	/* pinned from here until svc_exec_collect() closes the pipe */
	if (s->grp)
		grp_group_pin(s->grp);
	pid = fork();
	if (pid < 0) {
		log_error_sys("fork for", s->def.name);
		if (s->grp)
			grp_group_unpin(s->grp);
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		child(s, p[1], uid, gid, setids, pw ? pw->pw_name : NULL);
	}
	close(p[1]);
	s->pid = pid;
	s->exec_fd = p[0];
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	ev_io_init(&s->exec_io, exec_cb, p[0], EV_READ);
	s->exec_io.data = s;
	ev_io_start(sup.o.loop, &s->exec_io);
	log_debug("%s: forked pid %d", s->def.name, (int)pid);
	return 0;

lookup_failed:
	/* Nothing was forked: behave like a child that failed its first
	 * stage, so the state machine sees one kind of failure. */
	s->pid = 0;
	s->exec_fd = -1;
	errno = s->fail_errno;
	return -2;
}
