#!/usr/bin/env bats
# Bash completion: subcommands, options, and service names from the
# policy named on the command line.

load operator

setup() {
	T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/capwrap-test.XXXXXX")
	source "$TESTS_SRCDIR/../completion/capwrap.bash"
}

# complete WORD...: the candidates for the last word, sorted, one a line.
complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(( $# - 1 ))
	COMP_LINE="$*"
	COMP_POINT=${#COMP_LINE}
	COMPREPLY=()
	_capwrap
	printf '%s\n' "${COMPREPLY[@]}" | sort
}

@test "completion is registered for capwrap" {
	run complete -p capwrap
	assert_output 'complete -F _capwrap capwrap'
}

@test "the first word: every subcommand" {
	run complete_words capwrap ''
	assert_output "$(printf '%s\n' --help --version audit check graph kill probe reload restart run status | sort)"
	run complete_words capwrap g
	assert_output graph
}

@test "options of each subcommand" {
	run complete_words capwrap run --
	assert_output "$(printf '%s\n' --audit --dial-timeout --exit-on-failed --exit-with --grace --help --name --syslog --timestamps | sort)"
	run complete_words capwrap probe --
	assert_output "$(printf '%s\n' --help --json | sort)"
	run complete_words capwrap status --
	assert_output "$(printf '%s\n' --help --json --name | sort)"
	run complete_words capwrap reload --
	assert_output "$(printf '%s\n' --help --name | sort)"
	run complete_words capwrap audit --
	assert_output "$(printf '%s\n' --follow --help --json | sort)"
	run complete_words capwrap graph --a
	assert_output --audit
}

@test "--exit-with completes the services of the policy named before it" {
	cat > "$T/p" <<EOF
service db {
	exec x
}
  service	web-2 {
	exec y
}
# service commented {
service "quoted" {
EOF
	run complete_words capwrap run "$T/p" --exit-with ''
	assert_output "$(printf '%s\n' db web-2)"
	run complete_words capwrap run --grace 3 "$T/p" --exit-with w
	assert_output web-2
}

@test "--exit-with before any policy, or with an unreadable one, offers nothing" {
	run complete_words capwrap run --exit-with ''
	assert_output ''
	run complete_words capwrap run "$T/none" --exit-with ''
	assert_output ''
}

@test "operands complete as files" {
	touch "$T/demo.policy"
	run complete_words capwrap check "$T/dem"
	assert_output "$T/demo.policy"
	run complete_words capwrap graph "$T/demo.policy" --audit "$T/dem"
	assert_output "$T/demo.policy"
}

@test "--name completes the launchers whose sockets are in the runtime directory" {
	mkdir -p "$T/xdg/capwrap"
	python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$T/xdg/capwrap/web-1a2b3c4d.sock"
	touch "$T/xdg/capwrap/web-1a2b3c4d.lock" "$T/xdg/capwrap/not-a-socket.sock"
	XDG_RUNTIME_DIR=$T/xdg
	run complete_words capwrap status --name ''
	assert_output web-1a2b3c4d
	run complete_words capwrap run --name ''
	assert_output ''
}

@test "kill and restart: a service of the policy (or of none with --name), then a signal" {
	printf 'service db {\n\texec x\n}\nservice web {\n\texec y\n}\n' > "$T/p"
	run complete_words capwrap kill "$T/p" ''
	assert_output "$(printf '%s\n' db web)"
	run complete_words capwrap restart "$T/p" w
	assert_output web
	run complete_words capwrap kill "$T/p" db T
	assert_output TERM
	run complete_words capwrap kill --name x db K
	assert_output KILL
	run complete_words capwrap restart --name x db ''
	assert_output ''
}
