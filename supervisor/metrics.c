/*
 * supervisor/metrics.c - `initctl metrics`: the status of every service
 * and group in the Prometheus text exposition format (version 0.0.4),
 * for node_exporter's textfile collector or any scraper that runs it.
 *
 * Names are stable: corral_service_* labelled {service="NAME"} and
 * corral_group_* labelled {group="PATH"}, one series per group however
 * many services share it.  A family is written only with the samples the
 * status has (no cpu line without cpuacct, and so on).
 */
#include "views.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* a label value: backslash, double quote and newline escaped */
static void label(const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			printf("\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", stdout);
		else
			putchar(*v);
	}
}

/* HELP and TYPE of the family whose samples follow, written with its
 * first sample: a family with no samples is left out */
static struct { const char *name, *type, *help; } pending;

static void family(const char *name, const char *type, const char *help)
{
	pending.name = name;
	pending.type = type;
	pending.help = help;
}

static void header(void)
{
	if (!pending.name)
		return;
	printf("# HELP %s %s\n# TYPE %s %s\n", pending.name, pending.help, pending.name,
	       pending.type);
	pending.name = NULL;
}

static void svc_sample(const char *name, const struct vw_svc *s, const char *extra)
{
	header();
	printf("%s{service=\"", name);
	label(s->name);
	printf("\"%s", extra ? extra : "");
}

/* the first service of each group path: the one whose stats stand for it */
static bool group_first(const struct vw_status *st, unsigned i)
{
	for (unsigned k = 0; k < i; k++)
		if (!strcmp(st->svc[k].group, st->svc[i].group))
			return false;
	return *st->svc[i].group != '\0';
}

/* the group's values are in the first of its services that has them */
static const struct vw_svc *group_with(const struct vw_status *st, unsigned i, int what)
{
	for (unsigned k = i; k < st->n; k++) {
		const struct vw_svc *s = &st->svc[k];

		if (strcmp(s->group, st->svc[i].group))
			continue;
		if ((what == 0 && s->have_cpu) || (what == 1 && s->have_tasks) ||
		    (what == 2 && s->have_mem) || (what == 3 && *s->cpus))
			return s;
	}
	return NULL;
}

static void group_sample(const char *name, const char *group)
{
	header();
	printf("%s{group=\"", name);
	label(group);
	printf("\"");
}

static void services(const struct vw_status *st)
{
	static const char *const names[] = {
#define X(id, nm) nm,
		SVC_STATES(X)
#undef X
	};

	family("corral_service_state", "gauge",
	       "1 for the state the service is in, 0 for the others.");
	for (unsigned i = 0; i < st->n; i++)
		for (int k = 0; k < SVC_NSTATES; k++) {
			svc_sample("corral_service_state", &st->svc[i], NULL);
			printf(",state=\"%s\"} %d\n", names[k], st->svc[i].st == k);
		}
	family("corral_service_info", "gauge", "Always 1: the service's group path and type.");
	for (unsigned i = 0; i < st->n; i++) {
		svc_sample("corral_service_info", &st->svc[i], ",group=\"");
		label(st->svc[i].group);
		printf("\",type=\"");
		label(st->svc[i].type);
		printf("\"} 1\n");
	}
	family("corral_service_restarts_total", "counter",
	       "Automatic restarts of the service (Restart=).");
	for (unsigned i = 0; i < st->n; i++) {
		svc_sample("corral_service_restarts_total", &st->svc[i], NULL);
		printf("} %lu\n", st->svc[i].restarts);
	}
	family("corral_service_start_duration_seconds", "gauge",
	       "From the last start request to running (or done, a oneshot); "
	       "only for services that got there.");
	for (unsigned i = 0; i < st->n; i++) {
		double r = vw_ready(&st->svc[i]);

		if (r < 0)
			continue;
		svc_sample("corral_service_start_duration_seconds", &st->svc[i], NULL);
		printf("} %.6f\n", r - st->svc[i].start_requested);
	}
	family("corral_service_last_exit_code", "gauge",
	       "Exit status of the main process's last exit; absent if it never exited "
	       "or was killed by a signal.");
	for (unsigned i = 0; i < st->n; i++) {
		int v;

		if (sscanf(st->svc[i].last_exit, "exited %d", &v) != 1)
			continue;
		svc_sample("corral_service_last_exit_code", &st->svc[i], NULL);
		printf("} %d\n", v);
	}
	family("corral_service_last_exit_signal", "gauge",
	       "The signal that ended the main process's last run, if a signal did.");
	for (unsigned i = 0; i < st->n; i++) {
		int v;

		if (sscanf(st->svc[i].last_exit, "killed by signal %d", &v) != 1)
			continue;
		svc_sample("corral_service_last_exit_signal", &st->svc[i], NULL);
		printf("} %d\n", v);
	}
}

static void groups(const struct vw_status *st)
{
	const struct vw_svc *s;

	family("corral_group_cpu_seconds_total", "counter",
	       "CPU time the group's tasks used, by mode (cpuacct user and system).");
	for (unsigned i = 0; i < st->n; i++)
		if (group_first(st, i) && (s = group_with(st, i, 0))) {
			group_sample("corral_group_cpu_seconds_total", s->group);
			printf(",mode=\"user\"} %.3f\n", s->user_ms / 1e3);
			group_sample("corral_group_cpu_seconds_total", s->group);
			printf(",mode=\"system\"} %.3f\n", s->system_ms / 1e3);
		}
	family("corral_group_cpu_usage_seconds_total", "counter",
	       "CPU time the group's tasks used (cpuacct usage, nanosecond resolution).");
	for (unsigned i = 0; i < st->n; i++)
		if (group_first(st, i) && (s = group_with(st, i, 0))) {
			group_sample("corral_group_cpu_usage_seconds_total", s->group);
			printf("} %.9f\n", s->usage_ns / 1e9);
		}
	family("corral_group_tasks", "gauge", "Tasks in the group now (numtasks).");
	for (unsigned i = 0; i < st->n; i++)
		if (group_first(st, i) && (s = group_with(st, i, 1))) {
			group_sample("corral_group_tasks", s->group);
			printf("} %lld\n", s->tasks);
		}
	family("corral_group_tasks_max", "gauge",
	       "The group's task limit (numtasks.max); +Inf when unlimited.");
	for (unsigned i = 0; i < st->n; i++)
		if (group_first(st, i) && (s = group_with(st, i, 1))) {
			group_sample("corral_group_tasks_max", s->group);
			if (s->tasks_max < 0)
				printf("} +Inf\n");
			else
				printf("} %lld\n", s->tasks_max);
		}
	family("corral_group_fork_failures_total", "counter",
	       "Forks refused because the group was at its task limit.");
	for (unsigned i = 0; i < st->n; i++)
		if (group_first(st, i) && (s = group_with(st, i, 1))) {
			group_sample("corral_group_fork_failures_total", s->group);
			printf("} %llu\n", s->fork_failures);
		}
	family("corral_group_memory_bytes", "gauge", "Memory the group uses now.");
	for (unsigned i = 0; i < st->n; i++)
		if (group_first(st, i) && (s = group_with(st, i, 2))) {
			group_sample("corral_group_memory_bytes", s->group);
			printf("} %llu\n", s->mem);
		}
	family("corral_group_memory_max_bytes", "gauge",
	       "The group's memory limit; +Inf when unlimited.");
	for (unsigned i = 0; i < st->n; i++)
		if (group_first(st, i) && (s = group_with(st, i, 2))) {
			group_sample("corral_group_memory_max_bytes", s->group);
			if (s->mem_max)
				printf("} %llu\n", s->mem_max);
			else
				printf("} +Inf\n");
		}
	family("corral_group_info", "gauge", "Always 1: the group's effective cpus and memory nodes.");
	for (unsigned i = 0; i < st->n; i++)
		if (group_first(st, i) && (s = group_with(st, i, 3))) {
			group_sample("corral_group_info", s->group);
			printf(",cpus=\"");
			label(s->cpus);
			printf("\",mems=\"");
			label(s->mems);
			printf("\"} 1\n");
		}
}

int vw_metrics(int argc, char **argv)
{
	struct vw_status st;
	int rc;

	if (argc > 1) {
		fprintf(stderr, "initctl: metrics: unexpected argument '%s'\nusage: initctl metrics\n",
			argv[1]);
		return 2;
	}
	rc = vw_fetch(&st);
	if (rc)
		return rc;
	services(&st);
	groups(&st);
	vw_free(&st);
	return fflush(stdout) || ferror(stdout) ? 1 : 0;
}
