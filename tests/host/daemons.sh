#!/bin/sh
# tests/host/daemons.sh - real daemons from Debian under corral, each from
# its own unmodified unit file: memcached (simple), redis-server (notify),
# lighttpd (simple, ExecStartPre, ExecReload) and dnsmasq (forking,
# PIDFile, ExecStartPre/Post, ExecStop, ExecReload, Requires=network.target).
#
# The packages are installed when missing (apt-get install
# --no-install-recommends) behind a policy-rc.d that exits 101, so the
# packages start nothing themselves; an existing policy-rc.d is put back
# afterwards.  corral runs as a subreaper in this scenario's own cgroup
# subtree (tests/lib/corral.sh), the unit files are copied unchanged from
# /lib/systemd/system into its services directory (and compared with
# Debian's).  Every daemon listens on 127.0.0.1 only, on its usual port if
# free, else on another: memcached's and redis' configurations listen on
# loopback already (redis' "-::1" is dropped); lighttpd gets server.bind
# 127.0.0.1 and no IPv6 socket; dnsmasq a drop-in in /etc/dnsmasq.d.  Each
# configuration file changed is restored, each drop-in removed, even when
# a check fails.  dnsmasq is skipped when /sbin/resolvconf exists (its
# ExecStartPost would register 127.0.0.1 as this machine's name server).
#
# Per daemon: running, in its group in every hierarchy, initctl status
# right (state, type, pid), answering on 127.0.0.1 and on nothing else,
# `initctl reload NAME` where the unit has ExecReload (still running, same
# main pid), a clean stop within its stop timeout (by SIGTERM, not
# SIGKILL; redis logs "DB saved on disk"), and nothing left behind: no
# process of the daemon's user that was not there before, no group.
# shellcheck disable=SC2317
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

[ "$(id -u)" = 0 ] || skip_all "needs root"
command -v apt-get >/dev/null && command -v dpkg-query >/dev/null ||
	skip_all "needs apt-get (Debian)"
command -v ss >/dev/null || skip_all "needs ss (iproute2)"
command -v python3 >/dev/null || skip_all "needs python3 (the protocol checks)"

DAEMONS="memcached redis-server lighttpd dnsmasq"
PKGS="memcached redis-server redis-tools lighttpd dnsmasq"
[ -x /sbin/resolvconf ] && DAEMONS="memcached redis-server lighttpd"

subreaper_scenario daemons
# corral's run dir where a real one is, below /run: redis-server's unit has
# PrivateTmp=yes, and a notify socket under /tmp would be hidden from it
# by its private /tmp; the daemons' users reach their notify sockets there
RUN_DIR=/run/corral-test-$$
mkdir -p "$RUN_DIR"
chmod 755 "$T"
POLICY=/usr/sbin/policy-rc.d
RESTORE=""	# "original backup" pairs, put back by scenario_cleanup
REMOVE=""	# files this scenario created outside T

scenario_cleanup() {
	# corral first (subreaper_cleanup kills it after us): its daemons
	# must not keep running on a configuration about to be restored
	if [ -n "$CP" ]; then
		kill -TERM "$CP" 2>/dev/null
		i=0
		while kill -0 "$CP" 2>/dev/null && [ "$i" -lt 150 ]; do
			sleep 0.2
			i=$((i + 1))
		done
	fi
	rm -rf "$RUN_DIR"
	# shellcheck disable=SC2086  # "original backup" pairs, no blanks in them
	set -- $RESTORE
	while [ $# -ge 2 ]; do
		cat "$2" > "$1" && rm -f "$2"
		shift 2
	done
	for f in $REMOVE; do
		rm -f "$f"
	done
	[ -f "$T/policy-rc.d.orig" ] && cp -p "$T/policy-rc.d.orig" "$POLICY"
}

# backup FILE: keep a copy to restore (contents only: owner, mode stay)
backup() {
	cp -p "$1" "$T/backup.$(echo "$1" | tr / _)"
	RESTORE="$RESTORE $1 $T/backup.$(echo "$1" | tr / _)"
}

# ---- install, starting nothing ----------------------------------------------
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
		missing="$missing $p"
done
# the daemons' pids before anything here ran: never ours to touch
before_pids() { for d in memcached redis-server lighttpd dnsmasq; do pgrep -x "$d"; done | sort -n; }
BEFORE=$(before_pids)
if [ -n "$missing" ]; then
	[ -e "$POLICY" ] && cp -p "$POLICY" "$T/policy-rc.d.orig"
	[ -e "$POLICY" ] || REMOVE="$REMOVE $POLICY"
	printf '#!/bin/sh\n# tests/host/daemons.sh: packages start nothing\nexit 101\n' > "$POLICY"
	chmod 755 "$POLICY"
	diag "installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	# shellcheck disable=SC2086
	if ! apt-get install -y -qq --no-install-recommends $missing > "$T/apt.log" 2>&1; then
		apt-get update -qq > /dev/null 2>&1
		# shellcheck disable=SC2086
		apt-get install -y -qq --no-install-recommends $missing > "$T/apt.log" 2>&1 ||
			{ sed 's/^/# /' "$T/apt.log"; skip_all "cannot install$missing"; }
	fi
	if [ -f "$T/policy-rc.d.orig" ]; then
		cp -p "$T/policy-rc.d.orig" "$POLICY"
		rm -f "$T/policy-rc.d.orig"
	else
		rm -f "$POLICY"
	fi
	is "$(before_pids)" "$BEFORE" "installing$missing started no daemon"
fi

# ---- loopback only, on free ports ---------------------------------------------------
in_use() { ss -Hltun 2>/dev/null | awk '{ print $5 }' | grep -qE "[:.]$1\$"; }
free_port() {	# free_port DEFAULT: DEFAULT if free, else one above 20000
	p=$1
	[ "$p" -lt 20000 ] && ! in_use "$p" && { echo "$p"; return; }
	p=20000
	while in_use "$p"; do p=$((p + 1)); done
	echo "$p"
}

MC_PORT=$(free_port 11211)
backup /etc/memcached.conf
grep -q '^-l 127.0.0.1$' /etc/memcached.conf || echo "-l 127.0.0.1" >> /etc/memcached.conf
sed -i "s/^-p .*/-p $MC_PORT/" /etc/memcached.conf
grep -q "^-p $MC_PORT\$" /etc/memcached.conf || echo "-p $MC_PORT" >> /etc/memcached.conf

RD_PORT=$(free_port 6379)
RD_LOG=/var/log/redis/redis-server.log
backup /etc/redis/redis.conf
sed -i "s/^bind .*/bind 127.0.0.1/; s/^port .*/port $RD_PORT/" /etc/redis/redis.conf
RD_LOG_SIZE=$(stat -c %s "$RD_LOG" 2>/dev/null || echo 0)

LT_PORT=$(free_port 80)
backup /etc/lighttpd/lighttpd.conf
sed -i -e "s/^server.port .*/server.port = $LT_PORT/" \
	-e 's|^include_shell "/usr/share/lighttpd/use-ipv6.pl.*|# (no IPv6 socket: tests/host/daemons.sh) &|' \
	/etc/lighttpd/lighttpd.conf
echo 'server.bind = "127.0.0.1"' >> /etc/lighttpd/lighttpd.conf

DN_PORT=$(free_port 53)
if [ -d /etc/dnsmasq.d ]; then
	printf 'listen-address=127.0.0.1\nbind-interfaces\nport=%s\n' "$DN_PORT" \
		> /etc/dnsmasq.d/zz-corral-test.conf
	REMOVE="$REMOVE /etc/dnsmasq.d/zz-corral-test.conf"
fi
diag "ports: memcached $MC_PORT, redis $RD_PORT, lighttpd $LT_PORT, dnsmasq $DN_PORT"

# ---- Debian's units, unmodified ---------------------------------------------------
unit_user() {	# the user the daemon ends up as
	case $1 in
	memcached) echo memcache ;; redis-server) echo redis ;;
	lighttpd) echo www-data ;; dnsmasq) echo dnsmasq ;;
	esac
}
unit_file() {
	for f in /lib/systemd/system/"$1".service /usr/lib/systemd/system/"$1".service; do
		[ -f "$f" ] && { echo "$f"; return; }
	done
}
USERS_BEFORE=$T/users-before
: > "$USERS_BEFORE"
for d in $DAEMONS; do
	f=$(unit_file "$d")
	cp "$f" "$T/conf/services/"
	check "$d: Debian's unit $f copied unchanged" cmp "$f" "$T/conf/services/$d.service"
	# dpkg --verify prints the files that differ from the package's
	pkg=$d
	is "$(dpkg --verify "$pkg" 2>/dev/null | grep -F "$(basename "$f")")" "" \
		"$d: $f is the package's own (dpkg --verify)"
	pgrep -u "$(unit_user "$d")" >> "$USERS_BEFORE" 2>/dev/null
done

start_corral
check "corral answers" retry 10 ctl list

# group_pids NAME: the pids in NAME's group (its first hierarchy)
group_pids() {
	p=$(field "$1" path | awk '{ print $NF; exit }')
	[ -n "$p" ] && cat "$p/cgroup.procs" 2>/dev/null
}
# in_groups NAME PID: PID is in NAME's group in every hierarchy corral uses
in_groups() {
	n=0
	for p in $(ctl --kv status "$1" | awk '$1 == "path" { print $NF }'); do
		grep -qx "$2" "$p/cgroup.procs" || return 1
		n=$((n + 1))
	done
	[ "$n" -gt 0 ]
}
# listens NAME: every socket the group's processes listen on, one a line
listens() {
	pids=$(group_pids "$1" | tr '\n' '|' | sed 's/|$//')
	[ -n "$pids" ] || return 0
	ss -Hltunp 2>/dev/null | grep -E "pid=($pids)," | awk '{ print $1 " " $5 }' | sort -u
}
only_loopback() { [ -n "$1" ] && ! echo "$1" | awk '{ print $2 }' | grep -qv '^127\.0\.0\.1:'; }

talk() {	# talk PORT REQUEST: the first line of the answer (TCP on 127.0.0.1)
	python3 - "$1" "$2" <<'EOT' 2>/dev/null
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode())
print(s.recv(4096).decode(errors="replace").splitlines()[0])
EOT
}
dns_answers() {	# a DNS query for localhost over UDP: any answer counts
	python3 - "$1" <<'EOT' 2>/dev/null
import socket, sys
q = b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x09localhost\x00\x00\x01\x00\x01"
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
s.sendto(q, ("127.0.0.1", int(sys.argv[1])))
r = s.recv(512)
sys.exit(0 if r[:2] == b"\x12\x34" else 1)
EOT
}

for d in $DAEMONS; do
	case $d in
	memcached) type=simple port=$MC_PORT ;;
	redis-server) type=notify port=$RD_PORT ;;
	lighttpd) type=simple port=$LT_PORT ;;
	dnsmasq) type=forking port=$DN_PORT ;;
	esac
	# running, or given up (failed): no use waiting longer then
	retry 30 sh -c "state=\$(\"$INITCTL\" -r '$RUN_DIR' --kv status $d |
		awk '\$1 == \"state\" { print \$2 }'); [ \"\$state\" = running ] || [ \"\$state\" = failed ]"
	if ! state_is "$d" running; then
		ok 1 "$d is running"
		ctl --kv status "$d" | sed 's/^/#   /'
		grep -F "$d" "$T/log" | tail -n 5 | sed 's/^/#   /'
		continue
	fi
	ok 0 "$d is running"
	pid=$(field "$d" pid)
	is "$(field "$d" type)" "$type" "$d: initctl status says type $type"
	check "$d: its main pid $pid is alive" kill -0 "$pid"
	check "$d: main pid $pid is in its group in every hierarchy" in_groups "$d" "$pid"
	gp=$(group_pids "$d" | tr '\n' ',' | sed 's/,$//')
	check "$d: its group runs as user $(unit_user "$d")" \
		sh -c "ps -o user= -p '$gp' | grep -qx '$(unit_user "$d")'"
	retry 10 sh -c "[ -n \"\$(ss -Hltun | awk '{ print \$5 }' | grep -E '[:.]$port\$')\" ]"
	l=$(listens "$d")
	diag "$d listens on: $(echo "$l" | tr '\n' ' ')"
	check "$d: listens on 127.0.0.1 only" only_loopback "$l"
	case $d in
	memcached) is "$(talk "$port" 'version\r\n' | cut -d' ' -f1)" "VERSION" \
		"memcached answers version on 127.0.0.1:$port" ;;
	redis-server) is "$(talk "$port" 'PING\r\n')" "+PONG" "redis answers PING on 127.0.0.1:$port" ;;
	lighttpd) is "$(talk "$port" 'HEAD / HTTP/1.0\r\n\r\n' | cut -d' ' -f1)" "HTTP/1.0" \
		"lighttpd answers HTTP on 127.0.0.1:$port" ;;
	dnsmasq) check "dnsmasq answers DNS on 127.0.0.1:$port" dns_answers "$port" ;;
	esac
	if grep -q '^ExecReload=' "$T/conf/services/$d.service"; then
		ctl reload "$d" > "$T/reload.out" 2>&1
		rc=$?
		is "$rc" 0 "$d: initctl reload $d (its ExecReload) succeeds"
		[ "$rc" = 0 ] || sed 's/^/#   /' "$T/reload.out"
		sleep 1
		check "$d: still running after reload" state_is "$d" running
		is "$(field "$d" pid)" "$pid" "$d: same main pid after reload"
	fi
done

for d in $DAEMONS; do
	state_is "$d" running || { skip "not running" "$d: stops cleanly"; continue; }
	# the unit's stop timeout (default 10 s; 0 or infinity: none, then
	# the 60 s this test waits at most)
	tmo=$(sed -n 's/^TimeoutStopSec=//p; s/^TimeoutSec=//p' "$T/conf/services/$d.service" | tail -n 1)
	case $tmo in
	"") tmo=10 ;; 0 | infinity) tmo=60 ;;
	*[!0-9]*) tmo=60 ;;
	esac
	pids=$(group_pids "$d" | tr '\n' ' ')
	t0=$(date +%s)
	ctl stop "$d" > /dev/null 2>&1
	if retry $((tmo + 2)) state_is "$d" down; then
		ok 0 "$d: stopped within its stop timeout (${tmo} s) ($(( $(date +%s) - t0 )) s)"
	else
		ok 1 "$d: stopped within its stop timeout (${tmo} s)"
		ctl --kv status "$d" | sed 's/^/#   /'
	fi
	last=$(field "$d" last_exit)
	case $last in
	"killed by signal 9"*) ok 1 "$d: ended by SIGTERM, not SIGKILL (last exit: $last)" ;;
	*) ok 0 "$d: ended by SIGTERM, not SIGKILL (last exit: $last)" ;;
	esac
	left=""
	for p in $pids; do
		kill -0 "$p" 2>/dev/null && left="$left $p"
	done
	is "$left" "" "$d: none of its processes ($pids) is left"
	is "$(group_pids "$d")" "" "$d: its group is empty"
	if [ "$d" = redis-server ]; then
		tail -c +"$((RD_LOG_SIZE + 1))" "$RD_LOG" 2>/dev/null > "$T/redis.log"
		check "redis-server: logged 'DB saved on disk' ($RD_LOG)" grep -q "DB saved on disk" "$T/redis.log"
	fi
	new=$(pgrep -u "$(unit_user "$d")" 2>/dev/null | grep -vxF -f "$USERS_BEFORE")
	is "$new" "" "$d: no process of user $(unit_user "$d") left behind"
done

stop_corral
is "$rc" 0 "corral stops and exits 0"
check "corral removed its groups (subtree $SUB)" cg_subtree_gone "$SUB"
is "$(before_pids)" "$BEFORE" "no memcached, redis, lighttpd or dnsmasq left running"
done_testing
