# corral - top-level build.
#
#   make          build everything with gcc into build/
#   make static   the same programs linked statically with musl-gcc into
#                 build/static/ (for the initramfs)
#   make check    install missing Debian packages, build, run every TAP
#                 suite through automake's tap-driver.sh
#   make clean

CC ?= gcc
MUSLCC ?= musl-gcc
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -Wall -Wextra -Wshadow -Wno-unused-parameter \
	  -Wno-format-truncation -D_GNU_SOURCE -fno-strict-aliasing
# Debian's libev ships no .pc file; fall back to plain -lev.
EV_LIBS := $(shell pkg-config --libs libev 2>/dev/null || echo -lev)
INIH_LIBS := $(shell pkg-config --libs inih 2>/dev/null || echo -linih)
LDLIBS = $(EV_LIBS) $(INIH_LIBS) -lm

B := build
S := build/static
MULTIARCH := $(shell gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)
LIBDIR := /usr/lib/$(MULTIARCH)

LIB_SRC := lib/log.c
GRP_SRC := grouping/parse.c grouping/sysfile.c grouping/container.c \
	   grouping/group.c grouping/release.c grouping/hierarchy.c \
	   grouping/cpuset.c grouping/cpuacct.c grouping/numtasks.c
SVC_SRC := services/load.c services/argv.c
SUP_SRC := supervisor/state.c supervisor/spawn.c supervisor/output.c \
	   supervisor/status.c supervisor/control.c supervisor/notify.c
INIT_SRC := init/main.c init/pid1.c
CORE_SRC := $(LIB_SRC) $(GRP_SRC) $(SVC_SRC) $(SUP_SRC) init/pid1.c
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

.PHONY: all static check deps clean kernel rootfs boot bench
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

$(B)/initctl: $(B)/obj/supervisor/initctl.o $(B)/libcorral.a
	$(CC) $(CFLAGS) -o $@ $^ $(LDLIBS)

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

$(S)/initctl: $(S)/obj/supervisor/initctl.o $(S)/libcorral.a
	$(MUSLCC) $(CFLAGS) -static -o $@ $< $(S)/libcorral.a -lm

static: $(STATIC_BINS) $(addprefix $(S)/,$(PROGS))

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

# --- tests ---------------------------------------------------------------
deps:
	@sh tests/deps.sh

# Unit suites first: they need nothing but a temporary directory.
check: deps
	@$(MAKE) --no-print-directory all static $(KERNEL) $(B)/rootfs/test.cpio.gz
	@sh tests/run-suites.sh $(B)/test-results \
		$(addprefix $(B)/tests/unit/,$(UNIT_TESTS)) \
		$(addprefix $(B)/tests/host/,$(HOST_TESTS)) \
		$(STATIC_BINS) $(HOST_SCRIPTS) $(wildcard tests/qemu/*.sh) tests/lint.sh

# speed and memory targets live here, never in tests
bench: $(B)/bench/bench_grouping
	$(B)/bench/bench_grouping 200

$(B)/bench/%: bench/%.c $(B)/libcorral.a $(HDRS)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -Igrouping -o $@ $< $(B)/libcorral.a $(LDLIBS)

clean:
	rm -rf $(B)
