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

# hx-exec reexec said as many descriptors at its end as at its start.
assert_no_fd_growth() {
	local start end
	start=$(service_lines web | sed -nE 's/^start fds=([0-9]+)$/\1/p')
	end=$(service_lines web | sed -nE 's/^end fds=([0-9]+)$/\1/p')
	[ -n "$start" ]
	assert_equal "$end" "$start"
}

@test "exec: 1000 re-execs keep the shim and the channel, with no descriptor growth" {
	policy_exec "hx-exec reexec 1000 $U.db"
	start_topology --exit-with web
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines web
	assert_line "LD_PRELOAD set"
	assert_line "reply echo exec"
	assert_no_fd_growth
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

# The reap page and the claim queue a grant brought are handed on to the
# images a process execs (shim/held.c): named in the environment by the
# exec hooks, checked by the new image before each use.

# web_runs COMMAND: the topology with web running COMMAND, to its end,
# successful; web's lines in $output.
web_runs() {
	policy_exec "$1"
	start_topology --exit-with web
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines web
}

@test "exec: an image execed after a dial takes up the reap page and the claim queue, also through env -i, and holds them close-on-exec again" {
	web_runs "hx-exec handon $U.db env -i $(command -v hx-exec) held"
	assert_line "page: open, close-on-exec"
	assert_line "queue: open, close-on-exec"
}

@test "exec: the first grant of an image execed after a dial carries no descriptor, and its forked worker's claim goes on the queue it took up" {
	web_runs "hx-exec handon $U.db strace -f -qq -e trace=recvmsg,sendmsg -o $T/strace hx-exec worker $U.db"
	assert_line "page: open, close-on-exec"
	assert_line "queue: open, close-on-exec"
	assert_line "parent: reply echo parent"
	assert_line "worker: reply echo worker"
	queue=$(service_lines web | sed -nE 's/^queue number ([0-9]+)$/\1/p')
	[ -n "$queue" ]
	# The grant was received, and nothing came attached to it.
	run grep -c 'recvmsg(' "$T/strace"
	[ "$output" -ge 1 ]
	run grep 'SCM_RIGHTS' <(grep 'recvmsg(' "$T/strace")
	assert_failure
	run grep -E "sendmsg\\($queue, " "$T/strace"
	assert_success
	[ ! -s "$T/audit.jsonl" ]
}

@test "exec: an image execed after its program closed the claim queue is handed the reap page alone" {
	web_runs "hx-exec handon $U.db close hx-exec held"
	assert_line "page: open, close-on-exec"
	assert_line "queue: none"
}

@test "exec: a claim queue the program names in its children's environment is not taken up: the worker is served, the program's socket gets nothing" {
	web_runs "hx-exec forge $U.db"
	assert_line "queue: none"
	assert_line "parent: reply echo parent"
	assert_line "worker: reply echo worker"
	assert_line "own socket: EAGAIN"
	[ ! -s "$T/audit.jsonl" ]
}

@test "exec: a process that dialed re-execs itself 100 times: the page and the queue go on at the same numbers, with no descriptor growth" {
	web_runs "hx-exec handon $U.db hx-exec reexec 100 $U.db"
	assert_line "reply echo exec"
	assert_no_fd_growth
}

@test "exec: capwrap run given CAPWRAP_REAP_PAGE and CAPWRAP_CLAIM_QUEUE does not pass them to a service" {
	policy_exec "hx-exec held"
	CAPWRAP_REAP_PAGE=0:1:2 CAPWRAP_CLAIM_QUEUE=1:2:3 start_topology --exit-with web
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines web
	assert_line "page: none"
	assert_line "queue: none"
}

@test "exec: a claim queue the program names ahead of the right one is not taken up: the hooks name it once, as held" {
	web_runs "hx-exec handon $U.db hx-exec forge $U.db first"
	assert_line "queue: open, close-on-exec"
	assert_line "parent: reply echo parent"
	assert_line "worker: reply echo worker"
	assert_line "own socket: EAGAIN"
	[ ! -s "$T/audit.jsonl" ]
}

# rawpage SIZE: an image started past the shim, its environment naming a
# sealed memfd of SIZE bytes of the program's own as the reap page.
rawpage() {
	web_runs "hx-exec rawpage $1 $U.db"
	assert_line "dials: reply echo dials"
	assert_line "named: open"
	[ ! -s "$T/audit.jsonl" ]
}

@test "exec: a reap page of no size named past the shim is not mapped: no SIGBUS, and the descriptor stays the program's" {
	rawpage 0
}

@test "exec: a reap page-sized file of the program's without the page's magic, named past the shim, is not closed by the shim" {
	rawpage 4096
}

@test "exec: wordexp() runs no command once the program names a claim queue of its own: the C library's spawn would pass the name on" {
	web_runs "hx-exec wordexp $U.db"
	assert_line --index 0 "wordexp: x"
	assert_line --index 1 "wordexp: error 4"
}

# handed_on HOW: hx-exec starts "hx-exec held" by HOW after a dial.
handed_on() {
	web_runs "hx-exec $1 $U.db"
	assert_line "page: open, close-on-exec"
	assert_line "queue: open, close-on-exec"
	assert_line "parent fds: same"
	assert_line "parent queue: close-on-exec"
}

@test "exec: posix_spawn hands the page and the queue on, and the parent keeps them close-on-exec with no descriptor more" {
	handed_on spawn
}

@test "exec: system() hands the page and the queue on through the shell, and the parent keeps them close-on-exec with no descriptor more" {
	handed_on system
}

@test "exec: popen() hands the page and the queue on through the shell, and the parent keeps them close-on-exec with no descriptor more" {
	handed_on popen
}

@test "exec: a child sharing the descriptor table (clone CLONE_VM|CLONE_FILES|CLONE_VFORK) that execs is handed nothing, and leaves its parent's table as it was" {
	web_runs "hx-exec clonefiles $U.db"
	assert_line "page: none"
	assert_line "queue: none"
	assert_line "parent fds: same"
	assert_line "parent queue: close-on-exec"
}
