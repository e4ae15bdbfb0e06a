/*
 * services/exec_keys.c - parsing the systemd.exec(5)/systemd.kill(5) keys of
 * services/exec.h, the Restart= table, and the list of systemd keys corral
 * knows but does not enforce.
 *
 * Every value is checked whole here, so a bad one rejects the file at
 * load time with file:line (the loader adds them) instead of failing a
 * start later.  Names that need the system (groups, users) are looked up
 * at each start, like User=.
 */
#include "services.h"
#include "../lib/log.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>

static const char *const signames[] = {
	[SIGHUP] = "SIGHUP", [SIGINT] = "SIGINT", [SIGQUIT] = "SIGQUIT", [SIGILL] = "SIGILL",
	[SIGTRAP] = "SIGTRAP", [SIGABRT] = "SIGABRT", [SIGBUS] = "SIGBUS", [SIGFPE] = "SIGFPE",
	[SIGKILL] = "SIGKILL", [SIGUSR1] = "SIGUSR1", [SIGSEGV] = "SIGSEGV", [SIGUSR2] = "SIGUSR2",
	[SIGPIPE] = "SIGPIPE", [SIGALRM] = "SIGALRM", [SIGTERM] = "SIGTERM", [SIGSTKFLT] = "SIGSTKFLT",
	[SIGCHLD] = "SIGCHLD", [SIGCONT] = "SIGCONT", [SIGSTOP] = "SIGSTOP", [SIGTSTP] = "SIGTSTP",
	[SIGTTIN] = "SIGTTIN", [SIGTTOU] = "SIGTTOU", [SIGURG] = "SIGURG", [SIGXCPU] = "SIGXCPU",
	[SIGXFSZ] = "SIGXFSZ", [SIGVTALRM] = "SIGVTALRM", [SIGPROF] = "SIGPROF",
	[SIGWINCH] = "SIGWINCH", [SIGIO] = "SIGIO", [SIGPWR] = "SIGPWR", [SIGSYS] = "SIGSYS",
};
#define NSIGNAMES (int)(sizeof(signames) / sizeof(*signames))

int svc_signal_parse(const char *s)
{
	const char *n = strncasecmp(s, "SIG", 3) ? s : s + 3;
	char *end;
	long v;

	for (int i = 1; i < NSIGNAMES; i++)
		if (signames[i] && !strcasecmp(n, signames[i] + 3))
			return i;
	/* RTMIN+n and plain numbers, as systemd takes them */
	if (!strncasecmp(n, "RTMIN+", 6) && isdigit((unsigned char)n[6])) {
		v = strtol(n + 6, &end, 10);
		return !*end && SIGRTMIN + v <= SIGRTMAX ? (int)(SIGRTMIN + v) : -1;
	}
	if (!isdigit((unsigned char)*s))
		return -1;
	v = strtol(s, &end, 10);
	return !*end && v >= 1 && v <= 64 ? (int)v : -1;
}

const char *svc_signal_name(int sig)
{
	return sig > 0 && sig < NSIGNAMES && signames[sig] ? signames[sig] : "?";
}

/* capability(7) numbers 0..40; the kernel's cap_last_cap may be lower
 * (those are then simply absent: dropping them is a no-op) */
static const char *const capnames[] = {
	"chown", "dac_override", "dac_read_search", "fowner", "fsetid", "kill",
	"setgid", "setuid", "setpcap", "linux_immutable", "net_bind_service",
	"net_broadcast", "net_admin", "net_raw", "ipc_lock", "ipc_owner",
	"sys_module", "sys_rawio", "sys_chroot", "sys_ptrace", "sys_pacct",
	"sys_admin", "sys_boot", "sys_nice", "sys_resource", "sys_time",
	"sys_tty_config", "mknod", "lease", "audit_write", "audit_control",
	"setfcap", "mac_override", "mac_admin", "syslog", "wake_alarm",
	"block_suspend", "audit_read", "perfmon", "bpf", "checkpoint_restore",
};

int svc_cap_parse(const char *s)
{
	if (strncasecmp(s, "CAP_", 4))
		return -1;
	for (unsigned i = 0; i < sizeof(capnames) / sizeof(*capnames); i++)
		if (!strcasecmp(s + 4, capnames[i]))
			return (int)i;
	return -1;
}

void svc_exec_init(struct svc_exec *x)
{
	memset(x, 0, sizeof(*x));
	x->kill_mode = SVC_KILL_CONTROL_GROUP;
	x->kill_signal = SIGTERM;
	x->final_kill_signal = SIGKILL;
	x->send_sigkill = true;
	x->umask = 022;
	for (int i = 0; i < SVC_NDIRS; i++)
		x->dirs[i].mode = 0755;
}

static void strv_free(char **v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void svc_exec_free(struct svc_exec *x)
{
	free(x->pidfile);
	strv_free(x->groups, x->ngroups);
	for (int i = 0; i < SVC_NDIRS; i++)
		strv_free(x->dirs[i].names, x->dirs[i].n);
	strv_free(x->rw, x->nrw);
	strv_free(x->ro, x->nro);
	strv_free(x->inacc, x->ninacc);
	svc_conds_free(x);
	free(x->delegate_controllers);
	free(x->unenforced);
	memset(x, 0, sizeof(*x));
}

static int bad(char *why, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int bad(char *why, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return -1;
}

static int oom(char *why, size_t len, const char *key)
{
	return bad(why, len, "%s: out of memory", key);
}

static bool boolean(const char *v, bool *out)
{
	static const char *const yes[] = { "1", "yes", "true", "on" };
	static const char *const no[] = { "0", "no", "false", "off" };

	for (unsigned i = 0; i < 4; i++) {
		if (!strcasecmp(v, yes[i]))
			return *out = true;
		if (!strcasecmp(v, no[i])) {
			*out = false;
			return true;
		}
	}
	return false;
}

/* A decimal integer in [lo, hi], with an optional sign. */
static bool integer(const char *v, long lo, long hi, long *out)
{
	char *end;
	long n;

	if (!*v || isspace((unsigned char)*v))
		return false;
	errno = 0;
	n = strtol(v, &end, 10);
	if (errno || *end || n < lo || n > hi)
		return false;
	*out = n;
	return true;
}

static bool octal_mode(const char *v, mode_t *out)
{
	char *end;
	unsigned long m;

	if (!*v || !isdigit((unsigned char)*v))
		return false;
	m = strtoul(v, &end, 8);
	if (*end || m > 07777)
		return false;
	*out = (mode_t)m;
	return true;
}

/* Words of v as systemd splits them (quotes, backslash); one allocation. */
static char **words(const char *v, int *n)
{
	const char *why;

	if (!*v) {
		*n = 0;
		return calloc(1, sizeof(char *));
	}
	return svc_split_argv(v, n, &why);
}

static int strv_add(char ***v, unsigned *n, const char *s)
{
	char **nv = reallocarray(*v, *n + 1, sizeof(**v));

	if (!nv)
		return -1;
	*v = nv;
	if (!(nv[*n] = strdup(s)))
		return -1;
	(*n)++;
	return 0;
}

/* ---- exit statuses --------------------------------------------------- */

bool svc_exit_set_has(const struct svc_exit_set *s, int status)
{
	if (status < 0)
		return false;
	if (WIFEXITED(status)) {
		int c = WEXITSTATUS(status);

		return s->codes[c / 64] >> (c % 64) & 1;
	}
	if (WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);

		return sig >= 1 && sig <= 64 && (s->sigs >> (sig - 1) & 1);
	}
	return false;
}

bool svc_status_clean(const struct svc_exec *x, int status, bool daemon)
{
	if (status < 0)
		return false;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return true;
	/* a daemon without handlers for these has still been told to go;
	 * a command (oneshot) has not finished its job */
	if (daemon && WIFSIGNALED(status)) {
		int sig = WTERMSIG(status);

		if (sig == SIGHUP || sig == SIGINT || sig == SIGTERM || sig == SIGPIPE)
			return true;
	}
	return svc_exit_set_has(&x->success, status);
}

/* "0 1 75 SIGUSR1 HUP": codes and signals; empty resets the list */
static int exit_set(struct svc_exit_set *s, const char *key, const char *v,
		    char *why, size_t len)
{
	int n;
	char **w = words(v, &n);

	if (!w)
		return bad(why, len, "%s: unbalanced quotes in '%s'", key, v);
	if (!n)
		memset(s, 0, sizeof(*s));
	for (int i = 0; i < n; i++) {
		long c;
		int sig;

		if (isdigit((unsigned char)w[i][0])) {
			if (!integer(w[i], 0, 255, &c)) {
				bad(why, len, "%s: '%s' is not an exit code 0..255", key, w[i]);
				free(w);
				return -1;
			}
			s->codes[c / 64] |= 1ULL << (c % 64);
			continue;
		}
		sig = svc_signal_parse(w[i]);
		if (sig < 0) {
			bad(why, len, "%s: '%s' is neither an exit code nor a signal name",
			    key, w[i]);
			free(w);
			return -1;
		}
		s->sigs |= 1ULL << (sig - 1);
	}
	free(w);
	return 1;
}

/*
 * systemd.service(5), Restart=: which ends restart the service.
 *
 *                     no always on-success on-failure on-abnormal on-abort on-watchdog
 *   clean end                X       X
 *   unclean exit code        X                  X
 *   unclean signal           X                  X          X          X
 *   timeout                  X                  X          X
 *   watchdog                 X                  X          X                     X
 *
 * then RestartPreventExitStatus= vetoes, RestartForceExitStatus= forces.
 */
bool svc_restart_wanted(const struct svc_exec *x, int r, enum svc_end e, int status)
{
	static const uint8_t table[] = {
		[SVC_RESTART_NO] = 0,
		[SVC_RESTART_ALWAYS] = 1u << SVC_END_CLEAN | 1u << SVC_END_EXIT_CODE |
			1u << SVC_END_SIGNAL | 1u << SVC_END_TIMEOUT | 1u << SVC_END_WATCHDOG,
		[SVC_RESTART_ON_SUCCESS] = 1u << SVC_END_CLEAN,
		[SVC_RESTART_ON_FAILURE] = 1u << SVC_END_EXIT_CODE | 1u << SVC_END_SIGNAL |
			1u << SVC_END_TIMEOUT | 1u << SVC_END_WATCHDOG,
		[SVC_RESTART_ON_ABNORMAL] = 1u << SVC_END_SIGNAL | 1u << SVC_END_TIMEOUT |
			1u << SVC_END_WATCHDOG,
		[SVC_RESTART_ON_ABORT] = 1u << SVC_END_SIGNAL,
		[SVC_RESTART_ON_WATCHDOG] = 1u << SVC_END_WATCHDOG,
	};

	if (e != SVC_END_TIMEOUT && svc_exit_set_has(&x->restart_prevent, status))
		return false;
	if (e != SVC_END_TIMEOUT && svc_exit_set_has(&x->restart_force, status))
		return true;
	return r >= 0 && (unsigned)r < sizeof(table) && (table[r] >> e & 1);
}

/* ---- Limit*= ------------------------------------------------------------ */

enum lim_unit { L_NUMBER, L_BYTES, L_SECONDS, L_USEC, L_NICE };

static const struct {
	const char *key;
	int res;
	enum lim_unit unit;
} limits[] = {
	{ "LimitCPU", RLIMIT_CPU, L_SECONDS },
	{ "LimitFSIZE", RLIMIT_FSIZE, L_BYTES },
	{ "LimitDATA", RLIMIT_DATA, L_BYTES },
	{ "LimitSTACK", RLIMIT_STACK, L_BYTES },
	{ "LimitCORE", RLIMIT_CORE, L_BYTES },
	{ "LimitRSS", RLIMIT_RSS, L_BYTES },
	{ "LimitAS", RLIMIT_AS, L_BYTES },
	{ "LimitNPROC", RLIMIT_NPROC, L_NUMBER },
	{ "LimitMEMLOCK", RLIMIT_MEMLOCK, L_BYTES },
	{ "LimitLOCKS", RLIMIT_LOCKS, L_NUMBER },
	{ "LimitSIGPENDING", RLIMIT_SIGPENDING, L_NUMBER },
	{ "LimitMSGQUEUE", RLIMIT_MSGQUEUE, L_BYTES },
	{ "LimitNICE", RLIMIT_NICE, L_NICE },
	{ "LimitRTPRIO", RLIMIT_RTPRIO, L_NUMBER },
	{ "LimitRTTIME", RLIMIT_RTTIME, L_USEC },
};

/* One value of a limit; "infinity" is SVC_RLIM_INFINITY. */
static bool limit_value(const char *v, enum lim_unit unit, unsigned long long *out)
{
	const char *why;
	double sec;

	if (!strcmp(v, "infinity")) {
		*out = SVC_RLIM_INFINITY;
		return true;
	}
	switch (unit) {
	case L_NUMBER: {
		char *end;

		if (!isdigit((unsigned char)*v))
			return false;
		errno = 0;
		*out = strtoull(v, &end, 10);
		return !errno && !*end && *out != SVC_RLIM_INFINITY;
	}
	case L_BYTES: {
		/* NUMBER[.FRACTION][B|K|M|G|T|P|E], base 1024 (systemd's parse_size) */
		static const char sfx[] = "BKMGTPE";
		double n = 0, div = 1, mul = 1;
		const char *p = v, *s;

		if (!isdigit((unsigned char)*p))
			return false;
		for (; isdigit((unsigned char)*p); p++)
			n = n * 10 + (*p - '0');
		if (*p == '.') {
			if (!isdigit((unsigned char)*++p))
				return false;
			for (; isdigit((unsigned char)*p); p++) {
				n = n * 10 + (*p - '0');
				div *= 10;
			}
		}
		if (*p) {
			if (p[1] || !(s = strchr(sfx, *p)))
				return false;
			for (long i = 0; i < s - sfx; i++)
				mul *= 1024;
		}
		n = n / div * mul;
		if (n >= 18446744073709549568.0)	/* the largest double below 2^64 */
			return false;
		*out = (unsigned long long)n;
		return true;
	}
	case L_SECONDS:		/* a time span, seconds by default, rounded up */
		if (svc_parse_timespan(v, &sec, &why) < 0)
			return false;
		*out = (unsigned long long)ceil(sec);
		return true;
	case L_USEC: {		/* microseconds by default */
		const char *p = v;

		while (isdigit((unsigned char)*p))
			p++;
		if (!*p && p > v)
			return limit_value(v, L_NUMBER, out);
		if (svc_parse_timespan(v, &sec, &why) < 0)
			return false;
		*out = (unsigned long long)ceil(sec * 1e6);
		return true;
	}
	case L_NICE: {		/* +N/-N a nice level, else the raw 0..40 */
		long n;

		if (*v == '+' || *v == '-') {
			if (!integer(v, -20, 19, &n))
				return false;
			*out = (unsigned long long)(20 - n);
			return true;
		}
		if (!integer(v, 0, 40, &n))
			return false;
		*out = (unsigned long long)n;
		return true;
	}
	}
	return false;
}

static int set_limit(struct svc_exec *x, unsigned i, const char *v, char *why, size_t len)
{
	static const char *const form[] = {
		[L_NUMBER] = "N", [L_BYTES] = "BYTES[K|M|G|T|P|E]",
		[L_SECONDS] = "a time span (seconds)", [L_USEC] = "a time span (microseconds)",
		[L_NICE] = "-20..19 with a sign, or 0..40",
	};
	const char *colon = strchr(v, ':');
	unsigned long long soft, hard;
	char part[64];
	int r = limits[i].res;

	if (!colon) {
		if (!limit_value(v, limits[i].unit, &soft))
			goto bad_value;
		hard = soft;
	} else {
		size_t n = (size_t)(colon - v);

		if (n >= sizeof(part))
			goto bad_value;
		memcpy(part, v, n);
		part[n] = '\0';
		if (!limit_value(part, limits[i].unit, &soft) ||
		    !limit_value(colon + 1, limits[i].unit, &hard))
			goto bad_value;
		if (soft > hard)
			return bad(why, len, "%s: soft limit above the hard limit in '%s'",
				   limits[i].key, v);
	}
	x->rlim_set[r] = true;
	x->rlim_soft[r] = soft;
	x->rlim_hard[r] = hard;
	return 1;
bad_value:
	return bad(why, len, "%s: '%s' is not %s, SOFT:HARD or infinity", limits[i].key, v,
		   form[limits[i].unit]);
}

/* ---- paths and names ----------------------------------------------------- */

/* A directory name of *Directory=: relative, components without "." or
 * "..", nothing empty. */
static bool dir_name_ok(const char *s)
{
	const char *p = s;

	if (!*s || *s == '/')
		return false;
	while (*p) {
		size_t n = strcspn(p, "/");

		if (!n || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return false;
		p += n;
		if (*p == '/' && !*++p)
			return false;	/* trailing slash */
	}
	return true;
}

static int add_dirs(struct svc_dirs *dd, const char *key, const char *v, char *why,
		    size_t len)
{
	int n;
	char **w = words(v, &n);

	if (!w)
		return bad(why, len, "%s: unbalanced quotes in '%s'", key, v);
	if (!n) {
		strv_free(dd->names, dd->n);
		dd->names = NULL;
		dd->n = 0;
	}
	for (int i = 0; i < n; i++) {
		if (!dir_name_ok(w[i])) {
			bad(why, len, "%s: '%s' is not a relative path without '.' or '..' "
			    "(e.g. name or name/sub)", key, w[i]);
			free(w);
			return -1;
		}
		if (strv_add(&dd->names, &dd->n, w[i]) < 0) {
			free(w);
			return oom(why, len, key);
		}
	}
	free(w);
	return 1;
}

/* ReadWritePaths= and friends: absolute paths, '-' (ignore if missing)
 * and '+' (relative to RootDirectory=, which corral has not: the same
 * path) prefixes; empty resets. */
static int add_paths(char ***v, unsigned *n, const char *key, const char *val,
		     char *why, size_t len)
{
	int nw;
	char **w = words(val, &nw);

	if (!w)
		return bad(why, len, "%s: unbalanced quotes in '%s'", key, val);
	if (!nw) {
		strv_free(*v, *n);
		*v = NULL;
		*n = 0;
	}
	for (int i = 0; i < nw; i++) {
		char buf[4096];
		const char *p = w[i];
		bool opt = false;

		while (*p == '-' || *p == '+')
			opt |= *p++ == '-';
		if (*p != '/' || strstr(p, "/../") || strstr(p, "/./") ||
		    (strlen(p) >= 3 && !strcmp(p + strlen(p) - 3, "/.."))) {
			bad(why, len, "%s: '%s' is not an absolute path", key, w[i]);
			free(w);
			return -1;
		}
		snprintf(buf, sizeof(buf), "%s%s", opt ? "-" : "", p);
		if (strv_add(v, n, buf) < 0) {
			free(w);
			return oom(why, len, key);
		}
	}
	free(w);
	return 1;
}

/* "~CAP_A CAP_B" into a mask; systemd's merging: the first assignment
 * replaces "everything", later ones are OR-ed in; empty is the empty set */
static int cap_set(uint64_t *set, bool *was_set, const char *key, const char *v,
		   char *why, size_t len)
{
	bool invert = *v == '~';
	uint64_t sum = 0;
	int n;
	char **w = words(invert ? v + 1 : v, &n);

	if (!w)
		return bad(why, len, "%s: unbalanced quotes in '%s'", key, v);
	for (int i = 0; i < n; i++) {
		int c = svc_cap_parse(w[i]);

		if (c < 0) {
			bad(why, len, "%s: '%s' is not a capability name (e.g. CAP_NET_ADMIN)",
			    key, w[i]);
			free(w);
			return -1;
		}
		sum |= 1ULL << c;
	}
	free(w);
	if (!*v) {
		*set = 0;
		*was_set = true;
		return 1;
	}
	if (invert)
		sum = ~sum;
	*set = *was_set ? *set | sum : sum;
	*was_set = true;
	return 1;
}

/* ---- the keys -------------------------------------------------------------- */

static const char *const dir_keys[SVC_NDIRS] = {
	"RuntimeDirectory", "StateDirectory", "CacheDirectory", "LogsDirectory",
	"ConfigurationDirectory",
};

static void note(struct svc_exec *x, const char *item);

/*
 * Delegate=yes|no, or controller names (systemd.resource-control(5)):
 * lists add up, an empty value forgets them and turns delegation off.
 * Any form but no delegates the whole group in every hierarchy; the
 * names are what the service expects to find enabled for its group
 * (checked at its first start).  systemd's bpf-* pseudo controllers are
 * BPF programs corral does not attach: noted as not enforced.
 */
static int delegate_key(struct svc_exec *x, const char *v, char *why, size_t len)
{
	static const char *const known[] = {
		"cpu", "cpuacct", "cpuset", "io", "blkio", "memory", "devices", "pids",
		"rdma", "hugetlb", "misc", "bpf-firewall", "bpf-devices", "bpf-foreign",
		"bpf-socket-bind", "bpf-restrict-network-interfaces",
	};
	char **w;
	int n;
	bool b;

	if (!*v || boolean(v, &b)) {
		x->delegate = *v && b;
		free(x->delegate_controllers);
		x->delegate_controllers = NULL;
		return 1;
	}
	w = words(v, &n);
	if (!w)
		return bad(why, len, "Delegate: unbalanced quotes in '%s'", v);
	for (int i = 0; i < n; i++) {
		size_t have = x->delegate_controllers ? strlen(x->delegate_controllers) : 0;
		unsigned k;
		char *c;

		for (k = 0; k < sizeof(known) / sizeof(*known) && strcmp(w[i], known[k]); k++)
			;
		if (k == sizeof(known) / sizeof(*known)) {
			bad(why, len, "Delegate: '%s' is neither a boolean nor a cgroup "
			    "controller (cpu, cpuset, io, memory, pids, ...)", w[i]);
			free(w);
			return -1;
		}
		if (!strncmp(w[i], "bpf-", 4)) {
			char item[64];

			snprintf(item, sizeof(item), "Delegate=%s", w[i]);
			note(x, item);
			continue;
		}
		c = realloc(x->delegate_controllers, have + strlen(w[i]) + 2);
		if (!c) {
			free(w);
			return oom(why, len, "Delegate");
		}
		snprintf(c + have, strlen(w[i]) + 2, "%s%s", have ? " " : "", w[i]);
		x->delegate_controllers = c;
	}
	free(w);
	x->delegate = true;
	return 1;
}

static int service_key(struct svc_exec *x, const char *k, const char *v, char *why,
		       size_t len)
{
	long n;
	bool b;

	for (unsigned i = 0; i < sizeof(limits) / sizeof(*limits); i++)
		if (!strcmp(k, limits[i].key))
			return set_limit(x, i, v, why, len);
	for (int i = 0; i < SVC_NDIRS; i++) {
		size_t kl = strlen(dir_keys[i]);

		if (!strcmp(k, dir_keys[i]))
			return add_dirs(&x->dirs[i], k, v, why, len);
		if (!strncmp(k, dir_keys[i], kl) && !strcmp(k + kl, "Mode")) {
			if (!octal_mode(v, &x->dirs[i].mode))
				return bad(why, len, "%s: '%s' is not an octal mode (e.g. 0750)",
					   k, v);
			return 1;
		}
	}
	if (!strcmp(k, "Delegate"))
		return delegate_key(x, v, why, len);
	if (!strcmp(k, "PIDFile")) {
		char *p;

		if (!*v || strstr(v, "/../") || !strncmp(v, "../", 3))
			return bad(why, len, "PIDFile: '%s' is not a path", v);
		/* systemd takes a relative name under /run */
		if (asprintf(&p, "%s%s", *v == '/' ? "" : "/run/", v) < 0)
			return oom(why, len, k);
		free(x->pidfile);
		x->pidfile = p;
	} else if (!strcmp(k, "KillMode")) {
		static const char *const m[] = { "control-group", "mixed", "process", "none" };
		unsigned i;

		for (i = 0; i < 4 && strcmp(v, m[i]); i++)
			;
		if (i == 4)
			return bad(why, len, "KillMode: '%s' is not control-group, mixed, "
				   "process or none", v);
		x->kill_mode = (enum svc_kill_mode)i;
	} else if (!strcmp(k, "KillSignal") || !strcmp(k, "FinalKillSignal")) {
		int sig = svc_signal_parse(v);

		if (sig < 0)
			return bad(why, len, "%s: '%s' is not a signal (e.g. SIGTERM, 15)", k, v);
		*(k[0] == 'K' ? &x->kill_signal : &x->final_kill_signal) = sig;
	} else if (!strcmp(k, "SendSIGKILL") || !strcmp(k, "SendSIGHUP")) {
		if (!boolean(v, &b))
			return bad(why, len, "%s: '%s' is not a boolean", k, v);
		*(!strcmp(k, "SendSIGKILL") ? &x->send_sigkill : &x->send_sighup) = b;
	} else if (!strcmp(k, "SuccessExitStatus"))
		return exit_set(&x->success, k, v, why, len);
	else if (!strcmp(k, "RestartPreventExitStatus"))
		return exit_set(&x->restart_prevent, k, v, why, len);
	else if (!strcmp(k, "RestartForceExitStatus"))
		return exit_set(&x->restart_force, k, v, why, len);
	else if (!strcmp(k, "UMask")) {
		mode_t m;

		if (!octal_mode(v, &m) || m > 0777)
			return bad(why, len, "UMask: '%s' is not an octal mask 0000..0777", v);
		x->umask = m;
	} else if (!strcmp(k, "Nice")) {
		if (!integer(v, -20, 19, &n))
			return bad(why, len, "Nice: '%s' is not -20..19", v);
		x->nice = (int)n;
		x->nice_set = true;
	} else if (!strcmp(k, "OOMScoreAdjust")) {
		if (!integer(v, -1000, 1000, &n))
			return bad(why, len, "OOMScoreAdjust: '%s' is not -1000..1000", v);
		x->oom_score_adj = (int)n;
		x->oom_set = true;
	} else if (!strcmp(k, "SupplementaryGroups")) {
		int nw;
		char **w = words(v, &nw);

		if (!w)
			return bad(why, len, "%s: unbalanced quotes in '%s'", k, v);
		if (!nw) {
			strv_free(x->groups, x->ngroups);
			x->groups = NULL;
			x->ngroups = 0;
		}
		for (int i = 0; i < nw; i++)
			if (strchr(w[i], ':') || strchr(w[i], '/') ||
			    strv_add(&x->groups, &x->ngroups, w[i]) < 0) {
				bad(why, len, "SupplementaryGroups: bad group name '%s'", w[i]);
				free(w);
				return -1;
			}
		free(w);
	} else if (!strcmp(k, "RuntimeDirectoryPreserve")) {
		if (!strcmp(v, "restart"))
			x->runtime_preserve = SVC_PRESERVE_RESTART;
		else if (boolean(v, &b))
			x->runtime_preserve = b ? SVC_PRESERVE_YES : SVC_PRESERVE_NO;
		else
			return bad(why, len, "RuntimeDirectoryPreserve: '%s' is not yes, no "
				   "or restart", v);
	} else if (!strcmp(k, "NoNewPrivileges")) {
		if (!boolean(v, &x->no_new_privs))
			return bad(why, len, "NoNewPrivileges: '%s' is not a boolean", v);
	} else if (!strcmp(k, "CapabilityBoundingSet"))
		return cap_set(&x->capbset, &x->capbset_set, k, v, why, len);
	else if (!strcmp(k, "AmbientCapabilities"))
		return cap_set(&x->ambient, &x->ambient_set, k, v, why, len);
	else if (!strcmp(k, "PrivateTmp")) {
		/* "disconnected" (systemd 256) is a private /tmp too */
		if (!strcmp(v, "disconnected"))
			x->private_tmp = true;
		else if (!boolean(v, &x->private_tmp))
			return bad(why, len, "PrivateTmp: '%s' is not a boolean", v);
	} else if (!strcmp(k, "PrivateDevices")) {
		if (!boolean(v, &x->private_devices))
			return bad(why, len, "PrivateDevices: '%s' is not a boolean", v);
	} else if (!strcmp(k, "ProtectSystem")) {
		if (!strcmp(v, "full"))
			x->protect_system = SVC_PROTECT_SYSTEM_FULL;
		else if (!strcmp(v, "strict"))
			x->protect_system = SVC_PROTECT_SYSTEM_STRICT;
		else if (boolean(v, &b))
			x->protect_system = b ? SVC_PROTECT_SYSTEM_YES : SVC_PROTECT_SYSTEM_NO;
		else
			return bad(why, len, "ProtectSystem: '%s' is not yes, no, full or strict", v);
	} else if (!strcmp(k, "ProtectHome")) {
		if (!strcmp(v, "read-only"))
			x->protect_home = SVC_PROTECT_HOME_RO;
		else if (!strcmp(v, "tmpfs"))
			x->protect_home = SVC_PROTECT_HOME_TMPFS;
		else if (boolean(v, &b))
			x->protect_home = b ? SVC_PROTECT_HOME_YES : SVC_PROTECT_HOME_NO;
		else
			return bad(why, len, "ProtectHome: '%s' is not yes, no, read-only or tmpfs",
				   v);
	} else if (!strcmp(k, "ReadWritePaths"))
		return add_paths(&x->rw, &x->nrw, k, v, why, len);
	else if (!strcmp(k, "ReadOnlyPaths"))
		return add_paths(&x->ro, &x->nro, k, v, why, len);
	else if (!strcmp(k, "InaccessiblePaths"))
		return add_paths(&x->inacc, &x->ninacc, k, v, why, len);
	else if (!strcmp(k, "BusName")) {
		/* Type=dbus: corral has no bus to watch (see exec_report) */
		if (!*v || strchr(v, ' '))
			return bad(why, len, "BusName: '%s' is not a bus name", v);
	} else
		return 0;
	return 1;
}

int svc_exec_key(struct svc_def *d, const char *sec, const char *k, const char *v,
		 char *why, size_t len)
{
	if (!strcmp(sec, "Service"))
		return service_key(&d->x, k, v, why, len);
	if (!strcmp(sec, "Unit")) {
		if (!strncmp(k, "Condition", 9))
			return svc_cond_add(&d->x, false, k + 9, v, why, len);
		if (!strncmp(k, "Assert", 6))
			return svc_cond_add(&d->x, true, k + 6, v, why, len);
	}
	return 0;
}

/* ---- known but not enforced ------------------------------------------------ */

/*
 * Every key of systemd.unit(5), systemd.service(5), systemd.exec(5),
 * systemd.kill(5) and systemd.resource-control(5) that a [Unit] or
 * [Service] section may hold.  A key here that no handler took is
 * reported in the one not-enforced line; a key not here is "unknown".
 * Condition*=/Assert*= kinds corral does not check are matched by prefix.
 */
static const char *const unit_keys[] = {
	"Wants", "Requisite", "BindsTo", "PartOf", "Upholds", "Conflicts", "Before",
	"OnFailure", "OnSuccess", "PropagatesReloadTo", "ReloadPropagatedFrom",
	"PropagatesStopTo", "StopPropagatedFrom", "JoinsNamespaceOf",
	"RequiresMountsFor", "WantsMountsFor", "OnFailureJobMode", "IgnoreOnIsolate",
	"StopWhenUnneeded", "RefuseManualStart", "RefuseManualStop", "AllowIsolate",
	"DefaultDependencies", "SurviveFinalKillSignal", "CollectMode", "FailureAction",
	"SuccessAction", "FailureActionExitStatus", "SuccessActionExitStatus",
	"JobTimeoutSec", "JobRunningTimeoutSec", "JobTimeoutAction",
	"JobTimeoutRebootArgument", "StartLimitAction", "RebootArgument", "SourcePath",
	"StartLimitInterval", "OnFailureIsolate",
	NULL
};

static const char *const service_keys[] = {
	/* systemd.service(5) */
	"ExitType", "RemainAfterExit", "GuessMainPID", "ExecStartPre", "ExecStartPost",
	"ExecCondition", "ExecReload", "ExecStop", "ExecStopPost", "RestartSteps",
	"TimeoutAbortSec", "TimeoutStartFailureMode", "TimeoutStopFailureMode",
	"RuntimeMaxSec", "RuntimeRandomizedExtraSec", "WatchdogSec", "RestartMode",
	"RootDirectoryStartOnly", "NonBlocking", "NotifyAccess", "Sockets",
	"FileDescriptorStoreMax", "FileDescriptorStorePreserve",
	"USBFunctionDescriptors", "USBFunctionStrings", "OOMPolicy", "OpenFile",
	"ReloadSignal", "PermissionsStartOnly", "StartLimitInterval", "StartLimitBurst",
	"StartLimitIntervalSec", "StartLimitAction", "FailureAction", "SuccessAction",
	"RebootArgument",
	/* systemd.exec(5) */
	"ExecSearchPath", "RootDirectory", "RootImage", "RootImageOptions",
	"RootEphemeral", "RootHash", "RootHashSignature", "RootVerity",
	"RootImagePolicy", "MountImagePolicy", "ExtensionImagePolicy", "MountAPIVFS",
	"BindLogSockets", "ProtectProc", "ProcSubset", "BindPaths", "BindReadOnlyPaths",
	"MountImages", "ExtensionImages", "ExtensionDirectories", "DynamicUser",
	"SetLoginEnvironment", "PAMName", "SecureBits", "SELinuxContext",
	"AppArmorProfile", "SmackProcessLabel", "CoredumpFilter", "KeyringMode",
	"TimerSlackNSec", "Personality", "IgnoreSIGPIPE", "CPUSchedulingPolicy",
	"CPUSchedulingPriority", "CPUSchedulingResetOnFork", "CPUAffinity", "NUMAPolicy",
	"NUMAMask", "IOSchedulingClass", "IOSchedulingPriority", "TimeoutCleanSec",
	"StateDirectoryQuota", "ExecPaths", "NoExecPaths", "TemporaryFileSystem",
	"PrivateNetwork", "NetworkNamespacePath", "PrivateIPC", "IPCNamespacePath",
	"MemoryKSM", "PrivateUsers", "PrivatePIDs", "ProtectHostname", "ProtectClock",
	"ProtectKernelTunables", "ProtectKernelModules", "ProtectKernelLogs",
	"ProtectControlGroups", "RestrictAddressFamilies", "RestrictFileSystems",
	"RestrictNamespaces", "LockPersonality", "MemoryDenyWriteExecute",
	"RestrictRealtime", "RestrictSUIDSGID", "RemoveIPC", "PrivateMounts",
	"MountFlags", "SystemCallFilter", "SystemCallErrorNumber",
	"SystemCallArchitectures", "SystemCallLog", "EnvironmentFile",
	"PassEnvironment", "UnsetEnvironment", "StandardInput", "StandardOutput",
	"StandardError", "StandardInputText", "StandardInputData", "LogLevelMax",
	"LogExtraFields", "LogRateLimitIntervalSec", "LogRateLimitBurst",
	"LogFilterPatterns", "LogNamespace", "SyslogIdentifier", "SyslogFacility",
	"SyslogLevel", "SyslogLevelPrefix", "TTYPath", "TTYReset", "TTYVHangup",
	"TTYRows", "TTYColumns", "TTYVTDisallocate", "LoadCredential",
	"LoadCredentialEncrypted", "ImportCredential", "SetCredential",
	"SetCredentialEncrypted", "UtmpIdentifier", "UtmpMode", "ReadOnlyDirectories",
	"ReadWriteDirectories", "InaccessibleDirectories", "Capabilities",
	/* systemd.kill(5) */
	"RestartKillSignal", "WatchdogSignal",
	/* systemd.resource-control(5); TasksMax=, AllowedCPUs= and
	 * AllowedMemoryNodes= are corral's in [Group] */
	"TasksMax", "AllowedCPUs", "AllowedMemoryNodes",
	"CPUAccounting", "CPUWeight", "StartupCPUWeight", "CPUQuota",
	"CPUQuotaPeriodSec", "StartupAllowedCPUs", "StartupAllowedMemoryNodes",
	"MemoryAccounting", "MemoryMin", "MemoryLow", "StartupMemoryLow",
	"DefaultStartupMemoryLow", "MemoryHigh", "StartupMemoryHigh", "MemoryMax",
	"StartupMemoryMax", "MemorySwapMax", "StartupMemorySwapMax", "MemoryZSwapMax",
	"StartupMemoryZSwapMax", "MemoryZSwapWriteback", "TasksAccounting",
	"IOAccounting", "IOWeight", "StartupIOWeight", "IODeviceWeight",
	"IOReadBandwidthMax", "IOWriteBandwidthMax", "IOReadIOPSMax", "IOWriteIOPSMax",
	"IODeviceLatencyTargetSec", "IPAccounting", "IPAddressAllow", "IPAddressDeny",
	"SocketBindAllow", "SocketBindDeny", "RestrictNetworkInterfaces", "NFTSet",
	"IPIngressFilterPath", "IPEgressFilterPath", "BPFProgram", "DeviceAllow",
	"DevicePolicy", "Slice", "DelegateSubgroup", "DisableControllers",
	"ManagedOOMSwap", "ManagedOOMMemoryPressure", "ManagedOOMMemoryPressureLimit",
	"ManagedOOMPreference", "MemoryPressureWatch", "MemoryPressureThresholdSec",
	"CoredumpReceive", "CPUShares", "StartupCPUShares", "MemoryLimit",
	"BlockIOAccounting", "BlockIOWeight", "StartupBlockIOWeight",
	"BlockIODeviceWeight", "BlockIOReadBandwidth", "BlockIOWriteBandwidth",
	NULL
};

/* systemd.unit(5)'s condition kinds corral does not check */
static const char *const other_conds[] = {
	"Firmware", "KernelVersion", "Credential", "Environment", "Security",
	"ACPower", "NeedsUpdate", "FirstBoot", "PathIsEncrypted", "User", "Group",
	"ControlGroupController", "Memory", "CPUs", "CPUFeature", "OSRelease",
	"MemoryPressure", "CPUPressure", "IOPressure", NULL
};

static bool in_list(const char *const *l, const char *k)
{
	for (; *l; l++)
		if (!strcmp(*l, k))
			return true;
	return false;
}

/* Append ", item" (or "item") once; out of memory only loses the note. */
static void note(struct svc_exec *x, const char *item)
{
	size_t have = x->unenforced ? strlen(x->unenforced) : 0, il = strlen(item);
	char *n;

	for (const char *p = x->unenforced; p && (p = strstr(p, item)); p += il)
		if ((p == x->unenforced || p[-1] == ' ') && (p[il] == ',' || !p[il]))
			return;		/* already listed */
	n = realloc(x->unenforced, have + il + 3);
	if (!n)
		return;
	if (have)
		memcpy(n + have, ", ", 2), have += 2;
	memcpy(n + have, item, il + 1);
	x->unenforced = n;
}

int svc_exec_note(struct svc_def *d, const char *sec, const char *k)
{
	/* [Install] is load.c's (handle_install: Alias= acts, WantedBy= &c.
	 * are quiet); a key it does not know there is worth a warning */
	/* systemd.unit(5): X- sections and keys are for other programs */
	if (!strncmp(sec, "X-", 2) || !strncmp(k, "X-", 2))
		return 1;
	if (!strcmp(sec, "Unit")) {
		if (!strcmp(k, "Documentation"))
			return 1;
		if (in_list(unit_keys, k) ||
		    (!strncmp(k, "Condition", 9) && in_list(other_conds, k + 9)) ||
		    (!strncmp(k, "Assert", 6) && in_list(other_conds, k + 6))) {
			note(&d->x, k);
			return 1;
		}
	}
	if (!strcmp(sec, "Service") && in_list(service_keys, k)) {
		note(&d->x, k);
		return 1;
	}
	return 0;
}

void svc_exec_report(const struct svc_def *d, const char *file)
{
	char approx[160] = "";

	if (d->x.kill_mode == SVC_KILL_PROCESS || d->x.kill_mode == SVC_KILL_NONE)
		snprintf(approx, sizeof(approx), "KillMode=%s (as mixed: a run ends when its "
			 "group is empty)", d->x.kill_mode == SVC_KILL_PROCESS ? "process" : "none");
	if (d->type == SVC_TYPE_DBUS)
		snprintf(approx + strlen(approx), sizeof(approx) - strlen(approx),
			 "%sType=dbus (running at exec: no bus is watched)",
			 *approx ? ", " : "");
	if (d->x.unenforced || *approx)
		log_warn("%s: not enforced: %s%s%s", file, approx,
			 *approx && d->x.unenforced ? ", " : "",
			 d->x.unenforced ? d->x.unenforced : "");
}
