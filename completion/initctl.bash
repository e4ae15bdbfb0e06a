# bash completion for initctl(8), the control tool of corral(8).
# Installed as $(PREFIX)/share/bash-completion/completions/initctl.
#
# Commands and options are completed from the list below; service names
# from `initctl list` on the same socket (-s/-r as typed so far), when it
# answers within 2 s; nothing when it does not.

_initctl_names()
{
	local -a run=(initctl "$@" list)

	command -v timeout >/dev/null 2>&1 && run=(timeout 2 "${run[@]}")
	# not a terminal: no markers or colour; the header is the first line
	NO_COLOR=1 "${run[@]}" 2>/dev/null | awk 'NR > 1 { print $1 }'
}

_initctl()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local cmds="list status start stop restart log reload enable disable
		reboot poweroff halt top analyze metrics verify help"
	local opts="-s -r --json -k --kv -h --help -V --version"
	local -a sock=()
	local i cmd="" nargs=0

	COMPREPLY=()
	case $prev in
	-s | -r)
		# a socket or a run directory
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return 0
		;;
	esac
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-s | -r)
			sock+=("${COMP_WORDS[i]}" "${COMP_WORDS[i + 1]}")
			((i++))
			;;
		-n | -d)
			# log -n N, top -d SECONDS -n ITERATIONS: a value follows
			((i++))
			;;
		-*) ;;
		*)
			if [[ -z $cmd ]]; then
				cmd=${COMP_WORDS[i]}
			else
				((nargs++))
			fi
			;;
		esac
	done
	if [[ -z $cmd ]]; then
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$cmds" -- "$cur")
		fi
		return 0
	fi
	case $cmd in
	status | start | stop | restart | log | reload | enable | disable)
		if [[ $cur == -* ]]; then
			case $cmd in
			log) mapfile -t COMPREPLY < <(compgen -W "-n -f --json" -- "$cur") ;;
			status) mapfile -t COMPREPLY < <(compgen -W "--json -k --kv" -- "$cur") ;;
			esac
		elif ((nargs == 0)) && [[ $prev != -n ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$(_initctl_names "${sock[@]}")" -- "$cur")
		fi
		;;
	list)
		[[ $cur == -* ]] && mapfile -t COMPREPLY < <(compgen -W "--json" -- "$cur")
		;;
	analyze)
		if ((nargs == 0)); then
			mapfile -t COMPREPLY < <(compgen -W "blame critical-chain plot" -- "$cur")
		elif ((nargs == 1)) && [[ ${COMP_WORDS[COMP_CWORD - 1]} == critical-chain ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$(_initctl_names "${sock[@]}")" -- "$cur")
		fi
		;;
	top)
		[[ $cur == -* ]] && mapfile -t COMPREPLY < <(compgen -W "-b -d -n" -- "$cur")
		;;
	verify)
		# service files, and directories on the way to them
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "--json" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -f -X '!*.service' -- "$cur"
				compgen -d -- "$cur")
			compopt -o filenames 2>/dev/null
		fi
		;;
	esac
	return 0
}
complete -F _initctl initctl
