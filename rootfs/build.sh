#!/bin/sh
# rootfs/build.sh OUT.cpio.gz [OVERLAY_DIR...] - build corral's initramfs.
#
# The image holds busybox-static (with a symlink per applet, except init),
# the static musl corral as /sbin/init (and /init, where the kernel looks
# in an initramfs), initctl, conf/corral.conf and conf/services, and
# rootfs/base.  Each OVERLAY_DIR is then copied over the image as a root
# tree, which is how to add service files and test scripts:
#
#   mkdir -p my/etc/corral/services my/usr/local/bin
#   cp foo.service my/etc/corral/services/
#   make rootfs ROOTFS_ADD=my      (or: rootfs/build.sh out.cpio.gz my)
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
out=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
shift
overlays=
for o in "$@"; do
	[ -d "$o" ] || { echo "rootfs: overlay $o is not a directory" >&2; exit 1; }
	overlays="$overlays $(cd "$o" && pwd)"
done
stage=$(mktemp -d /tmp/corral-rootfs.XXXXXX)
trap 'rm -rf "$stage"' EXIT

for f in "$here/build/static/corral" "$here/build/static/initctl" /bin/busybox; do
	[ -x "$f" ] || { echo "rootfs: missing $f (make static; apt-get install busybox-static)" >&2; exit 1; }
done
chmod 755 "$stage"	# the image's /: mktemp made it 0700
cd "$stage"
mkdir -p bin sbin usr/bin usr/sbin etc/corral/services proc sys dev run tmp root \
	srv/www var/log etc/crontabs tests/lib
chmod 1777 tmp
cp /bin/busybox bin/busybox
for a in $(bin/busybox --list); do
	case $a in
	init|linuxrc|busybox) ;;		# corral is init
	*) [ -e "bin/$a" ] || ln -s busybox "bin/$a" ;;
	esac
done
cp "$here/build/static/corral" sbin/init
cp "$here/build/static/initctl" sbin/initctl
ln -s sbin/init init
# the kernel opens it for init's stdio before devtmpfs is mounted
mknod -m 600 dev/console c 5 1
mknod -m 666 dev/null c 1 3
cp "$here/conf/corral.conf" etc/corral/
cp "$here"/conf/services/*.service etc/corral/services/
cp "$here/tests/lib/tap.sh" tests/lib/
cp -R "$here/rootfs/base/." .
for overlay in $overlays; do
	cp -R "$overlay/." .
done
find . -print | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet | gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
echo "rootfs: $out ($(du -h "$out" | cut -f1))"
