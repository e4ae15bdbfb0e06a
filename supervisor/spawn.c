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
 *
 * Two kinds of process are made the same way: the main process (an
 * ExecStart= line, s->pid) and a control command (ExecStartPre= and the
 * other Exec*= lines, s->ctl_pid, one at a time).  Both run in the
 * service's group, so a stop ends them with the rest; a control command
 * has its own exec-status pipe, gets $MAINPID, and with the '+' prefix
 * (or '!', '!!') keeps corral's own user.  Both enter the group's top
 * container only: with Delegate= what lies below is the service's, and
 * corral never moves a process there (nor back out).
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
#include <sys/resource.h>
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

static void ctl_exec_cb(struct ev_loop *loop, ev_io *w, int revents)
{
	struct service *s = w->data;

	(void)loop;
	(void)revents;
	svc_ctl_collect(s);
}

/* A control command's pipe: a failure is only recorded and logged; the
 * command's exit (127) is what the state machine acts on. */
void svc_ctl_collect(struct service *s)
{
	struct exec_report rep;
	ssize_t r;

	if (s->ctl_exec_fd < 0)
		return;
	do
		r = read(s->ctl_exec_fd, &rep, sizeof(rep));
	while (r < 0 && errno == EINTR);
	if (r < 0 && errno == EAGAIN)
		return;
	ev_io_stop(sup.o.loop, &s->ctl_exec_io);
	close(s->ctl_exec_fd);
	s->ctl_exec_fd = -1;
	if (s->grp)
		grp_group_unpin(s->grp);
	if (r == (ssize_t)sizeof(rep)) {
		s->ctl_fail_stage = (enum svc_exec_stage)rep.stage;
		s->ctl_fail_errno = rep.err;
		if (s->ctl_idx < s->def.cmds[s->ctl_kind].n)
			log_error("%s: cannot run %s %s: stage %s: %s", s->def.name,
				  svc_cmd_key(s->ctl_kind),
				  s->def.cmds[s->ctl_kind].v[s->ctl_idx].argv[0],
				  svc_stage_name(rep.stage), strerror(rep.err));
	}
}

void svc_ctl_kill(struct service *s, int sig)
{
	/* only a child of ours that has not been reaped: never 1 or us */
	if (s->ctl_pid > 1 && s->ctl_pid != getpid() && kill(s->ctl_pid, sig) < 0 &&
	    errno != ESRCH)
		log_warn("%s: unable to signal control command %d: %s", s->def.name,
			 (int)s->ctl_pid, strerror(errno));
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

/*
 * The child's environment, built before fork so the child allocates
 * nothing, and sized from the definition: corral's defaults, then every
 * Environment= entry, which replaces a default of the same name (the
 * loader already keeps one entry per name).  The defaults are formatted
 * into heap strings, the entries point into the definition.  Returns a
 * NULL-terminated vector whose first *nown strings are its own (see
 * env_free), or NULL when out of memory.  Nothing is cut short.
 */
#define ENV_DEFAULTS 7
static void env_fmt(char **defs, unsigned *nd, int *rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void env_fmt(char **defs, unsigned *nd, int *rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&defs[*nd], fmt, ap) < 0)
		*rc = -1;
	else
		(*nd)++;
	va_end(ap);
}

static char **build_env(const struct service *s, const struct passwd *pw, bool ctl,
			unsigned *nown)
{
	char *defs[ENV_DEFAULTS], **envp;
	unsigned nd = 0, n = 0;
	int rc = 0;

#define ENV(...) env_fmt(defs, &nd, &rc, __VA_ARGS__)
	ENV("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
	if (pw) {
		ENV("HOME=%s", pw->pw_dir);
		ENV("USER=%s", pw->pw_name);
		ENV("LOGNAME=%s", pw->pw_name);
	} else {
		ENV("HOME=/");
	}
	ENV("CORRAL_SERVICE=%s", s->def.name);
	if (!ctl && s->notify_open && s->def.type == SVC_TYPE_NOTIFY)
		ENV("NOTIFY_SOCKET=%s", s->notify_path);	/* its own socket */
	/* ExecStop=/ExecReload= typically signal it: kill -HUP $MAINPID */
	if (ctl && s->pid > 0)
		ENV("MAINPID=%d", (int)s->pid);
#undef ENV
	envp = rc < 0 ? NULL : calloc((size_t)nd + s->def.nenv + 1, sizeof(*envp));
	if (!envp) {
		for (unsigned i = 0; i < nd; i++)
			free(defs[i]);
		return NULL;
	}
	for (unsigned i = 0; i < nd; i++) {
		/* Environment= overrides the defaults above */
		size_t klen = strcspn(defs[i], "=") + 1;
		bool set = false;

		for (unsigned j = 0; j < s->def.nenv && !set; j++)
			set = !strncmp(s->def.env[j], defs[i], klen);
		if (set)
			free(defs[i]);
		else
			envp[n++] = defs[i];
	}
	*nown = n;
	for (unsigned j = 0; j < s->def.nenv; j++)
		envp[n++] = s->def.env[j];
	envp[n] = NULL;
	return envp;
}

static void env_free(char **envp, unsigned nown)
{
	for (unsigned i = 0; i < nown; i++)
		free(envp[i]);
	free(envp);
}

static void report(int fd, enum svc_exec_stage stage)
{
	struct exec_report rep = { stage, errno };

	if (write(fd, &rep, sizeof(rep)) < 0) {
		/* the parent will see EOF and an exit status of 127 */
	}
	_exit(127);
}

/* The child's RLIMIT_NOFILE: LimitNOFILE=, or else the usual soft 1024
 * (PID 1 raised its own to the hard limit; programs using select() break
 * above 1024).  A value the kernel refuses (above fs.nr_open, "infinity")
 * is lowered to the closest one it takes, as systemd does. */
static int child_nofile(const struct svc_def *d)
{
	struct rlimit cur, rl;
	char buf[32];
	int fd;
	ssize_t r;
	rlim_t cap;

	if (getrlimit(RLIMIT_NOFILE, &cur) < 0)
		return -1;
	if (d->nofile_set) {
		rl.rlim_cur = d->nofile_soft == SVC_NOFILE_INFINITY ? RLIM_INFINITY : (rlim_t)d->nofile_soft;
		rl.rlim_max = d->nofile_hard == SVC_NOFILE_INFINITY ? RLIM_INFINITY : (rlim_t)d->nofile_hard;
	} else {
		rl.rlim_max = cur.rlim_max;
		rl.rlim_cur = cur.rlim_max < 1024 ? cur.rlim_max : 1024;
	}
	if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
		return 0;
	if (errno != EPERM)
		return -1;
	/* the highest the kernel allows root, else what we have */
	cap = cur.rlim_max;
	fd = open("/proc/sys/fs/nr_open", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		r = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (r > 0) {
			buf[r] = '\0';
			cap = (rlim_t)strtoull(buf, NULL, 10);
		}
	}
	for (int pass = 0; pass < 2; pass++) {
		struct rlimit c = rl;

		if (c.rlim_max > cap)
			c.rlim_max = cap;
		if (c.rlim_cur > c.rlim_max)
			c.rlim_cur = c.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &c) == 0)
			return 0;
		if (errno != EPERM)
			return -1;
		cap = cur.rlim_max;	/* not privileged: no higher than now */
	}
	return -1;
}

/* execvpe() is a GNU extension musl also has; search PATH from envp's
 * PATH, not PID 1's. */
static void child(struct service *s, const struct svc_cmd *c, char **envp, char **argv,
		  int errfd, uid_t uid, gid_t gid, bool setids, const char *username,
		  const struct sbx_plan *plan)
{
	sigset_t all;
	int fd, stage;
	const gid_t *groups;
	size_t ngroups;

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

	/* sandbox.c: limits, mount namespace, caps; plain syscalls walking
	 * a plan made in the parent (may move as one block) */
	if ((stage = sbx_child_setup(plan)) != 0)
		report(errfd, stage);

	if (chdir(*s->def.workdir ? s->def.workdir : "/") < 0)
		report(errfd, SVC_STAGE_CHDIR);

	/* before setuid: raising a hard limit needs privilege */
	if (child_nofile(&s->def) < 0)
		report(errfd, SVC_STAGE_RLIMIT);

	if (setids) {
		if ((sbx_groups(plan, &groups, &ngroups) ? setgroups(ngroups, groups) :
		     username ? initgroups(username, gid) : setgroups(0, NULL)) < 0)
			report(errfd, SVC_STAGE_SETGROUPS);
		if (setgid(gid) < 0)
			report(errfd, SVC_STAGE_SETGID);
		if (setuid(uid) < 0)
			report(errfd, SVC_STAGE_SETUID);
	}
	if ((stage = sbx_child_late(plan)) != 0)	/* sandbox.c: ambient caps */
		report(errfd, stage);
	environ = envp;
	/* argv as expanded at this start; '@': its second word is argv[0] */
	execvp(argv[0], (c->flags & SVC_CMD_F_ARGV0) && argv[1] ? argv + 1 : argv);
	report(errfd, SVC_STAGE_EXEC);
}

/* getpwnam()/getgrnam() return NULL with errno 0 when the name does not
 * exist, though some NSS modules leave ENOENT or ESRCH (getpwnam(3));
 * those all mean "no such name" (0), anything else is a real error. */
static int lookup_errno(int err)
{
	return err == ENOENT || err == ESRCH ? 0 : err;
}

void svc_exec_error(const struct service *s, char *buf, size_t len)
{
	*buf = '\0';
	if (!s->fail_stage)
		return;
	if (s->fail_stage == SVC_STAGE_USER && !s->fail_errno)
		snprintf(buf, len, "stage user: no such %s '%s'",
			 s->fail_nogroup ? "group" : "user",
			 s->fail_nogroup ? s->def.group : s->def.user);
	else
		snprintf(buf, len, "stage %s: %s", svc_stage_name(s->fail_stage),
			 strerror(s->fail_errno));
}

/* The main process (ctl false) or a control command. */
static int spawn_one(struct service *s, const struct svc_cmd *c, bool ctl)
{
	struct passwd *pw = NULL;
	/* a control command's lookup failure must not overwrite these */
	enum svc_exec_stage main_stage = s->fail_stage;
	int main_errno = s->fail_errno;
	bool main_nogroup = s->fail_nogroup;
	uid_t uid = 0;
	gid_t gid = 0;
	bool setids = false;
	char **envp;
	struct svc_runenv re;
	unsigned nown = 0;
	int p[2], rc;
	pid_t pid;
	struct sbx_plan *plan;

	/* '+', '!', '!!': full privileges, corral's own user */
	bool priv = c->flags & SVC_CMD_F_PRIV;

	if (svc_output_open(s) < 0)
		return -1;
	if (ctl)
		s->ctl_fail_stage = SVC_STAGE_NONE;
	if (*s->def.user && !priv) {
		errno = 0;
		pw = getpwnam(s->def.user);
		if (!pw) {
			s->fail_stage = SVC_STAGE_USER;
			s->fail_errno = lookup_errno(errno);
			s->fail_nogroup = false;
			log_error("%s: no such user '%s'%s%s", s->def.name, s->def.user,
				  s->fail_errno ? ": " : "",
				  s->fail_errno ? strerror(s->fail_errno) : "");
			goto lookup_failed;
		}
		uid = pw->pw_uid;
		gid = pw->pw_gid;
		setids = true;
	}
	if (*s->def.group && !priv) {
		struct group *gr;

		errno = 0;
		gr = getgrnam(s->def.group);
		if (!gr) {
			s->fail_stage = SVC_STAGE_USER;
			s->fail_errno = lookup_errno(errno);
			s->fail_nogroup = true;
			log_error("%s: no such group '%s'%s%s", s->def.name, s->def.group,
				  s->fail_errno ? ": " : "",
				  s->fail_errno ? strerror(s->fail_errno) : "");
			goto lookup_failed;
		}
		gid = gr->gr_gid;
		if (!pw)
			uid = getuid();
		setids = true;
	}
	/* its own notify socket, writable by the user it runs as */
	if (!ctl && s->def.type == SVC_TYPE_NOTIFY &&
	    svc_notify_prepare(s, setids ? uid : geteuid()) < 0)
		return -3;	/* a path too long, a chown refused: no retry helps */
	/* PrivateTmp= mounts a new /tmp over a notify socket kept there (a
	 * run dir under /tmp): READY=1 could not arrive; say why it waits */
	if (!ctl && s->def.type == SVC_TYPE_NOTIFY && s->def.x.private_tmp && !priv &&
	    (!strncmp(s->notify_path, "/tmp/", 5) || !strncmp(s->notify_path, "/var/tmp/", 9)))
		log_warn("%s: PrivateTmp= hides its notify socket %s: READY=1 cannot "
			 "arrive; run corral with its run dir outside /tmp", s->def.name,
			 s->notify_path);
	/* Delegate=: the group is handed to the user the service runs as
	 * before anything of it runs (again at each start: a released
	 * group's directory is new); root keeps it ('+', no User=) */
	if (s->def.x.delegate && s->grp &&
	    grp_group_delegate(s->grp, setids ? uid : (uid_t)-1, setids ? gid : (gid_t)-1,
			       s->def.x.delegate_controllers, s->def.auto_delete) < 0) {
		log_error("%s: cannot delegate group %s: %s", s->def.name, s->grp_path,
			  strerror(errno));
		if (!ctl) {
			s->pid = 0;
			s->exec_fd = -1;
		}
		return -4;
	}
	/* directories, limits, sandbox: everything the child needs
	 * (sandbox.c); '+' runs without them */
	plan = NULL;
	if (!priv && sbx_prepare(s, uid, gid, setids, pw ? pw->pw_name : NULL, &plan) < 0) {
		if (!ctl) {
			s->pid = 0;
			s->exec_fd = -1;
		}
		return -4;
	}
	envp = build_env(s, pw, ctl, &nown);
	if (!envp) {
		log_error_sys("build the environment of", s->def.name);
		sbx_free(plan);
		return -1;
	}
	/* EnvironmentFile= read now, at every start; $VAR expanded */
	rc = svc_runenv_build(s, c, envp, &re);
	if (rc < 0) {
		env_free(envp, nown);
		sbx_free(plan);
		if (!ctl) {	/* a control command's failure leaves the main pid */
			s->pid = 0;
			s->exec_fd = -1;
		}
		return rc;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		log_error_sys("create exec status pipe for", s->def.name);
		svc_runenv_free(&re);
		env_free(envp, nown);
		sbx_free(plan);
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
		svc_runenv_free(&re);
		env_free(envp, nown);
		sbx_free(plan);
		return -1;
	}
	if (pid == 0) {
		close(p[0]);
		child(s, c, re.envp, re.argv, p[1], uid, gid, setids, pw ? pw->pw_name : NULL, plan);
	}
	/* the child has its own copy (and has exec'ed if this becomes vfork) */
	svc_runenv_free(&re);
	env_free(envp, nown);
	sbx_free(plan);
	close(p[1]);
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	if (ctl) {
		s->ctl_pid = pid;
		s->ctl_exec_fd = p[0];
		ev_io_init(&s->ctl_exec_io, ctl_exec_cb, p[0], EV_READ);
		s->ctl_exec_io.data = s;
		ev_io_start(sup.o.loop, &s->ctl_exec_io);
		log_info("%s: %s: %s (pid %d)", s->def.name, svc_cmd_kind_name(s->ctl_kind),
			 c->line, (int)pid);
		return 0;
	}
	s->pid = pid;
	s->exec_fd = p[0];
	ev_io_init(&s->exec_io, exec_cb, p[0], EV_READ);
	s->exec_io.data = s;
	ev_io_start(sup.o.loop, &s->exec_io);
	log_debug("%s: forked pid %d", s->def.name, (int)pid);
	return 0;

lookup_failed:
	/* Nothing was forked: behave like a child that failed its first
	 * stage, so the state machine sees one kind of failure. */
	if (ctl) {
		/* the main process's record is not this one's */
		s->ctl_fail_stage = s->fail_stage;
		s->ctl_fail_errno = s->fail_errno;
		s->fail_stage = main_stage;
		s->fail_errno = main_errno;
		s->fail_nogroup = main_nogroup;
		return -2;
	}
	s->pid = 0;
	s->exec_fd = -1;
	errno = s->fail_errno;
	return -2;
}

int svc_spawn(struct service *s)
{
	const struct svc_cmds *l = &s->def.cmds[SVC_CMD_START];

	return spawn_one(s, &l->v[s->main_idx < l->n ? s->main_idx : 0], false);
}

int svc_spawn_ctl(struct service *s, const struct svc_cmd *c)
{
	return spawn_one(s, c, true);
}
