/*
 * tests/helpers/notify_client.c - a service for the sd_notify tests,
 * linked against libsystemd so the real sd_notify(3) is what talks to
 * corral.  Each argument is one step:
 *   KEY=VALUE...   sd_notify(0, arg) ("\n" in arg: real newlines)
 *   sleep:SEC      pause
 *   empty          a zero-length datagram (raw)
 *   big            a 5000-byte datagram starting with READY=1 (raw)
 *   badkey         "ready=1" (raw)
 *   ctrl           "READY=1\x01" (raw)
 *   mainpid-child  fork a child that sleeps, MAINPID= it
 *   mainpid-init   MAINPID=1, a process outside the group
 *   forged:UID:MSG MSG (raw) with SCM_CREDENTIALS claiming uid UID (root
 *                  may claim any uid): corral must go by the uid it sees
 *   exit           exit 0 at once: a sender that is gone by the time
 *                  corral reads the datagram
 * After the last step it sleeps until killed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

static void raw(const void *buf, size_t len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = getenv("NOTIFY_SOCKET");
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (!path || fd < 0) {
		fprintf(stderr, "notify_client: no NOTIFY_SOCKET\n");
		exit(2);
	}
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (sendto(fd, buf, len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		perror("notify_client: sendto");
	close(fd);
}

static void forged(const char *spec)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *path = getenv("NOTIFY_SOCKET"), *msg = strchr(spec, ':');
	struct ucred cred = { .pid = getpid(), .uid = (uid_t)atoi(spec), .gid = (gid_t)atoi(spec) };
	char cbuf[CMSG_SPACE(sizeof(cred))];
	struct iovec iov;
	struct msghdr mh = { .msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov,
			     .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (!path || !msg || fd < 0) {
		fprintf(stderr, "notify_client: forged:UID:MSG needs NOTIFY_SOCKET\n");
		exit(2);
	}
	msg++;
	iov.iov_base = (void *)msg;
	iov.iov_len = strlen(msg);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	memset(cbuf, 0, sizeof(cbuf));
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_CREDENTIALS;
	c->cmsg_len = CMSG_LEN(sizeof(cred));
	memcpy(CMSG_DATA(c), &cred, sizeof(cred));
	if (sendmsg(fd, &mh, 0) < 0)
		perror("notify_client: sendmsg (forged)");
	close(fd);
}

int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "exit")) {
			return 0;
		} else if (!strncmp(a, "forged:", 7)) {
			forged(a + 7);
		} else if (!strncmp(a, "sleep:", 6)) {
			usleep((useconds_t)(atof(a + 6) * 1e6));
		} else if (!strcmp(a, "empty")) {
			raw("", 0);
		} else if (!strcmp(a, "big")) {
			static char big[5000];

			memset(big, 'x', sizeof(big));
			memcpy(big, "READY=1\nSTATUS=", 15);
			raw(big, sizeof(big));
		} else if (!strcmp(a, "badkey")) {
			raw("ready=1", 7);
		} else if (!strcmp(a, "ctrl")) {
			raw("READY=1\x01", 8);
		} else if (!strcmp(a, "mainpid-child") || !strcmp(a, "mainpid-init")) {
			char msg[64];
			pid_t p = 1;

			if (!strcmp(a, "mainpid-child")) {
				p = fork();
				if (p == 0) {
					pause();
					_exit(0);
				}
			}
			snprintf(msg, sizeof(msg), "MAINPID=%d", (int)p);
			sd_notify(0, msg);
		} else {
			char msg[1024], *o = msg;

			for (const char *p = a; *p && o < msg + sizeof(msg) - 1; p++) {
				if (p[0] == '\\' && p[1] == 'n') {
					*o++ = '\n';
					p++;
				} else {
					*o++ = *p;
				}
			}
			*o = '\0';
			if (sd_notify(0, msg) <= 0)
				fprintf(stderr, "notify_client: sd_notify(%s) failed\n", a);
		}
	}
	for (;;)
		pause();
}
