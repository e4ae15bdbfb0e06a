/*
 * supervisor/kill.c - ending a run the way systemd.kill(5) says, and the
 * main pid of a Type=forking service from its PIDFile=.
 *
 * A run is over only when its group is empty (state.c), whatever the
 * KillMode=; what the mode changes is who hears KillSignal= first:
 *
 *   control-group  every process of the group gets KillSignal (+ SIGHUP
 *                  with SendSIGHUP=yes) and SIGCONT; after TimeoutStopSec
 *                  the group gets FinalKillSignal (SIGKILL).
 *   mixed          only the main process gets KillSignal; once it has
 *                  exited (or after TimeoutStopSec), the rest of the group
 *                  gets FinalKillSignal.  Without a known main process the
 *                  group gets KillSignal, as with control-group.
 *   process, none  as mixed.  systemd leaves the other processes running;
 *                  corral cannot, because the next run would share the
 *                  group (said once at load, in the not-enforced line).
 *
 * TimeoutStopSec=0 or infinity arms no timer: the stop waits as long as
 * the service takes (redis saving its database).  SendSIGKILL=no: the
 * timeout only logs, nothing is killed, the stop keeps waiting.
 */
#include "internal.h"
#include "../lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool main_only(const struct service *s)
{
	return s->def.x.kill_mode != SVC_KILL_CONTROL_GROUP && s->pid > 0;
}

static void signal_main(const struct service *s, int sig)
{
	if (kill(s->pid, sig) < 0 && errno != ESRCH)
		log_warn("%s: unable to send %s to pid %d: %s", s->def.name,
			 svc_signal_name(sig), (int)s->pid, strerror(errno));
}

void svc_kill_stop(struct service *s)
{
	const struct svc_exec *x = &s->def.x;

	if (main_only(s)) {
		signal_main(s, x->kill_signal);
		if (x->send_sighup)
			signal_main(s, SIGHUP);
		signal_main(s, SIGCONT);	/* a stopped process must see it */
	} else if (x->kill_mode != SVC_KILL_CONTROL_GROUP && x->send_sigkill) {
		/* mixed without a main process: it is gone already, so the
		 * rest gets what it would get once the main one exited */
		grp_group_kill(s->grp, x->final_kill_signal);
		s->kill_sent = true;
	} else {
		grp_group_kill(s->grp, x->kill_signal);
		if (x->send_sighup)
			grp_group_kill(s->grp, SIGHUP);
		grp_group_kill(s->grp, SIGCONT);	/* stopped tasks must see it */
	}
	if (s->def.timeout_stop_sec < SVC_SECONDS_INFINITY)
		svc_timer_arm(s, s->def.timeout_stop_sec);
}

void svc_kill_main_exited(struct service *s)
{
	const struct svc_exec *x = &s->def.x;

	if (x->kill_mode == SVC_KILL_CONTROL_GROUP || s->kill_sent || !s->grp ||
	    grp_group_empty(s->grp))
		return;
	if (!x->send_sigkill) {
		log_info("%s: main process gone; SendSIGKILL=no, waiting for the rest of "
			 "group %s", s->def.name, s->grp_path);
		return;
	}
	log_info("%s: main process gone; %s to the rest of group %s", s->def.name,
		 svc_signal_name(x->final_kill_signal), s->grp_path);
	s->kill_sent = true;
	grp_group_kill(s->grp, x->final_kill_signal);
	grp_group_check(s->grp);
}

/* TimeoutStopSec passed (and then every 5 s while the group lingers) */
void svc_kill_timeout(struct service *s)
{
	const struct svc_exec *x = &s->def.x;

	if (!x->send_sigkill) {
		log_warn("%s: still running %.1f s after %s; SendSIGKILL=no: nothing more "
			 "is sent, the stop waits for group %s to empty", s->def.name,
			 s->def.timeout_stop_sec, svc_signal_name(x->kill_signal), s->grp_path);
		return;
	}
	if (!s->kill_sent) {
		log_warn("%s: still running %.1f s after %s; sending %s", s->def.name,
			 s->def.timeout_stop_sec, svc_signal_name(x->kill_signal),
			 svc_signal_name(x->final_kill_signal));
		s->kill_sent = true;
	} else {
		log_warn("%s: group %s still not empty", s->def.name, s->grp_path);
	}
	if (s->grp)
		grp_group_kill(s->grp, x->final_kill_signal);
	svc_timer_arm(s, 5);
	grp_group_check(s->grp);
}

/* Is pid one of the group's tasks? */
static bool in_group(struct service *s, pid_t pid)
{
	pid_t small[64], *pids = small;
	int n = grp_group_procs(s->grp, pids, 64);
	bool found = false;

	if (n > 64) {
		pids = malloc((size_t)n * sizeof(*pids));
		n = pids ? grp_group_procs(s->grp, pids, (size_t)n) : -1;
	}
	for (int i = 0; i < n; i++)
		found |= pids[i] == pid;
	if (pids != small)
		free(pids);
	return found;
}

pid_t svc_pidfile_read(struct service *s)
{
	const char *path = s->def.x.pidfile;
	char buf[32];
	ssize_t r;
	long pid;
	char *end;
	int fd;

	if (!path || !s->grp)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		log_warn("%s: unable to open PIDFile %s: %s; main process unknown",
			 s->def.name, path, strerror(errno));
		return 0;
	}
	r = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (r <= 0) {
		log_warn("%s: PIDFile %s is empty or unreadable", s->def.name, path);
		return 0;
	}
	buf[r] = '\0';
	pid = strtol(buf, &end, 10);
	if (end == buf || (*end && *end != '\n') || pid <= 1) {
		log_warn("%s: PIDFile %s does not hold a pid", s->def.name, path);
		return 0;
	}
	/* a stale or foreign pid must never become a kill target */
	if (!in_group(s, (pid_t)pid)) {
		log_warn("%s: PIDFile %s names pid %ld, which is not in group %s; ignored",
			 s->def.name, path, pid, s->grp_path);
		return 0;
	}
	return (pid_t)pid;
}
