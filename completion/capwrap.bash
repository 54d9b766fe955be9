# bash completion for capwrap(1)

# The service names of a policy file, one a line.
_capwrap_services()
{
	[ -r "$1" ] || return
	sed -nE 's/^[[:space:]]*service[[:space:]]+([A-Za-z_][A-Za-z0-9_.-]*)[[:space:]]*\{.*/\1/p' \
		-- "$1" 2>/dev/null
}

_capwrap()
{
	local cur prev cmd policy i word
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}

	if [ "$COMP_CWORD" -eq 1 ]; then
		COMPREPLY=($(compgen -W 'run check graph audit --help --version' -- "$cur"))
		return
	fi
	cmd=${COMP_WORDS[1]}

	# The policy named so far: the first operand after the command.
	policy=
	for ((i = 2; i < COMP_CWORD; i++)); do
		word=${COMP_WORDS[i]}
		case $word in
		--audit|--exit-with|--dial-timeout|--grace)
			((i++)) ;;
		-*) ;;
		*)
			policy=$word
			break ;;
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
	esac

	if [[ $cur == -* ]]; then
		case $cmd in
		run)	COMPREPLY=($(compgen -W '--audit --syslog --exit-with --dial-timeout --grace --help' -- "$cur")) ;;
		check)	COMPREPLY=($(compgen -W '--help' -- "$cur")) ;;
		graph)	COMPREPLY=($(compgen -W '--audit --help' -- "$cur")) ;;
		audit)	COMPREPLY=($(compgen -W '--json --follow --help' -- "$cur")) ;;
		esac
		return
	fi
	case $cmd in
	run|check|graph|audit)
		COMPREPLY=($(compgen -f -- "$cur"))
		compopt -o filenames 2>/dev/null ;;
	esac
}
complete -F _capwrap capwrap
