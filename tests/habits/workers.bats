#!/usr/bin/env bats
# Clients that fork workers after they dialed (the pre-fork pattern), and
# the pidfds the shim keeps of the providers a process dials: a worker
# takes up the capability it inherited with a claim and dials without a
# round trip; a kept pidfd is the program's to close or dup2 over, and
# the shim then checks the next dial in full.

load habits

need_python() {
	command -v python3 > /dev/null || skip "needs python3"
}

# $T/pidfds.py, what this file's python scripts share: dial(NAME, LABEL)
# sends LABEL and returns the answer's line ("" when the dial or the
# exchange failed), kept() the pidfds this process holds ("none"), and
# say(LINE) writes a line in one write; dial_until_answered(NAME,
# LABEL) dials until a restarting provider answers.
write_pidfds() {
	cat > "$T/pidfds.py" <<'PY'
import os, socket, time

def dial(name, label):
    try:
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(b"\0" + name.encode())
        s.sendall(label.encode() + b"\n")
        line = s.makefile().readline().strip()
        s.close()
        return line
    except OSError:
        return ""

def kept():
    fds = []
    for entry in os.listdir("/proc/self/fd"):
        try:
            if "pidfd" in os.readlink(f"/proc/self/fd/{entry}"):
                fds.append(int(entry))
        except OSError:
            pass  # the directory's own descriptor, gone
    return " ".join(str(fd) for fd in sorted(fds)) or "none"

def dial_until_answered(name, label):
    """Dial again until a provider answers: one is restarting."""
    while True:
        line = dial(name, label)
        if line:
            return line
        time.sleep(0.1)

def say(line):
    os.write(1, (line + "\n").encode())
PY
}

# workers.py NAME N: dial NAME ("parent: LINE"), then fork N workers that
# each dial it twice ("worker K pid=P: LINE; LINE"); waits for them.
write_workers() {
	need_python
	write_pidfds
	cat > "$T/workers.py" <<'PY'
import functools, os, sys
import pidfds
name, n = sys.argv[1], int(sys.argv[2])
dial = functools.partial(pidfds.dial, name)

os.write(1, f"parent pid={os.getpid()}: {dial('parent')}\n".encode())
pids = []
for k in range(1, n + 1):
    pid = os.fork()
    if pid == 0:
        first, second = dial(f"worker {k}"), dial(f"worker {k} again")
        os.write(1, f"worker {k} pid={os.getpid()}: {first}; {second}\n".encode())
        os._exit(0)
    pids.append(pid)
for pid in pids:
    os.waitpid(pid, 0)
PY
}

@test "workers: children forked after a dial claim the parent's capability and dial at once, with no round trip; each is admitted as itself" {
	write_workers
	write_policy <<EOF
service db {
	exec fx-server $U.db
	provides @$U.db
}
service web {
	exec env CAPWRAP_DEBUG=1 python3 $T/workers.py $U.db 8
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology --exit-with web
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines web
	assert_line --regexp "^parent pid=[0-9]+: echo parent$"
	parent=$(service_lines web | sed -nE 's/^parent pid=([0-9]+):.*/\1/p')
	for ((k = 1; k <= 8; k++)); do
		assert_line --regexp "^worker $k pid=[0-9]+: echo worker $k; echo worker $k again$"
	done
	debug=$(cat "$T/out" "$T/err" | grep 'capwrap-shim: ')
	# The parent asked the launcher once; no worker asked at all.
	assert_equal "$(grep -c 'asking for a capability' <<< "$debug")" 1
	assert_equal "$(grep -c "python3\\[$parent\\] .*asking for a capability to @$U\\.db" <<< "$debug")" 1
	# Each worker claimed the parent's capability, once, for both dials.
	for pid in $(service_lines web | sed -nE 's/^worker [0-9]+ pid=([0-9]+):.*/\1/p'); do
		assert_equal "$(grep -c "python3\\[$pid\\] .*claimed the capability to @$U\\.db of pid $parent\$" <<< "$debug")" 1
	done
	assert_equal "$(grep -c 'claimed the capability' <<< "$debug")" 8
	run grep -c '^db *| served ' "$T/out"
	assert_output 17
	[ ! -s "$T/audit.jsonl" ]
}

# kept.py NAME: dials NAME and reports the pidfds the process holds
# ("kept: FD..."), through what programs do to descriptors, and through
# a restart of the provider: db's first instance serves four dials and
# exits, and kept.py dials until the second one answers.
write_kept() {
	need_python
	write_pidfds
	cat > "$T/kept.py" <<'PY'
import fcntl, functools, os, sys
from pidfds import kept, say
import pidfds
dial = functools.partial(pidfds.dial, sys.argv[1])

def names(fd):
    for line in open(f"/proc/self/fdinfo/{fd}"):
        if line.startswith("Pid:"):
            return line.split()[1]

say(f"first: {dial('first')}; kept: {kept()}")
fd = int(kept().split()[0])
say(f"close-on-exec: {bool(fcntl.fcntl(fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC)}")
say(f"again: {dial('again')}; kept: {kept()}")
os.closerange(3, 1 << 20)
say(f"after closerange: kept: {kept()}")
say(f"second: {dial('second')}; kept: {kept()}")
mine = int(kept().split()[0])
null = os.open("/dev/null", os.O_RDONLY)
os.dup2(null, mine)
os.close(null)
say(f"third: {dial('third')}; kept: {kept()}")
line = pidfds.dial_until_answered(sys.argv[1], "fourth")
say(f"fourth: {line}; kept: {kept()}")
say(f"kept names pid {names(int(kept().split()[0]))}")
say(f"program's {mine}: {os.readlink(f'/proc/self/fd/{mine}')}")
PY
}

@test "kept pidfds: one per provider the launcher does not reap, above the channel and close-on-exec; closed or dup2'd over by the program, or its provider restarted, the next dial checks in full and keeps another, and the program's descriptor is left alone" {
	write_kept
	# fx-server is sh's child, not the launcher's: sh reaps it.
	write_policy <<EOF
service db {
	exec sh -c "[ -e $T/again ] && { fx-server $U.db; exit; }; touch $T/again; fx-server -n 4 $U.db; exit"
	provides @$U.db
	restart always
}
service web {
	exec python3 $T/kept.py $U.db
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology --exit-with web
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines web
	# The channel is at 1000 (the launcher's choice under a limit above it).
	assert_line "first: echo first; kept: 1001"
	assert_line "close-on-exec: True"
	assert_line "again: echo again; kept: 1001"
	assert_line "after closerange: kept: none"
	assert_line "second: echo second; kept: 1001"
	# 1001 is the program's now: the shim keeps its next pidfd elsewhere ...
	assert_line "third: echo third; kept: 1002"
	# ... and lets that one go with the provider, never the program's.
	assert_line "fourth: echo fourth; kept: 1002"
	second=$(sed -nE 's/^db +\| listening pid=([0-9]+).*/\1/p' "$T/out" | sed -n 2p)
	assert [ -n "$second" ]
	assert_line "kept names pid $second"
	assert_line "program's 1001: /dev/null"
	run grep -c '"gate":"accept"' "$T/audit.jsonl"
	assert_output 0
}

# stale.py NAME: dials NAME, and twice closes the pidfd the shim keeps
# past every hook (glibc's fclose() closes with its own internal call)
# and puts a file of its own at that number with fcntl(F_DUPFD), which
# no hook sees either: /dev/null before its provider restarts, and after
# it /dev/urandom, whose ioctl answers EINVAL where /dev/null's says
# ENOTTY.
write_stale() {
	need_python
	write_pidfds
	cat > "$T/stale.py" <<'PY'
import ctypes, fcntl, functools, os, sys
from pidfds import kept, say
import pidfds
dial = functools.partial(pidfds.dial, sys.argv[1])
libc = ctypes.CDLL(None, use_errno=True)
libc.fdopen.restype = ctypes.c_void_p
libc.fdopen.argtypes = [ctypes.c_int, ctypes.c_char_p]
libc.fclose.argtypes = [ctypes.c_void_p]

def take_over(fd, path):
    if libc.fclose(libc.fdopen(fd, b"r")) != 0:
        sys.exit("fclose failed")
    own = os.open(path, os.O_RDONLY)
    mine = fcntl.fcntl(own, fcntl.F_DUPFD, fd)
    os.close(own)
    return mine

say(f"first: {dial('first')}; kept: {kept()}")
first = take_over(int(kept().split()[0]), "/dev/null")
say(f"took {first}; kept: {kept()}")
line = pidfds.dial_until_answered(sys.argv[1], "second")
say(f"second: {line}; kept: {kept()}")
second = take_over(int(kept().split()[0]), "/dev/urandom")
say(f"took {second}; kept: {kept()}")
say(f"third: {dial('third')}; kept: {kept()}")
say(f"fourth: {dial('fourth')}; kept: {kept()}")
for fd in (first, second):
    say(f"program's {fd}: {os.readlink(f'/proc/self/fd/{fd}')}")
PY
}

@test "kept pidfds closed past the hooks: the number taken over by the program is never closed by the shim, when its provider restarts or when the next dial finds no pidfd there, and the next full check keeps another" {
	write_stale
	# fx-server is sh's child, not the launcher's: its pidfd is kept.
	write_policy <<EOF
service db {
	exec sh -c "[ -e $T/again ] && { fx-server $U.db; exit; }; touch $T/again; fx-server -n 1 $U.db; exit"
	provides @$U.db
	restart always
}
service web {
	exec python3 $T/stale.py $U.db
	dials db
}
EOF
	start_topology --exit-with web
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines web
	assert_line "first: echo first; kept: 1001"
	assert_line "took 1001; kept: none"
	# db restarted: the dial that found it gone dropped the provider's
	# pidfd, whose number is the program's /dev/null now.
	assert_line "second: echo second; kept: 1002"
	assert_line "took 1002; kept: none"
	# No pidfd at 1002: the slot is let go, the full check keeps another.
	assert_line "third: echo third; kept: 1003"
	assert_line "fourth: echo fourth; kept: 1003"
	assert_line "program's 1001: /dev/null"
	assert_line "program's 1002: /dev/urandom"
}

# reaped.py NAME ERR GO: dial NAME twice; create GO, wait until the
# launcher says (in ERR) that blink exited, and dial twice more; after
# each dial print the pidfds kept.
write_reaped() {
	need_python
	write_pidfds
	cat > "$T/reaped.py" <<'PY'
import functools, sys, time
from pidfds import kept
import pidfds
name, err, go = sys.argv[1:4]
dial = functools.partial(pidfds.dial, name)

print(f"first: {dial('first')}; kept: {kept()}", flush=True)
print(f"again: {dial('again')}; kept: {kept()}", flush=True)
open(go, "w").close()
# The launcher says so after it has reaped blink, so after the epoch moved.
while "blink exited" not in open(err).read():
    time.sleep(0.05)
print(f"after the reap: {dial('third')}; kept: {kept()}", flush=True)
print(f"and then: {dial('fourth')}; kept: {kept()}", flush=True)
PY
}

@test "reaped providers: the launcher's own child is checked by the reap epoch of its grant, with no pidfd; once the launcher has reaped any child, the next dial checks in full and keeps one" {
	write_reaped
	write_policy <<EOF
service db {
	exec fx-server -n 4 $U.db
	provides @$U.db
}
service blink {
	exec sh -c "until [ -e $T/go ]; do sleep 0.05; done"
}
service web {
	exec python3 $T/reaped.py $U.db $T/err $T/go
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology --exit-with web
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines web
	assert_line "first: echo first; kept: none"
	assert_line "again: echo again; kept: none"
	assert_line "after the reap: echo third; kept: 1001"
	assert_line "and then: echo fourth; kept: 1001"
	run grep -c '"gate":"accept"' "$T/audit.jsonl"
	assert_output 0
}

# server.py NAME N: accept N connections on NAME, one line each, and
# after each print "accepted K: LINE; pidfds kept: COUNT".
write_server() {
	need_python
	cat > "$T/server.py" <<'PY'
import os, socket, sys
name, n = sys.argv[1], int(sys.argv[2])

def pidfds():
    count = 0
    for entry in os.listdir("/proc/self/fd"):
        try:
            count += "pidfd" in os.readlink(f"/proc/self/fd/{entry}")
        except OSError:
            pass
    return count

s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(b"\0" + name.encode())
s.listen(8)
print(f"listening pid={os.getpid()}", flush=True)
for k in range(1, n + 1):
    c, _ = s.accept()
    line = c.makefile().readline().strip()
    c.sendall(b"echo " + line.encode() + b"\n")
    c.close()
    print(f"accepted {k}: {line}; pidfds kept: {pidfds()}", flush=True)
PY
}

@test "known peers: a client that connects again is kept by its pidfd from its second connection on, and the launcher is asked once" {
	write_server
	write_workers
	write_policy <<EOF
service db {
	exec env CAPWRAP_DEBUG=1 python3 $T/server.py $U.db 3
	provides @$U.db
}
service web {
	exec python3 $T/workers.py $U.db 1
	dials db
}
audit $T/audit.jsonl
EOF
	start_topology --exit-with db
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run service_lines db
	# The parent connects once, its worker twice.
	assert_line "accepted 1: parent; pidfds kept: 0"
	assert_line "accepted 2: worker 1; pidfds kept: 0"
	assert_line "accepted 3: worker 1 again; pidfds kept: 1"
	debug=$(cat "$T/out" "$T/err" | grep 'capwrap-shim: python3')
	# One question for each process, none for the worker's second time.
	assert_equal "$(grep -c 'asking whether pid [0-9]* may connect' <<< "$debug")" 2
	[ ! -s "$T/audit.jsonl" ]
}
