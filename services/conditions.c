/*
 * services/conditions.c - Condition*=/Assert*= (systemd.unit(5)).
 *
 * Each entry may start with '|' (a trigger) and then '!' (negated).  A
 * set holds when every non-trigger entry holds and, if there are
 * triggers, at least one of them does.  Conditions are checked first: a
 * failed one skips the start (the service is done, not failed, and its
 * dependants go on); then asserts: a failed one fails the start.  An
 * empty value resets the list (conditions or asserts) completely.
 *
 * Checked by PID 1 at every start, before the fork: stat(), statvfs(),
 * glob(), reading small files under /proc and /sys; nothing that can
 * block on the network.
 *
 * Virtualization is systemd-detect-virt's logic, simplified: a container
 * from container= in /proc/1/environ, /run/systemd/container,
 * /.dockerenv or /run/.containerenv; a virtual machine from the CPUID
 * hypervisor leaf (x86), else the DMI vendor strings in
 * /sys/class/dmi/id, else /proc/xen, else the "hypervisor" CPU flag
 * ("vm-other").  No user-namespace ("private-users") detection: that
 * value never holds.
 */
#include "services.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

/* glibc's {a,b}; musl's glob() has no braces */
#ifdef GLOB_BRACE
#define GLOB_BRACE_IF_ANY GLOB_BRACE
#else
#define GLOB_BRACE_IF_ANY 0
#endif

static const char *const kind_names[] = {
#define X(id, name) name,
	SVC_COND_KINDS(X)
#undef X
};

const char *svc_cond_name(enum svc_cond_kind k)
{
	return (unsigned)k < SVC_NCONDS ? kind_names[k] : "?";
}

void svc_conds_free(struct svc_exec *x)
{
	for (unsigned i = 0; i < x->nconds; i++)
		free(x->conds[i].arg);
	free(x->conds);
	x->conds = NULL;
	x->nconds = 0;
}

static bool is_path_kind(enum svc_cond_kind k)
{
	return k <= SVC_COND_FILE_IS_EXECUTABLE;
}

int svc_cond_add(struct svc_exec *x, bool assert, const char *kind, const char *v,
		 char *why, size_t len)
{
	const char *pfx = assert ? "Assert" : "Condition";
	struct svc_cond c = { .assert = assert };
	struct svc_cond *nc;
	unsigned k;

	for (k = 0; k < SVC_NCONDS && strcmp(kind, kind_names[k]); k++)
		;
	if (k == SVC_NCONDS)
		return 0;
	c.kind = (enum svc_cond_kind)k;
	if (!*v) {
		/* reset: drop every entry of this class */
		unsigned kept = 0;

		for (unsigned i = 0; i < x->nconds; i++) {
			if (x->conds[i].assert == assert)
				free(x->conds[i].arg);
			else
				x->conds[kept++] = x->conds[i];
		}
		x->nconds = kept;
		return 1;
	}
	if (*v == '|') {
		c.trigger = true;
		v++;
	}
	if (*v == '!') {
		c.negate = true;
		v++;
	}
	while (*v == ' ' || *v == '\t')
		v++;
	if (!*v) {
		snprintf(why, len, "%s%s: nothing after the prefixes", pfx, kind);
		return -1;
	}
	if (is_path_kind(c.kind) && *v != '/') {
		snprintf(why, len, "%s%s: '%s' is not an absolute path", pfx, kind, v);
		return -1;
	}
	if (c.kind == SVC_COND_CAPABILITY && svc_cap_parse(v) < 0) {
		snprintf(why, len, "%s%s: '%s' is not a capability name (e.g. CAP_SYS_ADMIN)",
			 pfx, kind, v);
		return -1;
	}
	if (!(c.arg = strdup(v)))
		goto oom;
	nc = reallocarray(x->conds, x->nconds + 1, sizeof(*nc));
	if (!nc) {
		free(c.arg);
		goto oom;
	}
	x->conds = nc;
	x->conds[x->nconds++] = c;
	return 1;
oom:
	snprintf(why, len, "%s%s: out of memory", pfx, kind);
	return -1;
}

/* ---- reading small files under root ------------------------------------ */

/* Up to len-1 bytes of root+path, NUL-terminated; the length or -1. */
static ssize_t slurp(const char *root, const char *path, char *buf, size_t len)
{
	char p[4096];
	ssize_t n, got = 0;
	int fd;

	snprintf(p, sizeof(p), "%s%s", root, path);
	fd = open(p, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd < 0)
		return -1;
	while ((size_t)got < len - 1 && (n = read(fd, buf + got, len - 1 - (size_t)got)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			close(fd);
			return -1;
		}
		got += n;
	}
	close(fd);
	buf[got] = '\0';
	return got;
}

static bool exists(const char *root, const char *path)
{
	char p[4096];

	snprintf(p, sizeof(p), "%s%s", root, path);
	return access(p, F_OK) == 0;
}

static const char *detect_container(const char *root)
{
	static char name[64];
	char env[8192];
	ssize_t n = slurp(root, "/proc/1/environ", env, sizeof(env));

	for (ssize_t i = 0; n > 0 && i < n; i += (ssize_t)strlen(env + i) + 1)
		if (!strncmp(env + i, "container=", 10) && env[i + 10]) {
			snprintf(name, sizeof(name), "%s", env + i + 10);
			return !strcmp(name, "oci") ? "docker" : name;
		}
	if (slurp(root, "/run/systemd/container", name, sizeof(name)) > 0) {
		name[strcspn(name, "\n")] = '\0';
		if (*name)
			return name;
	}
	if (exists(root, "/.dockerenv"))
		return "docker";
	if (exists(root, "/run/.containerenv"))
		return "podman";
	return NULL;
}

static const char *detect_vm(const char *root)
{
	static const struct { const char *vendor, *name; } dmi[] = {
		{ "KVM", "kvm" }, { "OpenStack", "kvm" }, { "KubeVirt", "kvm" },
		{ "Amazon EC2", "amazon" }, { "QEMU", "qemu" },
		{ "VMware", "vmware" }, { "VMW", "vmware" }, { "innotek GmbH", "oracle" },
		{ "VirtualBox", "oracle" }, { "Oracle Corporation", "oracle" },
		{ "Xen", "xen" }, { "Bochs", "bochs" }, { "Parallels", "parallels" },
		{ "BHYVE", "bhyve" }, { "Hyper-V", "microsoft" }, { "Apple Virtualization", "apple" },
		{ "Google Compute Engine", "google" },
	};
	static const char *const files[] = {
		"/sys/class/dmi/id/product_name", "/sys/class/dmi/id/sys_vendor",
		"/sys/class/dmi/id/board_vendor", "/sys/class/dmi/id/bios_vendor",
		"/sys/class/dmi/id/product_version",
	};
	char buf[4096];

#if defined(__x86_64__) || defined(__i386__)
	if (!*root) {
		static const struct { const char *sig, *name; } hv[] = {
			{ "KVMKVMKVM", "kvm" }, { "TCGTCGTCGTCG", "qemu" },
			{ "VMwareVMware", "vmware" }, { "Microsoft Hv", "microsoft" },
			{ "XenVMMXenVMM", "xen" }, { "ACRNACRNACRN", "acrn" },
			{ " lrpepyh  vr", "parallels" }, { "bhyve bhyve ", "bhyve" },
			{ "QNXQVMBSQG", "qnx" }, { "Linux KVM Hv", "kvm" },
		};
		unsigned a, b, c, d;

		__cpuid(1, a, b, c, d);
		if (c & 0x80000000u) {		/* the hypervisor bit */
			char sig[13];

			__cpuid(0x40000000, a, b, c, d);
			memcpy(sig, &b, 4);
			memcpy(sig + 4, &c, 4);
			memcpy(sig + 8, &d, 4);
			sig[12] = '\0';
			for (unsigned i = 0; i < sizeof(hv) / sizeof(*hv); i++)
				if (!strncmp(sig, hv[i].sig, strlen(hv[i].sig)))
					return hv[i].name;
		}
	}
#endif
	for (unsigned f = 0; f < sizeof(files) / sizeof(*files); f++) {
		if (slurp(root, files[f], buf, sizeof(buf)) <= 0)
			continue;
		for (unsigned i = 0; i < sizeof(dmi) / sizeof(*dmi); i++)
			if (!strncmp(buf, dmi[i].vendor, strlen(dmi[i].vendor)))
				return dmi[i].name;
		if (!strncmp(buf, "Microsoft Corporation", 21) && f == 1 &&
		    slurp(root, files[0], buf, sizeof(buf)) > 0 &&
		    !strncmp(buf, "Virtual Machine", 15))
			return "microsoft";
	}
	if (exists(root, "/proc/xen"))
		return "xen";
	if (slurp(root, "/proc/cpuinfo", buf, sizeof(buf)) > 0) {
		/* the first processor's flags line is enough */
		char *fl = strstr(buf, "\nflags");

		if (fl) {
			char *eol = strchr(fl + 1, '\n');

			if (eol)
				*eol = '\0';
			if (strstr(fl, " hypervisor"))
				return "vm-other";
		}
	}
	return NULL;
}

const char *svc_virt_detect(const char *root, bool *container)
{
	const char *c = detect_container(root), *v;

	*container = c != NULL;
	if (c)
		return c;
	v = detect_vm(root);
	return v ? v : "none";
}

static bool cond_virt(const char *root, const char *arg)
{
	const char *c = detect_container(root), *v;
	bool b;

	if (!strcmp(arg, "container"))
		return c != NULL;
	if (!strcmp(arg, "private-users"))
		return false;
	v = detect_vm(root);
	if (!strcmp(arg, "vm"))
		return v != NULL;
	if (!strcasecmp(arg, "yes") || !strcasecmp(arg, "true") || !strcmp(arg, "1") ||
	    !strcasecmp(arg, "on") || !strcasecmp(arg, "no") || !strcasecmp(arg, "false") ||
	    !strcmp(arg, "0") || !strcasecmp(arg, "off")) {
		b = strchr("yYtT1", arg[0]) || !strcasecmp(arg, "on");
		return b == (c != NULL || v != NULL);
	}
	return (c && !strcmp(arg, c)) || (v && !strcmp(arg, v));
}

static bool cond_cap(const char *root, const char *arg)
{
	char buf[4096], *p;
	unsigned long long bnd;
	int c = svc_cap_parse(arg);

	if (c < 0 || slurp(root, "/proc/self/status", buf, sizeof(buf)) <= 0)
		return false;
	p = strstr(buf, "\nCapBnd:");
	if (!p)
		return false;
	bnd = strtoull(p + 8, NULL, 16);
	return bnd >> c & 1;
}

/* systemd: "a=b" must be a word exactly; "a" a word that is "a" or
 * starts with "a=" */
static bool cond_cmdline(const char *root, const char *arg)
{
	char buf[4096], *p = buf;
	size_t al = strlen(arg);
	bool assign = strchr(arg, '=') != NULL;

	if (slurp(root, "/proc/cmdline", buf, sizeof(buf)) < 0)
		return false;
	while (*p) {
		char word[4096];
		size_t n = 0;
		char q = 0;

		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		for (; *p && (q || !isspace((unsigned char)*p)); p++) {
			if (!q && (*p == '"' || *p == '\'')) {
				q = *p;
				continue;
			}
			if (q && *p == q) {
				q = 0;
				continue;
			}
			if (n < sizeof(word) - 1)
				word[n++] = *p;
		}
		word[n] = '\0';
		if (assign ? !strcmp(word, arg) :
		    (!strncmp(word, arg, al) && (word[al] == '\0' || word[al] == '=')))
			return true;
	}
	return false;
}

static bool cond_host(const char *root, const char *arg)
{
	char host[256], id[64];

	if (slurp(root, "/etc/machine-id", id, sizeof(id)) > 0) {
		id[strcspn(id, "\n")] = '\0';
		if (!strcasecmp(id, arg))
			return true;
	}
	if (*root) {
		if (slurp(root, "/etc/hostname", host, sizeof(host)) <= 0)
			return false;
		host[strcspn(host, "\n")] = '\0';
	} else if (gethostname(host, sizeof(host)) < 0) {
		return false;
	}
	host[sizeof(host) - 1] = '\0';
	return fnmatch(arg, host, FNM_CASEFOLD) == 0;
}

/* uname's machine as systemd names architectures */
static bool cond_arch(const char *arg)
{
	static const struct { const char *machine, *name; } map[] = {
		{ "x86_64", "x86-64" }, { "i386", "x86" }, { "i486", "x86" }, { "i586", "x86" },
		{ "i686", "x86" }, { "aarch64", "arm64" }, { "aarch64_be", "arm64-be" },
		{ "armv7l", "arm" }, { "armv6l", "arm" }, { "riscv64", "riscv64" },
		{ "ppc64le", "ppc64-le" }, { "ppc64", "ppc64" }, { "s390x", "s390x" },
		{ "mips64", "mips64" }, { "loongarch64", "loongarch64" },
	};
	struct utsname u;
	const char *name;

	if (uname(&u) < 0)
		return false;
	name = u.machine;
	for (unsigned i = 0; i < sizeof(map) / sizeof(*map); i++)
		if (!strcmp(u.machine, map[i].machine))
			name = map[i].name;
	return !strcmp(arg, "native") || !strcmp(arg, name);
}

static bool dir_not_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	bool any = false;

	if (!d)
		return false;
	/* hidden entries do not count (systemd ignores them too) */
	while (!any && (de = readdir(d)))
		any = de->d_name[0] != '.';
	closedir(d);
	return any;
}

/* A mount point is a line of /proc/self/mountinfo (bind mounts of a
 * directory on its own file system included, which st_dev cannot tell);
 * musl has no statx() to ask for STATX_ATTR_MOUNT_ROOT. */
static bool mount_point(const char *path)
{
	char real[4096], *line = NULL;
	size_t ll = 0;
	bool found = false;
	FILE *f;

	if (!realpath(path, real) || !(f = fopen("/proc/self/mountinfo", "re")))
		return false;
	while (!found && getline(&line, &ll, f) > 0) {
		char *p = line, *o, *mp;
		int i;

		for (i = 0; i < 4 && (p = strchr(p, ' ')); i++)
			p++;
		if (!p)
			continue;
		mp = p;
		p[strcspn(p, " ")] = '\0';
		/* \040 and friends: octal escapes of the kernel's */
		for (o = mp; *p; p++)
			if (p[0] == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] && p[3]) {
				*o++ = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
				p += 3;
			} else {
				*o++ = *p;
			}
		*o = '\0';
		found = !strcmp(mp, real);
	}
	free(line);
	fclose(f);
	return found;
}

static bool eval(const struct svc_cond *c, const char *root)
{
	const char *a = c->arg;
	struct stat st;
	struct statvfs sv;
	glob_t g;
	bool r;

	switch (c->kind) {
	case SVC_COND_PATH_EXISTS:
		return access(a, F_OK) == 0;
	case SVC_COND_PATH_EXISTS_GLOB:
		r = glob(a, GLOB_NOSORT | GLOB_BRACE_IF_ANY, NULL, &g) == 0 && g.gl_pathc > 0;
		globfree(&g);
		return r;
	case SVC_COND_PATH_IS_DIRECTORY:
		return stat(a, &st) == 0 && S_ISDIR(st.st_mode);
	case SVC_COND_PATH_IS_SYMLINK:
		return lstat(a, &st) == 0 && S_ISLNK(st.st_mode);
	case SVC_COND_PATH_IS_MOUNT_POINT:
		return mount_point(a);
	case SVC_COND_PATH_IS_READ_WRITE:
		return statvfs(a, &sv) == 0 && !(sv.f_flag & ST_RDONLY);
	case SVC_COND_DIRECTORY_NOT_EMPTY:
		return dir_not_empty(a);
	case SVC_COND_FILE_NOT_EMPTY:
		return stat(a, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0;
	case SVC_COND_FILE_IS_EXECUTABLE:
		return stat(a, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111);
	case SVC_COND_VIRTUALIZATION:
		return cond_virt(root, a);
	case SVC_COND_CAPABILITY:
		return cond_cap(root, a);
	case SVC_COND_KERNEL_COMMAND_LINE:
		return cond_cmdline(root, a);
	case SVC_COND_HOST:
		return cond_host(root, a);
	case SVC_COND_ARCHITECTURE:
		return cond_arch(a);
	case SVC_NCONDS:
		break;
	}
	return false;
}

static void name_it(const struct svc_cond *c, char *why, size_t len)
{
	snprintf(why, len, "%s%s=%s%s%s", c->assert ? "Assert" : "Condition",
		 svc_cond_name(c->kind), c->trigger ? "|" : "", c->negate ? "!" : "", c->arg);
}

/* One class: 0 holds, 1 does not (why) */
static int check_class(const struct svc_exec *x, bool assert, const char *root,
		       char *why, size_t len)
{
	const struct svc_cond *first_trigger = NULL;
	bool triggered = false;

	for (unsigned i = 0; i < x->nconds; i++) {
		const struct svc_cond *c = &x->conds[i];
		bool r;

		if (c->assert != assert)
			continue;
		r = eval(c, root) != c->negate;
		if (c->trigger) {
			if (!first_trigger)
				first_trigger = c;
			triggered |= r;
		} else if (!r) {
			name_it(c, why, len);
			return 1;
		}
	}
	if (first_trigger && !triggered) {
		char one[512];

		name_it(first_trigger, one, sizeof(one));
		snprintf(why, len, "none of the '|' %s held (first: %s)",
			 assert ? "asserts" : "conditions", one);
		return 1;
	}
	return 0;
}

int svc_conds_check(const struct svc_exec *x, const struct svc_cond_env *env,
		    char *why, size_t len)
{
	const char *root = env && env->root ? env->root : "";

	*why = '\0';
	if (check_class(x, false, root, why, len))
		return 1;
	if (check_class(x, true, root, why, len))
		return 2;
	return 0;
}
