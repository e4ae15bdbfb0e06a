/*
 * tests/unit/test_initreq.c - the SysV init request FIFO (init/initreq.c):
 * the request parser, and the FIFO itself in a temporary directory with a
 * real event loop, fed the request systemd-sysv's poweroff writes.
 */
#include "tap.h"
#include "../../init/init.h"

#include <ev.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void request(unsigned char *buf, int32_t magic, int32_t cmd, int32_t runlevel)
{
	memset(buf, 0, INITREQ_SIZE);
	memcpy(buf, &magic, 4);
	memcpy(buf + 4, &cmd, 4);
	memcpy(buf + 8, &runlevel, 4);
}

static int ncalls;
static enum init_action got;

static void on_action(enum init_action a)
{
	ncalls++;
	got = a;
}

static void tick(struct ev_loop *loop, ev_timer *w, int revents)
{
	(void)w;
	(void)revents;
	ev_break(loop, EVBREAK_ONE);
}

/* run the loop for a moment: long enough for a written request */
static void spin(struct ev_loop *loop)
{
	ev_timer t;

	ev_timer_init(&t, tick, 0.05, 0);
	ev_timer_start(loop, &t);
	ev_run(loop, 0);
	ev_timer_stop(loop, &t);
}

int main(void)
{
	unsigned char buf[INITREQ_SIZE + 8];
	char why[128], dir[] = "/tmp/corral-initreq.XXXXXX", path[64];
	enum init_action a = INIT_EXIT;
	struct stat st;
	int fd;

	request(buf, 0x03091969, 1, '0');
	tap_is_int(init_request_parse(buf, INITREQ_SIZE, &a, why, sizeof(why)), 1, "runlevel 0 is an action");
	tap_is_int(a, INIT_POWEROFF, "runlevel 0 powers off");
	request(buf, 0x03091969, 1, '6');
	tap_is_int(init_request_parse(buf, INITREQ_SIZE, &a, why, sizeof(why)), 1, "runlevel 6 is an action");
	tap_is_int(a, INIT_REBOOT, "runlevel 6 reboots");
	request(buf, 0x03091969, 1, '3');
	tap_is_int(init_request_parse(buf, INITREQ_SIZE, &a, why, sizeof(why)), 0, "runlevel 3 is ignored");
	tap_ok(strstr(why, "runlevel 3") != NULL, "... saying which runlevel (%s)", why);
	request(buf, 0x03091969, 6, 0);
	tap_is_int(init_request_parse(buf, INITREQ_SIZE, &a, why, sizeof(why)), 0, "INIT_CMD_SETENV is ignored");
	request(buf, 0x12345678, 1, '0');
	tap_is_int(init_request_parse(buf, INITREQ_SIZE, &a, why, sizeof(why)), -1, "a bad magic is malformed");
	tap_ok(strstr(why, "magic") != NULL, "... saying so (%s)", why);
	request(buf, 0x03091969, 1, '0');
	tap_is_int(init_request_parse(buf, 12, &a, why, sizeof(why)), -1, "a short request is malformed");
	tap_is_int(init_request_parse(buf, INITREQ_SIZE + 8, &a, why, sizeof(why)), -1, "a long request is malformed");

	/* the FIFO, as PID 1 opens it, and written as systemctl writes it */
	if (!mkdtemp(dir))
		return tap_skip_all("mkdtemp failed");
	snprintf(path, sizeof(path), "%s/initctl", dir);
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	tap_is_int(init_request_open(loop, path, on_action), 0, "the FIFO opens");
	tap_ok(stat(path, &st) == 0 && S_ISFIFO(st.st_mode) && (st.st_mode & 0777) == 0600,
	       "it is a FIFO of mode 0600");
	fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	tap_ok(fd >= 0, "a writer opens it without blocking");
	request(buf, 0x03091969, 1, '3');
	tap_ok(write(fd, buf, INITREQ_SIZE) == INITREQ_SIZE, "writes an ignored request");
	spin(loop);
	tap_is_int(ncalls, 0, "an ignored request calls nothing");
	tap_ok(write(fd, buf, 20) == 20, "writes a short request");
	spin(loop);
	tap_is_int(ncalls, 0, "a malformed request calls nothing");
	request(buf, 0x03091969, 1, '0');
	tap_ok(write(fd, buf, INITREQ_SIZE) == INITREQ_SIZE, "writes poweroff");
	close(fd);	/* the writer goes away, as systemctl does */
	spin(loop);
	tap_is_int(ncalls, 1, "poweroff calls back once");
	tap_is_int(got, INIT_POWEROFF, "... with poweroff");
	/* the writer's close must not leave the FIFO readable at EOF: no
	 * further calls, and the loop would spin if it did (checked by
	 * the callback count after more turns) */
	spin(loop);
	spin(loop);
	tap_is_int(ncalls, 1, "no further call after the writer closed");
	fd = open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
	request(buf, 0x03091969, 1, '6');
	tap_ok(fd >= 0 && write(fd, buf, INITREQ_SIZE) == INITREQ_SIZE, "a second writer writes reboot");
	if (fd >= 0)
		close(fd);
	spin(loop);
	tap_is_int(ncalls, 2, "reboot calls back");
	tap_is_int(got, INIT_REBOOT, "... with reboot");
	ev_loop_destroy(loop);	/* its memory, for the leak checker */
	unlink(path);
	rmdir(dir);
	return tap_done();
}
