/*
 * bench/pause.c - the one service every supervisor runs in bench/bench.py.
 *
 *   pause [/FIFO [INDEX]]
 *
 * Waits in pause() forever; the default action of SIGTERM/SIGKILL ends it.
 * Before that it tells the harness "exec'ed and running": it opens FIFO
 * (argv[1] when it is an absolute path, else $BENCH_FIFO) write-only and
 * writes one 8-byte record {pid, index} (atomic: below PIPE_BUF).  INDEX is
 * argv[2] with an argv FIFO, else the number at the end of the working
 * directory's name: runsv and s6-supervise run ./run inside the service
 * directory "sNNNN" (./run is a symlink to this binary, so runit and s6
 * need no shell; s6-supervise passes the service name as argv[1]).  The descriptor stays open: the
 * harness reads EOF on the FIFO exactly when the last service has died,
 * which is how "all gone" is timed, the same way for every supervisor.
 *
 * Built statically (musl) so exec costs the same for everybody and no
 * dynamic loader runs.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int32_t index_from_cwd(void)
{
	char buf[4096];
	size_t n;
	int32_t v = 0, mul = 1;

	if (!getcwd(buf, sizeof(buf)))
		return -1;
	n = strlen(buf);
	if (!n || buf[n - 1] < '0' || buf[n - 1] > '9')
		return -1;
	while (n && buf[n - 1] >= '0' && buf[n - 1] <= '9') {
		v += (buf[n - 1] - '0') * mul;
		mul *= 10;
		n--;
	}
	return v;
}

int main(int argc, char **argv)
{
	bool from_argv = argc > 1 && argv[1][0] == '/';
	const char *fifo = from_argv ? argv[1] : getenv("BENCH_FIFO");
	int32_t rec[2];

	if (fifo && *fifo) {
		/* no O_CLOEXEC needed: nothing is exec'ed from here */
		int fd = open(fifo, O_WRONLY | O_NONBLOCK);

		if (fd >= 0) {
			rec[0] = (int32_t)getpid();
			rec[1] = from_argv && argc > 2 ? (int32_t)atoi(argv[2]) : index_from_cwd();
			if (write(fd, rec, sizeof(rec)) != (ssize_t)sizeof(rec)) {
				/* the harness times out on a missing record */
			}
		}
	}
	for (;;)
		pause();
}
