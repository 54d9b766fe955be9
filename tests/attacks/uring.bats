#!/usr/bin/env bats
# The io_uring fence: io_uring's operations (IORING_OP_CONNECT,
# IORING_OP_ACCEPT) never call the C library, so no gate of the shim sees
# them.  A wrapped service, whatever it starts and whatever it execs,
# gets ENOSYS from io_uring_setup, io_uring_enter and io_uring_register;
# a call of another ABI (int 0x80) kills it.  `allow io_uring` and
# `unprotected` services, and programs capwrap did not start, get the
# kernel's own answer.  ax-uring makes the raw system calls.

load attack

# What the kernel answers ax-uring's setup, unfenced: "fd", or the errno
# io_uring_disabled makes it (1: only CAP_SYS_ADMIN or io_uring_group).
kernel_setup_answer() {
	local disabled group
	disabled=$(cat /proc/sys/kernel/io_uring_disabled 2>/dev/null || echo 0)
	group=$(cat /proc/sys/kernel/io_uring_group 2>/dev/null || echo -1)
	case $disabled in
	2) echo EPERM ;;
	1)
		if [ "$(id -u)" -eq 0 ] || id -G | tr ' ' '\n' | grep -qx -- "$group"; then
			echo fd
		else
			echo EPERM
		fi
		;;
	*) echo fd ;;
	esac
}

# The kernel's answers to ax-uring CHECK..., run unwrapped, in $T/kernel.
kernel_answers() {
	ax-uring "$@" > "$T/kernel"
}

# run_svc [DIRECTIVE] CHECK...: service svc runs ax-uring CHECK..., with
# DIRECTIVE (a line of its block) if the first word is not a check.
run_svc() {
	local extra=
	case $1 in allow* | unprotected) extra=$1; shift ;; esac
	write_policy <<EOF
service svc {
	exec ax-uring $*
	$extra
}
EOF
	start_topology --exit-with svc
	wait_topology
}

@test "unwrapped, ax-uring gets the kernel's answer, as io_uring_disabled says" {
	run ax-uring setup enter
	assert_success
	if [ "$(ax-uring setup)" = "setup: ENOSYS" ]; then
		skip "this kernel has no io_uring (ENOSYS unwrapped)"
	fi
	assert_line --index 0 "setup: $(kernel_setup_answer)"
	assert_line --index 1 "enter: EBADF"
}

@test "a wrapped service gets ENOSYS from all three calls; so do its child and the image it execs" {
	run_svc setup enter register x32 child exec
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines svc
	assert_output "setup: ENOSYS
enter: ENOSYS
register: ENOSYS
x32: ENOSYS
child: ENOSYS
execed: ENOSYS"
}

@test "the x32 variant is refused by the fence, not only by a kernel without x32" {
	kernel_answers x32
	run_svc x32
	run service_lines svc
	assert_output "x32: ENOSYS"
	# Where the kernel has x32, its answer differs from the fence's.
	if ! grep -qx "x32: ENOSYS" "$T/kernel"; then
		run cat "$T/kernel"
		refute_output "x32: ENOSYS"
	fi
}

@test "a call of the ia32 ABI (int 0x80) kills the wrapped service with SIGSYS" {
	[ "$(uname -m)" = x86_64 ] || skip "x86_64 only"
	kernel_answers ia32 || true
	grep -qx "ia32: ok" "$T/kernel" ||
		skip "this kernel does not run ia32 calls (ia32_emulation off)"
	run_svc ia32 setup
	assert_equal "$TOPOLOGY_STATUS" 159
	run service_lines svc
	assert_output ""
	run cat "$T/err"
	assert_line "capwrap: svc killed by signal 31 (Bad system call)"
}

@test "allow io_uring: the service gets the kernel's answer, not the fence's" {
	kernel_answers setup enter register
	grep -qx "setup: ENOSYS" "$T/kernel" &&
		skip "this kernel has no io_uring: both answers are ENOSYS"
	run_svc "allow io_uring" setup enter register child
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines svc
	assert_output "$(cat "$T/kernel")
child: $(kernel_setup_answer)"
	assert_line --index 0 "setup: $(kernel_setup_answer)"
}

@test "an unprotected service is not fenced: it has no gates to go past" {
	kernel_answers setup
	grep -qx "setup: ENOSYS" "$T/kernel" &&
		skip "this kernel has no io_uring: both answers are ENOSYS"
	run_svc unprotected setup
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines svc
	assert_output "$(cat "$T/kernel")"
}

@test "no_new_privs: set only when the kernel demands it, for a launcher without CAP_SYS_ADMIN" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to compare with nobody"
	run_svc nnp setup
	run service_lines svc
	assert_output "nnp: 0
setup: ENOSYS"
	chmod 755 "$T"
	chmod 644 "$T/policy"
	run setpriv --reuid=nobody --regid=nogroup --clear-groups -- \
		env PATH="$PATH" "$CAPWRAP" run --exit-with svc "$T/policy"
	assert_success
	assert_line "svc | nnp: 1"
	assert_line "svc | setup: ENOSYS"
}

@test "without seccomp filters: one warning line, and the service gets the kernel's answer" {
	kernel_answers setup
	grep -qx "setup: ENOSYS" "$T/kernel" &&
		skip "this kernel has no io_uring: both answers are ENOSYS"
	export CAPWRAP_PROBE_DISABLE=seccomp
	run_svc setup
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines svc
	assert_output "$(cat "$T/kernel")"
	run grep -c 'warning' "$T/err"
	assert_output 1
	run cat "$T/err"
	assert_line --index 0 "capwrap: warning: no io_uring fence (no seccomp filters): wrapped services can use io_uring past the shim's gates"
}

@test "allow: a bad value, a missing one, a second one, one outside a block: exit 65, nothing runs" {
	write_policy <<EOF
service svc {
	exec ax-uring setup
	allow io-uring
	allow
	allow io_uring
	allow io_uring
	allow io_uring now
}
allow io_uring
EOF
	run "$CAPWRAP" run "$T/policy"
	assert_equal "$status" 65
	assert_output "$T/policy:3:8: unknown 'allow' value 'io-uring' in service 'svc': use io_uring or host-sockets
$T/policy:4:2: missing what to allow after 'allow' in service 'svc': io_uring or host-sockets
$T/policy:6:2: 'allow io_uring' given twice in service 'svc' (first at line 5)
$T/policy:7:17: unexpected 'now' after 'allow io_uring'
$T/policy:9:1: 'allow' is only allowed inside a service block
capwrap: $T/policy: 5 errors"
}
