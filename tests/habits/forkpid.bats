#!/usr/bin/env bats
# The shim's pid cache (shim/selfpid.c): a client that held a capability
# makes a child of each kind, and the child dials as itself.  A child made
# by fork() finds the cache wiped; vfork() is fork() under the shim; libc's
# clone(CLONE_VM) turns the cache off; a clone the shim never sees leaves
# the child with its parent's pid in the cache, and the provider's gate
# refuses it: a wrong cache fails closed (docs/SECURITY.md).

load habits

# forkinds KIND: the client's child of KIND dials db.
forkinds() {
	write_policy <<EOF2
service db {
	exec fx-server $U.db
	provides @$U.db
}
service web {
	exec timeout 60 hx-forkinds $U.db $1
	dials db
}
audit $T/audit.jsonl
EOF2
	start_topology --exit-with web
	wait_topology
}

# child_dialed KIND: the child dialed, as its own pid, and nothing was
# refused.
child_dialed() {
	forkinds "$1"
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines web
	refute_output --partial FAIL
	assert_line "parent dialed"
	assert_line "parent dialed again"
	child=$(service_lines web | sed -nE "s/^$1 child ([0-9]+): ok\$/\\1/p")
	[[ -n $child ]]
	# The server saw the child once, and the parent (its eleven dials).
	run service_lines db
	assert_line "served $1 $child"
	assert_equal "$(service_lines db | grep -c "^served $1 ")" 12
	assert_equal "$(service_lines db | grep "^served $1 " |
		grep -vx "served $1 $child" | sort -u | wc -l)" 1
	assert_equal "$(audit_total .)" 0
}

@test "pid cache: a fork() child of a client that dialed dials as itself" {
	child_dialed fork
}

@test "pid cache: a vfork() child dials as itself (vfork is fork under the shim)" {
	child_dialed vfork
}

@test "pid cache: a clone(CLONE_VM) child dials as itself (the cache is off from then on)" {
	child_dialed clone
}

@test "pid cache: a raw clone(CLONE_VM) child takes its parent's pid, dials without a claim, and is refused at the provider's gate" {
	forkinds rawclone
	if service_lines web | grep -qx "rawclone unsupported"; then
		skip "the raw clone fixture is x86-64 only"
	fi
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines web
	assert_line "parent dialed"
	assert_line "parent dialed again"
	# The child read EOF: the gate aborted its connection.
	assert_line --regexp '^rawclone child [0-9]+: EPIPE$'
	child=$(service_lines web | sed -nE 's/^rawclone child ([0-9]+): EPIPE$/\1/p')
	[[ -n $child ]]
	run service_lines db
	refute_line "served rawclone $child"
	assert_equal "$(service_lines db | grep -c "^served rawclone ")" 11
	# One refusal, the child's, at the accept gate, under its own pid.
	assert_equal "$(audit_total .)" 1
	run audit_lines
	assert_line --partial '"event":"deny","gate":"accept","service":"db"'
	assert_line --partial "\"peer_pid\":$child,"
	assert_line --partial "\"reason\":\"pid $child holds no capability to service db\""
}
