#!/bin/sh
# tests/host/template-env.sh - templates and the environment of a start,
# with real processes and corral as a subreaper (issue 12, items 2 and 3):
# - NAME@.service is not run; NAME@INST.service, a symlink to it, runs as
#   an instance (%i, %n in ExecStart=, group NAME@INST);
# - `initctl start NAME@INST` makes an instance from the template at run
#   time; `initctl stop` drops it once down; a reload reads it again;
# - EnvironmentFile= is read at each start: an ssh-like ExecStart= with
#   $SSHD_OPTS (a whole word: split, quotes group) changes with the file
#   between two starts; the file overrides Environment=; ${VAR} stays one
#   word; an apache-htcacheclean-like line gets its Environment= words;
# - a missing EnvironmentFile= (no "-") fails the start, and initctl
#   status says "stage environment" and names the file.
# shellcheck disable=SC2317
set -u
here=$(cd "$(dirname "$0")/../.." && pwd)
. "$here/tests/lib/tap.sh"
. "$here/tests/lib/corral.sh"

[ -d /sys/fs/cgroup/pids ] || skip_all "needs the v1 pids hierarchy"
subreaper_scenario tmplenv

S=$T/conf/services
# args.sh NAME ARGS...: one argument per line into T/args.NAME, then wait
cat > "$T/args.sh" <<'EOT'
#!/bin/sh
out=$1
shift
: > "$out.tmp"
for a in "$@"; do printf '%s\n' "$a" >> "$out.tmp"; done
mv "$out.tmp" "$out"
exec sleep 1000
EOT
chmod +x "$T/args.sh"
# the arguments a service got, joined by "|"
args_of() { [ -f "$T/args.$1" ] && paste -sd'|' "$T/args.$1"; }

cat > "$S/echo@.service" <<EOT
[Unit]
Description=echo instance %i
[Service]
ExecStart=$T/args.sh $T/args.%i %i %n %p
EOT
ln -s echo@.service "$S/echo@link.service"

printf 'SSHD_OPTS="-p 2222 -o '\''Banner none'\''"\n# a comment\nexport MARK=from-file\n' \
	> "$T/default-ssh"
cat > "$S/sshlike.service" <<EOT
[Service]
Environment=MARK=from-environment SPACED="a  b"
EnvironmentFile=$T/default-ssh
EnvironmentFile=-$T/no-such-file
ExecStart=$T/args.sh $T/args.sshlike -D \$SSHD_OPTS --mark=\${MARK} \${SPACED} \$\$literal
EOT

# Debian's apache-htcacheclean.service, with args.sh for the daemon
cat > "$S/htcc.service" <<EOT
[Service]
Environment=HTCACHECLEAN_SIZE=300M
Environment=HTCACHECLEAN_DAEMON_INTERVAL=120
Environment=HTCACHECLEAN_PATH=/var/cache/apache2/mod_cache_disk
Environment=HTCACHECLEAN_OPTIONS=-n
EnvironmentFile=-$T/default-htcacheclean
ExecStart=$T/args.sh $T/args.htcc -d \$HTCACHECLEAN_DAEMON_INTERVAL -p \$HTCACHECLEAN_PATH -l \$HTCACHECLEAN_SIZE \$HTCACHECLEAN_OPTIONS
EOT

cat > "$S/noenv.service" <<EOT
[Service]
EnvironmentFile=$T/absent.env
ExecStart=/bin/sleep 1000
EOT

start_corral
check "corral answers" retry 10 ctl list
check "echo@link runs" retry 10 state_is echo@link running
ctl --kv status echo@ >/dev/null 2>&1
is $? 1 "the template echo@ itself is not a service"
check "  echo@link got %i, %n, %p" retry 10 sh -c "[ \"\$(paste -sd'|' '$T/args.link' 2>/dev/null)\" = 'link|echo@link.service|echo' ]"
is "$(field echo@link group)" "echo@link" "  its group is echo@link"
is "$(field echo@link description)" "echo instance link" "  Description= has %i too"

check "sshlike runs" retry 10 state_is sshlike running
check "  \$SSHD_OPTS split into words, quotes grouping, file over Environment=" retry 10 sh -c \
	"[ \"\$(paste -sd'|' '$T/args.sshlike' 2>/dev/null)\" = '-D|-p|2222|-o|Banner none|--mark=from-file|a  b|\$literal' ]"
[ "$TAP_FAILED" -eq 0 ] || diag "sshlike got: $(args_of sshlike)"

check "htcc runs" retry 10 state_is htcc running
check "  apache-htcacheclean's line gets its Environment= words" retry 10 sh -c \
	"[ \"\$(paste -sd'|' '$T/args.htcc' 2>/dev/null)\" = '-d|120|-p|/var/cache/apache2/mod_cache_disk|-l|300M|-n' ]"

# the file is read at each start: change it, restart
printf 'SSHD_OPTS=-q\n' > "$T/default-ssh"
rm -f "$T/args.sshlike"
ctl restart sshlike >/dev/null
check "after a restart sshlike sees the changed file" retry 10 sh -c \
	"[ \"\$(paste -sd'|' '$T/args.sshlike' 2>/dev/null)\" = '-D|-q|--mark=from-environment|a  b|\$literal' ]"
printf 'HTCACHECLEAN_OPTIONS=\nHTCACHECLEAN_SIZE="1G"\n' > "$T/default-htcacheclean"
rm -f "$T/args.htcc"
ctl restart htcc >/dev/null
check "  an empty \$VAR gives no word; the file overrides Environment=" retry 10 sh -c \
	"[ \"\$(paste -sd'|' '$T/args.htcc' 2>/dev/null)\" = '-d|120|-p|/var/cache/apache2/mod_cache_disk|-l|1G' ]"

check "noenv failed" retry 10 state_is noenv failed
is "$(field noenv exec_error)" "stage environment: No such file or directory" \
	"  exec_error: stage environment"
is "$(field noenv detail)" "EnvironmentFile=$T/absent.env: No such file or directory" \
	"  detail names the file"
printf 'X=1\n' > "$T/absent.env"
ctl start noenv >/dev/null
check "  once the file exists it starts" retry 10 state_is noenv running

# instances at run time
out=$(ctl start echo@rt 2>&1)
ok $? "initctl start echo@rt makes an instance from the template"
check "  echo@rt runs" retry 10 state_is echo@rt running
check "  with %i rt" retry 10 sh -c "[ \"\$(paste -sd'|' '$T/args.rt' 2>/dev/null)\" = 'rt|echo@rt.service|echo' ]"
is "$(field echo@rt group)" "echo@rt" "  in its own group echo@rt"
RTPID=$(field echo@rt pid)
grp_dir=$(ctl --kv status echo@rt | awk '$1 == "path" { print $3; exit }')
case $grp_dir in */echo@rt) r=0 ;; *) r=1 ;; esac
ok $r "  its container is .../echo@rt ($grp_dir)"
check "  and holds its process" grep -qx "$RTPID" "$grp_dir/cgroup.procs"
ctl list | grep -q '^echo@rt '
ok $? "  listed"
out=$(ctl start nosuch@x 2>&1)
is "$?:$out" "1:initctl: error: no service named nosuch@x" "start of an instance without a template is refused"
out=$(ctl start echo@ 2>&1)
is "$?" 1 "start of the bare template name is refused"
printf '[Service]\nExecStart=/bin/true %%Z\n' > "$S/bad@.service"
out=$(ctl start bad@x 2>&1)
case $out in *"bad@.service:2: ExecStart: unknown specifier %Z"*) r=0 ;; *) r=1 ;; esac
ok $r "a template that does not load: the error says file:line ($out)"

# a reload reads the run-time instance again from its template
sed -i 's/^Description=.*/Description=echo v2 %i/' "$S/echo@.service"
ctl reload >/dev/null
is "$(field echo@rt changed)" "yes (restart to apply)" "reload: the run-time instance sees the changed template"
is "$(field echo@rt pid)" "$RTPID" "  and keeps running"
ctl restart echo@rt >/dev/null
check "  restart applies it" retry 10 sh -c "[ \"\$(\"$INITCTL\" -r '$T/run' --kv status echo@rt | sed -n 's/^description //p')\" = 'echo v2 rt' ]"

ctl stop echo@rt >/dev/null
check "initctl stop drops the run-time instance once down" retry 10 sh -c \
	"! \"$INITCTL\" -r '$T/run' --kv status echo@rt >/dev/null 2>&1"
check "  and its process is gone" sh -c "! kill -0 $RTPID 2>/dev/null"
ctl stop echo@link >/dev/null
check "stop of a file instance keeps it loaded" retry 10 state_is echo@link down

stop_corral
is "$rc" 0 "corral stops cleanly"
[ "$TAP_FAILED" -eq 0 ] || sed 's/^/# /' "$T/log" | tail -n 60
done_testing
