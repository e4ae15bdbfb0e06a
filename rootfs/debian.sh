#!/bin/sh
# rootfs/debian.sh - a Debian 12 system on a disk image, with corral as its
# /sbin/init (make boot-debian, tests/qemu/debian.sh, bench/boot.sh).
#
#   rootfs/debian.sh image OUTDIR         the cached base image (built once)
#   rootfs/debian.sh install OUTDIR [DIR...]  corral, initctl, conf/debian
#                                         and each overlay DIR into it
#   rootfs/debian.sh boot OUTDIR LOG PORT [KERNEL ARGS...]  QEMU on it
#
# `image` builds OUTDIR/debian-KEY.img (ext4, no partition table) with
# mmdebstrap --variant=minbase and the packages of rootfs/debian/packages,
# KEY being a checksum of that list, this script and the kernel version, and
# links OUTDIR/base.img to it; an image with the same KEY is reused, so the
# download and install happen once.  Nothing runs on the host but
# mmdebstrap, in a PID, mount, UTS and IPC namespace of its own (nothing it
# mounts or starts outlives it), behind mmdebstrap's policy-rc.d that starts
# no daemon (checked by a hook).  The image gets:
#   - the modules of build/kernel's kernel (same version: udev loads
#     virtio_net and the rest from them), and depmod's index;
#   - /etc/hostname, /etc/fstab, a static /etc/network/interfaces.d/eth0
#     for QEMU's user network, a machine-id, root without a password (a
#     console login; sshd refuses empty passwords);
#   - /sbin/init diverted to /sbin/init.systemd and replaced by a link to
#     /usr/local/sbin/corral (init=/lib/systemd/systemd boots systemd);
#   - in /etc/corral/services, a copy of the unit file of every service
#     Debian's packages enabled (the .service links in
#     /etc/systemd/system/multi-user.target.wants), unmodified.
# It also writes OUTDIR/initrd.cpio.gz: the kernel builds ext4 and virtio as
# modules, so a small busybox initramfs loads them, mounts /dev/vda and
# switches to the init= of the command line (the same for both inits).
#
# `install` writes the current build/static/corral and initctl, and
# conf/debian (corral.conf and the services corral ships for what systemd
# does itself) into base.img with debugfs, then each DIR as a root tree:
# seconds, so every boot runs the corral just built.  Boots use the image
# with QEMU's snapshot=on: what the guest writes is thrown away.
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
cmd=${1:-}
[ $# -ge 2 ] || { echo "usage: $0 image|install OUTDIR [DIR...]" >&2; exit 2; }
out=$2
shift 2
mkdir -p "$out"
out=$(cd "$out" && pwd)

die() { echo "debian: $*" >&2; exit 1; }

# one root tree into the image: directories made, files and links replaced
install_tree() {
	src=$1
	(cd "$src" && find . -mindepth 1 | LC_ALL=C sort) | while IFS= read -r p; do
		p=${p#.}
		if [ -L "$src$p" ]; then
			printf 'rm %s\nsymlink %s %s\n' "$p" "$p" "$(readlink "$src$p")"
		elif [ -d "$src$p" ]; then
			printf 'mkdir %s\n' "$p"
		else
			printf 'rm %s\nwrite %s %s\nsif %s mode 0%o\nsif %s uid 0\nsif %s gid 0\n' \
				"$p" "$src$p" "$p" "$p" "$((0100000 + 0$(stat -c %a "$src$p")))" "$p" "$p"
		fi
	done
}

install() {
	img=$out/base.img
	[ -f "$img" ] || die "no image: run rootfs/debian.sh image $out first"
	for f in "$here/build/static/corral" "$here/build/static/initctl"; do
		[ -x "$f" ] || die "missing $f (make static)"
	done
	st=$(mktemp -d /tmp/corral-debinst.XXXXXX)
	trap 'rm -rf "$st"' EXIT
	mkdir -p "$st/usr/local/sbin" "$st/etc/corral/services"
	cp "$here/build/static/corral" "$here/build/static/initctl" "$st/usr/local/sbin/"
	cp "$here/conf/debian/corral.conf" "$st/etc/corral/"
	cp "$here"/conf/debian/services/* "$st/etc/corral/services/"
	for o in "$@"; do
		[ -d "$o" ] || die "overlay $o is not a directory"
		cp -R "$o/." "$st/"
	done
	# what the last install wrote and this one does not goes first (a
	# test's or a benchmark's services must not stay for the next boot)
	: > "$st.cmds"
	if [ -f "$out/installed.list" ]; then
		(cd "$st" && find . -mindepth 1 ! -type d | sed 's/^\.//' | LC_ALL=C sort) > "$st.new"
		LC_ALL=C sort "$out/installed.list" | LC_ALL=C comm -23 - "$st.new" | sed 's/^/rm /' >> "$st.cmds"
		rm -f "$st.new"
	fi
	install_tree "$st" >> "$st.cmds"
	debugfs -w -f "$st.cmds" "$img" > "$st.log" 2>&1 || { cat "$st.log" >&2; rm -f "$st.cmds" "$st.log"; die "debugfs failed"; }
	# debugfs goes on after a failed command: only a missing file to
	# remove and an existing directory are expected
	if grep -E '^[a-z_]+: ' "$st.log" | grep -v -E '^debugfs' | grep -v -E 'File not found by ext2_lookup|Ext2 directory already exists|^debugfs [0-9]' >&2; then
		rm -f "$st.cmds" "$st.log"
		die "debugfs reported errors writing $img"
	fi
	rm -f "$st.cmds" "$st.log"
	(cd "$st" && find . -mindepth 1 ! -type d | sed 's/^\.//') > "$out/installed.list"
}

# QEMU on the image, always the same way: TCG, 1 CPU, 1 GiB, the disk as
# virtio with snapshot=on (nothing written stays), user networking with
# restrict=on (the guest reaches nothing) and only 127.0.0.1:PORT forwarded
# to its port 22; the serial console to LOG ("-": this terminal).
boot() {
	log=$1 port=$2
	shift 2
	[ -f "$out/base.img" ] && [ -f "$out/initrd.cpio.gz" ] || die "no image in $out"
	# -nographic: the serial console and QEMU's monitor (Ctrl-A C) on stdio
	if [ "$log" = - ]; then
		console=-nographic
	else
		console="-display none -monitor none -serial file:$log"
	fi
	# shellcheck disable=SC2086
	exec qemu-system-x86_64 -accel tcg -m 1024 -smp 1 -no-reboot $console \
		-kernel "$here/build/kernel/vmlinuz" -initrd "$out/initrd.cpio.gz" \
		-drive "file=$out/base.img,format=raw,if=virtio,snapshot=on" \
		-netdev "user,id=n0,restrict=on,hostfwd=tcp:127.0.0.1:$port-:22" \
		-device virtio-net-pci,netdev=n0 \
		-append "console=ttyS0 root=/dev/vda rw net.ifnames=0 panic=-1 quiet loglevel=3 $*"
}

case $cmd in
image) exec sh "$here/rootfs/debian/image.sh" "$out" ;;
install) install "$@" ;;
boot) boot "$@" ;;
*) echo "usage: $0 image|install OUTDIR [DIR...]" >&2; exit 2 ;;
esac
