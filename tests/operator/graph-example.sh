#!/bin/sh
# Render docs/graph-example.svg: run tests/operator/graph-example.policy
# for real, let outsiders knock on its database, then draw the topology
# with the refusals the gates recorded.
#
#   tests/operator/graph-example.sh BUILDDIR [OUTPUT.svg]
#
# BUILDDIR is a configured build directory after `make check` (it holds
# capwrap, the shim and the fixtures).
set -eu
build=$(cd "$1" && pwd)
src=$(cd "$(dirname "$0")/../.." && pwd)
out=${2:-$src/docs/graph-example.svg}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
PATH="$build/tests/fixtures:$PATH"
export PATH

cd "$src"
"$build/capwrap" run --audit "$work/audit.jsonl" \
	tests/operator/graph-example.policy > "$work/out" 2> "$work/err" &
topology=$!
i=0
until grep -q '^db .*listening pid=' "$work/out" 2>/dev/null &&
    grep -q 'cron exited' "$work/err" 2>/dev/null; do
	i=$((i + 1))
	[ $i -lt 200 ] || { cat "$work/out" "$work/err" >&2; exit 1; }
	sleep 0.05
done
# The database's address, as anyone can read it in /proc/net/unix.
pid=$(sed -nE 's/^db +\| listening pid=([0-9]+).*/\1/p' "$work/out")
for ino in $(ls -l "/proc/$pid/fd" | sed -nE 's/.*socket:\[([0-9]+)\]$/\1/p'); do
	addr=$(awk -v ino="$ino" '$7 == ino && $8 ~ /^@/ { print substr($8, 2) }' \
		/proc/net/unix)
	[ -n "$addr" ] && break
done
# Outsiders: the same client program unwrapped, twice, and socat.
fx-client "$addr" "DROP TABLE" > /dev/null 2>&1 || true
fx-client "$addr" "SELECT secrets" > /dev/null 2>&1 || true
echo hello | socat -t 1 - "ABSTRACT-CONNECT:$addr" > /dev/null 2>&1 || true
i=0
until [ "$(grep -c '"gate":"accept"' "$work/audit.jsonl" 2>/dev/null)" -ge 3 ]; do
	i=$((i + 1))
	[ $i -lt 200 ] || { cat "$work/audit.jsonl" >&2; exit 1; }
	sleep 0.05
done
kill -TERM "$topology"
wait "$topology" || true
cp "$work/audit.jsonl" tests/operator/graph-example.audit.jsonl
"$build/capwrap" graph tests/operator/graph-example.policy \
	--audit tests/operator/graph-example.audit.jsonl | dot -Tsvg -o "$out"
echo "wrote $out"
