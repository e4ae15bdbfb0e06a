/*
 * grouping/subsys.c - the generic half of the subsystem descriptors: the
 * ops table, limits by key, status fields by walk.
 *
 * Each subsystem file declares the limit keys it owns (struct grp_key) and
 * the status fields it reports (struct grp_field).  Everything outside
 * those files (the service loader, the status emitters, the group code)
 * goes through the functions here, so adding a subsystem touches its own
 * file and one line of subsys_list.h.
 */
#include "internal.h"
#include "../lib/json.h"
#include "../lib/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUBSYS(n, k) &grp_##n##_subsys,
const struct grp_subsys *const grp_subsys_table[GRP_SUBSYS_COUNT] = {
#include "subsys_list.h"
};
#undef SUBSYS

static const struct grp_key *find_key(const char *name, unsigned *ss)
{
	for (unsigned s = 0; s < GRP_SUBSYS_COUNT; s++) {
		const struct grp_subsys *t = grp_subsys_table[s];

		for (unsigned i = 0; i < t->nkeys; i++)
			if (!strcmp(name, t->keys[i].name) ||
			    (t->keys[i].alias && !strcmp(name, t->keys[i].alias))) {
				*ss = s;
				return &t->keys[i];
			}
	}
	return NULL;
}

bool grp_key_known(const char *key)
{
	unsigned ss;

	return find_key(key, &ss) != NULL;
}

const char *grp_key_at(unsigned ss, unsigned i, const char **alias)
{
	if (ss >= GRP_SUBSYS_COUNT || i >= grp_subsys_table[ss]->nkeys)
		return NULL;
	if (alias)
		*alias = grp_subsys_table[ss]->keys[i].alias;
	return grp_subsys_table[ss]->keys[i].name;
}

const char *grp_limit_name(const struct grp_limit *lim)
{
	return lim->key->name;
}

void grp_limits_init(struct grp_limits *l)
{
	l->n = 0;
	l->v = NULL;
}

void grp_limits_free(struct grp_limits *l)
{
	for (unsigned i = 0; i < l->n; i++)
		free(l->v[i].value);
	free(l->v);
	grp_limits_init(l);
}

static struct grp_limit *slot(struct grp_limits *l, const struct grp_key *k)
{
	for (unsigned i = 0; i < l->n; i++)
		if (l->v[i].key == k)
			return &l->v[i];
	return NULL;
}

/* set k to a canonical value: replaces, or appends one slot */
static int put(struct grp_limits *l, unsigned ss, const struct grp_key *k, const char *value)
{
	struct grp_limit *s = slot(l, k), *nv;
	char *copy = strdup(value);

	if (!copy)
		return -1;
	if (s) {
		free(s->value);
		s->value = copy;
		return 0;
	}
	nv = realloc(l->v, (l->n + 1) * sizeof(*nv));
	if (!nv) {
		free(copy);
		return -1;
	}
	l->v = nv;
	l->v[l->n++] = (struct grp_limit){ ss, k, copy };
	return 0;
}

int grp_limits_copy(struct grp_limits *dst, const struct grp_limits *src)
{
	grp_limits_free(dst);
	for (unsigned i = 0; i < src->n; i++)
		if (put(dst, src->v[i].ss, src->v[i].key, src->v[i].value) < 0) {
			grp_limits_free(dst);
			return -1;
		}
	return 0;
}

int grp_limits_set(struct grp_limits *l, const char *key, const char *value,
		   char *err, size_t errlen)
{
	char canon[GRP_LIST_MAX];
	const struct grp_key *k;
	const char *why = "bad value";
	unsigned ss;

	k = find_key(key, &ss);
	if (!k)
		return 0;
	if (k->parse(value, canon, sizeof(canon), &why) < 0) {
		snprintf(err, errlen, "%s: '%s' %s", key, value, why);
		errno = EINVAL;
		return -1;
	}
	if (put(l, ss, k, canon) < 0) {
		snprintf(err, errlen, "%s: out of memory", key);
		return -1;
	}
	return 1;
}

const char *grp_limits_get(const struct grp_limits *l, const char *key)
{
	unsigned ss;
	const struct grp_key *k = find_key(key, &ss);
	struct grp_limit *s = k ? slot((struct grp_limits *)l, k) : NULL;

	return s ? s->value : NULL;
}

/* The file a key writes in c's hierarchy, or NULL (err says why). */
const char *grp_key_file(struct grp_container *c, const struct grp_key *k,
			    char *err, size_t errlen)
{
	const char *f = c->h->v2 ? k->v2_file : k->v1_file;

	if (!f)
		snprintf(err, errlen, "%s: only on cgroup %s; %s is cgroup %s",
			 k->name, c->h->v2 ? "v1" : "v2", c->h->mnt, c->h->v2 ? "v2" : "v1");
	return f;
}

int grp_key_write(struct grp_container *c, const struct grp_key *k, const char *value)
{
	char buf[GRP_LIST_MAX], err[8];
	const char *f = grp_key_file(c, k, err, sizeof(err));
	const char *v = value;

	if (!f) {
		errno = EOPNOTSUPP;
		return -1;
	}
	if (k->to_file && !(v = k->to_file(c, value, buf, sizeof(buf))))
		return -1;
	return grp_file_write(c, f, v);
}

int grp_limits_apply(struct grp_container *c, const struct grp_limits *l)
{
	for (unsigned s = 0; s < GRP_SUBSYS_COUNT; s++) {
		if (!(c->h->mask & (1u << s)))
			continue;
		for (unsigned i = 0; i < l->n; i++)
			if (l->v[i].ss == s && grp_key_write(c, l->v[i].key, l->v[i].value) < 0)
				return -1;
	}
	return 0;
}

int grp_limits_remember(struct grp_container *c, const struct grp_limits *l)
{
	for (unsigned i = 0; i < l->n; i++)
		if ((c->h->mask & (1u << l->v[i].ss)) &&
		    put(&c->limits, l->v[i].ss, l->v[i].key, l->v[i].value) < 0)
			return -1;
	return 0;
}

bool grp_stats_next(const struct grp_stats *st, struct grp_stat_iter *it,
		    const struct grp_field **f, const struct grp_value **v)
{
	for (; it->ss < GRP_SUBSYS_COUNT; it->ss++, it->i = 0) {
		const struct grp_subsys *ss = grp_subsys_table[it->ss];

		if (!(st->have & (1u << it->ss)))
			continue;
		while (it->i < ss->nfields) {
			unsigned i = it->i++;

			if (st->v[it->ss][i].set) {
				*f = &ss->fields[i];
				*v = &st->v[it->ss][i];
				return true;
			}
		}
	}
	return false;
}

const char *grp_value_format(const struct grp_field *f, const struct grp_value *v,
			     bool json, char *buf, size_t len)
{
	bool limit = f->kind == GRP_FIELD_LIMIT || f->kind == GRP_FIELD_BYTES_LIMIT;

	if (f->kind == GRP_FIELD_LIST) {
		if (!json) {
			snprintf(buf, len, "%s", v->text);
			return buf;
		}
		if (json_quote(buf, len, v->text, strlen(v->text)) >= len)
			snprintf(buf, len, "\"\"");
		return buf;
	}
	if (limit && v->n == GRP_VALUE_MAX)
		snprintf(buf, len, json ? "\"max\"" : "max");
	else
		snprintf(buf, len, "%llu", (unsigned long long)v->n);
	return buf;
}

const struct grp_field *grp_field_at(unsigned ss, unsigned i)
{
	if (ss >= GRP_SUBSYS_COUNT || i >= grp_subsys_table[ss]->nfields)
		return NULL;
	return &grp_subsys_table[ss]->fields[i];
}

const struct grp_field *grp_field_lookup(const char *name)
{
	const struct grp_field *f;

	for (unsigned s = 0; s < GRP_SUBSYS_COUNT; s++)
		for (unsigned i = 0; (f = grp_field_at(s, i)); i++)
			if (!strcmp(f->name, name))
				return f;
	return NULL;
}
