#!/bin/bash
# pidreuse.sh client|regular|worker|dgram|provider|orphaned|threads|claim DIR PREFIX
# Run as pid 1 of a private pid namespace (unshare --pid --fork
# --mount-proc, as root): a topology runs, one of its processes dies, and
# another is started with exactly the dead process's pid, by writing
# /proc/sys/kernel/ns_last_pid.  Prints what happened as KEY=VALUE lines
# for the bats test to judge; the audit log is left in DIR/audit.jsonl.
#
# dgram: the dead client sent db one datagram; the attacker, with its
# pid, sends one with 253 descriptors attached, which would push the
# pidfd out of a receive buffer sized for the caller alone.
# client, regular, provider: the attacker takes the pid of a dead client
# (that dialed once, or twice, so that db's gate knew it by pid) or of
# the dead provider.  worker: as regular, but the client is a child of
# web's main process, which reaps it, not the launcher: no reap epoch
# speaks for it, so its kept pidfd is asked.  orphaned: as provider,
# but the launcher is killed (SIGKILL): db dies of PR_SET_PDEATHSIG and
# is reaped by this script, no epoch moving; the client, a child of
# web's main process, outlives them and dials the impostor.  threads: the attacker dies with a connection queued
# at db, whose three threads accept at once; the thread that takes it
# stalls before its check while a granted client, given the attacker's
# pid, connects twice.  claim: a worker forked by web claims web's
# capability, connects and exits, all while the launcher is stopped;
# a process of a service that may not dial db takes its pid and asks the
# launcher for something before the launcher reads the claim.
set -u
scenario=$1 dir=$2 u=$3

# wait_for FILE REGEX: up to 60 s.
wait_for() {
	local i
	for ((i = 0; i < 1200; i++)); do
		grep -qE -- "$2" "$1" 2> /dev/null && return 0
		sleep 0.05
	done
	echo "timeout=$2"
	cat "$1"
	exit 1
}

# wait_asking PID: until process PID waits for the answer to a request it
# sent the launcher (blocked receiving a packet, as the shim does on its
# reply socket), up to 60 s.  With the launcher stopped, its request is
# then queued on its channel.
wait_asking() {
	local i
	for ((i = 0; i < 1200; i++)); do
		[ "$(cat "/proc/$1/wchan" 2> /dev/null)" = \
		    __skb_wait_for_more_packets ] && return 0
		sleep 0.05
	done
	echo "timeout=asking $1"
	exit 1
}

# The five hex digits of the abstract address PID listens on.
minted_address() {
	local ino
	for ino in $(ls -l "/proc/$1/fd" | sed -nE 's/.*socket:\[([0-9]+)\]$/\1/p'); do
		awk -v ino="$ino" '$7 == ino && $8 ~ /^@/ { print substr($8, 2) }' \
			/proc/net/unix
	done | head -n 1
}

# client: the dead client dialed once.  regular: it dialed twice, so db's
# gate knew it by pid on that listener, with its pidfd kept.
case $scenario in
client|regular)
	dial="fx-client $u.db hello"
	if [ "$scenario" = regular ]; then
		touch "$dir/again"
		dial="ax-twice $u.db $dir/again"
	fi
	cat > "$dir/policy" <<EOF
service db {
	exec fx-server $u.db
	provides @$u.db
}
service web {
	exec sh -c "echo pid=\$\$; while [ ! -e $dir/ready ]; do sleep 0.05; done; exec $dial"
	dials db
}
audit $dir/audit.jsonl
EOF
	;;
worker)
	touch "$dir/again"
	# web's main process outlives the client without forking again.
	cat > "$dir/policy" <<EOF
service db {
	exec fx-server $u.db
	provides @$u.db
}
service web {
	exec sh -c "while [ ! -e $dir/ready ]; do sleep 0.05; done; sh -c 'echo pid=\$\$; exec ax-twice $u.db $dir/again'; echo worker reaped; exec sleep 600"
	dials db
}
audit $dir/audit.jsonl
EOF
	;;
orphaned)
	# The client writes to a file: the launcher's pipes die with it.
	cat > "$dir/policy" <<EOF
service db {
	exec fx-server $u.db
	provides @$u.db
}
service web {
	exec sh -c "sh -c 'exec ax-twice -w $dir/ready $u.db $dir/go > $dir/client 2>&1' & wait"
	dials db
}
audit $dir/audit.jsonl
EOF
	;;
dgram)
	cat > "$dir/policy" <<EOF
service db {
	exec fx-dgram recv recv $u.db 3
	provides @$u.db
}
service web {
	exec sh -c "echo pid=\$\$; while [ ! -e $dir/ready ]; do sleep 0.05; done; exec fx-dgram sendfd $u.db hello"
	dials db
}
audit $dir/audit.jsonl
EOF
	;;
provider)
	cat > "$dir/policy" <<EOF
service db {
	exec fx-server $u.db
	provides @$u.db
}
service web {
	exec ax-twice -w $dir/ready $u.db $dir/go
	dials db
}
audit $dir/audit.jsonl
EOF
	;;
threads)
	touch "$dir/again"
	cat > "$dir/policy" <<EOF
service db {
	exec ax-stall $u.db $dir/stall 3
	provides @$u.db
}
service web {
	exec sh -c "while [ ! -s $dir/victim ]; do sleep 0.05; done; echo \$((\$(cat $dir/victim) - 1)) > /proc/sys/kernel/ns_last_pid; ax-twice -h $dir/judged $u.db $dir/again"
	dials db
}
audit $dir/audit.jsonl
EOF
	;;
claim)
	# A server that ignores SIGPIPE: the worker leaves before the answer.
	cat > "$dir/policy" <<EOF
service db {
	exec ax-stall $u.db /dev/null 1
	provides @$u.db
}
service web {
	exec sh -c "while [ ! -e $dir/ready ]; do sleep 0.05; done; exec ax-claim fork $u.db $dir/fork $dir/worker"
	dials db
}
service rogue {
	exec sh -c "while [ ! -e $dir/prime ]; do sleep 0.05; done; fx-client $u.db prime & while [ ! -s $dir/worker ]; do sleep 0.05; done; echo \$((\$(cat $dir/worker) - 1)) > /proc/sys/kernel/ns_last_pid; ax-claim rogue $u.db $dir/addr $dir/attack"
}
audit $dir/audit.jsonl
EOF
	;;
*)
	echo "usage: pidreuse.sh client|regular|worker|dgram|provider|orphaned|threads|claim DIR PREFIX" >&2
	exit 2
	;;
esac

"$CAPWRAP" run --dial-timeout 0 "$dir/policy" > "$dir/out" 2> "$dir/err" &
launcher=$!
wait_for "$dir/out" '^db +\| listening pid='
db=$(sed -nE 's/^db +\| listening pid=([0-9]+)$/\1/p' "$dir/out")
addr=$(minted_address "$db")
echo "addr=$addr"
touch "$dir/ready"

if [ "$scenario" = threads ]; then
	# An outsider queues a connection and exits; the thread that takes it
	# stalls (ax-stall reads its pid from $dir/stall).
	python3 -c 'import os, socket, sys
open(sys.argv[1], "w").write(str(os.getpid()))
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(b"\0" + sys.argv[2].encode())
s.sendall(b"steal\n")
print(os.getpid())' "$dir/stall" "$addr" > "$dir/attacker"
	attacker=$(cat "$dir/attacker")
	echo "attacker=$attacker"
	wait_for "$dir/out" '^db +\| stall: holding'
	# A granted client takes its pid and connects twice meanwhile.
	echo "$attacker" > "$dir/victim"
	wait_for "$dir/out" '^web +\| second: reply echo second$'
	echo "victim_served=yes"
	echo "victim=$attacker"
	wait_for "$dir/out" '^db +\| stall: resumed'
	wait_for "$dir/audit.jsonl" "\"peer_pid\":$attacker,"
	echo "stolen=$(grep -c '^db *| served steal' "$dir/out")"
	# The client lived while the stalled connection was judged.
	touch "$dir/judged"
elif [ "$scenario" = claim ]; then
	wait_for "$dir/out" '^web +\| parent: reply echo parent$'
	echo "$addr" > "$dir/addr"
	kill -STOP "$launcher"
	# The rogue's first request waits on its channel, ahead of web's.
	touch "$dir/prime"
	for ((i = 0; i < 1200; i++)); do
		prime=$(pgrep -f "^fx-client $u\.db prime$") && break
		sleep 0.05
	done
	wait_asking "$prime"
	touch "$dir/fork"
	wait_for "$dir/worker" '[0-9]'
	victim=$(cat "$dir/worker")
	echo "victim=$victim"
	# (Its output waits in the stopped launcher's pipe: look at /proc.)
	for ((i = 0; i < 1200; i++)); do
		[ "$(cat "/proc/$victim/comm" 2> /dev/null)" = ax-claim ] && break
		sleep 0.05
	done
	# Its own request is queued too before the launcher goes on.
	wait_asking "$victim"
	kill -CONT "$launcher"
	wait_for "$dir/out" '^rogue +\| rogue pid='
	echo "attacker=$(sed -nE 's/^rogue +\| rogue pid=([0-9]+)$/\1/p' "$dir/out")"
	wait_for "$dir/out" '^db +\| served worker$'
	echo "victim_served=yes"
	wait_for "$dir/out" '^rogue +\| rogue: connect: '
	touch "$dir/attack"
	wait_for "$dir/out" '^rogue +\| rogue: (EOF|reply)'
	echo "rogue_said=$(sed -nE 's/^rogue +\| (rogue: (EOF|reply.*|connect: .*))$/\1/p' "$dir/out" | tr '\n' ' ')"
	echo "stolen=$(grep -c '^db *| served rogue' "$dir/out")"
elif [ "$scenario" = orphaned ]; then
	wait_for "$dir/client" '^waiting$'
	grep -qE '^first: reply echo first$' "$dir/client" &&
		echo "victim_served=yes"
	victim=$db
	echo "victim=$victim"
	kill -KILL "$launcher"
	wait "$launcher" 2> /dev/null
	# db dies of its parent-death signal; this script, pid 1, reaps it.
	for ((i = 0; i < 1200; i++)); do
		[ -e "/proc/$db" ] || break
		sleep 0.05
	done
	echo $((victim - 1)) > /proc/sys/kernel/ns_last_pid
	ax-squat "$addr" > "$dir/attacker" 2>&1 &
	attacker=$!
	echo "attacker=$attacker"
	wait_for "$dir/attacker" '^listening pid='
	touch "$dir/go"
	wait_for "$dir/client" '^second: '
	wait_for "$dir/attacker" '^got '
	echo "client_said=$(sed -nE 's/^(second: .*)$/\1/p' "$dir/client")"
	echo "attacker_said=$(grep '^got ' "$dir/attacker" | tr '\n' ' ')"
	kill "$attacker"
	echo "done=yes"
	exit 0
elif [ "$scenario" != provider ]; then
	# The client is granted db, is served, and exits.
	if [ "$scenario" = worker ]; then
		wait_for "$dir/out" '^web +\| worker reaped$'
	else
		wait_for "$dir/err" 'web exited with status'
	fi
	if [ "$scenario" = client ]; then
		wait_for "$dir/out" '^web +\| reply echo hello$'
	elif [ "$scenario" = dgram ]; then
		wait_for "$dir/out" '^db +\| got hello$'
	else
		wait_for "$dir/out" '^web +\| first: reply echo first$'
		wait_for "$dir/out" '^web +\| second: reply echo second$'
	fi
	echo "victim_served=yes"
	victim=$(sed -nE 's/^web +\| pid=([0-9]+)$/\1/p' "$dir/out")
	echo "victim=$victim"
	# No fork between the write and the attacker's: it gets the pid.
	echo $((victim - 1)) > /proc/sys/kernel/ns_last_pid
	if [ "$scenario" = dgram ]; then
		fx-dgram sendfd "$addr" steal 253 > "$dir/attacker" 2>&1 &
	else
		fx-client "$addr" steal > "$dir/attacker" 2>&1 &
	fi
	attacker=$!
	echo "attacker=$attacker"
	wait "$attacker"
	echo "attacker_said=$(tr '\n' ' ' < "$dir/attacker")"
	wait_for "$dir/audit.jsonl" "\"peer_pid\":$attacker,"
	echo "stolen=$(grep -c '^db *| got steal' "$dir/out")"
else
	wait_for "$dir/out" '^web +\| waiting$'
	grep -qE '^web +\| first: reply echo first$' "$dir/out" &&
		echo "victim_served=yes"
	victim=$db
	echo "victim=$victim"
	kill -KILL "$db"
	wait_for "$dir/err" 'db killed by signal 9'
	echo $((victim - 1)) > /proc/sys/kernel/ns_last_pid
	ax-squat "$addr" > "$dir/attacker" 2>&1 &
	attacker=$!
	echo "attacker=$attacker"
	wait_for "$dir/attacker" '^listening pid='
	# The client dials again with the capability it holds for the dead db.
	touch "$dir/go"
	wait_for "$dir/out" '^web +\| second: '
	wait_for "$dir/attacker" '^got '
	echo "client_said=$(sed -nE 's/^web +\| (second: .*)$/\1/p' "$dir/out")"
	echo "attacker_said=$(grep '^got ' "$dir/attacker" | tr '\n' ' ')"
	kill "$attacker"
fi
kill -TERM "$launcher"
wait "$launcher"
echo "done=yes"
