/*
 * supervisor/table.c - the service table changing at run time: reload of
 * the services directory, enable/disable, dropping removed services.
 *
 * Reload compares what was read with what runs, by name and by a digest
 * of the file's bytes:
 *   - a new file adds a service, started at once if it would have been
 *     started at boot (it is not disabled);
 *   - a changed file is kept as the service's pending definition
 *     ("changed, restart to apply" in status); it replaces the running
 *     one when the current run is over: at once for a service that is
 *     down, failed or done, otherwise when it next stops or restarts
 *     (initctl restart, or an automatic restart);
 *   - a file that is gone stops its service, which is dropped once down;
 *   - a file that is there but no longer loads (an error, reported by the
 *     loader with file:line) changes nothing: the running definition stays.
 * Dropping happens only with the event queue empty (sup_sweep), so no
 * queued event, timer or watcher can reach a freed service.
 *
 * Disabled services are those with a marker file DISABLED_DIR/NAME in the
 * configuration directory: they are loaded and can be started by hand or
 * pulled in by Requires=, but nothing starts them at boot or on reload.
 */
#include "internal.h"
#include "../lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define DISABLED_DIR "disabled"

static void marker_path(const struct service *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s/" DISABLED_DIR "/%s", sup.o.config_dir ? sup.o.config_dir : ".",
		 s->def.name);
}

bool svc_enabled(const struct service *s)
{
	char path[4200];
	struct stat st;

	if (!sup.o.config_dir)
		return true;
	marker_path(s, path, sizeof(path));
	return lstat(path, &st) < 0;
}

int sup_enable(struct service *s, bool on, char *msg, size_t len)
{
	char dir[4200], path[4200];
	int fd;

	if (!sup.o.config_dir) {
		snprintf(msg, len, "no configuration directory");
		return -1;
	}
	marker_path(s, path, sizeof(path));
	if (on) {
		if (unlink(path) < 0 && errno != ENOENT) {
			snprintf(msg, len, "cannot remove %s: %s", path, strerror(errno));
			log_warn_sys("remove", path);
			return -1;
		}
		snprintf(msg, len, "%s starts at boot", s->def.name);
		log_info("%s: enabled", s->def.name);
		return 0;
	}
	snprintf(dir, sizeof(dir), "%s/" DISABLED_DIR, sup.o.config_dir);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
		snprintf(msg, len, "cannot create %s: %s", dir, strerror(errno));
		log_warn_sys("create", dir);
		return -1;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		snprintf(msg, len, "cannot create %s: %s", path, strerror(errno));
		log_warn_sys("create", path);
		return -1;
	}
	close(fd);
	snprintf(msg, len, "%s does not start at boot (%s)", s->def.name, path);
	log_info("%s: disabled", s->def.name);
	return 0;
}

/* Replace the definition; the group is opened again, with its new path
 * and limits, at the next start.  Only between runs. */
void svc_apply_pending(struct service *s)
{
	if (!s->pending)
		return;
	log_info("%s: using the changed definition from %s", s->def.name, s->pending->file);
	svc_def_free(&s->def);
	s->def = *s->pending;		/* moved: the struct owns the storage */
	free(s->pending);
	s->pending = NULL;
	svc_group_path(&s->def, s->grp_path, sizeof(s->grp_path));
	if (s->grp) {
		grp_group_discard(s->grp);
		s->grp = NULL;
		s->release_armed = false;
	}
	sup.linked = false;
}

static bool regular_file(const char *path)
{
	struct stat st;

	return path && stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

void sup_reload(struct svc_def *defs, unsigned n, char *msg, size_t len)
{
	unsigned old = sup.nsvcs, added = 0, changed = 0, removed = 0, kept = 0;
	/* run-time instances have no file: read them again (instance.c) */
	struct svc_def *all = sup_instances_reread(defs, &n);
	bool *seen = calloc(old + 1, sizeof(bool));

	if (all)
		defs = all;
	if (!seen) {
		for (unsigned i = 0; i < n; i++)
			svc_def_free(&defs[i]);
		free(all);
		snprintf(msg, len, "error: out of memory; nothing changed");
		log_error("reload: out of memory; nothing changed");
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		struct service *s = svc_find(defs[i].name);

		if (!s) {
			if (sup_add(&defs[i]) == 0) {
				sup.svcs[sup.nsvcs - 1]->added_by_reload = true;
				added++;
			}
			continue;
		}
		if (s->idx < old)
			seen[s->idx] = true;
		if (s->removed) {
			/* back before it was dropped: keep it */
			s->removed = false;
		}
		if (defs[i].digest == s->def.digest) {
			/* unchanged, or changed back: forget a pending change */
			svc_def_free(&defs[i]);
			if (s->pending) {
				svc_def_free(s->pending);
				free(s->pending);
				s->pending = NULL;
			}
			continue;
		}
		if (!s->pending && !(s->pending = calloc(1, sizeof(*s->pending)))) {
			log_error("%s: out of memory keeping the changed definition", s->def.name);
			svc_def_free(&defs[i]);
			continue;
		}
		if (s->pending->name[0])
			svc_def_free(s->pending);
		*s->pending = defs[i];	/* moved */
		changed++;
		if (s->state == SVC_DOWN || s->state == SVC_FAILED || s->state == SVC_DONE)
			svc_apply_pending(s);
		else
			log_info("%s: changed; restart to apply", s->def.name);
	}
	for (unsigned i = 0; i < old; i++) {
		struct service *s = sup.svcs[i];

		if (seen[i] || s->def.builtin)	/* a built-in target has no file */
			continue;
		if (regular_file(s->def.file)) {
			log_warn("%s: %s does not load; the running definition stays",
				 s->def.name, s->def.file);
			kept++;
			continue;
		}
		if (s->removed)
			continue;
		log_info("%s: its file is gone; stopping and dropping it", s->def.name);
		s->removed = true;
		removed++;
	}
	free(seen);
	free(all);
	/* held from here: relinking may fail cycle members, and no handler
	 * may run (or drop a service) while the edges are rebuilt and this
	 * loop walks the table */
	sup_batch_begin();
	sup_link();
	/* now that the edges are known: stop the removed, start the new */
	for (unsigned i = 0; i < sup.nsvcs; i++) {
		struct service *s = sup.svcs[i];

		if (s->removed)
			svc_dispatch(s, SVC_EV_STOP);
		else if (s->added_by_reload && svc_enabled(s) && !s->in_cycle)
			svc_dispatch(s, SVC_EV_START);
		s->added_by_reload = false;
	}
	sup_batch_end();	/* handles them, then drops what is down */
	snprintf(msg, len, "reloaded: %u added, %u changed, %u removed, %u kept (file does not load)",
		 added, changed, removed, kept);
	log_info("%s", msg);
}

static void drop(struct service *s)
{
	log_info("%s: dropped", s->def.name);
	svc_timer_stop(s);
	svc_output_close(s);
	svc_output_free(s);
	svc_notify_drop(s);
	if (s->exec_fd >= 0) {
		ev_io_stop(sup.o.loop, &s->exec_io);
		close(s->exec_fd);
		s->exec_fd = -1;
		if (s->grp)
			grp_group_unpin(s->grp);
	}
	if (s->ctl_exec_fd >= 0) {	/* a control command's, likewise */
		ev_io_stop(sup.o.loop, &s->ctl_exec_io);
		close(s->ctl_exec_fd);
		s->ctl_exec_fd = -1;
		if (s->grp)
			grp_group_unpin(s->grp);
	}
	grp_group_discard(s->grp);
	for (unsigned i = s->idx + 1; i < sup.nsvcs; i++) {
		sup.svcs[i - 1] = sup.svcs[i];
		sup.svcs[i - 1]->idx = i - 1;
	}
	sup.nsvcs--;
	free(s->deps);
	free(s->rdeps);
	free(s->detail);
	if (s->pending) {
		svc_def_free(s->pending);
		free(s->pending);
	}
	svc_def_free(&s->def);
	free(s);
}

void sup_sweep(void)
{
	bool any = false;

	for (unsigned i = sup.nsvcs; i-- > 0;) {
		struct service *s = sup.svcs[i];

		if (s->removed && (s->state == SVC_DOWN || s->state == SVC_FAILED ||
				   s->state == SVC_DONE)) {
			drop(s);
			any = true;
		}
	}
	if (any)
		sup_link();
}
