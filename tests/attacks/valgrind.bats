#!/usr/bin/env bats
# The launcher under valgrind's memcheck: a whole topology, a refusal
# audited and summarised, an orderly stop; no errors and no leaks.
# Runs only where valgrind is installed (and not in sanitizer builds,
# whose runtime valgrind cannot host).

load attack

@test "valgrind: the launcher runs a topology without memory errors or leaks" {
	command -v valgrind > /dev/null || skip "valgrind is not installed"
	if nm "$CAPWRAP" 2>/dev/null | grep -q __asan_init; then
		skip "sanitizer build"
	fi
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service web {
	exec sh -c "while [ ! -e $T/go ]; do sleep 0.05; done; exec fx-client $U.db hello"
	dials db
}
service rogue {
	exec fx-client $U.db intrude
}
audit $T/audit.jsonl
EOF
	# Landlock and seccomp unasked: valgrind does not know their calls.
	CAPWRAP_PROBE_DISABLE=landlock,seccomp \
	valgrind --quiet --error-exitcode=99 --leak-check=full \
		--show-leak-kinds=definite,indirect,possible \
		--errors-for-leak-kinds=definite,indirect,possible \
		--track-fds=no --log-file="$T/valgrind.log" \
		"$CAPWRAP" run --exit-with web "$T/policy" > "$T/out" 2> "$T/err" &
	CAPWRAP_PID=$!
	wait_for "$T/out" '^db +\| listening pid=' 60
	wait_for "$T/out" '^rogue +\| connect: EACCES$' 60
	addr=$(minted_address db)
	# Outsiders refused twice over: one record now, one summary later.
	fx-client "$addr" a > /dev/null 2>&1 || true
	fx-client "$addr" b > /dev/null 2>&1 || true
	touch "$T/go"
	wait_topology
	run cat "$T/valgrind.log"
	assert_output ''
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_line --regexp '^web +\| reply echo hello$'
	[ -s "$T/audit.jsonl" ]
}
