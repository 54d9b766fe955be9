# bash completion for capwrap(1)

# The service names of a policy file, one a line.
_capwrap_services()
{
	[ -r "$1" ] || return
	sed -nE 's/^[[:space:]]*service[[:space:]]+([A-Za-z_][A-Za-z0-9_.-]*)[[:space:]]*\{.*/\1/p' \
		-- "$1" 2>/dev/null
}

# The NAMEs of the launchers whose control sockets we can see.
_capwrap_names()
{
	local dir=${XDG_RUNTIME_DIR:+$XDG_RUNTIME_DIR/capwrap} f
	[ -n "$dir" ] || { [ "$EUID" -eq 0 ] && dir=/run/capwrap; }
	[ -n "$dir" ] || return
	for f in "$dir"/*.sock; do
		[ -S "$f" ] || continue
		f=${f##*/}
		printf '%s\n' "${f%.sock}"
	done
}

_capwrap()
{
	local cur prev cmd policy i word
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}

	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W 'run check graph audit status kill restart reload probe --help --version' -- "$cur"))
		return
	fi
	cmd=${COMP_WORDS[1]}

	# The policy named so far (the first operand after the command, unless
	# --name stands for it) and how many operands come before this word.
	policy= named= nops=0
	for ((i = 2; i < COMP_CWORD; i++)); do
		word=${COMP_WORDS[i]}
		case $word in
		--name)
			named=1
			((i++)) ;;
		--audit|--exit-with|--dial-timeout|--grace)
			((i++)) ;;
		-*) ;;
		*)
			[ "$nops" -eq 0 ] && [ -z "$named" ] && policy=$word
			((nops++)) ;;
		esac
	done

	case $prev in
	--exit-with)
		COMPREPLY=($(compgen -W "$(_capwrap_services "$policy")" -- "$cur"))
		return ;;
	--audit)
		COMPREPLY=($(compgen -f -- "$cur"))
		compopt -o filenames 2>/dev/null
		return ;;
	--dial-timeout|--grace)
		COMPREPLY=()
		return ;;
	--name)
		case $cmd in
		status|kill|restart|reload)
			COMPREPLY=($(compgen -W "$(_capwrap_names)" -- "$cur")) ;;
		*)	COMPREPLY=() ;;
		esac
		return ;;
	esac

	if [[ $cur == -* ]]; then
		case $cmd in
		run)	COMPREPLY=($(compgen -W '--audit --syslog --exit-with --dial-timeout --grace --name --exit-on-failed --timestamps --help' -- "$cur")) ;;
		probe)	COMPREPLY=($(compgen -W '--json --help' -- "$cur")) ;;
		status)	COMPREPLY=($(compgen -W '--name --json --help' -- "$cur")) ;;
		kill|restart|reload)
			COMPREPLY=($(compgen -W '--name --help' -- "$cur")) ;;
		check)	COMPREPLY=($(compgen -W '--help' -- "$cur")) ;;
		graph)	COMPREPLY=($(compgen -W '--audit --help' -- "$cur")) ;;
		audit)	COMPREPLY=($(compgen -W '--json --follow --help' -- "$cur")) ;;
		esac
		return
	fi
	# kill and restart: SERVICE after the policy (or --name), then SIGNAL.
	if [ "$cmd" = kill ] || [ "$cmd" = restart ]; then
		[ -n "$named" ] && ((nops++))
		case $nops in
		0) ;;
		1)
			COMPREPLY=($(compgen -W "$(_capwrap_services "$policy")" -- "$cur"))
			return ;;
		2)
			[ "$cmd" = kill ] &&
				COMPREPLY=($(compgen -W 'TERM INT HUP KILL QUIT USR1 USR2 CONT STOP' -- "$cur"))
			return ;;
		*)	return ;;
		esac
	fi
	case $cmd in
	run|check|graph|audit|status|kill|restart|reload)
		COMPREPLY=($(compgen -f -- "$cur"))
		compopt -o filenames 2>/dev/null ;;
	esac
}
complete -F _capwrap capwrap
