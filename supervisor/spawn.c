/*
 * supervisor/spawn.c - fork, enter the group, exec.
 *
 * The child puts itself into its containers before exec, so the service
 * never runs a single instruction outside its limits.  Anything that
 * fails between fork and exec is written as {stage, errno} to a
 * close-on-exec pipe: the parent reads EOF when exec succeeded, or the
 * record when it did not, and initctl can show "stage attach: ENOSPC".
 *
 * The child is cloned posix_spawn style, CLONE_VM|CLONE_VFORK on a small
 * stack of its own: no copy of PID 1's page tables (fork of a large PID 1
 * was most of the cost of a start), and PID 1 waits only until the child
 * has exec'ed or given up.  The child shares PID 1's memory, so it may
 * only read it and make async-signal-safe calls: everything it needs
 * (the executable's path, argv, envp, uid/gid and supplementary groups,
 * the open cgroup.procs files of its group, the sandbox plan) is prepared
 * before the clone, and it never allocates, logs or writes a global
 * (errno aside: PID 1 is suspended meanwhile and ignores it).
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
#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

/* close_range(2), Linux >= 5.9; musl's headers may not name it yet */
#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#ifndef CLOSE_RANGE_UNSHARE
#define CLOSE_RANGE_UNSHARE (1U << 1)
#endif

/* Code that runs in the cloned child, on a stack of its own that ASan
 * does not know (it would warn at the first noreturn call): not
 * instrumented.  A no-op in builds without the sanitizer. */
#define CHILD_CODE __attribute__((no_sanitize_address))

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

/* Read an exec-status pipe once (main process or control command): -1
 * not yet (the child is still on its way), 0 EOF (exec happened), 1 a
 * record in rep (a failure).  Once answered, the pipe is closed and the
 * group unpinned: the child has attached or given up, so the normal
 * release rules hold again. */
static int read_report(struct service *s, int *fd, ev_io *io, struct exec_report *rep)
{
	ssize_t r;

	do
		r = read(*fd, rep, sizeof(*rep));
	while (r < 0 && errno == EINTR);
	if (r < 0 && errno == EAGAIN)
		return -1;
	ev_io_stop(sup.o.loop, io);
	close(*fd);
	*fd = -1;
	if (s->grp)
		grp_group_unpin(s->grp);
	return r == (ssize_t)sizeof(*rep);
}

/* A control command's pipe: a failure is only recorded and logged; the
 * command's exit (127) is what the state machine acts on. */
void svc_ctl_collect(struct service *s)
{
	struct exec_report rep;

	if (s->ctl_exec_fd < 0 || read_report(s, &s->ctl_exec_fd, &s->ctl_exec_io, &rep) != 1)
		return;
	s->ctl_fail_stage = (enum svc_exec_stage)rep.stage;
	s->ctl_fail_errno = rep.err;
	if (s->ctl_idx < s->def.cmds[s->ctl_kind].n)
		log_error("%s: cannot run %s %s: stage %s: %s", s->def.name,
			  svc_cmd_key(s->ctl_kind),
			  s->def.cmds[s->ctl_kind].v[s->ctl_idx].argv[0],
			  svc_stage_name(rep.stage), strerror(rep.err));
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
	int r;

	if (s->exec_fd < 0 || (r = read_report(s, &s->exec_fd, &s->exec_io, &rep)) < 0)
		return;
	if (r == 1) {
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

CHILD_CODE static void report(int fd, enum svc_exec_stage stage)
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
CHILD_CODE static int child_nofile(const struct svc_def *d)
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
			/* by hand: the child makes async-signal-safe calls only */
			cap = 0;
			for (ssize_t i = 0; i < r && buf[i] >= '0' && buf[i] <= '9'; i++)
				cap = cap * 10 + (rlim_t)(buf[i] - '0');
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

/* Everything the cloned child needs, prepared by svc_spawn(). */
struct spawn_plan {
	const struct service *s;
	const char *exe;	/* resolved executable, NULL if none found */
	int exe_err;		/* ... and why (ENOENT, EACCES) */
	char **sh_argv;		/* /bin/sh EXE ARGS...: execvp's fallback */
	char **envp;
	int errfd;		/* the close-on-exec status pipe */
	int attach_err;		/* the parent could not prepare the attach */
	int attach[GRP_HIER_MAX];	/* cgroup.procs of each container */
	unsigned nattach;
	bool setids;
	uid_t uid;
	gid_t gid;
	const gid_t *groups;	/* supplementary groups (getgrouplist, or
				 * SupplementaryGroups= from the sandbox plan) */
	size_t ngroups;
	char *const *argv;	/* the command's words as expanded at this start */
	const struct sbx_plan *sbx;	/* limits, namespace, caps: NULL for '+' */
	/* CLONE_FILES: the child starts on PID 1's descriptor table, which
	 * PID 1 lent it with the status pipe on 0 and the output on 1, and
	 * takes a private copy of 0-2 only (close_range UNSHARE) */
	bool share_fds;
};

/* The child: async-signal-safe calls only (see the top of the file).
 * The credential calls are raw system calls: glibc's wrappers would try
 * to change every thread of what it takes for this process (PID 1's). */
CHILD_CODE static int child(void *arg)
{
	const struct spawn_plan *p = arg;
	const struct service *s = p->s;
	int errfd = p->errfd, stage;
	char pid[24];
	size_t n = sizeof(pid) - 1;
	pid_t v = (pid_t)syscall(SYS_getpid);
	sigset_t none;
	int fd;

	/* A clean slate for the service.  PID 1 blocked every signal around
	 * the clone, so no handler of its can run on this stack before the
	 * dispositions are back to default; only then unblock. */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	setsid();

	/* Enter every container, or exec nothing: a task that exits before
	 * exec is in no group, so a refused write leaves nothing split. */
	pid[n] = '\n';
	do
		pid[--n] = (char)('0' + v % 10);
	while (v /= 10);
	errno = p->attach_err;
	if (p->attach_err)
		report(p->errfd, SVC_STAGE_ATTACH);
	for (unsigned i = 0; i < p->nattach; i++)
		if (write(p->attach[i], pid + n, sizeof(pid) - n) < 0)
			report(p->errfd, SVC_STAGE_ATTACH);

	if (p->share_fds) {
		/* From here on a table of its own, 0-2 copied and nothing
		 * else: no copy of PID 1's thousands of descriptors on clone
		 * and none to close on exec.  The pipe moves up to 3. */
		if (syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_UNSHARE) < 0)
			report(p->errfd, SVC_STAGE_STDIO);
		errfd = fcntl(0, F_DUPFD_CLOEXEC, 3);
		if (errfd < 0)
			report(0, SVC_STAGE_STDIO);
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd < 0 || dup2(fd, 0) < 0 || dup2(1, 2) < 0)
			report(errfd, SVC_STAGE_STDIO);
	} else {
		fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd < 0 || dup2(fd, 0) < 0 || dup2(s->out_wr, 1) < 0 ||
		    dup2(s->out_wr, 2) < 0)
			report(errfd, SVC_STAGE_STDIO);
	}

	/* sandbox.c: limits, mount namespace, caps; plain syscalls walking
	 * a plan made in the parent */
	if ((stage = sbx_child_setup(p->sbx)) != 0)
		report(errfd, stage);

	if (chdir(*s->def.workdir ? s->def.workdir : "/") < 0)
		report(errfd, SVC_STAGE_CHDIR);

	/* before setuid: raising a hard limit needs privilege */
	if (child_nofile(&s->def) < 0)
		report(errfd, SVC_STAGE_RLIMIT);

	if (p->setids) {
		if (syscall(SYS_setgroups, p->ngroups, p->groups) < 0)
			report(errfd, SVC_STAGE_SETGROUPS);
		if (syscall(SYS_setgid, p->gid) < 0)
			report(errfd, SVC_STAGE_SETGID);
		if (syscall(SYS_setuid, p->uid) < 0)
			report(errfd, SVC_STAGE_SETUID);
	}
	if ((stage = sbx_child_late(p->sbx)) != 0)	/* sandbox.c: ambient caps */
		report(errfd, stage);
	if (p->exe) {
		execve(p->exe, p->argv, p->envp);
		/* a script without #!: run by the shell, as execvp() does */
		if (errno == ENOEXEC && p->sh_argv) {
			execve(p->sh_argv[0], p->sh_argv, p->envp);
			errno = ENOEXEC;	/* the program's fault, not the shell's */
		}
	} else {
		errno = p->exe_err;
	}
	report(errfd, SVC_STAGE_EXEC);
	return 127;
}

/* The executable as execvp() would find it, searched in the parent (the
 * child must not allocate): argv[0] itself if it has a '/', else the
 * first executable regular file in the service's own PATH (relative
 * entries are relative to its working directory).  NULL with *err ENOENT,
 * or EACCES if a match was not executable; *owned is what to free. */
static const char *resolve_exe(const struct service *s, const char *file, char **envp,
			       char **owned, int *err)
{
	const char *path = "/bin:/usr/bin", *dir;
	const char *wd = *s->def.workdir ? s->def.workdir : "/";
	size_t flen = strlen(file);

	*owned = NULL;
	*err = ENOENT;
	if (strchr(file, '/'))
		return file;
	if (!*file)
		return NULL;
	for (char **e = envp; *e; e++)
		if (!strncmp(*e, "PATH=", 5))
			path = *e + 5;
	for (dir = path; ; dir++) {
		size_t dlen = strcspn(dir, ":");
		struct stat st;
		char *cand;

		if (dir[0] == '/')
			cand = malloc(dlen + flen + 2);
		else
			cand = malloc(strlen(wd) + dlen + flen + 4);
		if (!cand) {
			*err = ENOMEM;
			return NULL;
		}
		if (dir[0] == '/')
			sprintf(cand, "%.*s/%s", (int)dlen, dir, file);
		else	/* "" is the working directory, as for execvp */
			sprintf(cand, "%s/%.*s/%s", wd, (int)dlen, dir, file);
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(cand, X_OK) == 0) {
				*owned = cand;
				return cand;
			}
			*err = EACCES;
		}
		free(cand);
		dir += dlen;
		if (!*dir)
			break;
	}
	return NULL;
}

/* User=: its groups as initgroups() would set them, looked up here
 * because the child must not (NSS allocates, opens files, may talk to a
 * daemon).  The list is sized by what getgrouplist() says it needs. */
static gid_t *user_groups(const char *user, gid_t gid, size_t *count)
{
	long most = sysconf(_SC_NGROUPS_MAX);	/* what setgroups() takes */
	int n = 32;
	gid_t *gl = NULL;

	for (;;) {
		gid_t *ng;
		int want = n;

		if (n > (most > 0 ? most : 65536) + 1) {
			free(gl);	/* more than the kernel would take */
			errno = E2BIG;
			return NULL;
		}
		ng = realloc(gl, (size_t)n * sizeof(*gl));
		if (!ng) {
			free(gl);
			return NULL;
		}
		gl = ng;
		if (getgrouplist(user, gid, gl, &want) >= 0) {
			*count = (size_t)want;
			return gl;
		}
		n = want > n ? want : n * 2;
	}
}

/* fd as it was before lend_fds(): saved is its copy, -1 if it was closed */
static void unlend_fd(int fd, int saved)
{
	if (saved < 0) {
		close(fd);
		return;
	}
	dup2(saved, fd);
	close(saved);
}

static void unlend_fds(int saved[2])
{
	unlend_fd(0, saved[0]);
	unlend_fd(1, saved[1]);
}

/* Put the status pipe on 0 and the output on 1 of PID 1's own table for
 * a CLONE_FILES child (saving what was there in saved[]): the child
 * keeps 0-2 only, so this is how the two reach it.  PID 1 is suspended
 * until the child has its own table (CLONE_VFORK), and nothing of PID 1
 * runs meanwhile; unlend_fds() puts 0 and 1 back.  Only where the kernel
 * has close_range(CLOSE_RANGE_UNSHARE) (5.9), asked once; else, or if a
 * descriptor cannot be saved, the child gets a whole copy as before. */
static void lend_fds(struct spawn_plan *p, int errfd, int out, int saved[2])
{
	static int have = -1;

	p->share_fds = false;
	if (have < 0)	/* fd ~0 is never open: this only asks the kernel */
		have = syscall(SYS_close_range, ~0U, ~0U, CLOSE_RANGE_UNSHARE) == 0;
	if (!have)
		return;
	saved[0] = fcntl(0, F_DUPFD_CLOEXEC, 3);
	if (saved[0] < 0 && errno != EBADF)
		return;
	saved[1] = fcntl(1, F_DUPFD_CLOEXEC, 3);
	if ((saved[1] < 0 && errno != EBADF) || dup2(errfd, 0) < 0) {
		if (saved[0] >= 0)
			close(saved[0]);
		if (saved[1] >= 0)
			close(saved[1]);
		return;
	}
	if (dup2(out, 1) < 0) {
		unlend_fd(0, saved[0]);
		if (saved[1] >= 0)
			close(saved[1]);
		return;
	}
	p->share_fds = true;
}

/* The child's stack: allocated once, reused by every spawn (the parent
 * is suspended while a child runs on it), with a guard page below. */
#define SPAWN_STACK (64 * 1024)
static char *spawn_stack(void)
{
	static char *top;
	long pg = sysconf(_SC_PAGESIZE);
	char *base;

	if (top)
		return top;
	base = mmap(NULL, SPAWN_STACK + (size_t)pg, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	if (mprotect(base, (size_t)pg, PROT_NONE) < 0) {
		munmap(base, SPAWN_STACK + (size_t)pg);
		return NULL;
	}
	top = base + SPAWN_STACK + pg;
	return top;
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
	char **envp, *exe = NULL, *stack;
	struct svc_runenv re;
	unsigned nown = 0;
	int p[2], rc, n, saved;
	pid_t pid;
	struct sbx_plan *plan;
	struct spawn_plan sp = { 0 };
	int saved_fd[2] = { -1, -1 };
	gid_t *ugroups = NULL;
	char **sh_argv = NULL;
	sigset_t all, old;

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
	sp.s = s;
	sp.envp = re.envp;
	sp.setids = setids;
	sp.uid = uid;
	sp.gid = gid;
	sp.sbx = plan;
	/* '@': the first word is the file, the second the argv[0] it sees */
	sp.argv = (c->flags & SVC_CMD_F_ARGV0) && re.argv[1] ? re.argv + 1 : re.argv;
	sp.exe = resolve_exe(s, re.argv[0], re.envp, &exe, &sp.exe_err);
	if (!sp.exe && sp.exe_err == ENOMEM) {
		log_error_sys("resolve the executable of", s->def.name);
		goto fail_env;
	}
	/* execvp()'s ENOEXEC fallback, ready in case: /bin/sh EXE ARGS... */
	for (n = 0; sp.argv[n]; n++)
		;
	sh_argv = calloc((size_t)n + 2, sizeof(*sh_argv));
	if (!sh_argv) {
		log_error_sys("allocate the arguments of", s->def.name);
		goto fail_env;
	}
	sh_argv[0] = "/bin/sh";
	sh_argv[1] = (char *)(sp.exe ? sp.exe : "");
	for (int i = 1; i < n; i++)
		sh_argv[i + 1] = sp.argv[i];
	sp.sh_argv = sh_argv;
	/* SupplementaryGroups= (the sandbox plan), else User='s groups as
	 * initgroups() would set them; Group= alone clears them */
	if (setids && !sbx_groups(plan, &sp.groups, &sp.ngroups) && pw) {
		ugroups = user_groups(pw->pw_name, gid, &sp.ngroups);
		if (!ugroups) {
			log_error_sys("list the groups of", pw->pw_name);
			goto fail_env;
		}
		sp.groups = ugroups;
	}
	if (!(stack = spawn_stack())) {
		log_error_sys("allocate the spawn stack for", s->def.name);
		goto fail_env;
	}
	if (pipe2(p, O_CLOEXEC) < 0) {
		log_error_sys("create exec status pipe for", s->def.name);
		goto fail_env;
	}
	sp.errfd = p[1];
	/* pinned from here until the status pipe is closed */
	if (s->grp)
		grp_group_pin(s->grp);
	/* Opened here, written by the child.  A container that refuses
	 * already here (cpuset without cpus, a directory gone) is still the
	 * child's attach failure: it reports it and exits. */
	if (s->grp) {
		n = grp_group_procs_fds(s->grp, sp.attach, GRP_HIER_MAX);
		if (n < 0)
			sp.attach_err = errno;
		else
			sp.nattach = (unsigned)n;
	}
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	lend_fds(&sp, p[1], s->out_wr, saved_fd);
	pid = clone(child, stack, CLONE_VM | CLONE_VFORK | SIGCHLD |
		    (sp.share_fds ? CLONE_FILES : 0), &sp);
	saved = errno;
	if (sp.share_fds)
		unlend_fds(saved_fd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	errno = saved;
	for (unsigned i = 0; i < sp.nattach; i++)
		close(sp.attach[i]);
	close(p[1]);
	if (pid < 0) {
		log_error_sys("clone for", s->def.name);
		if (s->grp)
			grp_group_unpin(s->grp);
		close(p[0]);
		goto fail_env;
	}
	/* the child has exec'ed or exited: what it read is ours again */
	svc_runenv_free(&re);
	env_free(envp, nown);
	sbx_free(plan);
	free(exe);
	free(ugroups);
	free(sh_argv);
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
	log_debug("%s: spawned pid %d", s->def.name, (int)pid);
	return 0;

fail_env:
	svc_runenv_free(&re);
	env_free(envp, nown);
	sbx_free(plan);
	free(exe);
	free(ugroups);
	free(sh_argv);
	return -1;

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
