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
#include <stddef.h>

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

/* Hand every message (without program name, level or stamp) to sink
 * instead of writing it; NULL: write again.  initctl verify collects what
 * loading a file logs this way. */
void log_set_sink(void (*sink)(void *ctx, enum log_level lvl, const char *msg), void *ctx);

/* Prefix every line with "[  1.234] ", the seconds of log_clock(). */
void log_set_stamp(int on);
/* Seconds since boot (CLOCK_MONOTONIC) when origin_now is 0, else since
 * the call that set it: log_set_origin(1) when not PID 1. */
void log_set_origin(int origin_now);
double log_clock(void);

void log_msg(enum log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void log_vmsg(enum log_level lvl, const char *fmt, va_list ap);

/* "unable to VERB PATH: strerror(errno)" at warning or error level. */
void log_sys(enum log_level lvl, const char *verb, const char *path);

/*
 * The console: non-blocking output with a bounded buffer.
 *
 * PID 1 must never wait for a slow console (a 9600 baud serial line, a
 * pipe nobody reads).  A console opened here is written without blocking;
 * what the file does not take at once is kept in a buffer of cap bytes,
 * and the event loop calls log_console_flush() when the file is writable
 * again (log_console_set_wake() says when to start watching).  A line that
 * does not fit is dropped whole, never cut, and once there is room again
 * one line "PROG: warning: console too slow: N lines dropped" says so.
 * Lines of service output (own = false) may fill only three quarters of
 * the buffer, so corral's own messages still get through a flood.
 * A regular file never waits for a reader and is written directly.
 */
#define LOG_CONSOLE_MAX 2
#define LOG_CONSOLE_BUF (64 * 1024)	/* default cap */

/* Start a console on fd (fd itself is left as it is: see log.c on open
 * file descriptions).  Returns its id, the same id for a second fd naming
 * the same file (2>&1), or -1 with errno. */
int log_console_open(int fd, size_t cap);
/* Free console id (its buffer and any descriptor of its own). */
void log_console_close(int id);
/* Send log_msg() output to console id (-1: back to plain write()). */
void log_set_console(int id);
/* Queue one line of n bytes, its '\n' included: 0, or -1 if dropped. */
int log_console_put(int id, const char *line, size_t n, int own);
/* Write what the file takes now; returns the bytes still pending. */
size_t log_console_flush(int id);
size_t log_console_pending(int id);
/* The descriptor to watch for writability; -1 if id is not open. */
int log_console_fd(int id);
/* Lines dropped and not yet reported. */
unsigned long log_console_dropped(int id);
/* Called with the id when a console gets data pending. */
void log_console_set_wake(void (*wake)(int id));
/* Before exit or reboot: wait up to timeout_ms for pending output. */
void log_console_sync(int timeout_ms);

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...)  log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...)  log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)
#define log_warn_sys(verb, path) log_sys(LOG_LVL_WARN, (verb), (path))
#define log_error_sys(verb, path) log_sys(LOG_LVL_ERROR, (verb), (path))

#endif
