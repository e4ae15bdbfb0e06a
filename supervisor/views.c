/*
 * supervisor/views.c - what initctl's views share: one request to the
 * control socket, and the parser of the status text (supervisor/views.h).
 */
#include "views.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

const char *vw_socket;

void *vw_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (!q) {
		fprintf(stderr, "initctl: out of memory\n");
		exit(1);
	}
	return q;
}

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(vw_xrealloc(NULL, n), s, n);
}

int vw_call(enum ctl_cmd cmd, const char *name, uint32_t flags, char **out, size_t *len)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct ctl_request req = { .magic = CTL_MAGIC, .version = CTL_VERSION,
				   .size = sizeof(req), .cmd = cmd, .flags = flags };
	size_t cap = 65536, n = 0;
	char *buf, *nl;
	ssize_t r;
	int fd;

	if (name)
		snprintf(req.name, sizeof(req.name), "%s", name);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", vw_socket);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		fprintf(stderr, "initctl: unable to connect to %s: %s\n", sa.sun_path,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		return 3;
	}
	/* EPIPE: corral may have answered and hung up before reading the
	 * request (it does so when out of file descriptors): read its answer */
	if (send(fd, &req, sizeof(req), MSG_NOSIGNAL) != (ssize_t)sizeof(req) && errno != EPIPE) {
		fprintf(stderr, "initctl: unable to send to %s: %s\n", sa.sun_path,
			strerror(errno));
		close(fd);
		return 3;
	}
	buf = vw_xrealloc(NULL, cap);
	for (;;) {
		if (cap - n < 4096)
			buf = vw_xrealloc(buf, cap *= 2);
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	if (r < 0)
		fprintf(stderr, "initctl: unable to read from %s: %s\n", sa.sun_path,
			strerror(errno));
	close(fd);
	buf[n] = '\0';
	nl = memchr(buf, '\n', n);
	if (!nl) {
		fprintf(stderr, "initctl: no answer from %s\n", sa.sun_path);
		free(buf);
		return 3;
	}
	*nl = '\0';
	if (strcmp(buf, "ok")) {
		fprintf(stderr, "initctl: %s\n", buf);
		free(buf);
		return 1;
	}
	n -= (size_t)(nl + 1 - buf);
	memmove(buf, nl + 1, n + 1);
	*out = buf;
	*len = n;
	return 0;
}

static int state_index(const char *name)
{
	static const char *const names[] = {
#define X(id, nm) nm,
		SVC_STATES(X)
#undef X
	};

	for (int i = 0; i < SVC_NSTATES; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

static int bad(unsigned line, const char *key, const char *val)
{
	fprintf(stderr, "initctl: status answer, line %u: bad value for %s: '%s'\n",
		line, key, val);
	return -1;
}

static bool num_ull(const char *v, unsigned long long *out)
{
	char *end;

	if (*v < '0' || *v > '9')
		return false;
	errno = 0;
	*out = strtoull(v, &end, 10);
	return !errno && !*end;
}

static bool num_double(const char *v, double *out)
{
	char *end;

	if (!*v)
		return false;
	errno = 0;
	*out = strtod(v, &end);
	return !errno && !*end && *out >= 0;
}

/* "a b c" appended to a malloc'd array of copies */
static void split_names(char *v, char ***out, unsigned *n)
{
	char *save = NULL;

	for (char *tok = strtok_r(v, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		*out = vw_xrealloc(*out, (*n + 1) * sizeof(**out));
		(*out)[(*n)++] = xstrdup(tok);
	}
}

static int parse_history(struct vw_svc *s, char *v, unsigned line)
{
	char *save = NULL;

	for (char *t = strtok_r(v, " ", &save); t; t = strtok_r(NULL, " ", &save)) {
		char *st = strtok_r(NULL, " ", &save);
		double d;

		if (!st || !num_double(t, &d))
			return bad(line, "history", t);
		s->hist = vw_xrealloc(s->hist, (s->nhist + 1) * sizeof(*s->hist));
		s->hist[s->nhist++] = (struct vw_hist){ d, state_index(st) };
	}
	return 0;
}

int vw_parse(char *text, struct vw_status *st)
{
	struct vw_svc *s = NULL;
	unsigned line = 0;
	char *save = NULL;

	memset(st, 0, sizeof(*st));
	for (char *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *v = strchr(l, ' ');
		unsigned long long u;
		double d;

		line++;
		if (v)
			*v++ = '\0';
		else
			v = l + strlen(l);
		if (!strcmp(l, "service")) {
			st->svc = vw_xrealloc(st->svc, (st->n + 1) * sizeof(*st->svc));
			s = &st->svc[st->n++];
			memset(s, 0, sizeof(*s));
			s->name = xstrdup(v);
			s->st = -1;
			continue;
		}
		if (!s) {
			fprintf(stderr, "initctl: status answer, line %u: '%s' before any service\n",
				line, l);
			return -1;
		}
#define STR(key, field) \
		if (!strcmp(l, key)) { free(s->field); s->field = xstrdup(v); continue; }
		STR("type", type) STR("group", group) STR("last_exit", last_exit)
		STR("cpus", cpus) STR("mems", mems)
#undef STR
		if (!strcmp(l, "state")) {
			free(s->state);
			s->state = xstrdup(v);
			s->st = state_index(v);
		} else if (!strcmp(l, "pid")) {
			s->pid = strtol(v, NULL, 10);
		} else if (!strcmp(l, "restarts")) {
			if (!num_ull(v, &u))
				return bad(line, l, v);
			s->restarts = (unsigned long)u;
		} else if (!strcmp(l, "numtasks_current")) {
			if (!num_ull(v, &u))
				return bad(line, l, v);
			s->tasks = (long long)u;
			s->have_tasks = true;
		} else if (!strcmp(l, "numtasks_max")) {
			if (!strcmp(v, "max"))
				s->tasks_max = -1;
			else if (num_ull(v, &u))
				s->tasks_max = (long long)u;
			else
				return bad(line, l, v);
		} else if (!strcmp(l, "fork_failures")) {
			if (!num_ull(v, &s->fork_failures))
				return bad(line, l, v);
		} else if (!strcmp(l, "cpu_user_ms")) {
			if (!num_ull(v, &s->user_ms))
				return bad(line, l, v);
			s->have_cpu = true;
		} else if (!strcmp(l, "cpu_system_ms")) {
			if (!num_ull(v, &s->system_ms))
				return bad(line, l, v);
		} else if (!strcmp(l, "cpu_usage_ns")) {
			if (!num_ull(v, &s->usage_ns))
				return bad(line, l, v);
		} else if (!strcmp(l, "memory_current")) {
			if (!num_ull(v, &s->mem))
				return bad(line, l, v);
			s->have_mem = true;
		} else if (!strcmp(l, "memory_max")) {
			if (!strcmp(v, "max"))
				s->mem_max = 0;
			else if (!num_ull(v, &s->mem_max))
				return bad(line, l, v);
		} else if (!strcmp(l, "now_mono")) {
			if (!num_double(v, &d))
				return bad(line, l, v);
			s->now_mono = d;
		} else if (!strcmp(l, "start_requested")) {
			if (!num_double(v, &d))
				return bad(line, l, v);
			s->start_requested = d;
		} else if (!strcmp(l, "history")) {
			if (parse_history(s, v, line) < 0)
				return -1;
		} else if (!strcmp(l, "after")) {
			split_names(v, &s->after, &s->nafter);
		} else if (!strcmp(l, "requires")) {
			split_names(v, &s->requires, &s->nrequires);
		}
	}
	/* an older corral without the usage counter: the user+system sum */
	for (unsigned i = 0; i < st->n; i++) {
		s = &st->svc[i];
		if (s->have_cpu && !s->usage_ns)
			s->usage_ns = (s->user_ms + s->system_ms) * 1000000ull;
#define DEF(field) if (!s->field) s->field = xstrdup("")
		DEF(state); DEF(type); DEF(group); DEF(last_exit); DEF(cpus); DEF(mems);
#undef DEF
	}
	return 0;
}

void vw_free(struct vw_status *st)
{
	for (unsigned i = 0; i < st->n; i++) {
		struct vw_svc *s = &st->svc[i];

		free(s->name); free(s->state); free(s->type); free(s->group);
		free(s->last_exit); free(s->cpus); free(s->mems); free(s->hist);
		for (unsigned k = 0; k < s->nafter; k++)
			free(s->after[k]);
		for (unsigned k = 0; k < s->nrequires; k++)
			free(s->requires[k]);
		free(s->after);
		free(s->requires);
	}
	free(st->svc);
	memset(st, 0, sizeof(*st));
}

int vw_fetch(struct vw_status *st)
{
	char *text;
	size_t len;
	int rc = vw_call(CTL_STATUS, NULL, 0, &text, &len);

	memset(st, 0, sizeof(*st));
	if (rc)
		return rc;
	if (vw_parse(text, st) < 0) {
		free(text);
		vw_free(st);
		return 1;
	}
	free(text);
	return 0;
}

struct vw_svc *vw_find(struct vw_status *st, const char *name)
{
	for (unsigned i = 0; i < st->n; i++)
		if (!strcmp(st->svc[i].name, name))
			return &st->svc[i];
	return NULL;
}

/* the first transition into one of the states of mask since the request */
static double first_since_request(const struct vw_svc *s, unsigned mask)
{
	if (s->start_requested <= 0)
		return -1;
	for (unsigned i = 0; i < s->nhist; i++)
		if (s->hist[i].t >= s->start_requested && s->hist[i].st >= 0 &&
		    (mask & (1u << s->hist[i].st)))
			return s->hist[i].t;
	return -1;
}

double vw_started(const struct vw_svc *s)
{
	return first_since_request(s, 1u << SVC_STARTING);
}

double vw_ready(const struct vw_svc *s)
{
	return first_since_request(s, 1u << SVC_RUNNING | 1u << SVC_DONE);
}

double vw_origin(const struct vw_status *st)
{
	double o = -1;

	for (unsigned i = 0; i < st->n; i++) {
		const struct vw_svc *s = &st->svc[i];

		if (s->start_requested > 0 && (o < 0 || s->start_requested < o))
			o = s->start_requested;
		for (unsigned k = 0; k < s->nhist; k++)
			if (o < 0 || s->hist[k].t < o)
				o = s->hist[k].t;
	}
	return o < 0 ? 0 : o;
}
