/*
 * grouping/hierarchy.c - finding, mounting and opening hierarchies, and the
 * engine's lifetime.
 *
 * Hierarchies are discovered from /proc/self/mountinfo: a "cgroup" mount
 * whose super options name our kernel controllers (cpuset, cpuacct, pids)
 * is a v1 hierarchy with those subsystems bound; a "cgroup2" mount is the
 * unified hierarchy.  As PID 1 (config.mount) missing ones are mounted
 * under mount_base the way systemd lays them out (/sys/fs/cgroup/cpuset,
 * /sys/fs/cgroup/unified for the tracking tree).
 */
#include "internal.h"
#include "../lib/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#define TMPFS_MAGIC 0x01021994UL
#define MAX_MOUNTS 64

struct mnt {
	char point[PATH_MAX];
	bool v2;
	unsigned mask;		/* our subsystems bound (v1) */
};

/* mountinfo escapes space, tab, newline and backslash as \ooo */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*o++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*o++ = *s;
		}
	}
	*o = '\0';
}

static int read_mounts(const char *file, struct mnt *m, unsigned *n)
{
	char line[4096];
	FILE *f = fopen(file, "re");

	*n = 0;
	if (!f) {
		log_warn_sys("open", file);
		return -1;
	}
	while (fgets(line, sizeof(line), f) && *n < MAX_MOUNTS) {
		char *field[6], *save = NULL, *tok, *fstype, *super;
		unsigned nf = 0;

		for (tok = strtok_r(line, " \n", &save); tok && nf < 6;
		     tok = strtok_r(NULL, " \n", &save))
			field[nf++] = tok;
		if (nf < 6)
			continue;
		/* optional fields end at a lone "-" */
		while (tok && strcmp(tok, "-"))
			tok = strtok_r(NULL, " \n", &save);
		fstype = strtok_r(NULL, " \n", &save);
		(void)strtok_r(NULL, " \n", &save);	/* source */
		super = strtok_r(NULL, " \n", &save);
		if (!fstype || !super)
			continue;
		if (strcmp(fstype, "cgroup") && strcmp(fstype, "cgroup2"))
			continue;
		memset(&m[*n], 0, sizeof(m[*n]));
		snprintf(m[*n].point, sizeof(m[*n].point), "%s", field[4]);
		unescape(m[*n].point);
		m[*n].v2 = !strcmp(fstype, "cgroup2");
		if (!m[*n].v2) {
			char *s2 = NULL, *opt;

			for (opt = strtok_r(super, ",", &s2); opt; opt = strtok_r(NULL, ",", &s2))
				for (int i = 0; i < GRP_SUBSYS_COUNT; i++)
					if (!strcmp(opt, grp_subsys_kernel_name(i)))
						m[*n].mask |= 1u << i;
		}
		(*n)++;
	}
	fclose(f);
	return 0;
}

static bool is_mountpoint(const struct mnt *m, unsigned n, const char *path)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(m[i].point, path))
			return true;
	return false;
}

static int mkdir_p(const char *path)
{
	char buf[PATH_MAX];

	snprintf(buf, sizeof(buf), "%s", path);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
			log_warn_sys("mkdir", buf);
			return -1;
		}
		*p = '/';
	}
	if (mkdir(buf, 0755) < 0 && errno != EEXIST) {
		log_warn_sys("mkdir", buf);
		return -1;
	}
	return 0;
}

/* favordynmods (cgroup2 since Linux 6.0, listed in the features file;
 * v1 on later kernels): task migrations stop waiting for an RCU grace
 * period, at the price of slower fork and exit in the hierarchy.  corral
 * migrates a task at every start, so it asks for it on the mounts it
 * makes (never on the host's: those are left as they are).  A kernel
 * that lists it but refuses it (EINVAL: v1 before it learnt the option)
 * is asked once per filesystem type: -1 not known yet, 0 no, 1 yes. */
static int fdm_v1 = -1, fdm_v2 = -1;

static int *favordynmods(const char *fstype)
{
	int *ok = strcmp(fstype, "cgroup2") ? &fdm_v1 : &fdm_v2;
	char buf[512];
	ssize_t r = -1;
	int fd;

	if (*ok < 0) {
		fd = open("/sys/kernel/cgroup/features", O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			r = read(fd, buf, sizeof(buf) - 1);
			close(fd);
		}
		buf[r > 0 ? r : 0] = '\0';
		*ok = grp_has_word(buf, "favordynmods");
	}
	return ok;
}

static int do_mount(const char *fstype, const char *target, const char *opts)
{
	int *fdm = favordynmods(fstype);
	char with[128];

	if (mkdir_p(target) < 0)
		return -1;
	if (*fdm) {
		snprintf(with, sizeof(with), "%s%sfavordynmods", opts ? opts : "", opts ? "," : "");
		if (mount(fstype, target, fstype, MS_NOSUID | MS_NODEV | MS_NOEXEC, with) == 0) {
			log_info("mounted %s %s on %s", fstype, with, target);
			return 0;
		}
		if (errno == EINVAL) {
			log_info("%s: the kernel refuses favordynmods; mounting without",
				 fstype);
			*fdm = 0;
		}
	}
	if (mount(fstype, target, fstype, MS_NOSUID | MS_NODEV | MS_NOEXEC, opts) < 0) {
		log_msg(LOG_LVL_WARN, "unable to mount %s (%s) on %s: %s", fstype,
			opts ? opts : "", target, strerror(errno));
		return -1;
	}
	log_info("mounted %s%s%s on %s", fstype, opts ? " " : "", opts ? opts : "", target);
	return 0;
}

/* A tmpfs under the v1 hierarchies, as on any systemd-era system, so the
 * per-hierarchy mount points can be created. */
static int ensure_base(struct grp_engine *e, const struct mnt *m, unsigned n)
{
	struct statfs sf;

	if (is_mountpoint(m, n, e->mount_base))
		return 0;
	if (statfs(e->mount_base, &sf) == 0 && (unsigned long)sf.f_type == TMPFS_MAGIC)
		return 0;
	if (mkdir_p(e->mount_base) < 0)
		return -1;
	if (mount("tmpfs", e->mount_base, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=755") < 0) {
		log_warn_sys("mount tmpfs on", e->mount_base);
		return -1;
	}
	return 0;
}

static struct grp_hier *add_hier(struct grp_engine *e, const char *mnt,
				 unsigned mask, bool v2, bool tracking)
{
	struct grp_hier *h;

	if (e->nhier == GRP_HIER_MAX) {
		log_warn("too many hierarchies; ignoring %s", mnt);
		errno = ENOSPC;
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h) {
		log_warn_sys("allocate hierarchy", mnt);
		return NULL;
	}
	h->e = e;
	h->idx = e->nhier;
	h->mask = mask;
	h->v2 = v2;
	h->tracking = tracking;
	snprintf(h->mnt, sizeof(h->mnt), "%s", mnt);
	if (e->sys->check_fs(mnt, v2) < 0) {
		if (errno == EINVAL)
			log_warn("%s is not a %s filesystem", mnt, v2 ? "cgroup2" : "cgroup");
		else
			log_warn_sys("statfs", mnt);
		free(h);
		errno = EINVAL;
		return NULL;
	}
	h->fd = e->sys->openat(AT_FDCWD, mnt, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	if (h->fd < 0) {
		log_warn_sys("open", mnt);
		free(h);
		return NULL;
	}
	e->hier[e->nhier++] = h;
	return h;
}

static int setup_v1(struct grp_engine *e, struct mnt *m, unsigned n)
{
	unsigned remaining = GRP_SUBSYS_ALL, id;
	const struct grp_subsys *ss;
	struct grp_layout def;

	for (unsigned i = 0; i < n && remaining; i++) {
		if (m[i].v2 || !(m[i].mask & remaining))
			continue;
		/* A hierarchy already mounted keeps its kernel binding,
		 * e.g. cpuset,cpuacct in one, whatever the layout asked. */
		if (!add_hier(e, m[i].point, m[i].mask & remaining, false, false))
			continue;
		remaining &= ~m[i].mask;
	}
	if (remaining && e->cfg.mount) {
		const struct grp_layout *l = &e->cfg.layout;

		if (l->kind != GRP_LAYOUT_V1 || !l->nhier) {
			grp_layout_parse("v1", &def, NULL, 0);
			l = &def;
		}
		if (ensure_base(e, m, n) == 0) {
			for (unsigned i = 0; i < l->nhier; i++) {
				char name[128], target[PATH_MAX + 160];

				if ((l->masks[i] & remaining) != l->masks[i])
					continue;
				grp_subsys_mask_names(l->masks[i], true, name, sizeof(name));
				snprintf(target, sizeof(target), "%s/%s", e->mount_base, name);
				if (do_mount("cgroup", target, name) < 0)
					continue;
				if (add_hier(e, target, l->masks[i], false, false)) {
					e->hier[e->nhier - 1]->mounted_by_us = true;
					remaining &= ~l->masks[i];
				}
			}
		}
	}
	grp_for_each_subsys(ss, id, remaining)
		log_warn("subsystem %s unavailable: no v1 hierarchy has "
			 "the %s controller", ss->name, ss->v1_name);
	if (e->nhier == 0) {
		errno = ENOENT;
		return -1;
	}
	if (e->cfg.no_tracking)
		return 0;
	for (unsigned i = 0; i < n; i++)
		if (m[i].v2) {
			if (add_hier(e, m[i].point, 0, true, true))
				return 0;
		}
	if (e->cfg.mount) {
		char target[PATH_MAX + 16];

		snprintf(target, sizeof(target), "%s/unified", e->mount_base);
		if (do_mount("cgroup2", target, NULL) == 0 &&
		    add_hier(e, target, 0, true, true)) {
			e->hier[e->nhier - 1]->mounted_by_us = true;
			return 0;
		}
	}
	log_info("no cgroup2 tree for release events; polling");
	return 0;
}

static int setup_v2(struct grp_engine *e, struct mnt *m, unsigned n)
{
	const char *point = NULL;

	for (unsigned i = 0; i < n; i++)
		if (m[i].v2 && (!point || !strcmp(m[i].point, e->mount_base)))
			point = m[i].point;
	if (!point && e->cfg.mount) {
		if (do_mount("cgroup2", e->mount_base, "nsdelegate") < 0 &&
		    do_mount("cgroup2", e->mount_base, NULL) < 0)
			return -1;
		point = e->mount_base;
		if (!add_hier(e, point, GRP_SUBSYS_ALL, true, false))
			return -1;
		e->hier[0]->mounted_by_us = true;
		return 0;
	}
	if (!point) {
		log_warn("no cgroup2 hierarchy is mounted");
		errno = ENOENT;
		return -1;
	}
	return add_hier(e, point, GRP_SUBSYS_ALL, true, false) ? 0 : -1;
}

/* v2: a subsystem is only usable if its controller reached our subtree
 * root (the parent enabled it); cpuacct needs none (core cpu.stat). */
static void narrow_v2(struct grp_hier *h)
{
	const struct grp_subsys *ss;
	char avail[512];
	unsigned i;

	if (!h->v2 || h->tracking)
		return;
	if (grp_file_read(h->root, "cgroup.controllers", avail, sizeof(avail)) < 0)
		avail[0] = '\0';
	grp_for_each_subsys(ss, i, h->mask) {
		const char *n = ss->v2_name;

		if (!n || grp_has_word(avail, n))
			continue;
		log_warn("subsystem %s unavailable: controller %s is not "
			 "enabled for %s", grp_subsys_name(i), n, h->root->path);
		h->mask &= ~(1u << i);
	}
	(void)grp_v2_enable_controllers(h->root);
}

/* The kernel was told not to offer v1 at all: do not even try. */
static bool v1_disabled_by_kernel(void)
{
	char buf[4096];
	FILE *f = fopen("/proc/cmdline", "re");
	size_t n;

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	for (char *p = buf; (p = strstr(p, "cgroup_no_v1=all")); p++)
		if ((p == buf || p[-1] == ' ') && (p[16] == ' ' || p[16] == '\n' || !p[16]))
			return true;
	return false;
}

int grp_hier_setup(struct grp_engine *e)
{
	struct mnt *m = calloc(MAX_MOUNTS, sizeof(*m));
	enum grp_layout_kind kind = e->cfg.layout.kind;
	const struct grp_subsys *ss;
	unsigned n = 0, s;
	int rc = -1;

	if (!m) {
		log_warn_sys("allocate", "mount table");
		return -1;
	}
	if (read_mounts(e->mountinfo, m, &n) < 0)
		goto out;
	if (kind == GRP_LAYOUT_AUTO) {
		bool v1 = false, v2 = false;

		for (unsigned i = 0; i < n; i++) {
			v1 |= !m[i].v2 && m[i].mask;
			v2 |= m[i].v2;
		}
		/* v1 is the layout the user asked for when nothing decides
		 * it; a kernel booted with cgroup_no_v1=all refuses v1 mounts,
		 * and then the unified hierarchy is used. */
		kind = v1 || !v2 ? GRP_LAYOUT_V1 : GRP_LAYOUT_V2;
		if (kind == GRP_LAYOUT_V1 && !v1 && (!e->cfg.mount || v1_disabled_by_kernel()))
			kind = GRP_LAYOUT_V2;
	}
	if (kind == GRP_LAYOUT_V1) {
		rc = setup_v1(e, m, n);
		if (rc < 0 && e->cfg.layout.kind == GRP_LAYOUT_AUTO) {
			log_info("no v1 hierarchy usable; trying cgroup v2");
			for (unsigned i = 0; i < e->nhier; i++) {
				close(e->hier[i]->fd);
				free(e->hier[i]);
			}
			e->nhier = 0;
			if (read_mounts(e->mountinfo, m, &n) < 0)
				goto out;
			kind = GRP_LAYOUT_V2;
			rc = setup_v2(e, m, n);
		}
	} else {
		rc = setup_v2(e, m, n);
	}
	if (rc < 0)
		goto out;
	e->kind = kind;
	for (unsigned i = 0; i < e->nhier; i++) {
		struct grp_hier *h = e->hier[i];

		h->root = grp_container_new_root(h, e->subtree);
		if (!h->root) {
			rc = -1;
			goto out;
		}
		narrow_v2(h);
		grp_for_each_subsys(ss, s, h->mask)
			if (!e->subsys_hier[s])
				e->subsys_hier[s] = h;
	}
	rc = 0;
out:
	free(m);
	return rc;
}

struct grp_engine *grp_engine_open(const struct grp_config *cfg)
{
	struct grp_engine *e;
	const char *why;

	if (!cfg->subtree || grp_path_valid(cfg->subtree, &why) < 0) {
		log_warn("invalid subtree '%s': %s", cfg->subtree ? cfg->subtree : "",
			 cfg->subtree ? why : "missing");
		errno = EINVAL;
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e) {
		log_warn_sys("allocate", "grouping engine");
		return NULL;
	}
	e->cfg = *cfg;
	e->sys = cfg->sys ? cfg->sys : &grp_sys_real;
	e->inotify_fd = -1;
	snprintf(e->mount_base, sizeof(e->mount_base), "%s",
		 cfg->mount_base ? cfg->mount_base : "/sys/fs/cgroup");
	snprintf(e->subtree, sizeof(e->subtree), "%s", cfg->subtree);
	snprintf(e->mountinfo, sizeof(e->mountinfo), "%s",
		 cfg->mountinfo ? cfg->mountinfo : "/proc/self/mountinfo");
	e->cfg.mount_base = e->mount_base;
	e->cfg.subtree = e->subtree;
	e->cfg.mountinfo = e->mountinfo;
	if (grp_hier_setup(e) < 0) {
		int saved = errno;

		grp_engine_close(e, true);
		errno = saved;
		return NULL;
	}
	for (unsigned i = 0; i < e->nhier; i++) {
		char masks[128];

		log_debug("hierarchy %u: %s [%s]%s", i, e->hier[i]->root->path,
			  e->hier[i]->tracking ? "tracking" :
			  grp_subsys_mask_names(e->hier[i]->mask, false, masks, sizeof(masks)),
			  e->hier[i]->v2 ? " cgroup2" : " cgroup");
	}
	return e;
}

void grp_engine_close(struct grp_engine *e, bool remove)
{
	if (!e)
		return;
	/* From inside a release callback, grp_engine_check() still holds
	 * references to groups and walks the hash: freeing now would leave
	 * it using freed memory.  It frees the engine when it returns. */
	if (e->checking) {
		e->close_pending = true;
		e->close_remove |= remove;
		return;
	}
	grp_engine_free(e, remove);
}

void grp_engine_free(struct grp_engine *e, bool remove)
{
	if (e->loop) {
		ev_timer_stop(e->loop, &e->poll_timer);
		if (e->inotify_fd >= 0)
			ev_io_stop(e->loop, &e->inotify_io);
	}
	if (e->inotify_fd >= 0)
		close(e->inotify_fd);
	/* Groups hold only counted pointers; owners must have put theirs.
	 * Free any that remain so the containers can go. */
	for (unsigned b = 0; b < GRP_HASH_BUCKETS; b++)
		while (e->buckets[b]) {
			struct grp_group *g = e->buckets[b];

			e->buckets[b] = g->hnext;
			for (unsigned i = 0; i < e->nhier; i++)
				g->conts[i]->refcnt--;
			free(g);
		}
	for (unsigned i = 0; i < e->nhier; i++) {
		struct grp_hier *h = e->hier[i];

		if (h->root)
			grp_container_free_tree(h->root, remove);
		while (remove && h->nmade) {
			const char *p = h->made[--h->nmade];

			if (e->sys->unlinkat(AT_FDCWD, p, AT_REMOVEDIR) < 0 && errno != ENOENT)
				log_warn_sys("rmdir", p);
		}
		close(h->fd);
		free(h);
	}
	/* pending checks hold references to groups freed above */
	free(e->pending);
	free(e->wdtab);
	free(e->ftab);
	free(e);
}

enum grp_layout_kind grp_engine_kind(const struct grp_engine *e) { return e->kind; }
unsigned grp_engine_nhier(const struct grp_engine *e) { return e->nhier; }
unsigned grp_engine_ngroups(const struct grp_engine *e) { return e->ngroups; }

struct grp_hier *grp_engine_hier(struct grp_engine *e, unsigned i)
{
	return i < e->nhier ? e->hier[i] : NULL;
}

struct grp_hier *grp_engine_subsys_hier(struct grp_engine *e, enum grp_subsys_id id)
{
	return (unsigned)id < GRP_SUBSYS_COUNT ? e->subsys_hier[id] : NULL;
}

const char *grp_hier_path(const struct grp_hier *h) { return h->root ? h->root->path : h->mnt; }
unsigned grp_hier_mask(const struct grp_hier *h) { return h->mask; }
bool grp_hier_is_v2(const struct grp_hier *h) { return h->v2; }
bool grp_hier_is_tracking(const struct grp_hier *h) { return h->tracking; }

int grp_task_dir(struct grp_hier *h, pid_t pid, char *out, size_t len)
{
	char path[64], line[PATH_MAX + 128];
	const char *want = NULL;
	FILE *f;
	int fd;

	for (int i = 0; i < GRP_SUBSYS_COUNT && !h->v2; i++)
		if (h->mask & (1u << i)) {
			want = grp_subsys_kernel_name(i);
			break;
		}
	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/cgroup");
	fd = h->e->sys->openat(AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);
	if (fd < 0 || !(f = fdopen(fd, "re"))) {
		if (errno != ENOENT)
			log_warn_sys("open", path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	/* Paths there are relative to our cgroup namespace root, which is
	 * the mount's root for every mount corral makes or uses. */
	while (fgets(line, sizeof(line), f)) {
		char *ctl = strchr(line, ':'), *cg;

		if (!ctl || !(cg = strchr(ctl + 1, ':')))
			continue;
		*cg++ = '\0';
		ctl++;
		cg[strcspn(cg, "\n")] = '\0';
		if (h->v2 && *ctl == '\0') {
			snprintf(out, len, "%s%s", h->mnt, strcmp(cg, "/") ? cg : "");
			fclose(f);
			return 0;
		}
		if (!h->v2 && want) {
			char buf[256], *save = NULL, *tok;

			snprintf(buf, sizeof(buf), "%s", ctl);
			for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
				if (!strcmp(tok, want)) {
					snprintf(out, len, "%s%s", h->mnt,
						 strcmp(cg, "/") ? cg : "");
					fclose(f);
					return 0;
				}
		}
	}
	fclose(f);
	errno = ENOENT;
	return -1;
}
