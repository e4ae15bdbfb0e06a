/*
 * tests/lib/fakecg.h - plain directories standing in for cgroupfs, as the
 * grouping engine's struct grp_sys (include in one test file; set
 * cfg.sys = &fakecg_sys).
 *
 * What the kernel would do, as far as the unit tests need it: control
 * files exist when read (cgroup.procs empty, cgroup.controllers offering
 * every controller) and are created on write; writes to cgroup.procs
 * accumulate like the kernel's task list (a test "ends" a task by
 * truncating the file); rmdir of a directory whose cgroup.procs lists a
 * task fails with EBUSY, else its files go with it; every directory is a
 * cgroup file system; /proc/PID/cgroup does not exist (a task of the test
 * is in no fabricated hierarchy, so nothing is ever moved back), except
 * /proc/self/cgroup when a test sets fakecg_self_cgroup (where the engine
 * finds its own cgroups).  chown is recorded, not done
 * (fakecg_chowned() asks).
 */
#ifndef CORRAL_TEST_FAKECG_H
#define CORRAL_TEST_FAKECG_H

#include "../../grouping/grouping.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* what /proc/self/cgroup reads as; NULL: it does not exist */
static const char *fakecg_self_cgroup;

static const char *fakecg_base(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* a control file the kernel always has, with what it reads as at first */
static const char *fakecg_initial(const char *name)
{
	if (!strcmp(name, "cgroup.procs") || !strcmp(name, "cgroup.subtree_control") ||
	    !strcmp(name, "cgroup.events") || !strcmp(name, "cgroup.threads") ||
	    !strcmp(name, "tasks"))
		return "";
	if (!strcmp(name, "cgroup.controllers"))
		return "cpuset cpu io memory pids\n";
	return NULL;
}

static int fakecg_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	const char *name = fakecg_base(path), *init;
	int fd;

	(void)mode;
	if (fakecg_self_cgroup && !strcmp(path, "/proc/self/cgroup")) {
		fd = memfd_create("fake-self-cgroup", MFD_CLOEXEC);
		if (fd < 0)
			return -1;
		if (write(fd, fakecg_self_cgroup, strlen(fakecg_self_cgroup)) < 0 ||
		    lseek(fd, 0, SEEK_SET) < 0) {
			close(fd);
			return -1;
		}
		return fd;
	}
	if (!strncmp(path, "/proc/", 6)) {
		errno = ENOENT;
		return -1;
	}
	if ((flags & O_ACCMODE) == O_WRONLY) {
		flags |= O_CREAT | (!strcmp(name, "cgroup.procs") ? O_APPEND : O_TRUNC);
		return openat(dirfd, path, flags, 0644);
	}
	fd = openat(dirfd, path, flags);
	if (fd < 0 && errno == ENOENT && (init = fakecg_initial(name))) {
		int w = openat(dirfd, path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

		if (w < 0)
			return -1;	/* the directory itself is gone */
		if (*init && write(w, init, strlen(init)) < 0) {
			close(w);
			return -1;
		}
		close(w);
		fd = openat(dirfd, path, flags);
	}
	return fd;
}

static int fakecg_unlinkat(int at, const char *path, int flags)
{
	struct stat st;
	struct dirent *de;
	DIR *d;
	int fd;

	if (!(flags & AT_REMOVEDIR))
		return unlinkat(at, path, flags);
	fd = openat(at, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstatat(fd, "cgroup.procs", &st, 0) == 0 && st.st_size > 0) {
		close(fd);
		errno = EBUSY;		/* as cgroupfs says for a busy cgroup */
		return -1;
	}
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -1;
	}
	while ((de = readdir(d)))
		if (de->d_type == DT_REG)
			(void)unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
	return unlinkat(at, path, AT_REMOVEDIR);
}

static int fakecg_check_fs(const char *path, bool v2)
{
	struct stat st;

	(void)v2;
	return stat(path, &st) < 0 ? -1 : 0;
}

/* a real watch on the (fabricated) cgroup.events file */
static int fakecg_watch(int fd, const char *path, uint32_t mask)
{
	int c = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	if (c >= 0)
		close(c);
	return inotify_add_watch(fd, path, mask);
}

/* chown is recorded, not done (a test need not run as root): the last
 * FAKECG_CHOWNS calls, as "PATH uid:gid" with PATH relative to the
 * directory descriptor's own path */
#define FAKECG_CHOWNS 64
static char fakecg_chowns[FAKECG_CHOWNS][512];
static unsigned fakecg_nchowns;

static int fakecg_fchownat(int dirfd, const char *path, uid_t uid, gid_t gid, int flags)
{
	char dir[256], link[64];
	struct stat st;
	ssize_t n;
	int fd = fakecg_openat(dirfd, path, O_RDONLY | O_CLOEXEC, 0);

	if (fd >= 0)
		close(fd);	/* a control file exists once looked at */
	if (fstatat(dirfd, path, &st, flags & AT_SYMLINK_NOFOLLOW) < 0)
		return -1;	/* as chown: the file must exist */
	snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
	n = readlink(link, dir, sizeof(dir) - 1);
	dir[n > 0 ? n : 0] = '\0';
	snprintf(fakecg_chowns[fakecg_nchowns++ % FAKECG_CHOWNS], sizeof(fakecg_chowns[0]),
		 "%s/%s %d:%d", dir, path, (int)uid, (int)gid);
	return 0;
}

/* was PATH (absolute) chowned to uid:gid? */
static inline bool fakecg_chowned(const char *path, uid_t uid, gid_t gid)
{
	char want[600];

	snprintf(want, sizeof(want), "%s %d:%d", path, (int)uid, (int)gid);
	for (unsigned i = 0; i < fakecg_nchowns && i < FAKECG_CHOWNS; i++)
		if (!strcmp(fakecg_chowns[i], want))
			return true;
	return false;
}

static const struct grp_sys fakecg_sys = {
	.openat = fakecg_openat,
	.mkdirat = mkdirat,
	.unlinkat = fakecg_unlinkat,
	.check_fs = fakecg_check_fs,
	.inotify_add_watch = fakecg_watch,
	.fchownat = fakecg_fchownat,
};

#endif
