/*
 * lib/log.h - corral's one logging path.
 *
 * Every message names the program, a level, and for syscall failures the
 * verb, the path and strerror(errno), e.g.
 *   "corral: warning: unable to mkdir /sys/fs/cgroup/cpuset/web: Permission denied"
 * The functions never exit: PID 1 must survive any error it can report.
 * errno is preserved across every call so callers can log and then return -1.
 */
#ifndef CORRAL_LOG_H
#define CORRAL_LOG_H

#include <stdarg.h>

enum log_level {
	LOG_LVL_ERROR,
	LOG_LVL_WARN,
	LOG_LVL_INFO,
	LOG_LVL_DEBUG,
};

/* Program name used as prefix; defaults to "corral". */
void log_set_prog(const char *prog);
/* Messages above this level are dropped; default LOG_LVL_INFO. */
void log_set_level(enum log_level lvl);
enum log_level log_get_level(void);
/* Where messages go: a file descriptor (default 2). */
void log_set_fd(int fd);

void log_msg(enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level lvl, const char *fmt, va_list ap);

/* "unable to VERB PATH: strerror(errno)" at warning or error level. */
void log_sys(enum log_level lvl, const char *verb, const char *path);

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)
#define log_warn_sys(verb, path) log_sys(LOG_LVL_WARN, (verb), (path))
#define log_error_sys(verb, path) log_sys(LOG_LVL_ERROR, (verb), (path))

#endif
