/*
 * grouping/sysfile.c - reading and writing control files.
 *
 * All access is relative to the container's O_PATH directory descriptor so
 * a rename or remount of a parent cannot redirect a write somewhere else.
 * cgroupfs control files are written with a single write(2): the kernel
 * parses each write separately, so a value must never be split.
 */
#include "internal.h"
#include "../lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void fullpath(const struct grp_container *c, const char *file,
		     char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", c->path, file);
}

static int do_read(struct grp_container *c, const char *file, char *buf,
		   size_t len, bool quiet_enoent)
{
	char path[PATH_MAX + 64];
	size_t n = 0;
	ssize_t r;
	int fd;

	fullpath(c, file, path, sizeof(path));
	if (c->fd < 0) {
		errno = ENOENT;
		goto fail;
	}
	fd = openat(c->fd, file, O_RDONLY | O_CLOEXEC);
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
	char path[PATH_MAX + 64];
	size_t len = strlen(val);
	int flags = O_WRONLY | O_CLOEXEC;
	ssize_t r;
	int fd;

	fullpath(c, file, path, sizeof(path));
	if (c->fd < 0) {
		errno = ENOENT;
		log_warn_sys("open", path);
		return -1;
	}
	/* Plain directories stand in for cgroupfs in unit tests: files are
	 * created on first write, and task lists accumulate like the
	 * kernel's do. */
	if (c->h->plain) {
		flags |= O_CREAT;
		flags |= (!strcmp(file, "cgroup.procs") ? O_APPEND : O_TRUNC);
	}
	fd = openat(c->fd, file, flags, 0644);
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
