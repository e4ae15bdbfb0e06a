# corral - top-level build.
#
#   make          build everything with gcc into build/
#   make static   the same programs linked statically with musl-gcc into
#                 build/static/ (for the initramfs)
#   make check    install missing Debian packages, build, run every TAP
#                 suite through automake's tap-driver.sh
#   make install  PREFIX (default /usr/local) and DESTDIR: programs, man
#                 pages, bash completion, example configuration
#   make clean

CC ?= gcc
MUSLCC ?= musl-gcc
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Wshadow -Wno-unused-parameter \
	  -Wno-format-truncation -D_GNU_SOURCE -fno-strict-aliasing
# the one version string (lib/version.h): make CORRAL_VERSION=1.2 sets it
ifeq ($(origin CORRAL_VERSION),undefined)
CORRAL_VERSION := $(shell git describe --always --dirty 2>/dev/null || echo 0.1)
endif
CFLAGS += -DCORRAL_VERSION='"$(CORRAL_VERSION)"'
# Debian's libev ships no .pc file; fall back to plain -lev.
EV_LIBS := $(shell pkg-config --libs libev 2>/dev/null || echo -lev)
INIH_LIBS := $(shell pkg-config --libs inih 2>/dev/null || echo -linih)
LDLIBS = $(EV_LIBS) $(INIH_LIBS) -lm

B := build
S := build/static
MULTIARCH := $(shell gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
LIBDIR := /usr/lib/$(MULTIARCH)

LIB_SRC := lib/log.c lib/json.c lib/rotate.c
GRP_SRC := $(wildcard grouping/*.c)
SVC_SRC := $(wildcard services/*.c)
SUP_SRC := supervisor/state.c supervisor/table.c supervisor/timer.c supervisor/spawn.c supervisor/output.c \
	   supervisor/kill.c supervisor/sandbox.c \
	   supervisor/status.c supervisor/control.c supervisor/notify.c
SUP_SRC += supervisor/units.c
SUP_SRC += supervisor/runenv.c supervisor/instance.c
SUP_SRC += supervisor/status_list.c
INIT_SRC := init/main.c init/pid1.c
# initctl's own files: its views are computed in the client, not in PID 1
INITCTL_SRC := supervisor/initctl.c supervisor/views.c supervisor/view_top.c \
	       supervisor/analyze.c supervisor/metrics.c \
	       supervisor/view_log.c supervisor/view_status.c
CORE_SRC := $(LIB_SRC) $(GRP_SRC) $(SVC_SRC) $(SUP_SRC) init/pid1.c
CORE_SRC += init/initreq.c
HDRS := $(wildcard lib/*.h grouping/*.h services/*.h supervisor/*.h init/*.h tests/lib/*.h)

UNIT_TESTS := $(patsubst tests/unit/%.c,%,$(wildcard tests/unit/*.c))
HOST_TESTS := $(patsubst tests/host/%.c,%,$(wildcard tests/host/*.c))
TEST_BINS := $(addprefix $(B)/tests/unit/,$(UNIT_TESTS)) \
	     $(addprefix $(B)/tests/host/,$(HOST_TESTS))
PROGS := corral initctl
# test helpers that link libsystemd (the real sd_notify); skipped if absent
SYSTEMD_LIBS := $(shell pkg-config --libs libsystemd 2>/dev/null)
HELPERS := $(if $(SYSTEMD_LIBS),$(B)/tests/helpers/notify_client)
HOST_SCRIPTS := $(wildcard tests/host/*.sh)
STATIC_BINS := $(addprefix $(S)/tests/host/,$(HOST_TESTS))

.PHONY: all static check deps clean kernel rootfs boot bench bench-progs asan fuzzers fuzz try \
	install
.PHONY: boot-debian bench-boot
.SUFFIXES:

all: $(TEST_BINS) $(addprefix $(B)/,$(PROGS)) $(HELPERS)

$(B)/tests/helpers/notify_client: tests/helpers/notify_client.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $< $(SYSTEMD_LIBS)

$(B)/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -c -o $@ $<

$(B)/libcorral.a: $(patsubst %.c,$(B)/obj/%.o,$(CORE_SRC))
	@rm -f $@
	ar rcs $@ $^

$(B)/corral: $(B)/obj/init/main.o $(B)/libcorral.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

$(B)/initctl: $(patsubst %.c,$(B)/obj/%.o,$(INITCTL_SRC)) $(B)/libcorral.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

# parse.c must stay pure: this test links it alone (no libcorral.a)
$(B)/tests/unit/test_parse_alone: tests/unit/test_parse_alone.c $(B)/obj/grouping/parse.o $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/lib -Igrouping -o $@ $< $(B)/obj/grouping/parse.o

$(B)/tests/%: tests/%.c $(B)/libcorral.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Itests/lib -Igrouping -o $@ $< $(B)/libcorral.a $(LDLIBS)

# --- static musl build ---------------------------------------------------
# musl-gcc only searches musl's headers; expose the two we need from
# Debian's /usr/include through a private include directory.
$(S)/include/.stamp:
	@mkdir -p $(dir $@)
	ln -sf /usr/include/ev.h /usr/include/ini.h $(dir $@)
	@touch $@

$(S)/obj/%.o: %.c $(HDRS) $(S)/include/.stamp
	@mkdir -p $(dir $@)
	$(MUSLCC) $(CFLAGS) -I$(S)/include -c -o $@ $<

$(S)/libcorral.a: $(patsubst %.c,$(S)/obj/%.o,$(CORE_SRC) lib/glibc-compat.c)
	@rm -f $@
	ar rcs $@ $^

$(S)/tests/%: tests/%.c $(S)/libcorral.a $(HDRS) $(S)/include/.stamp
	@mkdir -p $(dir $@)
	$(MUSLCC) $(CFLAGS) -static -I$(S)/include -Itests/lib -Igrouping -o $@ $< \
		$(S)/libcorral.a $(LIBDIR)/libev.a $(LIBDIR)/libinih.a \
		$(S)/libcorral.a -lm

$(S)/corral: $(S)/obj/init/main.o $(S)/libcorral.a
	$(MUSLCC) $(CFLAGS) -static -o $@ $< $(S)/libcorral.a $(LIBDIR)/libev.a \
		$(LIBDIR)/libinih.a $(S)/libcorral.a -lm

$(S)/initctl: $(patsubst %.c,$(S)/obj/%.o,$(INITCTL_SRC)) $(S)/libcorral.a
	$(MUSLCC) $(CFLAGS) -static -o $@ $(filter %.o,$^) $(S)/libcorral.a $(LIBDIR)/libinih.a -lm

static: $(STATIC_BINS) $(addprefix $(S)/,$(PROGS))

# --- sanitizer build -------------------------------------------------------
# corral, initctl and the unit tests again, with ASan and UBSan, into
# $(B)/asan/ (make asan).  The same rules as the gcc build, through a
# sub-make with the sanitizer flags in CC, so every object and link gets
# them.  -fno-sanitize-recover=all: the first report ends the program, so
# no report can scroll past unnoticed.  make check runs the unit tests and
# the host scenarios (tests/asan/*.sh) against this build.
# clang, not gcc: gcc links ASan and UBSan as two runtimes, and its UBSan
# then ignores log_path and reports only on stderr, which the scenarios
# redirect; with clang's one runtime every report goes to log_path.
ASAN_B := $(B)/asan
ASAN_CC ?= clang
SAN_FLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
asan:
	@$(MAKE) --no-print-directory B=$(ASAN_B) \
		CC="$(ASAN_CC) $(SAN_FLAGS) -Wno-unknown-warning-option" \
		$(addprefix $(ASAN_B)/,$(PROGS)) $(addprefix $(ASAN_B)/tests/unit/,$(UNIT_TESTS))

# --- libFuzzer targets -----------------------------------------------------
# tests/fuzz/fuzz_*.c, built with clang into $(B)/fuzz/.  The library is
# compiled with coverage instrumentation (fuzzer-no-link) into its own
# archive, so each target links only the objects it reaches.
# make fuzz runs every target for FUZZ_SECONDS; make check for 20 s each.
FUZZ_B := $(B)/fuzz
FUZZ_CC ?= clang
FUZZ_CFLAGS := -O1 -g -std=gnu11 -Wall -Wextra -Wno-unused-parameter -D_GNU_SOURCE \
	-fno-strict-aliasing -fno-omit-frame-pointer \
	-fsanitize=address,undefined -fno-sanitize-recover=all
FUZZERS := $(patsubst tests/fuzz/%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_SECONDS ?= 300

$(FUZZ_B)/obj/%.o: %.c $(HDRS)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c -o $@ $<

$(FUZZ_B)/libcorral.a: $(patsubst %.c,$(FUZZ_B)/obj/%.o,$(CORE_SRC))
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_B)/fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz.h $(FUZZ_B)/libcorral.a $(HDRS)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Igrouping -o $@ $< \
		$(FUZZ_B)/libcorral.a $(LDLIBS)

fuzzers: $(addprefix $(FUZZ_B)/,$(FUZZERS))

fuzz: deps fuzzers
	FUZZ_BUILD=$(FUZZ_B) FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz/run.sh

# --- QEMU image ------------------------------------------------------------
KERNEL := $(B)/kernel/vmlinuz
QEMU := qemu-system-x86_64
# TCG on purpose: works on any machine, no /dev/kvm needed
QEMU_FLAGS := -accel tcg -m 512 -smp 2 -no-reboot -display none -monitor none
ROOTFS_DEPS := rootfs/build.sh $(S)/corral $(S)/initctl $(wildcard conf/* conf/services/* \
	rootfs/base/* rootfs/base/*/* rootfs/base/*/*/*) tests/lib/tap.sh
ROOTFS_ADD ?=

$(KERNEL):
	sh rootfs/kernel.sh $(B)/kernel

# the plain image, plus any overlay directories in ROOTFS_ADD
rootfs: $(S)/corral $(S)/initctl
	sh rootfs/build.sh $(B)/rootfs/corral.cpio.gz $(ROOTFS_ADD)

$(B)/rootfs/demo.cpio.gz: $(ROOTFS_DEPS) $(shell find rootfs/demo -type f)
	@mkdir -p $(dir $@)
	sh rootfs/build.sh $@ rootfs/demo

$(B)/rootfs/test.cpio.gz: $(ROOTFS_DEPS) $(shell find tests/qemu/guest -type f)
	@mkdir -p $(dir $@)
	sh rootfs/build.sh $@ tests/qemu/guest

# Boot the example services, show `initctl status` per group, power off.
boot: deps $(KERNEL) $(B)/rootfs/demo.cpio.gz
	$(QEMU) -accel tcg -m 512 -smp 2 -no-reboot -nographic -kernel $(KERNEL) \
		-initrd $(B)/rootfs/demo.cpio.gz \
		-append "console=ttyS0 quiet loglevel=3 panic=-1 $(BOOT_APPEND)"

# --- Debian 12 with corral as /sbin/init -----------------------------------
# rootfs/debian.sh: the image is built once (mmdebstrap, cached in
# build/debian/ by its package list and build script); the corral just
# built is copied in at each boot.  make boot-debian boots it with the
# serial console on this terminal (log in as root, no password; sshd on
# 127.0.0.1:DEBIAN_PORT; Ctrl-A X quits QEMU).
DEBIAN_PORT ?= 2222
boot-debian: deps $(KERNEL) $(S)/corral $(S)/initctl
	sh rootfs/debian.sh image $(B)/debian
	sh rootfs/debian.sh install $(B)/debian
	sh rootfs/debian.sh boot $(B)/debian - $(DEBIAN_PORT) $(BOOT_APPEND)

# the same image booted with systemd and with corral, interleaved
# (bench/boot.py; BENCH_ROUNDS rounds, results into bench/RESULTS.md's
# boot section with BENCH_BOOT_ARGS=--write)
BENCH_ROUNDS ?= 3
bench-boot: deps $(KERNEL) $(S)/corral $(S)/initctl
	sh rootfs/debian.sh image $(B)/debian
	python3 bench/boot.py --build $(B) --rounds $(BENCH_ROUNDS) $(BENCH_BOOT_ARGS)

# --- install ---------------------------------------------------------------
# make install [PREFIX=/usr/local] [DESTDIR=]: corral and initctl into
# $(PREFIX)/sbin (initctl too: corral's socket answers root only, and
# upstart's and BusyBox's init tools live there as well), the man pages,
# the bash completion, and conf/ as examples in
# $(PREFIX)/share/doc/corral/examples: never into /etc, which is the
# administrator's (copy the examples to /etc/corral by hand).
# tests/install.sh checks the file list and modes.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
EXAMPLEDIR ?= $(PREFIX)/share/doc/corral/examples
INSTALL ?= install

install: $(B)/corral $(B)/initctl
	$(INSTALL) -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(EXAMPLEDIR)/services
	$(INSTALL) -m 0755 $(B)/corral $(B)/initctl $(DESTDIR)$(SBINDIR)/
	$(INSTALL) -m 0644 man/corral.8 man/initctl.8 $(DESTDIR)$(MANDIR)/man8/
	$(INSTALL) -m 0644 man/corral.service.5 man/corral.conf.5 $(DESTDIR)$(MANDIR)/man5/
	$(INSTALL) -m 0644 completion/initctl.bash $(DESTDIR)$(BASHCOMPDIR)/initctl
	$(INSTALL) -m 0644 conf/corral.conf $(DESTDIR)$(EXAMPLEDIR)/
	$(INSTALL) -m 0644 $(wildcard conf/services/*.service) $(DESTDIR)$(EXAMPLEDIR)/services/

# --- try-out ---------------------------------------------------------------
# corral as a subreaper with conf/try's services, which cannot change the
# host; everything under /tmp, Ctrl-C stops it (TRY_SECONDS=N: after N s).
try: $(B)/corral $(B)/initctl
	@sh conf/try/try.sh $(B)

# --- tests ---------------------------------------------------------------
deps:
	@sh tests/deps.sh

# Unit suites first: they need nothing but a temporary directory.
check: deps
	@$(MAKE) --no-print-directory all static asan fuzzers $(KERNEL) $(B)/rootfs/test.cpio.gz
	@ASAN_BUILD=$(ASAN_B) FUZZ_BUILD=$(FUZZ_B) FUZZ_SECONDS=20 \
	sh tests/run-suites.sh $(B)/test-results \
		$(addprefix $(B)/tests/unit/,$(UNIT_TESTS)) \
		$(addprefix $(ASAN_B)/tests/unit/,$(UNIT_TESTS)) \
		$(addprefix $(B)/tests/host/,$(HOST_TESTS)) \
		$(STATIC_BINS) $(HOST_SCRIPTS) $(wildcard tests/asan/*.sh) tests/fuzz/run.sh \
		$(wildcard tests/qemu/*.sh) tests/lint.sh \
		tests/man.sh tests/completion.sh tests/install.sh

# speed and memory targets live here, never in tests.  bench/run.sh runs
# corral, runit, s6 and bench/floor side by side (bench/bench.py; about
# 10-20 minutes; BENCH_QUICK=1: tiny sizes, one round; BENCH_ARGS: more
# options, see python3 bench/bench.py --help).
BENCH_PROGS := $(B)/bench/pause $(B)/bench/floor
bench-progs: $(BENCH_PROGS) $(B)/corral $(B)/initctl

bench: $(B)/bench/bench_grouping bench-progs
	$(B)/bench/bench_grouping 200
	BENCH_QUICK=$(BENCH_QUICK) sh bench/run.sh --build $(B) --out $(B)/bench/results.md \
		--json $(B)/bench/results.json $(BENCH_ARGS)

# every service of every supervisor: static, so exec costs all the same
$(B)/bench/pause: bench/pause.c
	@mkdir -p $(dir $@)
	$(MUSLCC) -O2 -static -o $@ $<

$(B)/bench/floor: bench/floor.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -o $@ $<

$(B)/bench/%: bench/%.c $(B)/libcorral.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Igrouping -o $@ $< $(B)/libcorral.a $(LDLIBS)

clean:
	rm -rf $(B)
