/*
 * services/verify.h - check service files without running them
 * (initctl verify, corral --verify; services/verify.c).
 */
#ifndef CORRAL_SERVICES_VERIFY_H
#define CORRAL_SERVICES_VERIFY_H

#include <stdbool.h>
#include <stdio.h>

/* Load each of files[0..n) exactly as corral would (svc_load_file) and
 * write to f, per file: loaded or rejected with the error (file:line),
 * every warning and ignored key the loader gives (none capped or logged),
 * and what will happen: the argv of each Exec line, user, group, working
 * directory, type, restart policy, timeouts, limits of the group,
 * dependencies, and notes about this machine (a missing user or program).
 * json: one JSON object instead of text.  Returns 0 if every file loads,
 * 1 if any is rejected. */
int svc_verify(FILE *f, char *const *files, int n, bool json);
/* The command line after "verify" (argc/argv without it): [--json] [--]
 * FILE...; the report on stdout.  Returns the exit status: 0 all load,
 * 1 one or more rejected (or the report could not be written), 2 usage
 * error (message on stderr naming prog). */
int svc_verify_main(const char *prog, int argc, char **argv, bool json);

#endif
