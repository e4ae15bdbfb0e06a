/*
 * supervisor/units.c - targets, and the names of dependencies turned into
 * edges (for sup_link).
 *
 * Real unit files name units corral does not have: targets, sockets,
 * mounts.  The rules:
 *   - a name with a .service suffix, or none, is a service (or an Alias=
 *     of one).  A Requires=, BindsTo= or Requisite= service that is not
 *     loaded fails the unit when it starts (as Requires= always did);
 *     After=, Before=, Wants=, PartOf= and Conflicts= on one are nothing;
 *   - a built-in target (the table below) that some unit names is added
 *     to the table as a unit of its own, shown by initctl list/status;
 *     a NAME.target file in the services directory replaces its
 *     definition, and may define targets of its own;
 *   - any other unit (.socket, .mount, .path, .timer, .slice, .device,
 *     .swap, an unknown .target, ...) is satisfied: one notice per name,
 *     however many units name it, for as long as corral runs.
 *
 * A target runs nothing: started, it waits for what it is ordered after
 * like any unit, then is reached ("running") at once; stopped, it is down
 * at once.  So a target is reached when every unit ordered before it
 * (After= in the target, or Before= in the unit) that is wanted up has
 * started, a oneshot when it is done.  The built-in ones are started at
 * boot, except those reached only on request (shutdown.target and the
 * like: corral's own shutdown stops every service, so Conflicts= and
 * Before= on them ask for nothing more).  multi-user.target is also
 * ordered after every unit that is not itself ordered after it, so it is
 * reached once everything started at boot is running, done or failed.
 *
 * DefaultDependencies=yes (the default) orders a service after
 * basic.target when that target exists (some unit names it, so some unit
 * may be ordered before it), unless basic.target is itself ordered after
 * the service; the rest of what systemd adds (Requires=sysinit.target,
 * Conflicts= and Before=shutdown.target) already holds: sysinit.target
 * comes before basic.target, and corral's shutdown stops everything.
 *
 * Edge kinds (internal.h SVC_DEP_*): After= and Before= (the reverse)
 * order; Requires= also orders (corral's rule) and pulls the unit in;
 * BindsTo= is Requires= plus stopping when the other goes; Requisite=
 * orders but never pulls in; Wants= pulls in only; PartOf= and
 * Conflicts= only carry stops, restarts and starts (state.c).
 */
#include "internal.h"
#include "../lib/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The well-known targets.  Each is what a NAME.target file with this text
 * would be; see man/corral.service.5 for when each is reached. */
static const struct builtin {
	const char *name;
	bool on_request;	/* never started at boot */
	const char *text;
} builtins[] = {
	{ "sysinit.target", false, "Description=System initialisation (corral is up)\n" },
	{ "local-fs-pre.target", false, "Description=Before local file systems\n" },
	{ "local-fs.target", false, "Description=Local file systems (mounted before corral)\n"
				    "After=local-fs-pre.target\n" },
	{ "swap.target", false, "Description=Swap\n" },
	{ "sockets.target", false, "Description=Sockets\n" },
	{ "paths.target", false, "Description=Paths\n" },
	{ "timers.target", false, "Description=Timers\n" },
	{ "slices.target", false, "Description=Slices\n" },
	{ "basic.target", false, "Description=Basic system\n"
				 "After=sysinit.target local-fs.target sockets.target\n" },
	{ "network-pre.target", false, "Description=Before the network is set up\n" },
	{ "network.target", false, "Description=Network\nAfter=network-pre.target\n" },
	{ "network-online.target", false, "Description=Network is online\n"
					  "After=network.target\n" },
	{ "nss-lookup.target", false, "Description=Host and network name lookups\n" },
	{ "nss-user-lookup.target", false, "Description=User and group name lookups\n" },
	{ "time-sync.target", false, "Description=System time synchronised\n" },
	{ "remote-fs-pre.target", false, "Description=Before remote file systems\n" },
	{ "remote-fs.target", false, "Description=Remote file systems\n"
				     "After=remote-fs-pre.target\n" },
	{ "getty.target", false, "Description=Login prompts\n" },
	/* also after every unit not ordered after it: see after_all() */
	{ "multi-user.target", false, "Description=Multi-user system (all started)\n"
				      "After=basic.target\n" },
	{ "graphical.target", false, "Description=Graphical system (= multi-user)\n"
				     "Wants=multi-user.target\nAfter=multi-user.target\n" },
	{ "default.target", false, "Description=Default target (= multi-user)\n"
				   "Wants=multi-user.target\nAfter=multi-user.target\n" },
	{ "shutdown.target", true, "Description=Shutdown (corral stops every service)\n" },
	{ "final.target", true, "Description=Late shutdown\n" },
	{ "umount.target", true, "Description=Unmount file systems\n" },
	{ "reboot.target", true, "Description=Reboot (initctl reboot)\n" },
	{ "poweroff.target", true, "Description=Power off (initctl poweroff)\n" },
	{ "halt.target", true, "Description=Halt (initctl halt)\n" },
	{ "rescue.target", true, "Description=Rescue mode (not in corral)\n" },
	{ "emergency.target", true, "Description=Emergency mode (not in corral)\n" },
};

#define NBUILTIN (sizeof(builtins) / sizeof(*builtins))
#define AFTER_ALL "multi-user.target"

static const struct builtin *builtin_find(const char *name)
{
	for (unsigned i = 0; i < NBUILTIN; i++)
		if (!strcmp(builtins[i].name, name))
			return &builtins[i];
	return NULL;
}

static bool on_request(const struct service *s)
{
	const struct builtin *b = s->def.target ? builtin_find(s->def.name) : NULL;

	return b && b->on_request;
}

/* A service's name: no suffix of another unit type (.service is dropped
 * by the loader). */
static bool service_name(const char *name)
{
	static const char *const kinds[] = { ".target", ".socket", ".mount", ".automount",
					     ".swap", ".path", ".timer", ".slice", ".scope",
					     ".device" };
	size_t n = strlen(name);

	for (unsigned i = 0; i < sizeof(kinds) / sizeof(*kinds); i++) {
		size_t k = strlen(kinds[i]);

		if (n > k && !strcmp(name + n - k, kinds[i]))
			return false;
	}
	return true;
}

/* set by units_boot_start(): a target added later (by a reload that
 * brought the first unit naming it) is started like a new service */
static bool booted;

/* Every list of names of a definition, with the key it came from. */
static unsigned names_of(const struct svc_def *d, char ***lists, unsigned *counts)
{
	unsigned k = 0;

	lists[k] = d->after;
	counts[k++] = d->nafter;
	lists[k] = d->requires;
	counts[k++] = d->nrequires;
	for (int r = 0; r < SVC_NREL; r++) {
		lists[k] = d->rel[r];
		counts[k++] = d->nrel[r];
	}
	return k;
}

/* Add the built-in targets that loaded units name and that are not
 * loaded; a target added here may name others, so the table is walked
 * to its (growing) end. */
static void materialize(void)
{
	for (unsigned i = 0; i < sup.nsvcs; i++) {
		char **lists[SVC_NREL + 2];
		unsigned counts[SVC_NREL + 2], nl = names_of(&sup.svcs[i]->def, lists, counts);

		for (unsigned l = 0; l < nl; l++)
			for (unsigned j = 0; j < counts[l]; j++) {
				const char *name = lists[l][j];
				const struct builtin *b = builtin_find(name);
				struct svc_def def;
				char text[512], err[600];

				if (!b || svc_find_any(name))
					continue;
				snprintf(text, sizeof(text), "[Unit]\n%s", b->text);
				if (svc_load_string(name, text, &def, err, sizeof(err)) < 0) {
					log_error("built-in %s: %s", name, err);
					continue;
				}
				def.builtin = true;
				if (sup_add(&def) < 0)
					continue;
				sup.svcs[sup.nsvcs - 1]->added_by_reload = booted && !b->on_request;
				log_debug("%s: built-in target, named by %s", name,
					  sup.svcs[i]->def.name);
			}
	}
}

/* name -> service, for names and aliases, sorted for bsearch */
struct entry {
	const char *name;
	struct service *svc;
};

static int entry_cmp(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->name, ((const struct entry *)b)->name);
}

/* the same, then by the unit's own name: equal names (an alias two units
 * claim) sort the same whatever the load order */
static int entry_order(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : strcmp(x->svc->def.name, y->svc->def.name);
}

static struct entry *table;
static unsigned ntable;

static bool table_build(void)
{
	unsigned n = 0;

	for (unsigned i = 0; i < sup.nsvcs; i++)
		n += 1 + sup.svcs[i]->def.nalias;
	free(table);
	table = malloc((n + 1) * sizeof(*table));
	ntable = 0;
	if (!table)
		return false;
	for (unsigned i = 0; i < sup.nsvcs; i++) {
		struct service *s = sup.svcs[i];

		table[ntable++] = (struct entry){ s->def.name, s };
		for (unsigned a = 0; a < s->def.nalias; a++)
			table[ntable++] = (struct entry){ s->def.alias[a], s };
	}
	qsort(table, ntable, sizeof(*table), entry_order);
	return true;
}

/* The unit called name: its own name wins over another's alias; of two
 * units with the same alias, the first by name. */
static struct service *lookup(const char *name)
{
	struct entry key = { name, NULL }, *hit;

	hit = bsearch(&key, table, ntable, sizeof(*table), entry_cmp);
	if (!hit)
		return NULL;
	while (hit > table && !strcmp(hit[-1].name, name))
		hit--;
	for (struct entry *e = hit; e < table + ntable && !strcmp(e->name, name); e++)
		if (!strcmp(e->svc->def.name, name))
			return e->svc;
	return hit->svc;
}

/* The unknown units already reported, for one notice per name. */
static char **noticed;
static unsigned nnoticed, capnoticed;

static void notice_once(const struct service *s, const char *key, const char *name)
{
	char *copy;

	for (unsigned i = 0; i < nnoticed; i++)
		if (!strcmp(noticed[i], name))
			return;
	if (nnoticed == capnoticed) {
		unsigned cap = capnoticed ? capnoticed * 2 : 16;
		char **v = reallocarray(noticed, cap, sizeof(*v));

		if (!v)
			return;	/* only a repeated notice is lost */
		noticed = v;
		capnoticed = cap;
	}
	copy = strdup(name);
	if (!copy)
		return;
	noticed[nnoticed++] = copy;
	log_info("%s: %s=%s: corral has no such unit; treated as satisfied "
		 "(said once per unit name)", s->def.name, key, name);
}

/* Append an edge s -> d that s does not have yet. */
static void edge_append(struct service *s, struct service *d, unsigned kind)
{
	if (s->ndeps == s->capdeps) {
		unsigned cap = s->capdeps ? s->capdeps * 2 : 4;
		struct svc_edge *v = reallocarray(s->deps, cap, sizeof(*v));

		if (!v) {
			log_error("%s: out of memory resolving dependencies; one edge lost",
				  s->def.name);
			return;
		}
		s->deps = v;
		s->capdeps = cap;
	}
	s->deps[s->ndeps++] = (struct svc_edge){ d, kind };
}

/* An edge s -> d, merged into the one s has to d if any. */
static void edge_add(struct service *s, struct service *d, unsigned kind)
{
	for (unsigned i = 0; i < s->ndeps; i++)
		if (s->deps[i].svc == d) {
			s->deps[i].kind |= kind;
			return;
		}
	edge_append(s, d, kind);
}

/* The unit a name of s refers to, or NULL (then reported as above). */
static struct service *resolve(struct service *s, const char *key, const char *name,
			       unsigned kind)
{
	struct service *d = lookup(name);

	if (d)
		return d;
	if (!service_name(name))
		notice_once(s, key, name);
	else if (kind & (SVC_DEP_REQUIRES | SVC_DEP_REQUISITE)) {
		if (!s->missing) {
			s->missing = name;
			log_error("%s: requires %s, which is not loaded", s->def.name, name);
		}
	} else {
		log_debug("%s: %s=%s, which is not loaded", s->def.name, key, name);
	}
	return NULL;
}

static void link_list(struct service *s, const char *key, char **names, unsigned n,
		      unsigned kind)
{
	for (unsigned i = 0; i < n; i++) {
		struct service *d = resolve(s, key, names[i], kind);

		/* an ordering edge to itself (through an alias) is a cycle
		 * for find_cycles to report; any other kind means nothing */
		if (!d || (d == s && !(kind & SVC_DEP_ORDER)))
			continue;
		if (kind == SVC_DEP_CONFLICTS)
			edge_add(d, s, kind);	/* both ways: each keeps the other down */
		if (!strcmp(key, "Before"))
			edge_add(d, s, SVC_DEP_AFTER);
		else
			edge_add(s, d, kind);
	}
}

/* DefaultDependencies=yes: order services after basic.target, except
 * those basic.target is ordered after, directly or not (a cycle). */
static void default_deps(void)
{
	struct service *t = lookup("basic.target");
	unsigned n = sup.nsvcs, head = 0, tail = 0;
	unsigned *queue;
	bool *reach;

	if (!t)
		return;	/* nothing is ordered before it: it would be reached at once */
	queue = calloc(n + 1, sizeof(unsigned));
	reach = calloc(n + 1, sizeof(bool));
	if (!queue || !reach) {
		log_error("out of memory ordering services after basic.target");
		goto out;
	}
	reach[t->idx] = true;
	queue[tail++] = t->idx;
	while (head < tail) {
		struct service *v = sup.svcs[queue[head++]];

		for (unsigned e = 0; e < v->ndeps; e++) {
			unsigned w = v->deps[e].svc->idx;

			if ((v->deps[e].kind & SVC_DEP_ORDER) && !reach[w]) {
				reach[w] = true;
				queue[tail++] = w;
			}
		}
	}
	for (unsigned i = 0; i < n; i++) {
		struct service *s = sup.svcs[i];

		if (!s->def.target && s->def.default_deps && !reach[i])
			edge_add(s, t, SVC_DEP_AFTER);
	}
out:
	free(queue);
	free(reach);
}

/* Order t after every unit that does not reach t along ordering edges
 * (those ordered after it, directly or not, must not be waited for: that
 * would be a cycle). */
static void after_all(struct service *t)
{
	unsigned n = sup.nsvcs, head = 0, tail = 0;
	unsigned *start = calloc(n + 1, sizeof(unsigned)), *fill = calloc(n + 1, sizeof(unsigned));
	unsigned *from = NULL, *queue = calloc(n + 1, sizeof(unsigned)), total = 0;
	bool *reach = calloc(n + 1, sizeof(bool));

	if (!start || !fill || !queue || !reach)
		goto oom;
	/* the reverse ordering edges, as one array indexed by start[] */
	for (unsigned i = 0; i < n; i++)
		for (unsigned e = 0; e < sup.svcs[i]->ndeps; e++)
			if (sup.svcs[i]->deps[e].kind & SVC_DEP_ORDER) {
				start[sup.svcs[i]->deps[e].svc->idx + 1]++;
				total++;
			}
	for (unsigned i = 0; i < n; i++)
		start[i + 1] += start[i];
	from = calloc(total + 1, sizeof(unsigned));
	if (!from)
		goto oom;
	for (unsigned i = 0; i < n; i++)
		for (unsigned e = 0; e < sup.svcs[i]->ndeps; e++)
			if (sup.svcs[i]->deps[e].kind & SVC_DEP_ORDER) {
				unsigned d = sup.svcs[i]->deps[e].svc->idx;

				from[start[d] + fill[d]++] = i;
			}
	reach[t->idx] = true;
	queue[tail++] = t->idx;
	while (head < tail) {
		unsigned v = queue[head++];

		for (unsigned k = start[v]; k < start[v + 1]; k++)
			if (!reach[from[k]]) {
				reach[from[k]] = true;
				queue[tail++] = from[k];
			}
	}
	/* merged by hand: edge_add() would scan t's edges once per unit */
	for (unsigned e = 0; e < t->ndeps; e++) {
		if (!reach[t->deps[e].svc->idx] && !on_request(t->deps[e].svc))
			t->deps[e].kind |= SVC_DEP_AFTER;
		reach[t->deps[e].svc->idx] = true;	/* done */
	}
	for (unsigned i = 0; i < n; i++)
		if (!reach[i] && !on_request(sup.svcs[i]))
			edge_append(t, sup.svcs[i], SVC_DEP_AFTER);
	goto out;
oom:
	log_error("%s: out of memory ordering it after every unit", t->def.name);
out:
	free(start);
	free(fill);
	free(from);
	free(queue);
	free(reach);
}

void units_resolve(void)
{
	static const unsigned rel_kind[SVC_NREL] = {
		[SVC_REL_WANTS] = SVC_DEP_WANTS,
		[SVC_REL_BEFORE] = SVC_DEP_AFTER,	/* reversed in link_list */
		[SVC_REL_PARTOF] = SVC_DEP_PARTOF,
		[SVC_REL_BINDSTO] = SVC_DEP_REQUIRES | SVC_DEP_BINDS,
		[SVC_REL_CONFLICTS] = SVC_DEP_CONFLICTS,
		[SVC_REL_REQUISITE] = SVC_DEP_REQUISITE,
	};

	materialize();
	for (unsigned i = 0; i < sup.nsvcs; i++) {
		struct service *s = sup.svcs[i];

		free(s->deps);
		free(s->rdeps);
		s->deps = s->rdeps = NULL;
		s->ndeps = s->nrdeps = s->capdeps = 0;
		s->missing = NULL;
		s->in_cycle = false;
	}
	if (!table_build()) {
		log_error("out of memory resolving dependencies");
		return;
	}
	for (unsigned i = 0; i < sup.nsvcs; i++) {
		struct service *s = sup.svcs[i];

		link_list(s, "Requires", s->def.requires, s->def.nrequires, SVC_DEP_REQUIRES);
		link_list(s, "After", s->def.after, s->def.nafter, SVC_DEP_AFTER);
		for (int r = 0; r < SVC_NREL; r++)
			link_list(s, svc_rel_key((enum svc_rel)r), s->def.rel[r], s->def.nrel[r],
				  rel_kind[r]);
	}
	default_deps();
	/* the names are the definitions': nothing may keep pointing into them */
	free(table);
	table = NULL;
	ntable = 0;
	for (unsigned i = 0; i < sup.nsvcs; i++)
		if (sup.svcs[i]->def.target && !strcmp(sup.svcs[i]->def.name, AFTER_ALL))
			after_all(sup.svcs[i]);
}

bool units_boot_start(const struct service *s)
{
	booted = true;
	if (on_request(s)) {
		log_debug("%s: reached on request only; not started at boot", s->def.name);
		return false;
	}
	/* two enabled units that conflict: the one whose name sorts first
	 * starts, whatever the load order */
	for (unsigned i = 0; i < s->ndeps; i++) {
		const struct service *o = s->deps[i].svc;

		if ((s->deps[i].kind & SVC_DEP_CONFLICTS) && o != s && !o->in_cycle &&
		    !on_request(o) && svc_enabled(o) && strcmp(o->def.name, s->def.name) < 0) {
			log_warn("%s: conflicts with %s, which also starts at boot; "
				 "not started", s->def.name, o->def.name);
			return false;
		}
	}
	return true;
}
