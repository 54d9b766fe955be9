#!/usr/bin/env bats
# What capwrap.policy(5) says of systemd-notify run inside a service for
# a receiver of its own: the credentials its message carries.  The
# receiver is a Python datagram socket with SO_PASSCRED, outside the
# topology; systemd itself is not involved.

load operator

PY=/usr/bin/python3

# Start the receiver on $T/r/notify; each message is a line of
# $T/r/got: "pid PID uid UID MESSAGE".
start_receiver() {
	[ -x "$(command -v systemd-notify)" ] || skip "no systemd-notify"
	[ "$(id -u)" = 0 ] || skip "needs root, to run as nobody too"
	mkdir -m 755 "$T/r"
	chmod 755 "$T"
	cat > "$T/r/recv.py" <<'EOF2'
import os, socket, struct, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o777)
s.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
print("bound", flush=True)
while True:
    msg, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(12))
    for lvl, typ, data in anc:
        if typ == socket.SCM_CREDENTIALS:
            pid, uid, gid = struct.unpack("iII", data)
            print("pid", pid, "uid", uid, msg.decode().replace("\n", " "), flush=True)
EOF2
	"$PY" "$T/r/recv.py" "$T/r/notify" > "$T/r/got" 2>&1 &
	BACKGROUND_PIDS="$!"
	wait_for "$T/r/got" '^bound$'
	write_policy <<EOF
service s {
	exec env NOTIFY_SOCKET=$T/r/notify sh -c "echo main=\$\$; systemd-notify --ready; systemd-notify --pid=\$\$ STATUS=x; echo done"
}
EOF
	chmod 644 "$T/policy"
}

@test "run by root, systemd-notify sends with the pid of the service's main process" {
	skip_in_sanitizer_build "what systemd-notify sends is checked in the plain build"
	start_receiver
	run "$CAPWRAP" run "$T/policy"
	assert_success
	main=$(sed -nE 's/^s +\| main=([0-9]+)$/\1/p' <<< "$output")
	wait_for "$T/r/got" 'STATUS=x'
	run grep -c "^pid $main uid 0 READY=1\$" "$T/r/got"
	assert_output 1
	run grep -c "^pid $main uid 0 MAINPID=$main STATUS=x\$" "$T/r/got"
	assert_output 1
}

@test "run by another user, systemd-notify sends with its own pid, --pid= or not" {
	skip_in_sanitizer_build "what systemd-notify sends is checked in the plain build"
	start_receiver
	uid=$(id -u nobody)
	run as_nobody "$CAPWRAP" run "$T/policy"
	assert_success
	main=$(sed -nE 's/^s +\| main=([0-9]+)$/\1/p' <<< "$output")
	wait_for "$T/r/got" 'STATUS=x'
	run grep -E "^pid [0-9]+ uid $uid READY=1\$" "$T/r/got"
	assert_success
	refute_output --partial "pid $main "
	run grep -E "^pid [0-9]+ uid $uid MAINPID=$main STATUS=x\$" "$T/r/got"
	assert_success
	refute_output --partial "pid $main "
}
