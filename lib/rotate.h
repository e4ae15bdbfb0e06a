/*
 * lib/rotate.h - a size-capped log file with numbered rotation, in the
 * manner of svlogd and s6-log: DIR/current takes the lines; when the next
 * line would take it past max bytes, current becomes current.1 (current.1
 * becomes current.2, ... up to current.KEEP; the oldest is removed) and a
 * new current is started.  So a service's log never takes more than about
 * (KEEP + 1) * max bytes.
 *
 * Only regular files, opened O_APPEND | O_CLOEXEC | O_NOFOLLOW: writes
 * never wait for a reader, so PID 1 can call this from its event loop.
 * The first failure is reported once (with the verb, path and errno) and
 * the file is given up: a full disk must not fill the console with the
 * same warning for every line.
 */
#ifndef CORRAL_ROTATE_H
#define CORRAL_ROTATE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct rot_file {
	int dirfd;		/* DIR, O_DIRECTORY */
	int fd;			/* DIR/current, -1 when not open */
	off_t size;		/* bytes in current */
	size_t max;		/* cap of current */
	unsigned keep;		/* rotated files kept: current.1 .. current.KEEP */
	bool failed;		/* reported and given up */
	char *dir;		/* for messages */
};

/* Open (creating, mode 0750) DIR, which must be a directory and not a
 * symlink, and DIR/current (0640).  0, or -1 with an error logged. */
int rot_open(struct rot_file *f, const char *dir, size_t max, unsigned keep);
/* Append n bytes (whole lines); rotate first if they would not fit.
 * 0, or -1 (reported once; the file is given up). */
int rot_write(struct rot_file *f, const char *buf, size_t n);
/* Rotate now: current -> current.1 ... ; 0 or -1. */
int rot_rotate(struct rot_file *f);
void rot_close(struct rot_file *f);

#endif
