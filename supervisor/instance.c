/*
 * supervisor/instance.c - instances made at run time from a template.
 *
 * `initctl start NAME@INST` (or restart) for a service that is not loaded
 * reads the template NAME@.service from the services directory as the
 * service NAME@INST (its %i is INST: services/specifier.c), adds it and
 * starts it.  Such a run-time instance has no file of its own:
 *   - `initctl stop` drops it once it is down (it leaves status and list),
 *     as systemd forgets an instance nobody refers to any more; an
 *     instance that exits or fails by itself stays, so status can say why;
 *   - a reload reads it again from its template, like any changed file
 *     (restart to apply); a template that is gone stops and drops it; one
 *     that no longer loads leaves the running definition alone;
 *   - it is not started at boot: an instance meant to run at every boot
 *     is a NAME@INST.service symlink to the template in the directory.
 * An instance with a file of its own (NAME@INST.service, a symlink or a
 * copy) is an ordinary service loaded with the directory.
 */
#include "internal.h"
#include "../lib/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

struct service *sup_instance_add(const char *name, char *err, size_t len)
{
	char tmpl[SVC_NAME_MAX + 2], *path = NULL;
	struct svc_def def;
	struct service *s;
	struct stat st;

	*err = '\0';
	if (!sup.o.config_dir || svc_name_template(name, tmpl, sizeof(tmpl)) < 0)
		return NULL;		/* no instance name: "no service named" */
	if (asprintf(&path, "%s/services/%s.service", sup.o.config_dir, tmpl) < 0) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	if (stat(path, &st) < 0) {
		if (errno != ENOENT)
			snprintf(err, len, "no service named %s; template %s: %s", name, path,
				 strerror(errno));
		free(path);
		return NULL;
	}
	if (svc_load_file_as(path, name, &def, err, len) < 0) {
		free(path);
		return NULL;	/* err says file:line */
	}
	free(path);
	if (sup_add(&def) < 0) {
		snprintf(err, len, "cannot add %s: %s", name, strerror(errno));
		return NULL;
	}
	s = svc_find(name);
	s->transient = true;
	log_info("%s: instance made from %s", name, s->def.file);
	/* held: relinking may fail cycle members */
	sup_batch_begin();
	sup_link();
	sup_batch_end();
	return s;
}

void sup_instance_request(struct service *s, enum ctl_cmd cmd)
{
	if (!s->transient)
		return;
	if (cmd == CTL_START || cmd == CTL_RESTART) {
		s->removed = false;
		return;
	}
	if (cmd != CTL_STOP)
		return;
	/* dropped now if already down, else once it is (sup_sweep from the
	 * event queue); the caller must not touch s after this */
	s->removed = true;
	sup_sweep();
}

struct svc_def *sup_instances_reread(struct svc_def *defs, unsigned *n)
{
	struct svc_def *all;
	unsigned k = 0, m = *n;
	char err[1200];

	for (unsigned i = 0; i < sup.nsvcs; i++)
		k += sup.svcs[i]->transient;
	if (!k)
		return NULL;
	all = calloc(m + k, sizeof(*all));
	if (!all) {
		log_error("reload: out of memory reading the run-time instances again");
		return NULL;
	}
	if (m)
		memcpy(all, defs, m * sizeof(*all));	/* moved */
	for (unsigned i = 0; i < sup.nsvcs; i++) {
		struct service *s = sup.svcs[i];
		bool has_file = false;

		if (!s->transient)
			continue;
		for (unsigned j = 0; j < *n && !has_file; j++)
			has_file = !strcmp(defs[j].name, s->def.name);
		if (has_file) {
			/* NAME@INST.service appeared: an ordinary service now */
			s->transient = false;
			continue;
		}
		if (svc_load_file_as(s->def.file, s->def.name, &all[m], err, sizeof(err)) < 0) {
			log_error("%s; instance %s not read again", err, s->def.name);
			continue;
		}
		m++;
	}
	*n = m;
	return all;
}
