#!/bin/sh
# bench/install-peers.sh - install runit and s6 from Debian for the
# side-by-side benchmark, as plain supervisors (runsvdir, s6-svscan), never
# as the machine's init.
#
# Refuses when apt would pull in or remove anything that replaces init
# (runit-init, systemd-sysv, sysvinit-core, init, runit-run...).  A
# policy-rc.d that answers 101 is in place during the install, so no
# package starts a service on this machine.  Exits 0 when both are there.
set -u

have() { command -v "$1" >/dev/null 2>&1 || [ -x "/usr/bin/$1" ] || [ -x "/usr/sbin/$1" ] || [ -x "/sbin/$1" ]; }
if have runsvdir && have sv && have s6-svscan && have s6-svstat; then
	exit 0
fi
if [ "$(id -u)" != 0 ]; then
	echo "install-peers: runit/s6 missing and not root: cannot install" >&2
	exit 1
fi
sim() { LC_ALL=C apt-get -s install --no-install-recommends runit s6 2>&1; }
plan=$(sim)
if ! printf '%s\n' "$plan" | grep -q '^Inst '; then
	# no package lists yet: one update, then ask again
	apt-get update -qq >/dev/null 2>&1
	plan=$(sim)
fi
if ! printf '%s\n' "$plan" | grep -q '^Inst '; then
	echo "install-peers: apt-get cannot install runit s6:" >&2
	printf '%s\n' "$plan" | tail -n 5 >&2
	exit 1
fi
# Nothing removed, nothing that becomes /sbin/init.
bad=$(printf '%s\n' "$plan" | awk '
	/^Remv / { print $2; next }
	/^Inst / && $2 ~ /^(runit-init|runit-run|runit-systemd|systemd|systemd-sysv|sysvinit-core|sysvinit|init|s6-linux-init|openrc|finit|finit-sysv|busybox-init)$/ { print $2 }')
if [ -n "$bad" ]; then
	echo "install-peers: refusing: the install would touch init: $bad" >&2
	exit 1
fi

guard=/usr/sbin/policy-rc.d
made_guard=
if [ -e "$guard" ]; then
	# an existing policy must already deny every start
	if ! grep -qx 'exit 101' "$guard"; then
		echo "install-peers: $guard exists and does not 'exit 101'; not touching it" >&2
		exit 1
	fi
else
	printf '#!/bin/sh\n# corral bench/install-peers.sh: start nothing during the install\nexit 101\n' > "$guard" &&
		chmod 755 "$guard" && made_guard=1 || exit 1
	trap 'rm -f "$guard"' EXIT
	trap 'exit 1' INT TERM HUP
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends runit s6 >/dev/null
rc=$?
[ -n "$made_guard" ] && rm -f "$guard" && trap - EXIT
if [ $rc != 0 ]; then
	echo "install-peers: apt-get install runit s6 failed ($rc)" >&2
	exit 1
fi
exit 0
