/*
 * init/pid1.c - what only an init does.
 */
#include "init.h"
#include "../lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROC_MAGIC 0x9fa0UL
#define SYSFS_MAGIC 0x62656572UL
#define TMPFS_MAGIC 0x01021994UL
#define DEVPTS_MAGIC 0x1cd1UL

const char *init_action_name(enum init_action a)
{
	static const char *const n[] = { "reboot", "poweroff", "halt", "exit" };

	return (unsigned)a < 4 ? n[a] : "?";
}

bool init_is_machine_init(void)
{
	char buf[32] = "";
	int fd;
	ssize_t r;

	if (getpid() != 1)
		return false;
	/* kthreadd is pid 2 only in the initial PID namespace */
	fd = open("/proc/2/comm", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	return r > 0 && !strncmp(buf, "kthreadd", 8);
}

static bool fs_is(const char *path, unsigned long magic)
{
	struct statfs sf;

	return statfs(path, &sf) == 0 && (unsigned long)sf.f_type == magic;
}

static void mount_one(const char *src, const char *target, const char *type,
		      unsigned long flags, const char *data)
{
	if (mkdir(target, 0755) < 0 && errno != EEXIST)
		log_warn_sys("mkdir", target);
	if (mount(src, target, type, flags, data) < 0)
		log_msg(LOG_LVL_WARN, "unable to mount %s on %s: %s", type, target, strerror(errno));
}

/* path is a mount point: on another device than its parent */
static bool is_mount_point(const char *path)
{
	struct stat st, parent;
	char up[256];

	snprintf(up, sizeof(up), "%s/..", path);
	if (stat(path, &st) < 0 || stat(up, &parent) < 0)
		return true;	/* cannot tell: leave it alone */
	return st.st_dev != parent.st_dev;
}

void init_mount_api_filesystems(void)
{
	struct stat st;

	if (!fs_is("/proc", PROC_MAGIC))
		mount_one("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	if (!fs_is("/sys", SYSFS_MAGIC))
		mount_one("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL);
	/* a populated /dev (devtmpfs or a container's) is left alone; but
	 * the machine's init on a root file system whose /dev is a plain
	 * directory (a Debian image's few static nodes: null, console, tty)
	 * needs the kernel's devtmpfs over it, or /dev/ttyS0, /dev/vda and
	 * the rest never appear (udev only adds links and permissions) */
	if (stat("/dev/null", &st) < 0 || !S_ISCHR(st.st_mode) ||
	    (init_is_machine_init() && !is_mount_point("/dev")))
		mount_one("devtmpfs", "/dev", "devtmpfs", MS_NOSUID, "mode=0755");
	if (!fs_is("/dev/pts", DEVPTS_MAGIC))
		mount_one("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
			  "gid=5,mode=620,ptmxmode=000");
	if (!fs_is("/run", TMPFS_MAGIC))
		mount_one("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755");
}

void init_console(void)
{
	int fd = open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return;		/* keep what the kernel gave us */
	dup2(fd, 0);
	dup2(fd, 1);
	dup2(fd, 2);
	if (fd > 2)
		close(fd);
}

/* Wait up to secs for every child to be reaped. */
static void reap_for(double secs)
{
	struct timespec start, now, nap = { 0, 50 * 1000 * 1000 };

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		pid_t p = waitpid(-1, NULL, WNOHANG);

		if (p < 0 && errno == ECHILD)
			return;
		if (p > 0)
			continue;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if ((double)(now.tv_sec - start.tv_sec) +
		    (double)(now.tv_nsec - start.tv_nsec) / 1e9 > secs)
			return;
		nanosleep(&nap, NULL);
	}
}

/* Unmount in reverse mount order, then make / read-only, so the disk is
 * clean even if something still holds files open. */
static void unmount_all(void)
{
	char lines[128][256];
	int n = 0;
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char line[1024];

	if (!f)
		return;
	while (n < 128 && fgets(line, sizeof(line), f)) {
		char mp[256];

		if (sscanf(line, "%*s %*s %*s %*s %255s", mp) == 1)
			snprintf(lines[n++], sizeof(lines[0]), "%s", mp);
	}
	fclose(f);
	while (n--) {
		const char *mp = lines[n];

		if (!strcmp(mp, "/") || !strcmp(mp, "/proc") || !strcmp(mp, "/sys") ||
		    !strcmp(mp, "/dev"))
			continue;
		if (umount2(mp, 0) < 0 && errno != EINVAL)
			(void)umount2(mp, MNT_DETACH);
	}
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_RDONLY, NULL) < 0 && errno != EINVAL)
		log_warn_sys("remount read-only", "/");
}

void init_kill_remaining(void)
{
	/* -1 spares only ourselves */
	log_info("sending SIGTERM to remaining processes");
	kill(-1, SIGTERM);
	kill(-1, SIGCONT);
	reap_for(3);
	log_info("sending SIGKILL to remaining processes");
	kill(-1, SIGKILL);
	reap_for(2);
}

void init_reboot(enum init_action a)
{
	static const int cmd[] = { RB_AUTOBOOT, RB_POWER_OFF, RB_HALT_SYSTEM, RB_POWER_OFF };

	sync();
	if (init_is_machine_init())
		unmount_all();
	sync();
	log_info("%s", init_action_name(a));
	/* the console is non-blocking (log.h): give it a moment to show the
	 * last lines before they are gone */
	log_console_sync(3000);
	/* In a PID namespace, reboot(2) ends the namespace by killing its
	 * init with SIGHUP (restart) or SIGINT (power off / halt). */
	if (reboot(cmd[a]) < 0)
		log_error_sys("reboot", init_action_name(a));
	/* PID 1 never exits: the kernel would panic. */
	for (;;)
		pause();
}
