#!/bin/sh
# tests/host/compat-debian.sh - unit files nobody here wrote: the .service
# files of 42 Debian 12 daemon packages, fetched at test time with
# `apt-get download` and unpacked with `dpkg-deb --fsys-tarfile` (as the kernel is,
# see rootfs/kernel.sh; never committed, never installed) into a cache,
# build/compat-debian/KEY/units/PACKAGE/, KEY being a checksum of the
# package list, so a second run is offline.  `initctl --json verify` runs
# over every file found in lib/systemd/system and usr/lib/systemd/system
# (plus one instance of each template, NAME@corraltest.service), and
# tests/lib/compat_check.py checks the report:
# - a table of every file in the log: loaded or rejected, ignored keys,
#   warnings, the ExecStart argv or the error;
# - none is rejected, and no Exec line of a file keeps what systemd
#   resolves before exec (a prefix such as - or !, a specifier such as %i);
# - no behaviour-changing key is dropped silently: each key of a file is
#   documented in corral.service(5), changes nothing (Description=,
#   Documentation=, [Install]), or is named in a message for that file;
# - the argv corral will run for a few well-known files (memcached,
#   redis-server and its template, lighttpd, ssh, cron, htcacheclean,
#   haproxy) is the one systemd runs, and redis gets no stop timeout.
# Without the archive (no network) everything is skipped, saying so.
# shellcheck disable=SC2317
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

# Packages of Debian 12 (bookworm) that ship daemons' .service files
PKGS="anacron apache2 at avahi-daemon bind9 chrony containerd cron cups-daemon dbus dnsmasq
exim4-base fail2ban haproxy ifupdown keepalived knot lighttpd lm-sensors mariadb-server
memcached mosquitto nfs-kernel-server nginx-common ntpsec nut-server openssh-server openvpn
pdns-server postfix postgresql-common prosody redis-server rpcbind rsyslog samba
smartmontools squid supervisor tor unbound vsftpd"
MIN_PKGS=30

command -v python3 >/dev/null || skip_all "python3 not installed (it reads verify's JSON)"
command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null ||
	skip_all "needs apt-get and dpkg-deb (Debian)"
[ -x "$INITCTL" ] || skip_all "no initctl binary ($INITCTL)"

# shellcheck disable=SC2086
key=$(printf '%s\n' $PKGS | sort | cksum | cut -d' ' -f1)
CACHE=$here/build/compat-debian/$key
T=$(mktemp -d /tmp/corral-compat.XXXXXX)
trap 'rm -rf "$T"' EXIT

# fetch PKG: its .service files into CACHE/units/PKG; 1 if the download fails
fetch() {
	rm -rf "$T/dl" "$T/x"
	mkdir -p "$T/dl"
	# _apt cannot write to a directory of root's: the download then runs
	# unsandboxed, and apt says so on stderr
	(cd "$T/dl" && apt-get download -q "$1" > "$T/dl.log" 2>&1) || return 1
	deb=$(ls "$T"/dl/*.deb 2>/dev/null | head -n 1)
	[ -f "$deb" ] || return 1
	# only the unit directories: unpacking all of mariadb or samba is slow
	mkdir -p "$T/x"
	dpkg-deb --fsys-tarfile "$deb" > "$T/x.tar" || return 1
	tar -x -C "$T/x" -f "$T/x.tar" --wildcards './lib/systemd/system/*' \
		'./usr/lib/systemd/system/*' 2>/dev/null
	rm -f "$T/x.tar"
	mkdir -p "$CACHE/units.new/$1"
	for f in "$T"/x/lib/systemd/system/*.service "$T"/x/usr/lib/systemd/system/*.service; do
		# a link (mysql.service -> mariadb.service) is loaded through
		# it, as from a services directory: keep it a file of its own
		[ -f "$f" ] && cp -L "$f" "$CACHE/units.new/$1/"
	done
	echo "$(basename "$deb")" >> "$CACHE/units.new/VERSIONS"
	return 0
}

if [ ! -f "$CACHE/units/VERSIONS" ]; then
	rm -rf "$CACHE/units.new"
	mkdir -p "$CACHE/units.new"
	# the package lists may be missing on a fresh machine
	if ! apt-cache show memcached >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
		apt-get update -qq >/dev/null 2>&1
	fi
	failed=""
	for p in $PKGS; do
		fetch "$p" || failed="$failed $p"
	done
	rm -rf "$T/dl" "$T/x"
	if [ ! -s "$CACHE/units.new/VERSIONS" ]; then
		rm -rf "$CACHE"
		skip_all "apt-get download fetched nothing (no network or no Debian archive?): $(tail -n 1 "$T/dl.log" 2>/dev/null)"
	fi
	[ -n "$failed" ] && diag "could not download:$failed"
	mv "$CACHE/units.new" "$CACHE/units"
else
	diag "unit files from the cache $CACHE (remove it to fetch again)"
fi
U=$CACHE/units

npkg=0
for d in "$U"/*/; do
	ls "$d"*.service >/dev/null 2>&1 && npkg=$((npkg + 1))
done
nfiles=$(ls "$U"/*/*.service 2>/dev/null | wc -l)
diag "$(wc -l < "$U/VERSIONS") packages fetched: $(tr '\n' ' ' < "$U/VERSIONS")"
ok "$([ "$npkg" -ge "$MIN_PKGS" ]; echo $?)" \
	"$npkg packages ship $nfiles .service files (at least $MIN_PKGS packages)"

# a copy of the files for this run, and each template also as it runs,
# an instance: NAME@corraltest.service next to NAME@.service
for d in "$U"/*/; do
	p=$(basename "$d")
	mkdir -p "$T/units/$p"
	cp "$d"*.service "$T/units/$p/" 2>/dev/null
	for f in "$T/units/$p"/*@.service; do
		[ -f "$f" ] && cp "$f" "${f%@.service}@corraltest.service"
	done
done

"$INITCTL" --json verify "$T"/units/*/*.service > "$T/verify.json" 2> "$T/verify.err"
rc=$?
is "$(python3 -c 'import json,sys; json.load(open(sys.argv[1])); print("json")' \
	"$T/verify.json" 2>&1)" "json" "initctl --json verify: one valid JSON document"
is "$(cat "$T/verify.err")" "" "nothing on stderr"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(1 if d["rejected"] else 0)' \
	"$T/verify.json" > "$T/want_rc" 2>/dev/null
is "$rc" "$(cat "$T/want_rc")" "exit status 1 exactly when a file is rejected"

python3 "$here/tests/lib/compat_check.py" "$T/verify.json" "$T/units" \
	"$here/man/corral.service.5" > "$T/checks" 2>&1 ||
	{ ok 1 "compat_check.py ran"; cat "$T/checks"; }
while IFS= read -r line; do
	case $line in
	"PASS "*) ok 0 "${line#PASS }" ;;
	"FAIL "*) ok 1 "${line#FAIL }" ;;
	"SKIP "*)
		line=${line#SKIP }
		skip "${line%%	*}" "${line#*	}"
		;;
	"#"*) echo "$line" ;;
	esac
done < "$T/checks"
done_testing
