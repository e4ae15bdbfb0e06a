#!/bin/sh
# Shown by `make boot`: every group as initctl sees it, then poweroff.
sleep 2
echo "== initctl list"
initctl list
for s in $(initctl list | awk 'NR > 1 { print $1 }'); do
	echo "== initctl status $s"
	initctl status "$s"
done
echo "== httpd answers: $(wget -q -O - http://127.0.0.1:8080/ 2>&1)"
echo "== powering off"
poweroff
