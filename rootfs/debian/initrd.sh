#!/bin/sh
# rootfs/debian/initrd.sh OUTDIR - OUTDIR/initrd.cpio.gz for the Debian
# image: Debian's kernel builds ext4 and virtio as modules, so this small
# busybox initramfs loads them (from build/kernel, the same kernel), mounts
# /dev/vda (rw or ro as the command line says) and switches to the init=
# of the command line, the same way for systemd and for corral.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
out=$(cd "$1" && pwd)
kroot=$here/build/kernel/root
kver=$(basename "$(readlink -f "$here/build/kernel/vmlinuz")" | sed 's/^vmlinuz-//')
die() { echo "debian: $*" >&2; exit 1; }

# the initramfs: busybox, the modules for a virtio ext4 root, /init
initrd() {
	st=$(mktemp -d /tmp/corral-debinit.XXXXXX)
	mkdir -p "$st/bin" "$st/dev" "$st/proc" "$st/sys" "$st/newroot" "$st/lib/modules"
	cp /bin/busybox "$st/bin/busybox"
	for m in crc16 crc32c_generic mbcache jbd2 ext4 virtio_ring virtio \
		virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk; do
		f=$(find "$kroot/lib/modules/$kver/kernel" -name "$m.ko" | head -n 1)
		[ -n "$f" ] || { rm -rf "$st"; die "module $m not found for $kver"; }
		cp "$f" "$st/lib/modules/"
		echo "$m" >> "$st/lib/modules/order"
	done
	cat > "$st/init" <<-'EOF'
	#!/bin/busybox sh
	# load what the root disk needs, mount it, hand over to init=
	/bin/busybox mount -t proc proc /proc
	/bin/busybox mount -t devtmpfs dev /dev
	for m in $(/bin/busybox cat /lib/modules/order); do
		/bin/busybox insmod /lib/modules/$m.ko || echo "initrd: insmod $m failed"
	done
	init=/sbin/init
	opt=ro
	for a in $(/bin/busybox cat /proc/cmdline); do
		case $a in
		init=*) init=${a#init=} ;;
		rw) opt=rw ;;
		esac
	done
	i=0
	while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do /bin/busybox usleep 50000; i=$((i + 1)); done
	/bin/busybox mount -t ext4 -o $opt /dev/vda /newroot || { echo "initrd: cannot mount /dev/vda"; exec /bin/busybox sh; }
	/bin/busybox umount /dev
	/bin/busybox umount /proc
	exec /bin/busybox switch_root /newroot "$init"
	EOF
	chmod 755 "$st/init"
	(cd "$st" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -1) > "$out/initrd.cpio.gz.tmp"
	rm -rf "$st"
	mv "$out/initrd.cpio.gz.tmp" "$out/initrd.cpio.gz"
}

initrd
