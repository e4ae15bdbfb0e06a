/*
 * tests/unit/test_console.c - the non-blocking console (lib/log.h): a pipe
 * nobody reads never blocks the writer, whole lines are dropped and
 * counted, "N lines dropped" follows once there is room, the caller's own
 * descriptor keeps its blocking mode, corral's own lines get through a
 * flood of service output, and a regular file gets everything.
 *
 * alarm() turns a blocking write (the bug) into a failed suite instead of
 * a hang.
 */
#include "tap.h"
#include "../../lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int wakes;
static void wake(int id)
{
	(void)id;
	wakes++;
}

/* Read everything the pipe holds now (non-blocking read end). */
static size_t slurp(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;

	while (n < cap && (r = read(fd, buf + n, cap - n)) > 0)
		n += (size_t)r;
	return n;
}

int main(void)
{
	static char got[4 << 20];
	char line[128], tmpl[] = "/tmp/corral-console.XXXXXX";
	int p[2], id, id2, fl, queued = 0, dropped = 0, total = 4000;
	size_t n;

	alarm(20);
	if (pipe(p) < 0) {
		perror("pipe");
		return 1;
	}
	log_set_prog("test");
	log_console_set_wake(wake);
	id = log_console_open(p[1], 4096);
	tap_ok(id >= 0, "console opens on a pipe");
	fl = fcntl(p[1], F_GETFL);
	tap_ok(fl >= 0 && !(fl & O_NONBLOCK),
	       "the caller's descriptor stays blocking (the console has its own description)");
	id2 = log_console_open(dup(p[1]), 4096);
	tap_ok(id2 == id, "a second descriptor of the same pipe shares the console");

	/* 4000 lines of 100 bytes = 400 kB into a 64 kB pipe nobody reads */
	for (int i = 0; i < total; i++) {
		int len = snprintf(line, sizeof(line), "svc: line %06d %0*d\n", i, 80, 0);

		if (log_console_put(id, line, (size_t)len, 0) == 0)
			queued++;
		else
			dropped++;
	}
	tap_ok(1, "4000 writes to a full pipe returned (none blocked)");
	tap_ok(dropped > 0 && queued > 0, "some lines written or queued (%d), the rest dropped (%d)",
	       queued, dropped);
	tap_ok(log_console_pending(id) <= 4096 - 4096 / 4,
	       "service lines use at most 3/4 of the buffer (%zu pending)", log_console_pending(id));
	tap_ok(log_console_dropped(id) == (unsigned long)dropped, "drops are counted (%lu)",
	       log_console_dropped(id));
	tap_ok(wakes >= 1, "the loop was asked to watch the console (%d)", wakes);

	/* corral's own line still fits: the last quarter is kept for it */
	log_set_console(id);
	log_msg(LOG_LVL_WARN, "own line after the flood");
	tap_ok(log_console_dropped(id) == (unsigned long)dropped,
	       "corral's own line is not dropped during a flood of service output");

	/* now read: everything that arrives is whole lines, in order, and the
	 * drop report follows once the buffer has drained */
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	n = 0;
	for (int round = 0; round < 200 && (log_console_pending(id) || n == 0); round++) {
		n += slurp(p[0], got + n, sizeof(got) - 1 - n);
		log_console_flush(id);
	}
	n += slurp(p[0], got + n, sizeof(got) - 1 - n);
	got[n] = '\0';
	tap_ok(log_console_pending(id) == 0, "the buffer drains once the pipe is read");
	{
		char want[64];
		int whole = 1, last = -1, in_order = 1, nlines = 0;
		char *s = got, *nl;

		while ((nl = strchr(s, '\n'))) {
			int k;

			*nl = '\0';
			if (sscanf(s, "svc: line %d", &k) == 1) {
				if (strlen(s) != 97)
					whole = 0;
				if (k <= last)
					in_order = 0;
				last = k;
				nlines++;
			}
			s = nl + 1;
		}
		tap_ok(whole && *s == '\0', "only whole lines reached the console");
		tap_ok(in_order, "in order");
		tap_ok(nlines == queued, "every line accepted arrived (%d of %d)", nlines, queued);
		snprintf(want, sizeof(want), "test: warning: console too slow: %d lines dropped", dropped);
		/* got was cut into strings above: search the original layout */
		for (size_t i = 0; i < n; i++)
			if (got[i] == '\0')
				got[i] = '\n';
		tap_ok(strstr(got, want) != NULL, "then: \"%s\"", want);
		tap_ok(strstr(got, "test: warning: own line after the flood") != NULL,
		       "corral's own line arrived");
		tap_ok(log_console_dropped(id) == 0, "the count restarts after the report");
	}

	/* the reader is gone: writes fail fast, nothing blocks or piles up */
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	for (int i = 0; i < 100; i++)
		log_console_put(id, "x\n", 2, 0);
	tap_ok(log_console_pending(id) == 0, "a console without a reader keeps nothing");
	log_set_console(-1);
	log_console_close(id);
	close(p[1]);

	/* a regular file is written directly, all of it */
	{
		int fd = mkstemp(tmpl);
		int fid, all = 1;

		fid = fd >= 0 ? log_console_open(fd, 4096) : -1;
		tap_ok(fid >= 0, "console opens on a regular file");
		for (int i = 0; i < 1000; i++)
			if (log_console_put(fid, "0123456789012345678901234567890123456789\n", 41, 0) < 0)
				all = 0;
		tap_ok(all && lseek(fd, 0, SEEK_END) == 41000 && log_console_pending(fid) == 0,
		       "a regular file gets every line, nothing buffered");
		log_console_close(fid);
		close(fd);
		unlink(tmpl);
	}
	tap_done();
	return tap_failed != 0;
}
