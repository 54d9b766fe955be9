#!/usr/bin/env bats
# exec: a program that re-execs itself keeps the shim and its channel,
# without leaking a descriptor per exec; a program that clears its
# environment before exec gets them back in the new image.

load habits

policy_exec() {
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service web {
	exec $1
	dials db
}
audit $T/audit.jsonl
EOF
}

@test "exec: 1000 re-execs keep the shim and the channel, with no descriptor growth" {
	policy_exec "hx-exec reexec 1000 $U.db"
	start_topology --exit-with web
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines web
	assert_line "LD_PRELOAD set"
	assert_line "reply echo exec"
	start=$(service_lines web | sed -nE 's/^start fds=([0-9]+)$/\1/p')
	end=$(service_lines web | sed -nE 's/^end fds=([0-9]+)$/\1/p')
	[ -n "$start" ]
	assert_equal "$end" "$start"
}

# exec_cleared HOW: hx-exec starts its next image with an empty environment.
exec_cleared() {
	policy_exec "hx-exec clear $1 $U.db"
	start_topology --exit-with web
	wait_topology
	run service_lines web
	assert_line "LD_PRELOAD set"
	# The fixed name is never bound: only a shim with its channel reaches it.
	assert_line "reply echo exec"
	assert_equal "$TOPOLOGY_STATUS" 0
	[ ! -s "$T/audit.jsonl" ]
}

@test "exec: execve with envp = {NULL} gets the shim and channel back" {
	exec_cleared execve
}

@test "exec: execle with an empty environment gets the shim and channel back" {
	exec_cleared execle
}

@test "exec: execvpe with an empty environment gets the shim and channel back" {
	exec_cleared execvpe
}

@test "exec: execveat with an empty environment gets the shim and channel back" {
	exec_cleared execveat
}

@test "exec: fexecve with an empty environment gets the shim and channel back" {
	exec_cleared fexecve
}

@test "exec: a vfork() child execve()ing with envp = {NULL} gets the shim and channel back" {
	exec_cleared vfork
}

@test "exec: clearenv() then execv gets the shim and channel back" {
	exec_cleared clearenv
}

@test "exec: posix_spawn with an empty environment gets the shim and channel back" {
	exec_cleared spawn
}

@test "exec: env -i gets the shim and channel back" {
	exec_cleared env-i
}
