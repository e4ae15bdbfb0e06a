/*
 * tests/fuzz/fuzz_envfile.c - EnvironmentFile= parsing and $VAR expansion:
 * the first line of the input is a command line (split as ExecStart= is
 * at load), the rest an environment file; the file's variables then
 * expand the command, as a start does.  Never a crash or a leak; every
 * variable kept is NAME=value with a valid name; an expansion is either
 * refused with a reason or a NULL-terminated vector of at least one word.
 */
#include "fuzz.h"
#include "../../services/services.h"
#include "../../lib/log.h"

#include <errno.h>
#include <fcntl.h>

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	(void)argc;
	(void)argv;
	if (fd >= 0)
		log_set_fd(fd);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t cmdlen = nl ? (size_t)(nl - data) : size;
	struct svc_vars v = { 0 };
	char *cmd = fuzz_cstr(data, cmdlen), **argv, **out;
	const char *why;
	int argc, n = -1;

	FUZZ_CHECK(svc_envfile_parse("fuzz.env", (const char *)data + cmdlen,
				     size - cmdlen, &v) == 0, "parse failed: %d", errno);
	for (unsigned i = 0; i < v.n; i++) {
		const char *eq = strchr(v.v[i], '=');

		FUZZ_CHECK(eq && svc_env_name_valid(v.v[i], (size_t)(eq - v.v[i])),
			   "'%s' is not NAME=value", v.v[i]);
	}
	FUZZ_CHECK(v.n == 0 || v.v[v.n] == NULL, "vars not NULL-terminated");
	argv = svc_split_argv(cmd, &argc, &why);
	if (argv) {
		out = svc_expand_argv(argv, v.v, &n, &why);
		if (out) {
			FUZZ_CHECK(n >= 1 && out[n] == NULL, "%d words", n);
			for (int i = 0; i < n; i++)
				FUZZ_CHECK(out[i] != NULL, "word %d NULL", i);
			free(out);
		} else {
			FUZZ_CHECK(why && *why, "refused without a reason");
		}
		FUZZ_CHECK(svc_argv_has_vars(argv) || !out || n == argc,
			   "no $ but %d words from %d", n, argc);
		free(argv);
	}
	svc_vars_free(&v);
	free(cmd);
	return 0;
}
