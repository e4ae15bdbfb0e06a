/*
 * supervisor/view_log.c - `initctl log NAME [-n N] [-f]`.
 *
 * corral sends the lines of its per-service ring as "SECONDS.MICROS text"
 * (the realtime clock when it read the line); they are printed here as
 * "YYYY-MM-DD HH:MM:SS.mmm text" in local time.  -n N keeps the last N
 * lines (the ring is small, so it is cut here, not in PID 1).  -f asks
 * corral to keep the connection (CTL_F_FOLLOW): it sends the ring, an
 * empty line, then every new line as it is read, until initctl is
 * interrupted (SIGINT/SIGTERM: exit 0) or corral goes away.
 *
 * Exit status: 0 lines printed (or followed), 1 no output yet (or corral
 * refused), 2 usage or no such service, 3 cannot reach corral.
 */
#include "views.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
}

static int log_usage(void)
{
	fprintf(stderr, "usage: initctl log NAME [-n LINES] [-f]\n");
	return 2;
}

/* One line "SECONDS.MICROS text" (no '\n'), printed with a local time. */
void vw_log_print(const char *p, size_t n)
{
	char tbuf[64], *end;
	const char *text = memchr(p, ' ', n);
	double t = strtod(p, &end);
	time_t sec = (time_t)t;
	struct tm tm;

	if (!text || end != text || !localtime_r(&sec, &tm)) {
		printf("%.*s\n", (int)n, p);	/* not ours: as it came */
		return;
	}
	strftime(tbuf, sizeof(tbuf), "%Y-%m-%d %H:%M:%S", &tm);
	printf("%s.%03d %.*s\n", tbuf, (int)((t - (double)sec) * 1000) % 1000,
	       (int)(n - (size_t)(text + 1 - p)), text + 1);
}

/* Print the last `last` lines of buf[0..n) (-1: all). */
static void print_last(const char *buf, size_t n, long last)
{
	size_t start = 0, lines = 0;

	for (size_t i = 0; i < n; i++)
		if (buf[i] == '\n' || i + 1 == n)
			lines++;
	for (; last >= 0 && lines > (size_t)last && start < n; lines--) {
		const char *nl = memchr(buf + start, '\n', n - start);

		start = nl ? (size_t)(nl + 1 - buf) : n;
	}
	while (start < n) {
		const char *nl = memchr(buf + start, '\n', n - start);
		size_t len = nl ? (size_t)(nl - (buf + start)) : n - start;

		vw_log_print(buf + start, len);
		start += len + 1;
	}
}

int vw_log(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ctl_request req = { .magic = CTL_MAGIC, .version = CTL_VERSION,
				   .size = sizeof(req), .cmd = CTL_LOG };
	const char *name = NULL;
	long last = -1;
	bool follow = false, head_done = false, initial = true;
	size_t cap = 65536, n = 0, used = 0;
	char *buf, *end;
	ssize_t r;
	int fd, rc = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "-f")) {
			follow = true;
		} else if (!strcmp(argv[i], "-n")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "initctl: log: -n needs a number of lines\n");
				return log_usage();
			}
			errno = 0;
			last = strtol(argv[++i], &end, 10);
			if (errno || end == argv[i] || *end || last < 0) {
				fprintf(stderr, "initctl: log: -n %s: not a number of lines\n", argv[i]);
				return 2;
			}
		} else if (argv[i][0] == '-') {
			fprintf(stderr, "initctl: log: unknown option '%s'\n", argv[i]);
			return log_usage();
		} else if (name) {
			fprintf(stderr, "initctl: log: one service name only ('%s')\n", argv[i]);
			return log_usage();
		} else {
			name = argv[i];
		}
	}
	if (!name) {
		fprintf(stderr, "initctl: log needs a service name\n");
		return log_usage();
	}
	{
		size_t nl = strlen(name);

		/* the name systemctl users type */
		if (nl > 8 && !strcmp(name + nl - 8, ".service"))
			nl -= 8;
		if (nl > SVC_NAME_MAX) {
			fprintf(stderr, "initctl: log: no service named %s\n", name);
			return 2;
		}
		memcpy(req.name, name, nl);
	}
	if (follow)
		req.flags |= CTL_F_FOLLOW;
	{
		struct sigaction sa_int = { .sa_handler = on_signal };

		/* no SA_RESTART: read() returns EINTR and we end cleanly */
		sigaction(SIGINT, &sa_int, NULL);
		sigaction(SIGTERM, &sa_int, NULL);
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", vw_socket);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "initctl: unable to connect to %s: %s\n", sa.sun_path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return 3;
	}
	if (send(fd, &req, sizeof(req), MSG_NOSIGNAL) != (ssize_t)sizeof(req) && errno != EPIPE) {
		fprintf(stderr, "initctl: unable to send to %s: %s\n", sa.sun_path, strerror(errno));
		close(fd);
		return 3;
	}
	buf = malloc(cap);
	if (!buf) {
		perror("initctl: malloc");
		close(fd);
		return 1;
	}
	for (;;) {
		char *nl;

		if (cap - n < 4096) {
			char *more = realloc(buf, cap *= 2);

			if (!more) {
				perror("initctl: realloc");
				rc = 1;
				break;
			}
			buf = more;
		}
		r = interrupted ? 0 : read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR && !interrupted)
			continue;
		if (r < 0 && !interrupted) {
			fprintf(stderr, "initctl: unable to read from %s: %s\n", sa.sun_path,
				strerror(errno));
			rc = 3;
		}
		if (r <= 0)
			break;
		n += (size_t)r;
		/* the status line first */
		if (!head_done) {
			nl = memchr(buf, '\n', n);
			if (!nl)
				continue;
			*nl = '\0';
			if (strcmp(buf, "ok")) {
				const char *msg = strncmp(buf, "error: ", 7) ? buf : buf + 7;

				fprintf(stderr, "initctl: %s\n", msg);
				rc = !strncmp(msg, "no service named", 16) ? 2 : 1;
				n = used = 0;
				break;
			}
			head_done = true;
			used = (size_t)(nl + 1 - buf);
		}
		if (!follow)
			continue;
		/* following: the ring ends at an empty line; then line by line */
		if (initial) {
			char *p = buf + used;

			for (; p < buf + n; p = nl + 1) {
				nl = memchr(p, '\n', (size_t)(buf + n - p));
				if (!nl)
					break;
				if (nl == p) {
					print_last(buf + used, (size_t)(p - (buf + used)), last);
					used = (size_t)(nl + 1 - buf);
					initial = false;
					break;
				}
			}
			if (initial)
				continue;
		}
		while (used < n && (nl = memchr(buf + used, '\n', n - used))) {
			vw_log_print(buf + used, (size_t)(nl - (buf + used)));
			used = (size_t)(nl + 1 - buf);
		}
		fflush(stdout);
		memmove(buf, buf + used, n - used);
		n -= used;
		used = 0;
	}
	close(fd);
	if (head_done && !follow)
		print_last(buf + used, n - used, last);
	free(buf);
	if (fflush(stdout) != 0)
		rc = rc ? rc : 1;
	if (!head_done && !rc && !interrupted) {
		fprintf(stderr, "initctl: no answer from %s\n", sa.sun_path);
		rc = 3;
	}
	return rc;
}
