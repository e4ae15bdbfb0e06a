/*
 * grouping/sysfile.c - reading and writing control files.
 *
 * All access is relative to the hierarchy's O_PATH descriptor of its mount
 * point, so a remount of the cgroup base cannot redirect a write somewhere
 * else, and PID 1 holds one descriptor per hierarchy however many
 * containers there are.  Every call goes through the engine's grp_sys
 * table (the real system calls, or a unit test's stand-in).  cgroupfs
 * control files are written with a single write(2): the kernel parses each
 * write separately, so a value must never be split.
 */
#include "internal.h"
#include "../lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define CGROUP_MAGIC 0x27e0ebUL
#define CGROUP2_MAGIC 0x63677270UL

static int real_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	return openat(dirfd, path, flags, mode);
}

static int real_check_fs(const char *path, bool v2)
{
	struct statfs sf;

	if (statfs(path, &sf) < 0)
		return -1;
	if ((unsigned long)sf.f_type != (v2 ? CGROUP2_MAGIC : CGROUP_MAGIC)) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

static int real_watch(int fd, const char *path, uint32_t mask)
{
	return inotify_add_watch(fd, path, mask);
}

const struct grp_sys grp_sys_real = {
	.openat = real_openat,
	.mkdirat = mkdirat,
	.unlinkat = unlinkat,
	.check_fs = real_check_fs,
	.inotify_add_watch = real_watch,
	.fchownat = fchownat,
};

int grp_openat(struct grp_hier *h, const char *rel, int flags, mode_t mode)
{
	return h->e->sys->openat(h->fd, *rel ? rel : ".", flags, mode);
}

/* "REL/file", or "file" at the mount point */
static void relpath(const struct grp_container *c, const char *file,
		    char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s", c->rel, *c->rel ? "/" : "", file);
}

static void fullpath(const struct grp_container *c, const char *file,
		     char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", c->path, file);
}

static int do_read(struct grp_container *c, const char *file, char *buf,
		   size_t len, bool quiet_enoent)
{
	char path[PATH_MAX + 64], rel[PATH_MAX + 64];
	size_t n = 0;
	ssize_t r;
	int fd;

	fullpath(c, file, path, sizeof(path));
	if (c->removed) {
		errno = ENOENT;
		goto fail;
	}
	relpath(c, file, rel, sizeof(rel));
	fd = grp_openat(c->h, rel, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	while (n + 1 < len) {
		r = read(fd, buf + n, len - 1 - n);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			int saved = errno;

			close(fd);
			errno = saved;
			fullpath(c, file, path, sizeof(path));
			log_warn_sys("read", path);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	close(fd);
	return (int)n;
fail:
	if (!(quiet_enoent && errno == ENOENT))
		log_warn_sys("open", path);
	return -1;
}

int grp_file_read(struct grp_container *c, const char *file, char *buf, size_t len)
{
	return do_read(c, file, buf, len, false);
}

int grp_file_read_opt(struct grp_container *c, const char *file, char *buf, size_t len)
{
	return do_read(c, file, buf, len, true);
}

int grp_file_write(struct grp_container *c, const char *file, const char *val)
{
	char path[PATH_MAX + 64], rel[PATH_MAX + 64];
	size_t len = strlen(val);
	ssize_t r;
	int fd;

	fullpath(c, file, path, sizeof(path));
	if (c->removed) {
		errno = ENOENT;
		log_warn_sys("open", path);
		return -1;
	}
	relpath(c, file, rel, sizeof(rel));
	fd = grp_openat(c->h, rel, O_WRONLY | O_CLOEXEC, 0);
	if (fd < 0) {
		log_warn_sys("open", path);
		return -1;
	}
	do
		r = write(fd, val, len);
	while (r < 0 && errno == EINTR);
	if (r < 0 || (size_t)r != len) {
		int saved = r < 0 ? errno : EIO;

		close(fd);
		errno = saved;
		log_msg(LOG_LVL_WARN, "unable to write '%s' to %s: %s",
			val, path, strerror(saved));
		errno = saved;
		return -1;
	}
	if (close(fd) < 0) {
		log_warn_sys("close", path);
		return -1;
	}
	return 0;
}

int grp_file_u64(struct grp_container *c, const char *file, uint64_t *out)
{
	char buf[64], *end;

	if (grp_file_read_opt(c, file, buf, sizeof(buf)) < 0)
		return -1;
	if (!strncmp(buf, "max", 3)) {
		*out = GRP_VALUE_MAX;
		return 0;
	}
	errno = 0;
	*out = strtoull(buf, &end, 10);
	if (errno || end == buf) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}

int grp_kv_get(const char *buf, const char *key, unsigned long long *val)
{
	size_t klen = strlen(key);
	const char *p = buf;

	while (p && *p) {
		if (!strncmp(p, key, klen) && (p[klen] == ' ' || p[klen] == '\t')) {
			char *end;

			errno = 0;
			*val = strtoull(p + klen + 1, &end, 10);
			if (errno || end == p + klen + 1)
				return -1;
			return 0;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return -1;
}

void grp_chomp(char *s)
{
	size_t n = strlen(s);

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' ' || s[n - 1] == '\t'))
		s[--n] = '\0';
}
