#!/usr/bin/env bats
# Descriptor habits from the hazard checklist: vfork children and
# posix_spawn file actions that close or overwrite the channel's number
# in the child leave the parent's channel intact; a program that walks
# /proc/self/fd closing everything until nothing is left terminates; no
# descriptor directory lists the channel, and close() of it fails with
# EBADF.

load habits

# fds HOW: hx-fds does HOW, then dials db.
fds() {
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service web {
	exec hx-fds $1 $U.db
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology --exit-with web
	wait_topology
	run service_lines web
	assert_line "reply echo fds"
	assert_equal "$TOPOLOGY_STATUS" 0
	[ ! -s "$T/audit.jsonl" ]
}

@test "descriptors: a vfork child closing the channel's number leaves the parent's channel" {
	fds vfork-close
}

@test "descriptors: a vfork child dup2()ing onto the channel's number leaves the parent's channel" {
	fds vfork-dup2
}

@test "descriptors: posix_spawn closing the channel's number leaves the parent's channel" {
	fds spawn-close
}

@test "descriptors: posix_spawn dup2()ing onto the channel's number leaves the parent's channel" {
	fds spawn-dup2
}

@test "descriptors: walking /proc/self/fd closing everything terminates" {
	fds fdwalk
	run service_lines web
	assert_line --regexp '^fdwalk: [0-9]+ passes$'
}

@test "descriptors: dup2 onto the channel's number, then exec: the new image finds the moved channel" {
	fds dup2-exec
}

@test "descriptors: close_range(CLOSE_RANGE_CLOEXEC), then exec: the channel survives the exec" {
	fds cloexec-exec
}

@test "descriptors: readdir of /proc/PID/fd, /proc/thread-self/fd and /dev/fd leaves the open channel out" {
	fds listfd
	run service_lines web
	# The channel is open all along: it is hidden, not gone.
	assert_line "channel open: yes"
	assert_line "/proc/self/fd: channel hidden, stdio listed"
	assert_line "/proc/PID/fd: channel hidden, stdio listed"
	assert_line "/proc/thread-self/fd: channel hidden, stdio listed"
	assert_line "/dev/fd: channel hidden, stdio listed"
}

@test "descriptors: libc close() of the channel's number fails with EBADF and the channel stays" {
	fds close
	run service_lines web
	assert_line "close: -1 EBADF"
	assert_line "channel open: yes"
}
