/*
 * tests/unit/test_rotate.c - size-capped log files with numbered rotation
 * (lib/rotate.h): current grows to the cap, then becomes current.1 (and
 * current.1 current.2, ...); only KEEP rotated files are kept; lines are
 * never cut; a failure is reported once and the file given up.
 */
#include "tap.h"
#include "../../lib/log.h"
#include "../../lib/rotate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];

static long fsize(const char *name)
{
	char p[512];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	return stat(p, &st) < 0 ? -1 : (long)st.st_size;
}

static char *slurp(const char *name)
{
	static char buf[4096];
	char p[512];
	int fd;
	ssize_t n;

	snprintf(p, sizeof(p), "%s/%s", dir, name);
	fd = open(p, O_RDONLY);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

int main(void)
{
	char base[] = "/tmp/corral-rot.XXXXXX", line[64], *t;
	struct rot_file f;
	int rc = 0, devnull = open("/dev/null", O_WRONLY);

	log_set_fd(devnull);	/* the "reported once" warnings */
	if (!mkdtemp(base))
		return tap_skip_all("mkdtemp failed");
	snprintf(dir, sizeof(dir), "%s/svc", base);

	tap_ok(rot_open(&f, dir, 100, 2) == 0, "rot_open makes the directory and current");
	tap_ok(fsize("current") == 0, "current starts empty");
	/* lines of 20 bytes: five fit in 100, the sixth rotates */
	for (int i = 0; i < 5; i++) {
		snprintf(line, sizeof(line), "line %02d abcdefghijk\n", i);
		rc |= rot_write(&f, line, strlen(line));
	}
	tap_ok(rc == 0 && fsize("current") == 100, "five 20-byte lines fill the 100-byte cap");
	tap_ok(fsize("current.1") == -1, "no rotation while the lines fit");
	rc |= rot_write(&f, "line 05 abcdefghijk\n", 20);
	tap_ok(rc == 0 && fsize("current") == 20 && fsize("current.1") == 100,
	       "the next line rotates: current.1 has the full file, current the new line");
	t = slurp("current.1");
	tap_ok(t && !strncmp(t, "line 00 ", 8) && strstr(t, "line 04 abcdefghijk\n"),
	       "current.1 holds lines 0..4 whole");
	/* two more rotations: current.1 -> current.2, and the oldest goes */
	for (int i = 6; i < 16; i++) {
		snprintf(line, sizeof(line), "line %02d abcdefghijk\n", i);
		rc |= rot_write(&f, line, strlen(line));
	}
	tap_ok(rc == 0, "writes succeed across rotations");
	tap_ok(fsize("current.2") == 100 && fsize("current.3") == -1,
	       "keep 2: current.2 exists, current.3 never does");
	t = slurp("current.2");
	tap_ok(t && !strncmp(t, "line 05 ", 8), "current.2 is the older rotation (lines 5..9)");
	t = slurp("current");
	tap_ok(t && !strcmp(t, "line 15 abcdefghijk\n"), "current has the newest line");
	/* a line longer than the cap is not cut: it gets a file of its own */
	{
		char big[300];

		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\n';
		tap_ok(rot_write(&f, big, sizeof(big)) == 0 && fsize("current") == 300,
		       "a line over the cap is written whole, after a rotation");
	}
	rot_close(&f);

	/* reopening appends to what is there */
	tap_ok(rot_open(&f, dir, 1000, 2) == 0 && rot_write(&f, "more\n", 5) == 0 &&
	       fsize("current") == 305, "a reopened current is appended to, its size known");
	rot_close(&f);

	/* keep 0: no rotated files, current starts over */
	{
		char d0[300];

		snprintf(d0, sizeof(d0), "%s/k0", base);
		snprintf(dir, sizeof(dir), "%s", d0);
		rc = rot_open(&f, d0, 10, 0);
		rc |= rot_write(&f, "0123456789", 10);
		rc |= rot_write(&f, "abc\n", 4);
		tap_ok(rc == 0 && fsize("current") == 4 && fsize("current.1") == -1,
		       "keep 0: current is started over, nothing kept");
		rot_close(&f);
	}

	/* a FIFO named current is refused, never opened for writing */
	{
		char d1[300], fifo[400];

		snprintf(d1, sizeof(d1), "%s/fifo", base);
		mkdir(d1, 0750);
		snprintf(fifo, sizeof(fifo), "%s/current", d1);
		mkfifo(fifo, 0600);
		tap_ok(rot_open(&f, d1, 100, 1) < 0 && f.failed, "a FIFO as current is refused");
		tap_ok(rot_write(&f, "x\n", 2) < 0, "... and the file is given up");
		rot_close(&f);
		unlink(fifo);
		rmdir(d1);
	}
	/* a symlink as the directory is not followed */
	{
		char l[300];

		snprintf(l, sizeof(l), "%s/link", base);
		if (symlink("/tmp", l) == 0)
			tap_ok(rot_open(&f, l, 100, 1) < 0, "a symlinked log directory is refused");
		rot_close(&f);
		unlink(l);
	}
	{
		char cmd[400];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
		if (system(cmd) != 0)
			tap_diag("could not remove %s", base);
	}
	return tap_done();
}
