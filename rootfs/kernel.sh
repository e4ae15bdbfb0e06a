#!/bin/sh
# rootfs/kernel.sh OUTDIR - Debian's kernel for QEMU, without installing it:
# `apt-get download` the package linux-image-amd64 points at, extract it
# with dpkg-deb -x, and link OUTDIR/vmlinuz to the kernel.  Reuses an
# earlier download.
set -eu
out=$1
mkdir -p "$out"
out=$(cd "$out" && pwd)
[ -e "$out/vmlinuz" ] && exit 0
pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/ { print $2; exit }')
if [ -z "$pkg" ]; then
	apt-get update -qq >/dev/null
	pkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-/ { print $2; exit }')
fi
[ -n "$pkg" ] || { echo "kernel.sh: cannot resolve linux-image-amd64" >&2; exit 1; }
echo "kernel: downloading $pkg"
# _apt cannot write to a root-owned directory: download as root, quietly
(cd "$out" && apt-get download -q "$pkg" 2>&1 | grep -v '^W: Download is performed unsandboxed' || true)
deb=$(ls "$out"/"$pkg"_*.deb 2>/dev/null | head -n 1)
[ -f "$deb" ] || { echo "kernel.sh: download of $pkg failed" >&2; exit 1; }
rm -rf "$out/root"
dpkg-deb -x "$deb" "$out/root"
ln -sf "$(ls "$out"/root/boot/vmlinuz-* | head -n 1)" "$out/vmlinuz"
rm -f "$deb"
