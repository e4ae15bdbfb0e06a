#!/bin/sh
# conf/try/try.sh - `make try`: corral as a child subreaper (never PID 1)
# with the try-out services of conf/try, which cannot change the host:
# no host name, no /dev/log, listeners on 127.0.0.1 only.  Everything of
# its own is under /tmp (a run dir, the log dir, a copy of the
# configuration) and the cgroup subtree corral-try-PID; all is removed
# when it stops.  Ctrl-C (or SIGTERM) stops the services and corral.
#
#   sh conf/try/try.sh [BUILD_DIR]
#
# Environment: TRY_SECONDS (stop after that long, for scripts), TRY_PORT
# (web's port on 127.0.0.1, default 8080), CORRAL_BIN / INITCTL_BIN
# (other binaries than BUILD_DIR's).
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
B=${1:-build}
CORRAL=${CORRAL_BIN:-$B/corral}
INITCTL=${INITCTL_BIN:-$B/initctl}
PORT=${TRY_PORT:-8080}
SUB=corral-try-$$

[ -x "$CORRAL" ] || { echo "try: $CORRAL not built (make)" >&2; exit 1; }
if [ "$(id -u)" != 0 ] && [ ! -w /sys/fs/cgroup ]; then
	echo "try: corral needs root (or a delegated cgroup subtree) to make its groups" >&2
fi
D=$(mktemp -d /tmp/corral-try.XXXXXX) || exit 1
mkdir -p "$D/conf/services"
cp "$here/conf/try/corral.conf" "$D/conf/"
cp "$here"/conf/try/services/*.service "$D/conf/services/"
mkdir -p "$D/www"
echo "hello from corral's try-out web server" > "$D/www/index.html"
# web: BusyBox httpd if there is one, else Python's; 127.0.0.1 only
if command -v busybox > /dev/null 2>&1 && busybox --list 2>/dev/null | grep -qx httpd; then
	web="$(command -v busybox) httpd -f -p 127.0.0.1:$PORT -h $D/www"
elif command -v python3 > /dev/null 2>&1; then
	web="$(command -v python3) -m http.server --bind 127.0.0.1 --directory $D/www $PORT"
fi
if [ -n "${web:-}" ]; then
	cat > "$D/conf/services/web.service" <<EOT
; Made by conf/try/try.sh: a web server on 127.0.0.1:$PORT only.
[Unit]
Description=Web server on 127.0.0.1:$PORT
After=hello
[Service]
ExecStart=$web
Restart=on-failure
[Group]
Name=web
TasksMax=16
EOT
fi

"$CORRAL" --config-dir "$D/conf" --run-dir "$D/run" --cgroup-subtree "$SUB" \
	--log-dir "$D/log" &
CP=$!
stop() {
	trap '' INT TERM
	kill -TERM "$CP" 2>/dev/null
	wait "$CP"
	rc=$?
	rm -rf "$D"
	echo "try: corral stopped (exit $rc); $D removed"
	exit "$rc"
}
trap stop INT TERM
sleep 1
cat <<EOT

corral runs as a subreaper (pid $CP), cgroup subtree $SUB, files in $D.
In another terminal:
  $INITCTL -r $D/run list
  $INITCTL -r $D/run status ticker
  $INITCTL -r $D/run log ticker -f          (Ctrl-C ends it)
  $INITCTL -r $D/run restart flaky
  $INITCTL -r $D/run analyze blame
  ls $D/log/ticker                          (current and rotated logs)
EOT
[ -n "${web:-}" ] && echo "  curl http://127.0.0.1:$PORT/"
echo "Ctrl-C here stops the services and corral."
echo
if [ -n "${TRY_SECONDS:-}" ]; then
	sleep "$TRY_SECONDS"
	stop
fi
wait "$CP"
rc=$?
rm -rf "$D"
exit "$rc"
