/*
 * tests/unit/test_delegate.c - Delegate= and [Group] auto_delete=: the
 * keys as the loader takes them, and the engine's delegated subtrees
 * (grouping/delegate.c) on plain directories through tests/lib/fakecg.h:
 * which files are chowned, tasks in directories the service made are the
 * group's (counted, signalled, keep it from being empty), those
 * directories go before the group does, and with pruning an emptied one
 * goes while the service runs (v1 at checks, v2 from inotify events).
 */
#include "grouping.h"
#include "../../services/services.h"
#include "../../lib/log.h"
#include "tap.h"
#include "fakecg.h"

#include <errno.h>
#include <ev.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char tmp[] = "/tmp/corral-unit-dlg-XXXXXX";

static void put(const char *rel, const char *val)
{
	char p[1024];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", tmp, rel);
	f = fopen(p, "w");
	if (!f) {
		perror(p);
		exit(2);
	}
	fputs(val, f);
	fclose(f);
}

static void mk(const char *rel)
{
	char p[1024];

	snprintf(p, sizeof(p), "%s/%s", tmp, rel);
	if (mkdir(p, 0755) < 0 && errno != EEXIST) {
		perror(p);
		exit(2);
	}
}

static bool there(const char *rel)
{
	char p[1024];
	struct stat st;

	snprintf(p, sizeof(p), "%s/%s", tmp, rel);
	return stat(p, &st) == 0;
}

static const char *get(const char *rel, char *buf, size_t len)
{
	char p[1024];
	FILE *f;
	size_t n;

	snprintf(p, sizeof(p), "%s/%s", tmp, rel);
	buf[0] = '\0';
	f = fopen(p, "r");
	if (!f)
		return buf;
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

static bool chowned(const char *rel, uid_t uid, gid_t gid)
{
	char p[1024];

	snprintf(p, sizeof(p), "%s/%s", tmp, rel);
	return fakecg_chowned(p, uid, gid);
}

static int rm_cb(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st; (void)flag; (void)f;
	return remove(p);
}

static void cleanup(void)
{
	nftw(tmp, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* ---- the keys ----------------------------------------------------------- */

static char warned[2048];
static void on_warn(void *ctx, const char *file, unsigned line, bool unknown, const char *msg)
{
	size_t n = strlen(warned);

	(void)ctx;
	(void)unknown;
	snprintf(warned + n, sizeof(warned) - n, "%s:%u: %s\n", file, line, msg);
}

static void test_keys(void)
{
	struct svc_def d;
	char err[512];

	tap_ok(svc_load_string("a", "[Service]\nExecStart=/bin/true\nDelegate=yes\n", &d,
			       err, sizeof(err)) == 0 && d.x.delegate && !d.x.delegate_controllers,
	       "Delegate=yes delegates, no controller list");
	tap_ok(!d.x.unenforced || !strstr(d.x.unenforced, "Delegate"),
	       "Delegate= is no longer in the not-enforced line");
	svc_def_free(&d);
	tap_ok(svc_load_string("a", "[Service]\nExecStart=/bin/true\nDelegate=cpu memory\n"
			       "Delegate=pids\n", &d, err, sizeof(err)) == 0 && d.x.delegate &&
	       d.x.delegate_controllers && !strcmp(d.x.delegate_controllers, "cpu memory pids"),
	       "Delegate= lists add up");
	svc_def_free(&d);
	tap_ok(svc_load_string("a", "[Service]\nExecStart=/bin/true\nDelegate=cpu\nDelegate=\n",
			       &d, err, sizeof(err)) == 0 && !d.x.delegate &&
	       !d.x.delegate_controllers, "an empty Delegate= forgets the list and delegation");
	svc_def_free(&d);
	tap_ok(svc_load_string("a", "[Service]\nExecStart=/bin/true\nDelegate=no\n", &d, err,
			       sizeof(err)) == 0 && !d.x.delegate, "Delegate=no");
	svc_def_free(&d);
	tap_ok(svc_load_string("a", "[Service]\nExecStart=/bin/true\nDelegate=cpu nonsense\n",
			       &d, err, sizeof(err)) < 0 && strstr(err, "a:3") &&
	       strstr(err, "Delegate: 'nonsense'"), "an unknown controller rejects the file (%s)", err);
	tap_ok(svc_load_string("a", "[Service]\nExecStart=/bin/true\nDelegate=bpf-firewall\n",
			       &d, err, sizeof(err)) == 0 && d.x.delegate && !d.x.delegate_controllers &&
	       d.x.unenforced && strstr(d.x.unenforced, "Delegate=bpf-firewall"),
	       "a bpf pseudo controller delegates and is said not enforced");
	svc_def_free(&d);

	tap_ok(svc_load_string("a", "[Service]\nExecStart=/bin/true\nDelegate=yes\n"
			       "[Group]\nauto_delete=yes\n", &d, err, sizeof(err)) == 0 &&
	       d.auto_delete, "[Group] auto_delete=yes");
	svc_def_free(&d);
	tap_ok(svc_load_string("a", "[Service]\nExecStart=/bin/true\n", &d, err, sizeof(err)) == 0 &&
	       !d.auto_delete && !d.x.delegate, "neither by default");
	svc_def_free(&d);
	tap_ok(svc_load_string("a", "[Group]\nauto_delete=sometimes\n[Service]\nExecStart=/bin/true\n",
			       &d, err, sizeof(err)) < 0 && strstr(err, "a:2") &&
	       strstr(err, "auto_delete"), "a bad auto_delete rejects the file (%s)", err);
	svc_warn_hook = on_warn;
	warned[0] = '\0';
	tap_ok(svc_load_string("a", "[Group]\nauto_delete=yes\n[Service]\nExecStart=/bin/true\n",
			       &d, err, sizeof(err)) == 0 && strstr(warned, "a:2: auto_delete=yes "
			       "without Delegate=yes"), "auto_delete without Delegate= is said");
	svc_warn_hook = NULL;
	svc_def_free(&d);
}

/* ---- the engine: v1 --------------------------------------------------- */

static int nreleased;
static void on_release(struct grp_group *g, void *data)
{
	(void)g;
	(void)data;
	nreleased++;
}

static struct grp_engine *open_engine(const char *mountinfo_lines, const char *layout)
{
	char mi[4096];
	static char p[1024];
	static struct grp_config cfg;

	snprintf(mi, sizeof(mi), mountinfo_lines, tmp, tmp, tmp);
	put("mountinfo", mi);
	snprintf(p, sizeof(p), "%s/mountinfo", tmp);
	memset(&cfg, 0, sizeof(cfg));
	grp_layout_parse(layout, &cfg.layout, NULL, 0);
	cfg.mount_base = tmp;
	cfg.subtree = "corral";
	cfg.mountinfo = p;
	cfg.sys = &fakecg_sys;
	return grp_engine_open(&cfg);
}

static void test_v1(void)
{
	struct grp_engine *e;
	struct grp_group *g, *plain, *pr, *root;
	pid_t pids[8], child;
	unsigned before;
	char buf[256];
	int status, n;

	mk("cpuset");
	put("cpuset/cpuset.cpus", "0-1\n");
	put("cpuset/cpuset.mems", "0\n");
	mk("pids");
	mk("unified");
	e = open_engine("33 30 0:30 / %s/cpuset rw - cgroup cgroup rw,cpuset\n"
			"38 30 0:35 / %s/pids rw - cgroup cgroup rw,pids\n"
			"40 30 0:37 / %s/unified rw - cgroup2 cgroup2 rw\n", "auto");
	if (!tap_ok(e != NULL, "engine on fabricated v1 hierarchies"))
		return;
	g = grp_group_open(e, "svc");
	plain = grp_group_open(e, "plain");
	tap_ok(!grp_group_delegated(g), "a group is not delegated until asked");
	tap_ok(grp_group_delegate(g, 1234, 5678, NULL, false) == 0 && grp_group_delegated(g),
	       "delegate svc to 1234:5678");
	tap_ok(chowned("cpuset/corral/svc", 1234, 5678) &&
	       chowned("cpuset/corral/svc/tasks", 1234, 5678) &&
	       chowned("cpuset/corral/svc/cgroup.procs", 1234, 5678),
	       "v1: directory, tasks and cgroup.procs chowned");
	tap_ok(chowned("pids/corral/svc", 1234, 5678) && chowned("pids/corral/svc/tasks", 1234, 5678),
	       "... in every hierarchy");
	tap_ok(chowned("unified/corral/svc", 1234, 5678) &&
	       chowned("unified/corral/svc/cgroup.procs", 1234, 5678) &&
	       chowned("unified/corral/svc/cgroup.threads", 1234, 5678) &&
	       chowned("unified/corral/svc/cgroup.subtree_control", 1234, 5678),
	       "v2 (tracking tree): directory, cgroup.procs, cgroup.threads, cgroup.subtree_control");
	tap_ok(!chowned("cpuset/corral/svc/cpuset.cpus", 1234, 5678) &&
	       !chowned("cpuset/corral", 1234, 5678) && !chowned("pids/corral/plain", 1234, 5678),
	       "resource files, the parent and other groups stay root's");
	tap_is_str(get("cpuset/corral/svc/cgroup.clone_children", buf, sizeof(buf)), "1",
		   "v1 cpuset: children the service makes inherit cpus and mems");
	tap_ok(!there("pids/corral/svc/cgroup.clone_children"), "... only cpuset asks for that");
	before = fakecg_nchowns;
	root = grp_group_open(e, "root");
	tap_ok(grp_group_delegate(root, (uid_t)-1, (gid_t)-1, NULL, false) == 0 &&
	       grp_group_delegated(root) && fakecg_nchowns == before,
	       "a root service's group: delegated, nothing chowned");

	/* the service makes a/b and moves a task there; its main process
	 * is in the group's own containers */
	tap_ok(grp_group_attach(g, 4000) == 0, "main process attached to the top containers");
	for (const char *const *h = (const char *const[]){ "cpuset", "pids", "unified", NULL }; *h; h++) {
		char p[256];

		snprintf(p, sizeof(p), "%s/corral/svc/a", *h);
		mk(p);
		strcat(p, "/b");
		mk(p);
	}
	put("pids/corral/svc/a/b/cgroup.procs", "4242\n");
	n = grp_group_procs(g, pids, 8);
	tap_ok(n == 2 && ((pids[0] == 4000 && pids[1] == 4242) || (pids[0] == 4242 && pids[1] == 4000)),
	       "a task in a directory the service made is the group's (%d tasks)", n);
	put("cpuset/corral/svc/cgroup.procs", "");
	put("pids/corral/svc/cgroup.procs", "");
	put("unified/corral/svc/cgroup.procs", "");
	tap_ok(!grp_group_empty(g), "not empty while a task is in the service's subtree");
	mk("pids/corral/plain/x");
	put("pids/corral/plain/x/cgroup.procs", "4343\n");
	tap_is_int(grp_group_procs(plain, pids, 8), 0,
		   "a group not delegated does not look below itself");
	unlink(strcat(strcpy(buf, tmp), "/pids/corral/plain/x/cgroup.procs"));
	rmdir(strcat(strcpy(buf, tmp), "/pids/corral/plain/x"));

	/* a real process in a/b: a stop's signal reaches it */
	child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	snprintf(buf, sizeof(buf), "%d\n", (int)child);
	put("pids/corral/svc/a/b/cgroup.procs", buf);
	tap_is_int(grp_group_kill(g, SIGTERM), 1, "a signal to the group reaches the subtree");
	usleep(100000);
	kill(child, SIGKILL);	/* a failed check must not hang the test */
	tap_ok(waitpid(child, &status, 0) == child && WIFSIGNALED(status) &&
	       WTERMSIG(status) == SIGTERM, "... the task there got SIGTERM");

	nreleased = 0;
	grp_group_set_release(g, true, on_release, NULL);
	put("pids/corral/svc/a/b/cgroup.procs", "4242\n");
	grp_engine_check(e);
	tap_ok(nreleased == 0 && there("cpuset/corral/svc/a/b"), "no release while it has a task");
	put("pids/corral/svc/a/b/cgroup.procs", "");
	grp_engine_check(e);
	tap_is_int(nreleased, 1, "released once the subtree is empty");
	tap_ok(!there("cpuset/corral/svc") && !there("pids/corral/svc") && !there("unified/corral/svc"),
	       "the directories the service made went first, then the group's");

	/* v1 pruning: at each check, what had tasks and has none goes */
	pr = grp_group_open(e, "pr");
	tap_ok(grp_group_delegate(pr, 1, 1, NULL, true) == 0, "delegate pr with pruning");
	mk("pids/corral/pr/fresh");
	mk("pids/corral/pr/used");
	put("pids/corral/pr/used/cgroup.procs", "77\n");
	mk("pids/corral/pr/n1");
	mk("pids/corral/pr/n1/n2");
	put("pids/corral/pr/n1/n2/cgroup.procs", "78\n");
	grp_group_check(pr);
	tap_ok(there("pids/corral/pr/fresh") && there("pids/corral/pr/used") &&
	       there("pids/corral/pr/n1/n2"), "nothing pruned while busy or never used");
	put("pids/corral/pr/used/cgroup.procs", "");
	put("pids/corral/pr/n1/n2/cgroup.procs", "");
	grp_group_check(pr);
	tap_ok(!there("pids/corral/pr/used") && !there("pids/corral/pr/n1"),
	       "emptied ones pruned, a parent that emptied with its child too");
	tap_ok(there("pids/corral/pr/fresh"), "one the service made and never filled stays");
	mk("cpuset/corral/pr/c");
	put("cpuset/corral/pr/c/cgroup.procs", "79\n");
	grp_engine_check(e);
	put("cpuset/corral/pr/c/cgroup.procs", "");
	grp_engine_check(e);
	tap_ok(!there("cpuset/corral/pr/c"), "an engine-wide check prunes too (the poll timer's)");

	grp_group_put(g);
	grp_group_put(plain);
	grp_group_put(root);
	grp_group_put(pr);
	grp_engine_close(e, true);
	tap_ok(!there("pids/corral"), "close removed the subtree, the service's leftovers first");
}

/* ---- the engine: v2 events ------------------------------------------- */

static void spin(struct ev_loop *loop)
{
	for (int i = 0; i < 5; i++)
		ev_run(loop, EVRUN_NOWAIT);
}

static void test_v2(void)
{
	struct ev_loop *loop = ev_loop_new(EVFLAG_AUTO);
	struct grp_engine *e;
	struct grp_group *g;

	mk("v2");
	e = open_engine("40 30 0:37 / %s/v2 rw - cgroup2 cgroup2 rw\n%.0s%.0s", "v2");
	if (!tap_ok(e != NULL && loop, "engine on a fabricated cgroup2 hierarchy"))
		return;
	grp_engine_start(e, loop);
	if (!grp_engine_event_driven(e)) {
		tap_skip("no inotify", "v2 pruning from events");
		grp_engine_close(e, true);
		return;
	}
	g = grp_group_open(e, "dv");
	tap_ok(grp_group_delegate(g, 7, 8, "pids cpu", true) == 0 &&
	       chowned("v2/corral/dv/cgroup.subtree_control", 7, 8), "delegate dv with pruning");
	mk("v2/corral/dv/c1");
	mk("v2/corral/dv/c2");
	spin(loop);
	put("v2/corral/dv/c1/cgroup.events", "populated 1\nfrozen 0\n");
	spin(loop);
	tap_ok(there("v2/corral/dv/c1") && there("v2/corral/dv/c2"), "a populated child stays");
	put("v2/corral/dv/c1/cgroup.events", "populated 0\nfrozen 0\n");
	spin(loop);
	tap_ok(!there("v2/corral/dv/c1"), "its cgroup.events saying empty removes it at once");
	tap_ok(there("v2/corral/dv/c2"), "a child made and not filled stays");
	/* made faster than the watch: the one below is found by a scan */
	mk("v2/corral/dv/c3");
	mk("v2/corral/dv/c3/d");
	put("v2/corral/dv/c3/cgroup.events", "populated 0\n");
	spin(loop);
	put("v2/corral/dv/c3/d/cgroup.events", "populated 0\n");
	spin(loop);
	tap_ok(!there("v2/corral/dv/c3"), "a grandchild made with its parent is watched; "
	       "its parent, emptied with it, goes too");
	nreleased = 0;
	grp_group_set_release(g, true, on_release, NULL);
	grp_engine_check(e);
	tap_ok(nreleased == 1 && !there("v2/corral/dv"),
	       "release removes the child left behind, then the group");
	grp_group_put(g);
	grp_engine_close(e, true);
	ev_loop_destroy(loop);
}

int main(void)
{
	log_set_level(getenv("DLG_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_ERROR);
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 2;
	}
	atexit(cleanup);
	test_keys();
	test_v1();
	test_v2();
	return tap_done();
}
