/*
 * supervisor/initctl.c - talk to corral's control socket.
 *
 *   initctl [-s SOCKET | -r RUNDIR] [--json] list
 *   initctl ... status [NAME]
 *   initctl ... start|stop|restart|log NAME
 *   initctl ... reboot|poweroff|halt
 *
 * Exit status: 0 done, 1 corral refused, 2 usage, 3 cannot connect.
 */
#include "supervisor.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static const struct { const char *name; enum ctl_cmd cmd; int needs_name; } cmds[] = {
	{ "list", CTL_LIST, 0 },	{ "status", CTL_STATUS, -1 },
	{ "start", CTL_START, 1 },	{ "stop", CTL_STOP, 1 },
	{ "restart", CTL_RESTART, 1 },	{ "log", CTL_LOG, 1 },
	{ "reboot", CTL_REBOOT, 0 },	{ "poweroff", CTL_POWEROFF, 0 },
	{ "halt", CTL_HALT, 0 },
};

static int usage(void)
{
	fprintf(stderr, "usage: initctl [-s SOCKET | -r RUNDIR] [--json] "
		"list | status [NAME] | start|stop|restart|log NAME | reboot|poweroff|halt\n");
	return 2;
}

int main(int argc, char **argv)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ctl_request req = { .magic = CTL_MAGIC, .version = CTL_VERSION,
				   .size = sizeof(req) };
	const char *sock = getenv("CORRAL_SOCKET"), *rundir = "/run/corral";
	char buf[65536];
	size_t total = 0;
	int i = 1, fd, ci = -1;
	bool first_line = true, ok = false;
	ssize_t r;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--json"))
			req.flags |= CTL_F_JSON;
		else if (!strcmp(argv[i], "-s") && i + 1 < argc)
			sock = argv[++i];
		else if (!strcmp(argv[i], "-r") && i + 1 < argc)
			rundir = argv[++i];
		else
			return usage();
	}
	if (i >= argc)
		return usage();
	for (unsigned k = 0; k < sizeof(cmds) / sizeof(*cmds); k++)
		if (!strcmp(argv[i], cmds[k].name))
			ci = (int)k;
	if (ci < 0)
		return usage();
	req.cmd = cmds[ci].cmd;
	if (i + 1 < argc) {
		if (!cmds[ci].needs_name || strlen(argv[i + 1]) > SVC_NAME_MAX)
			return usage();
		snprintf(req.name, sizeof(req.name), "%s", argv[i + 1]);
	} else if (cmds[ci].needs_name == 1) {
		return usage();
	}
	if (sock)
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", sock);
	else
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s", rundir, CTL_SOCKET);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "initctl: unable to connect to %s: %s\n", sa.sun_path,
			strerror(errno));
		return 3;
	}
	if (write(fd, &req, sizeof(req)) != (ssize_t)sizeof(req)) {
		fprintf(stderr, "initctl: unable to send to %s: %s\n", sa.sun_path,
			strerror(errno));
		return 3;
	}
	/* first line is the verdict, the rest is printed as it comes */
	while ((r = read(fd, buf + total, sizeof(buf) - 1 - total)) > 0 || (r < 0 && errno == EINTR)) {
		if (r < 0)
			continue;
		total += (size_t)r;
		buf[total] = '\0';
		if (first_line) {
			char *nl = strchr(buf, '\n');

			if (!nl)
				continue;
			*nl = '\0';
			ok = !strcmp(buf, "ok");
			if (!ok)
				fprintf(stderr, "initctl: %s\n", buf);
			first_line = false;
			total = strlen(nl + 1);
			memmove(buf, nl + 1, total + 1);
		}
		if (fwrite(buf, 1, total, stdout) != total)
			return 1;
		total = 0;
	}
	close(fd);
	if (first_line) {
		fprintf(stderr, "initctl: no answer from %s\n", sa.sun_path);
		return 3;
	}
	return ok ? 0 : 1;
}
