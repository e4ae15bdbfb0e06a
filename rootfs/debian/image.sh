#!/bin/sh
# rootfs/debian/image.sh OUTDIR - the cached base image of rootfs/debian.sh
# (see there); its key is a checksum of this file, the package list and the
# kernel version, so changing how the image is made builds a new one.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
cmd=image
if [ "${1:-}" = customize-hook ]; then cmd=customize; shift; fi
[ $# -ge 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
out=$1
shift
mkdir -p "$out"
out=$(cd "$out" && pwd)
kroot=$here/build/kernel/root
kver=$(basename "$(readlink -f "$here/build/kernel/vmlinuz")" | sed 's/^vmlinuz-//')

die() { echo "debian: $*" >&2; exit 1; }

# the steps inside the new system, run by mmdebstrap's customize hook with
# the root directory as $1 (on the host, in mmdebstrap's namespaces)
customize() {
	r=$1
	[ -d "$kroot/lib/modules/$kver" ] || die "no modules for $kver in $kroot"
	mkdir -p "$r/usr/lib/modules"
	cp -a "$kroot/lib/modules/$kver" "$r/usr/lib/modules/"
	chroot "$r" depmod "$kver"
	echo corral-debian > "$r/etc/hostname"
	printf '127.0.0.1\tlocalhost\n127.0.1.1\tcorral-debian\n' > "$r/etc/hosts"
	cat > "$r/etc/fstab" <<-'EOF'
	# the root file system is the whole disk (QEMU's virtio disk)
	/dev/vda	/	ext4	rw,errors=remount-ro	0	1
	tmpfs	/tmp	tmpfs	nosuid,nodev,mode=1777	0	0
	EOF
	mkdir -p "$r/etc/network/interfaces.d"
	cat > "$r/etc/network/interfaces.d/eth0" <<-'EOF'
	# QEMU's user network (slirp): the guest is 10.0.2.15, the host 10.0.2.2
	auto eth0
	iface eth0 inet static
		address 10.0.2.15/24
		gateway 10.0.2.2
	EOF
	# one id for the image: both inits boot it as an existing system
	rm -f "$r/etc/machine-id"
	chroot "$r" systemd-machine-id-setup >/dev/null
	chroot "$r" passwd -d root >/dev/null
	chroot "$r" dpkg-divert --local --rename --divert /sbin/init.systemd --add /sbin/init >/dev/null
	mkdir -p "$r/usr/local/sbin" "$r/etc/corral/services"
	ln -s /usr/local/sbin/corral "$r/sbin/init"
	# what the packages enabled: systemd starts these at multi-user.target
	for l in "$r"/etc/systemd/system/multi-user.target.wants/*.service; do
		[ -L "$l" ] || continue
		unit=$(basename "$(readlink "$l")")
		src=$r/lib/systemd/system/$unit
		[ -f "$src" ] || die "$l points to a missing $unit"
		cp "$src" "$r/etc/corral/services/$(basename "$l")"
	done
	# and the services those pull in (networking.service wants
	# ifupdown-pre.service), but not systemd's own units: corral does
	# that work itself or with conf/debian's services
	more=1
	while [ -n "$more" ]; do
		more=
		for n in $(sed -n 's/^\(Wants\|Requires\|BindsTo\)=//p' "$r"/etc/corral/services/*.service |
			tr ' ' '\n' | grep '\.service$' | sort -u); do
			case $n in systemd-*) continue ;; esac
			[ -e "$r/etc/corral/services/$n" ] && continue
			[ -f "$r/lib/systemd/system/$n" ] || continue
			cp "$r/lib/systemd/system/$n" "$r/etc/corral/services/$n"
			more=1
		done
	done
	ls "$r/etc/corral/services" > "$r/etc/corral/debian-units.list"
}

image() {
	if [ -z "$kver" ] || [ ! -d "$kroot/lib/modules/$kver" ]; then
		die "no kernel in build/kernel (make build/kernel/vmlinuz)"
	fi
	pkgs=$(grep -v '^#' "$here/rootfs/debian/packages" | tr -s ' \n' ',' | sed 's/^,//; s/,$//')
	key=$(cat "$here/rootfs/debian/packages" "$here/rootfs/debian/image.sh" | { cat; echo "$kver"; } |
		sha256sum | cut -c1-16)
	img=$out/debian-$key.img
	if [ -z "$(find "$out/initrd.cpio.gz" -newer "$here/rootfs/debian/initrd.sh" 2>/dev/null)" ]; then
		sh "$here/rootfs/debian/initrd.sh" "$out"
	fi
	if [ -f "$img" ]; then
		ln -sf "$(basename "$img")" "$out/base.img"
		return 0
	fi
	command -v mmdebstrap >/dev/null || die "mmdebstrap is not installed (make deps)"
	command -v mke2fs >/dev/null || die "mke2fs is not installed"
	[ "$(id -u)" = 0 ] || die "building the image needs root (mmdebstrap --mode=root)"
	stage=$(mktemp -d "$out/stage.XXXXXX")
	trap 'rm -rf "$stage"' EXIT
	echo "debian: building the image ($pkgs) in $stage; this takes minutes, once"
	# policy-rc.d: mmdebstrap's own (exit 101) during the install; the
	# essential hook makes sure it is there before any daemon is unpacked
	if ! unshare --pid --fork --kill-child --mount --uts --ipc \
		mmdebstrap --mode=root --variant=minbase --include="$pkgs" \
		--aptopt='APT::Install-Recommends "false"' \
		--essential-hook='test -x "$1/usr/sbin/policy-rc.d" || { echo "no policy-rc.d" >&2; exit 1; }; "$1/usr/sbin/policy-rc.d"; test $? = 101' \
		--customize-hook="sh '$here/rootfs/debian/image.sh' customize-hook '$out' \"\$1\"" \
		bookworm "$stage/root" \
		"deb http://deb.debian.org/debian bookworm main" \
		"deb http://deb.debian.org/debian bookworm-updates main" \
		"deb http://deb.debian.org/debian-security bookworm-security main" \
		> "$out/mmdebstrap.log" 2>&1; then
		tail -n 20 "$out/mmdebstrap.log" >&2
		die "mmdebstrap failed (log: $out/mmdebstrap.log)"
	fi
	size=$(du -sm "$stage/root" | cut -f1)
	truncate -s "$((size + 1024))M" "$stage/img"
	mke2fs -q -t ext4 -L debian -d "$stage/root" "$stage/img" || die "mke2fs failed"
	mv "$stage/img" "$img"
	ln -sf "$(basename "$img")" "$out/base.img"
	echo "debian: $img (${size} MiB of files)"
}

case $cmd in
image) image ;;
customize) customize "$1" ;;
esac
