/*
 * services/internal.h - shared by the services module's files only.
 */
#ifndef CORRAL_SERVICES_INTERNAL_H
#define CORRAL_SERVICES_INTERNAL_H

#include "services.h"

#include <stdbool.h>
#include <stddef.h>

/* What %-specifiers of one file resolve against (specifier.c). */
struct svc_spec {
	const char *name;		/* the service name: "getty@tty1" */
	const char *text, *end;		/* the file's bytes, searched for User= */
	char *user;			/* %u once known */
	bool user_done;			/* user is set */
	bool in_user;			/* expanding User= itself */
	char why[160];			/* the last error message */
};

void svc_spec_init(struct svc_spec *sp, const char *name, const char *text, size_t len);
void svc_spec_free(struct svc_spec *sp);
/* v with every specifier replaced: a malloc'd string, or NULL with *why
 * (an unknown specifier, %h of a user that does not exist, no memory). */
char *svc_spec_expand(struct svc_spec *sp, const char *v, const char **why);

/* "NAME=value" entries v[0..*n): one per name, the last assignment
 * winning, in their order (the dropped ones freed); O(n log n) however
 * many (envfile.c).  0, or -1 out of memory. */
int svc_env_dedup(char **v, unsigned *n);

#endif
