/*
 * init/init.h - PID 1 duties (public header).
 *
 * corral runs either as PID 1 (of a machine or of a PID namespace) or as
 * a child-subreaper supervisor under another init.  This module owns the
 * things only an init does: early signal blocking, mounting the API
 * filesystems, reaping, and the shutdown sequence ending in reboot(2).
 */
#ifndef CORRAL_INIT_H
#define CORRAL_INIT_H

#include <stdbool.h>
#include <stddef.h>

struct ev_loop;

enum init_action {
	INIT_REBOOT,
	INIT_POWEROFF,
	INIT_HALT,
	INIT_EXIT,		/* not PID 1: stop services and exit */
};

/* PID 1 of the initial PID namespace, i.e. the machine's init: only then
 * are root cgroup files, filesystem remounts and reboot(2) ours. */
bool init_is_machine_init(void);
/* Mount /proc, /sys, /dev, /dev/pts, /run where not mounted yet. */
void init_mount_api_filesystems(void);
/* Open /dev/console as stdin/stdout/stderr (PID 1). */
void init_console(void);
/* After services are stopped (PID 1 only): SIGTERM, then SIGKILL, every
 * process left (orphans outside any group), reaping as they go. */
void init_kill_remaining(void);
/* Last step: sync, unmount/remount read-only (machine init only),
 * reboot(2).  Never returns. */
void init_reboot(enum init_action a) __attribute__((noreturn));
const char *init_action_name(enum init_action a);

/* The SysV init request FIFO (init/initreq.c): what systemd-sysv's and
 * sysvinit's poweroff/reboot write when the init is not systemd. */
#define INITREQ_SIZE 384
/* 1: *a is the action; 0: a valid request corral ignores; -1: malformed.
 * why says why for 0 and -1. */
int init_request_parse(const void *buf, size_t len, enum init_action *a,
		       char *why, size_t whylen);
/* Create the FIFO at path and call cb for each poweroff/reboot request. */
int init_request_open(struct ev_loop *loop, const char *path,
		      void (*cb)(enum init_action a));

#endif
