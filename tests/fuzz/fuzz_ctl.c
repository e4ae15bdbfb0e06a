/*
 * tests/fuzz/fuzz_ctl.c - the control-request checker.  The input is what
 * a client sent on the control socket (any length); the check must refuse
 * everything but a well-formed request of the exact size, and what it
 * accepts must be safe to use: a known command, a NUL-terminated name.
 */
#include "fuzz.h"
#include "../../supervisor/supervisor.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* a heap copy of exactly the received bytes, behind a request-sized
	 * buffer as the server has one: ASan catches reads past either */
	struct ctl_request *r = calloc(1, sizeof(*r));
	const char *why = NULL;
	int rc;

	if (!r)
		abort();
	memcpy(r, data, size < sizeof(*r) ? size : sizeof(*r));
	rc = ctl_request_check(r, size, &why);
	if (rc < 0) {
		FUZZ_CHECK(rc == -1, "rc %d", rc);
		FUZZ_CHECK(why && *why, "refused without a reason");
	} else {
		FUZZ_CHECK(rc == 0, "rc %d", rc);
		FUZZ_CHECK(size == sizeof(*r), "accepted %zu bytes", size);
		FUZZ_CHECK(r->magic == CTL_MAGIC && r->version == CTL_VERSION &&
			   r->size == sizeof(*r), "accepted a bad header");
		FUZZ_CHECK(r->cmd >= CTL_LIST && r->cmd < CTL_NCMDS, "accepted cmd %u", r->cmd);
		FUZZ_CHECK(strlen(r->name) <= SVC_NAME_MAX, "name of %zu bytes", strlen(r->name));
	}
	free(r);
	return 0;
}
