#!/bin/bash
# pidreuse.sh client|regular|provider DIR PREFIX
# Run as pid 1 of a private pid namespace (unshare --pid --fork
# --mount-proc, as root): a topology runs, one of its processes dies, and
# an attacker is started with exactly the dead process's pid, by writing
# /proc/sys/kernel/ns_last_pid.  Prints what happened as KEY=VALUE lines
# for the bats test to judge; the audit log is left in DIR/audit.jsonl.
set -u
scenario=$1 dir=$2 u=$3

# wait_for FILE REGEX: up to 20 s.
wait_for() {
	local i
	for ((i = 0; i < 400; i++)); do
		grep -qE -- "$2" "$1" 2> /dev/null && return 0
		sleep 0.05
	done
	echo "timeout=$2"
	cat "$1"
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
*)
	echo "usage: pidreuse.sh client|regular|provider DIR PREFIX" >&2
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

if [ "$scenario" != provider ]; then
	# The client is granted db, is served, and exits.
	wait_for "$dir/err" 'web exited with status'
	if [ "$scenario" = client ]; then
		wait_for "$dir/out" '^web +\| reply echo hello$'
	else
		wait_for "$dir/out" '^web +\| first: reply echo first$'
		wait_for "$dir/out" '^web +\| second: reply echo second$'
	fi
	echo "victim_served=yes"
	victim=$(sed -nE 's/^web +\| pid=([0-9]+)$/\1/p' "$dir/out")
	echo "victim=$victim"
	# No fork between the write and the attacker's: it gets the pid.
	echo $((victim - 1)) > /proc/sys/kernel/ns_last_pid
	fx-client "$addr" steal > "$dir/attacker" 2>&1 &
	attacker=$!
	echo "attacker=$attacker"
	wait "$attacker"
	echo "attacker_said=$(tr '\n' ' ' < "$dir/attacker")"
	wait_for "$dir/audit.jsonl" "\"peer_pid\":$attacker,"
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
