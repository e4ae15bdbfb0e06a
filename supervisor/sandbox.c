/*
 * supervisor/sandbox.c - what systemd.exec(5) sets up around a process:
 * the *Directory= directories, Limit*=, UMask=, Nice=, OOMScoreAdjust=,
 * SupplementaryGroups=, capabilities, NoNewPrivileges=, and the private
 * mount namespace of PrivateTmp=, PrivateDevices=, ProtectSystem=,
 * ProtectHome=, Read{Write,Only}Paths=, InaccessiblePaths=.
 *
 * Split in two so the child never allocates (spawn.c may become a
 * vfork/clone-style spawn): sbx_prepare() runs in PID 1 before the fork,
 * creates the directories, looks up groups, reads the mount table and
 * writes a plan of plain syscalls (struct sbx_plan); sbx_child_setup()
 * and sbx_child_late() in the child only walk that plan.  A failure in
 * the child is a stage for the exec-status pipe: "sandbox", "rlimit",
 * "nice", "oom-score", "capabilities".
 *
 * The directories are made by PID 1 without following any symlink a
 * service may have planted: each component is opened with O_NOFOLLOW
 * relative to the one above, mkdirat()/fchown()/fchmod() work on those
 * fds.  Only the innermost directory of a name gets the mode and, for all
 * but ConfigurationDirectory=, the User=/Group= owner (systemd's rule);
 * what is already inside is not re-owned.
 *
 * Mounts: the child unshares its mount namespace and makes "/" a slave,
 * so nothing it mounts reaches PID 1 or the host.  A read-only path is a
 * bind mount of itself remounted read-only; every mount below it (read
 * from PID 1's /proc/self/mountinfo) is remounted read-only too, except
 * those below a ReadWritePaths= entry, the fresh /tmp and /dev, and for
 * ProtectSystem=strict the API file systems /proc, /sys and /dev.
 * PrivateTmp= mounts a fresh tmpfs on /tmp and /var/tmp for each run
 * (systemd keeps one per unit lifetime and shares it with ExecStop=).
 * PrivateDevices= is a tmpfs /dev with null, zero, full, random, urandom,
 * tty, a private devpts, /dev/shm and the fd symlinks, and drops CAP_MKNOD
 * and CAP_SYS_RAWIO from the bounding set.
 */
#include "internal.h"
#include "../lib/log.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* capget/capset by raw syscall, no libcap; linux/capability.h's layout
 * (musl's static build has no kernel headers) */
#define CAPS_VERSION_3 0x20080522
#define CAPS_MKNOD 27
#define CAPS_SYS_RAWIO 17
#define CAPS_LAST_KNOWN 40	/* CAP_CHECKPOINT_RESTORE */
struct caps_header {
	uint32_t version;
	int pid;
};
struct caps_data {
	uint32_t effective, permitted, inheritable;
};

/* plan entries are compound literals naming only the fields they use */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

enum sbx_op_kind { OP_UNSHARE, OP_MOUNT, OP_MKNOD, OP_MKDIR, OP_SYMLINK };

struct sbx_op {
	enum sbx_op_kind kind;
	const char *src, *dst, *fstype, *data;
	unsigned long flags;
	mode_t mode;
	dev_t dev;
	bool optional;		/* ENOENT or EINVAL: the mount point went away */
};

struct sbx_plan {
	unsigned nrlim;
	struct { int res; struct rlimit rl; } rlim[SVC_RLIMITS];
	mode_t umask;
	bool nice_set, oom_set, groups_set;
	int nice;
	char oom[16];
	size_t oom_len;
	gid_t *groups;
	size_t ngroups;
	bool no_new_privs;
	uint64_t capdrop;		/* dropped from the bounding set */
	int last_cap;
	bool ambient_set, setids;
	uint64_t ambient;
	struct sbx_op *ops;
	unsigned nops, capops;
	char **owned;			/* strings the plan allocated */
	unsigned nowned, capowned;
};

const char *const sbx_dir_base[SVC_NDIRS] = {
	"/run", "/var/lib", "/var/cache", "/var/log", "/etc",
};

/* ---- directories ---------------------------------------------------------- */

int sbx_mkdir_owned(const char *base, const char *rel, mode_t mode, bool own,
		    uid_t uid, gid_t gid)
{
	char comp[256];
	const char *p = rel;
	int fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC), nfd, e;

	if (fd < 0)
		return -1;
	while (*p) {
		size_t n = strcspn(p, "/");
		bool last = !p[n];

		if (n >= sizeof(comp)) {
			close(fd);
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(comp, p, n);
		comp[n] = '\0';
		p += n + !last;
		if (mkdirat(fd, comp, last ? mode : 0755) < 0 && errno != EEXIST)
			goto fail;
		/* a symlink here is refused (ELOOP), whoever planted it */
		nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (nfd < 0) {
			struct stat st;

			/* O_DIRECTORY says ENOTDIR for a symlink: say what it is */
			if (errno == ENOTDIR && fstatat(fd, comp, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode))
				errno = ELOOP;
			goto fail;
		}
		close(fd);
		fd = nfd;
	}
	if ((own && fchown(fd, uid, gid) < 0) || fchmod(fd, mode) < 0)
		goto fail;
	close(fd);
	return 0;
fail:
	e = errno;
	close(fd);
	errno = e;
	return -1;
}

/* Remove name in dirfd and everything below it, following no symlink. */
static int rmtree_at(int dirfd, const char *name, unsigned depth)
{
	int fd, e = 0;
	DIR *d;
	struct dirent *de;

	if (unlinkat(dirfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -1;
	if (depth > 256) {
		errno = ELOOP;
		return -1;
	}
	fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    rmtree_at(fd, de->d_name, depth + 1) < 0 && !e)
			e = errno;
	closedir(d);
	if (unlinkat(dirfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT && !e)
		e = errno;
	errno = e;
	return e ? -1 : 0;
}

int sbx_rmtree(const char *base, const char *rel)
{
	int fd = open(base, O_RDONLY | O_DIRECTORY | O_CLOEXEC), r, e;

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	r = rmtree_at(fd, rel, 0);
	e = errno;
	close(fd);
	errno = e;
	return r;
}

void sbx_dirs_release(struct service *s, bool restarting)
{
	const struct svc_exec *x = &s->def.x;
	const struct svc_dirs *rd = &x->dirs[SVC_DIR_RUNTIME];

	if (x->runtime_preserve == SVC_PRESERVE_YES ||
	    (restarting && x->runtime_preserve == SVC_PRESERVE_RESTART))
		return;
	for (unsigned i = 0; i < rd->n; i++)
		if (sbx_rmtree(sbx_dir_base[SVC_DIR_RUNTIME], rd->names[i]) < 0)
			log_warn("%s: unable to remove %s/%s: %s", s->def.name,
				 sbx_dir_base[SVC_DIR_RUNTIME], rd->names[i], strerror(errno));
}

/* ---- the plan ---------------------------------------------------------------- */

static const char *own(struct sbx_plan *p, char *str)
{
	if (!str)
		return NULL;
	if (p->nowned == p->capowned) {
		unsigned cap = p->capowned ? p->capowned * 2 : 16;
		char **n = reallocarray(p->owned, cap, sizeof(*n));

		if (!n) {
			free(str);
			return NULL;
		}
		p->owned = n;
		p->capowned = cap;
	}
	return p->owned[p->nowned++] = str;
}

static int op(struct sbx_plan *p, struct sbx_op o)
{
	if (p->nops == p->capops) {
		unsigned cap = p->capops ? p->capops * 2 : 16;
		struct sbx_op *n = reallocarray(p->ops, cap, sizeof(*n));

		if (!n)
			return -1;
		p->ops = n;
		p->capops = cap;
	}
	p->ops[p->nops++] = o;
	return 0;
}

void sbx_free(struct sbx_plan *p)
{
	if (!p)
		return;
	for (unsigned i = 0; i < p->nowned; i++)
		free(p->owned[i]);
	free(p->owned);
	free(p->ops);
	free(p->groups);
	free(p);
}

/* One line of /proc/self/mountinfo: mount point and per-mount flags. */
struct mnt {
	char *path;
	unsigned long flags;
};

static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] && s[3]) {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

static unsigned long mnt_flags(const char *opts)
{
	static const struct { const char *name; unsigned long f; } t[] = {
		{ "nosuid", MS_NOSUID }, { "nodev", MS_NODEV }, { "noexec", MS_NOEXEC },
		{ "noatime", MS_NOATIME }, { "nodiratime", MS_NODIRATIME },
		{ "relatime", MS_RELATIME },
	};
	unsigned long f = 0;
	char buf[512], *save, *tok;

	snprintf(buf, sizeof(buf), "%s", opts);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		for (unsigned i = 0; i < sizeof(t) / sizeof(*t); i++)
			if (!strcmp(tok, t[i].name))
				f |= t[i].f;
	return f;
}

static struct mnt *read_mounts(unsigned *n)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	struct mnt *v = NULL;
	unsigned cap = 0;
	char *line = NULL;
	size_t ll = 0;

	*n = 0;
	if (!f)
		return NULL;
	while (getline(&line, &ll, f) > 0) {
		char *fld[6], *save = NULL;
		int i;

		fld[0] = strtok_r(line, " ", &save);
		for (i = 1; i < 6 && (fld[i] = strtok_r(NULL, " ", &save)); i++)
			;
		if (i < 6 || !fld[0])
			continue;
		if (*n == cap) {
			struct mnt *nv;

			cap = cap ? cap * 2 : 64;
			nv = reallocarray(v, cap, sizeof(*v));
			if (!nv)
				break;
			v = nv;
		}
		unescape(fld[4]);
		v[*n].path = strdup(fld[4]);
		v[*n].flags = mnt_flags(fld[5]);
		if (v[*n].path)
			(*n)++;
	}
	free(line);
	fclose(f);
	return v;
}

static void free_mounts(struct mnt *v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		free(v[i].path);
	free(v);
}

/* path is dir or below it */
static bool under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (!strcmp(dir, "/"))
		return true;
	return !strncmp(path, dir, n) && (path[n] == '\0' || path[n] == '/');
}

/* The flags of the mount path lives on (the longest mount point above it). */
static unsigned long flags_of(const struct mnt *m, unsigned n, const char *path)
{
	size_t best = 0;
	unsigned long f = 0;

	for (unsigned i = 0; i < n; i++)
		if (under(path, m[i].path) && strlen(m[i].path) >= best) {
			best = strlen(m[i].path);
			f = m[i].flags;
		}
	return f;
}

struct mount_ctx {
	struct sbx_plan *p;
	const struct svc_exec *x;
	struct mnt *m;
	unsigned nm;
	const char **rw;		/* writable paths, bound first */
	unsigned nrw;
};

static bool excluded(const struct mount_ctx *c, const char *mp)
{
	for (unsigned i = 0; i < c->nrw; i++)
		if (under(mp, c->rw[i]))
			return true;
	if (c->x->private_tmp && (under(mp, "/tmp") || under(mp, "/var/tmp")))
		return true;
	if ((c->x->private_devices || c->x->protect_system == SVC_PROTECT_SYSTEM_STRICT) &&
	    under(mp, "/dev"))
		return true;
	if (c->x->protect_system == SVC_PROTECT_SYSTEM_STRICT &&
	    (under(mp, "/proc") || under(mp, "/sys")))
		return true;
	return false;
}

/* Make t read-only with the mounts below it. */
static int plan_ro(struct mount_ctx *c, const char *t)
{
	struct sbx_plan *p = c->p;
	unsigned long f = flags_of(c->m, c->nm, t);

	if (strcmp(t, "/") &&
	    op(p, (struct sbx_op){ OP_MOUNT, t, t, NULL, NULL, MS_BIND | MS_REC }) < 0)
		return -1;
	if (op(p, (struct sbx_op){ OP_MOUNT, NULL, t, NULL, NULL,
				   MS_REMOUNT | MS_BIND | MS_RDONLY | f }) < 0)
		return -1;
	for (unsigned i = 0; i < c->nm; i++) {
		const char *mp = c->m[i].path;

		if (!strcmp(mp, t) || !under(mp, t) || excluded(c, mp))
			continue;
		if (!own(p, strdup(mp)) ||
		    op(p, (struct sbx_op){ OP_MOUNT, NULL, p->owned[p->nowned - 1], NULL, NULL,
					   MS_REMOUNT | MS_BIND | MS_RDONLY | c->m[i].flags,
					   .optional = true }) < 0)
			return -1;
	}
	return 0;
}

/* "-/path": optional.  Returns the path, or NULL (with *skip) when it is
 * optional and missing; -1 in *err when it is required and missing. */
static const char *entry(const char *e, bool *missing_ok, struct stat *st, int *err)
{
	bool opt = *e == '-';
	const char *path = opt ? e + 1 : e;

	*missing_ok = false;
	if (lstat(path, st) < 0) {
		if (opt && errno == ENOENT) {
			*missing_ok = true;
			return NULL;
		}
		*err = errno;
		return NULL;
	}
	return path;
}

static int plan_mounts(struct service *s, struct sbx_plan *p, char *why, size_t wl)
{
	static const char *const sys_yes[] = { "/usr", "/boot", "/efi", NULL };
	static const char *const sys_full[] = { "/usr", "/boot", "/efi", "/etc", NULL };
	static const char *const sys_strict[] = { "/", NULL };
	static const char *const home[] = { "/home", "/root", "/run/user", NULL };
	static const struct { const char *name; mode_t mode; unsigned maj, min; } devs[] = {
		{ "/dev/null", 0666, 1, 3 }, { "/dev/zero", 0666, 1, 5 },
		{ "/dev/full", 0666, 1, 7 }, { "/dev/random", 0666, 1, 8 },
		{ "/dev/urandom", 0666, 1, 9 }, { "/dev/tty", 0666, 5, 0 },
	};
	const struct svc_exec *x = &s->def.x;
	const char *const *sys = x->protect_system == SVC_PROTECT_SYSTEM_YES ? sys_yes :
				 x->protect_system == SVC_PROTECT_SYSTEM_FULL ? sys_full :
				 x->protect_system == SVC_PROTECT_SYSTEM_STRICT ? sys_strict : NULL;
	struct mount_ctx c = { .p = p, .x = x };
	bool need = x->private_tmp || x->private_devices || sys ||
		    x->protect_home != SVC_PROTECT_HOME_NO || x->nro || x->ninacc || x->nrw;
	struct stat st;
	bool skip;
	int err = 0, rc = -1;
	unsigned nrw_max = x->nrw + SVC_NDIRS * 8;

	if (!need)
		return 0;
	if (op(p, (struct sbx_op){ OP_UNSHARE }) < 0 ||
	    op(p, (struct sbx_op){ OP_MOUNT, NULL, "/", NULL, NULL, MS_REC | MS_SLAVE }) < 0)
		goto oom;
	if (x->private_tmp) {
		if (op(p, (struct sbx_op){ OP_MOUNT, "tmpfs", "/tmp", "tmpfs", "mode=1777",
					   MS_NOSUID | MS_NODEV }) < 0)
			goto oom;
		if (stat("/var/tmp", &st) == 0 && S_ISDIR(st.st_mode) &&
		    op(p, (struct sbx_op){ OP_MOUNT, "tmpfs", "/var/tmp", "tmpfs", "mode=1777",
					   MS_NOSUID | MS_NODEV }) < 0)
			goto oom;
	}
	if (x->private_devices) {
		char target[4096];
		ssize_t n;

		if (op(p, (struct sbx_op){ OP_MOUNT, "tmpfs", "/dev", "tmpfs", "mode=755",
					   MS_NOSUID | MS_NOEXEC | MS_STRICTATIME }) < 0)
			goto oom;
		for (unsigned i = 0; i < sizeof(devs) / sizeof(*devs); i++)
			if (op(p, (struct sbx_op){ OP_MKNOD, NULL, devs[i].name, .mode = S_IFCHR | devs[i].mode,
						   .dev = makedev(devs[i].maj, devs[i].min) }) < 0)
				goto oom;
		if (op(p, (struct sbx_op){ OP_MKDIR, NULL, "/dev/shm", .mode = 01777 }) < 0 ||
		    op(p, (struct sbx_op){ OP_MOUNT, "tmpfs", "/dev/shm", "tmpfs", "mode=1777",
					   MS_NOSUID | MS_NODEV }) < 0 ||
		    op(p, (struct sbx_op){ OP_MKDIR, NULL, "/dev/pts", .mode = 0755 }) < 0 ||
		    op(p, (struct sbx_op){ OP_MOUNT, "devpts", "/dev/pts", "devpts",
					   "newinstance,ptmxmode=0666,mode=620",
					   MS_NOSUID | MS_NOEXEC, .optional = true }) < 0 ||
		    op(p, (struct sbx_op){ OP_SYMLINK, "pts/ptmx", "/dev/ptmx" }) < 0 ||
		    op(p, (struct sbx_op){ OP_SYMLINK, "/proc/self/fd", "/dev/fd" }) < 0 ||
		    op(p, (struct sbx_op){ OP_SYMLINK, "/proc/self/fd/0", "/dev/stdin" }) < 0 ||
		    op(p, (struct sbx_op){ OP_SYMLINK, "/proc/self/fd/1", "/dev/stdout" }) < 0 ||
		    op(p, (struct sbx_op){ OP_SYMLINK, "/proc/self/fd/2", "/dev/stderr" }) < 0)
			goto oom;
		/* syslog keeps working where /dev/log is a symlink (journald,
		 * or a socket under /run) */
		n = readlink("/dev/log", target, sizeof(target) - 1);
		if (n > 0) {
			target[n] = '\0';
			if (!own(p, strdup(target)) ||
			    op(p, (struct sbx_op){ OP_SYMLINK, p->owned[p->nowned - 1], "/dev/log" }) < 0)
				goto oom;
		}
		p->capdrop |= 1ULL << CAPS_MKNOD | 1ULL << CAPS_SYS_RAWIO;
	}
	c.m = read_mounts(&c.nm);
	c.rw = calloc(nrw_max + 1, sizeof(*c.rw));
	if (!c.rw)
		goto oom;
	/* writable: ReadWritePaths=, and under strict the service's own
	 * directories (systemd does the same) */
	for (unsigned i = 0; i < x->nrw; i++) {
		const char *path = entry(x->rw[i], &skip, &st, &err);

		if (!path && skip)
			continue;
		if (!path) {
			snprintf(why, wl, "ReadWritePaths: %s: %s", x->rw[i], strerror(err));
			goto out;
		}
		c.rw[c.nrw++] = path;
	}
	if (x->protect_system == SVC_PROTECT_SYSTEM_STRICT)
		for (int k = 0; k < SVC_NDIRS; k++)
			for (unsigned i = 0; i < x->dirs[k].n && c.nrw < nrw_max; i++) {
				char *d;

				if (asprintf(&d, "%s/%s", sbx_dir_base[k], x->dirs[k].names[i]) < 0 ||
				    !own(p, d))
					goto oom;
				c.rw[c.nrw++] = d;
			}
	for (unsigned i = 0; i < c.nrw; i++)
		if (op(p, (struct sbx_op){ OP_MOUNT, c.rw[i], c.rw[i], NULL, NULL,
					   MS_BIND | MS_REC }) < 0)
			goto oom;
	for (unsigned i = 0; sys && sys[i]; i++)
		if (stat(sys[i], &st) == 0 && plan_ro(&c, sys[i]) < 0)
			goto oom;
	if (x->protect_home == SVC_PROTECT_HOME_RO)
		for (unsigned i = 0; home[i]; i++)
			if (stat(home[i], &st) == 0 && plan_ro(&c, home[i]) < 0)
				goto oom;
	for (unsigned i = 0; i < x->nro; i++) {
		const char *path = entry(x->ro[i], &skip, &st, &err);

		if (!path && skip)
			continue;
		if (!path) {
			snprintf(why, wl, "ReadOnlyPaths: %s: %s", x->ro[i], strerror(err));
			goto out;
		}
		if (plan_ro(&c, path) < 0)
			goto oom;
	}
	/* last, so nothing is mounted over them again */
	if (x->protect_home == SVC_PROTECT_HOME_YES || x->protect_home == SVC_PROTECT_HOME_TMPFS)
		for (unsigned i = 0; home[i]; i++)
			if (stat(home[i], &st) == 0 && S_ISDIR(st.st_mode) &&
			    op(p, (struct sbx_op){ OP_MOUNT, "tmpfs", home[i], "tmpfs",
						   x->protect_home == SVC_PROTECT_HOME_YES ?
						   "mode=000" : "mode=755",
						   MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC }) < 0)
				goto oom;
	for (unsigned i = 0; i < x->ninacc; i++) {
		const char *path = entry(x->inacc[i], &skip, &st, &err);

		if (!path && skip)
			continue;
		if (!path) {
			snprintf(why, wl, "InaccessiblePaths: %s: %s", x->inacc[i], strerror(err));
			goto out;
		}
		if (S_ISDIR(st.st_mode)) {
			if (op(p, (struct sbx_op){ OP_MOUNT, "tmpfs", path, "tmpfs", "mode=000",
						   MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC }) < 0)
				goto oom;
		} else {
			/* a file or node: covered by an empty mode-000 file */
			char *empty;
			int fd;

			if (asprintf(&empty, "%s/inaccessible", sup.run_dir) < 0 || !own(p, empty))
				goto oom;
			fd = open(empty, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0);
			if (fd < 0 || fchmod(fd, 0) < 0) {
				err = errno;
				snprintf(why, wl, "InaccessiblePaths: create %s: %s", empty,
					 strerror(errno));
				if (fd >= 0)
					close(fd);
				goto out;
			}
			close(fd);
			if (op(p, (struct sbx_op){ OP_MOUNT, empty, path, NULL, NULL, MS_BIND }) < 0 ||
			    op(p, (struct sbx_op){ OP_MOUNT, NULL, path, NULL, NULL,
						   MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID |
						   MS_NODEV | MS_NOEXEC }) < 0)
				goto oom;
		}
	}
	rc = 0;
	goto out;
oom:
	err = ENOMEM;
	snprintf(why, wl, "out of memory planning the mount namespace");
out:
	errno = err;
	free(c.rw);
	free_mounts(c.m, c.nm);
	return rc;
}

static int last_cap(void)
{
	char buf[16];
	int fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	ssize_t r = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	if (r <= 0)
		return CAPS_LAST_KNOWN;
	buf[r] = '\0';
	return atoi(buf);
}

int sbx_prepare(struct service *s, uid_t uid, gid_t gid, bool setids, const char *username,
		struct sbx_plan **out)
{
	const struct svc_exec *x = &s->def.x;
	struct sbx_plan *p = calloc(1, sizeof(*p));
	char why[512] = "";

	*out = NULL;
	if (!p) {
		log_error_sys("allocate the sandbox plan of", s->def.name);
		s->fail_stage = SVC_STAGE_SANDBOX;
		s->fail_errno = errno;
		return -1;
	}
	/* the directories first: ProtectSystem=strict leaves them writable */
	for (int k = 0; k < SVC_NDIRS; k++)
		for (unsigned i = 0; i < x->dirs[k].n; i++)
			if (sbx_mkdir_owned(sbx_dir_base[k], x->dirs[k].names[i], x->dirs[k].mode,
					    setids && k != SVC_DIR_CONFIG, uid, gid) < 0) {
				s->fail_stage = SVC_STAGE_DIRS;
				s->fail_errno = errno;
				log_error("%s: unable to create %s/%s: %s", s->def.name,
					  sbx_dir_base[k], x->dirs[k].names[i], strerror(errno));
				sbx_free(p);
				return -1;
			}
	for (int r = 0; r < SVC_RLIMITS; r++)
		if (x->rlim_set[r]) {
			p->rlim[p->nrlim].res = r;
			p->rlim[p->nrlim].rl.rlim_cur = x->rlim_soft[r] == SVC_RLIM_INFINITY ?
				RLIM_INFINITY : (rlim_t)x->rlim_soft[r];
			p->rlim[p->nrlim].rl.rlim_max = x->rlim_hard[r] == SVC_RLIM_INFINITY ?
				RLIM_INFINITY : (rlim_t)x->rlim_hard[r];
			p->nrlim++;
		}
	p->umask = x->umask;
	p->nice_set = x->nice_set;
	p->nice = x->nice;
	if ((p->oom_set = x->oom_set))
		p->oom_len = (size_t)snprintf(p->oom, sizeof(p->oom), "%d\n", x->oom_score_adj);
	p->no_new_privs = x->no_new_privs;
	p->setids = setids;
	if (x->capbset_set)
		p->capdrop |= ~x->capbset;
	p->ambient_set = x->ambient_set && x->ambient;
	p->ambient = x->ambient;
	if (x->ngroups) {
		/* the user's own groups (what initgroups() would set), then these */
		int n = 0;
		gid_t *g;

		if (username)
			getgrouplist(username, gid, NULL, &n);
		g = calloc((size_t)n + x->ngroups + 1, sizeof(*g));
		if (!g || (username && getgrouplist(username, gid, g, &n) < 0)) {
			free(g);
			snprintf(why, sizeof(why), "out of memory for SupplementaryGroups");
			goto fail;
		}
		for (unsigned i = 0; i < x->ngroups; i++) {
			struct group *gr;

			errno = 0;
			gr = getgrnam(x->groups[i]);
			if (!gr) {
				free(g);
				snprintf(why, sizeof(why), "SupplementaryGroups: no such group '%s'",
					 x->groups[i]);
				/* "stage setgroups: ENOENT"; the log names the group */
				s->fail_stage = SVC_STAGE_SETGROUPS;
				s->fail_errno = errno && errno != ESRCH ? errno : ENOENT;
				log_error("%s: %s", s->def.name, why);
				sbx_free(p);
				return -1;
			}
			g[n++] = gr->gr_gid;
		}
		p->groups = g;
		p->ngroups = (size_t)n;
		p->groups_set = true;
	}
	if (plan_mounts(s, p, why, sizeof(why)) < 0)
		goto fail;
	/* only read when a capability is to be dropped or raised */
	if (p->capdrop || p->ambient_set)
		p->last_cap = last_cap();
	*out = p;
	return 0;
fail:
	s->fail_stage = SVC_STAGE_SANDBOX;
	s->fail_errno = errno ? errno : EINVAL;
	log_error("%s: %s", s->def.name, why);
	sbx_free(p);
	return -1;
}

bool sbx_groups(const struct sbx_plan *p, const gid_t **g, size_t *n)
{
	if (!p || !p->groups_set)
		return false;
	*g = p->groups;
	*n = p->ngroups;
	return true;
}

/* ---- in the child: plain syscalls only ------------------------------------ */

__attribute__((no_sanitize_address)) int sbx_child_setup(const struct sbx_plan *p)
{
	if (!p)
		return 0;
	for (unsigned i = 0; i < p->nrlim; i++)
		if (setrlimit(p->rlim[i].res, &p->rlim[i].rl) < 0)
			return SVC_STAGE_RLIMIT;
	if (p->nice_set && setpriority(PRIO_PROCESS, 0, p->nice) < 0)
		return SVC_STAGE_NICE;
	if (p->oom_set) {
		int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);

		if (fd < 0 || write(fd, p->oom, p->oom_len) != (ssize_t)p->oom_len)
			return SVC_STAGE_OOM;
		close(fd);
	}
	if (!p->setids && p->groups_set && syscall(SYS_setgroups, p->ngroups, p->groups) < 0)
		return SVC_STAGE_SETGROUPS;
	umask(0);	/* the nodes and directories below get their modes exactly */
	for (unsigned i = 0; i < p->nops; i++) {
		const struct sbx_op *o = &p->ops[i];
		int r = 0;

		switch (o->kind) {
		case OP_UNSHARE:
			r = unshare(CLONE_NEWNS);
			break;
		case OP_MOUNT:
			r = mount(o->src, o->dst, o->fstype, o->flags, o->data);
			break;
		case OP_MKNOD:
			r = mknod(o->dst, o->mode, o->dev);
			break;
		case OP_MKDIR:
			r = mkdir(o->dst, o->mode);
			break;
		case OP_SYMLINK:
			r = symlink(o->src, o->dst);
			break;
		}
		if (r < 0 && !(o->optional && (errno == ENOENT || errno == EINVAL)))
			return SVC_STAGE_SANDBOX;
	}
	umask(p->umask);
	for (int c = 0; c <= p->last_cap && c < 64; c++)
		if ((p->capdrop >> c & 1) && prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0)
			return SVC_STAGE_CAPS;
	/* keep the permitted set across setuid, for the ambient set */
	if (p->ambient_set && p->setids && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return SVC_STAGE_CAPS;
	if (p->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return SVC_STAGE_SANDBOX;
	return 0;
}

__attribute__((no_sanitize_address)) int sbx_child_late(const struct sbx_plan *p)
{
	struct caps_header h = { CAPS_VERSION_3, 0 };
	struct caps_data d[2];

	if (!p || !p->ambient_set)
		return 0;
	if (syscall(SYS_capget, &h, d) < 0)
		return SVC_STAGE_CAPS;
	/* after setuid the permitted set is what KEEPCAPS kept (all of
	 * root's); keep only the ambient ones, and make them inheritable,
	 * which raising them into the ambient set requires */
	for (int w = 0; w < 2; w++) {
		uint32_t a = (uint32_t)(p->ambient >> (32 * w));

		if (p->setids) {
			d[w].permitted &= a;
			d[w].effective = d[w].permitted;
		}
		d[w].inheritable |= a & d[w].permitted;
	}
	if (syscall(SYS_capset, &h, d) < 0)
		return SVC_STAGE_CAPS;
	for (int c = 0; c <= p->last_cap && c < 64; c++)
		if ((p->ambient >> c & 1) &&
		    prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0)
			return SVC_STAGE_CAPS;
	return 0;
}
