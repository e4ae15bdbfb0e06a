/*
 * lib/log.c - formatting and writing log lines.
 *
 * One write(2) per line so lines from several processes sharing the console
 * do not interleave mid-line.  Failures to write are ignored on purpose:
 * there is nowhere left to report them.
 */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const char *log_prog = "corral";
static enum log_level log_level = LOG_LVL_INFO;
static int log_fd = 2;

static const char *const level_names[] = {
	[LOG_LVL_ERROR] = "error: ",
	[LOG_LVL_WARN] = "warning: ",
	[LOG_LVL_INFO] = "",
	[LOG_LVL_DEBUG] = "debug: ",
};

void log_set_prog(const char *prog) { log_prog = prog; }
void log_set_level(enum log_level lvl) { log_level = lvl; }
enum log_level log_get_level(void) { return log_level; }
void log_set_fd(int fd) { log_fd = fd; }

void log_vmsg(enum log_level lvl, const char *fmt, va_list ap)
{
	char line[1024];
	int saved = errno;
	int n;

	if (lvl > log_level)
		goto out;
	n = snprintf(line, sizeof(line), "%s: %s", log_prog, level_names[lvl]);
	if (n < 0)
		goto out;
	if ((size_t)n < sizeof(line))
		n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if ((size_t)n >= sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(log_fd, line, (size_t)n) < 0) {
		/* nowhere to report it */
	}
out:
	errno = saved;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vmsg(lvl, fmt, ap);
	va_end(ap);
}

void log_sys(enum log_level lvl, const char *verb, const char *path)
{
	int saved = errno;

	log_msg(lvl, "unable to %s %s: %s", verb, path, strerror(saved));
	errno = saved;
}
