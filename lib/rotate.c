/*
 * lib/rotate.c - size-capped log files with numbered rotation (rotate.h).
 *
 * Renames are relative to the directory's descriptor, so a directory
 * renamed or replaced under us is never followed elsewhere by path.
 */
#include "rotate.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Report the first failure, then give the file up. */
static int give_up(struct rot_file *f, const char *verb, const char *name)
{
	char path[4200];

	if (!f->failed) {
		snprintf(path, sizeof(path), "%s/%s", f->dir ? f->dir : "?", name);
		log_warn_sys(verb, path);
		log_warn("%s: no more log lines are written there", f->dir ? f->dir : "?");
	}
	f->failed = true;
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	return -1;
}

static int open_current(struct rot_file *f)
{
	struct stat st;

	f->fd = openat(f->dirfd, "current",
		       O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, 0640);
	if (f->fd < 0)
		return give_up(f, "open", "current");
	if (fstat(f->fd, &st) < 0)
		return give_up(f, "stat", "current");
	if (!S_ISREG(st.st_mode)) {
		/* a FIFO there would block or fill nobody's disk */
		errno = EINVAL;
		return give_up(f, "use (not a regular file)", "current");
	}
	f->size = st.st_size;
	return 0;
}

int rot_open(struct rot_file *f, const char *dir, size_t max, unsigned keep)
{
	memset(f, 0, sizeof(*f));
	f->fd = -1;
	f->dirfd = -1;
	f->max = max;
	f->keep = keep;
	f->dir = strdup(dir);
	if (!f->dir)
		return give_up(f, "allocate", "");
	if (mkdir(dir, 0750) < 0 && errno != EEXIST)
		return give_up(f, "mkdir", "");
	f->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (f->dirfd < 0)
		return give_up(f, "open directory", "");
	return open_current(f);
}

int rot_rotate(struct rot_file *f)
{
	char from[32], to[32];

	if (f->failed || f->dirfd < 0)
		return -1;
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	/* current.KEEP is the oldest: it goes (with keep 0, current does) */
	if (f->keep == 0) {
		if (unlinkat(f->dirfd, "current", 0) < 0 && errno != ENOENT)
			return give_up(f, "remove", "current");
		return open_current(f);
	}
	snprintf(to, sizeof(to), "current.%u", f->keep);
	if (unlinkat(f->dirfd, to, 0) < 0 && errno != ENOENT)
		return give_up(f, "remove", to);
	for (unsigned i = f->keep; i > 1; i--) {
		snprintf(from, sizeof(from), "current.%u", i - 1);
		snprintf(to, sizeof(to), "current.%u", i);
		if (renameat(f->dirfd, from, f->dirfd, to) < 0 && errno != ENOENT)
			return give_up(f, "rename", from);
	}
	if (renameat(f->dirfd, "current", f->dirfd, "current.1") < 0 && errno != ENOENT)
		return give_up(f, "rename", "current");
	return open_current(f);
}

int rot_write(struct rot_file *f, const char *buf, size_t n)
{
	if (f->failed || f->fd < 0)
		return -1;
	/* a line longer than the cap gets a file of its own rather than
	 * being cut; an empty current is never rotated */
	if (f->size > 0 && (size_t)f->size + n > f->max && rot_rotate(f) < 0)
		return -1;
	while (n > 0) {
		ssize_t r = write(f->fd, buf, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EIO;
			return give_up(f, "write", "current");
		}
		buf += r;
		n -= (size_t)r;
		f->size += r;
	}
	return 0;
}

void rot_close(struct rot_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	if (f->dirfd >= 0)
		close(f->dirfd);
	free(f->dir);
	memset(f, 0, sizeof(*f));
	f->fd = f->dirfd = -1;
}
