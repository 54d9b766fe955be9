#!/bin/sh
# Run the capwrap demo and explain what happened.
# Usage: examples/demo.sh [CAPWRAP]   (default: the capwrap of the build tree)
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
capwrap=${1:-$top/build/capwrap}
audit=$top/examples/demo-audit.jsonl

rm -f "$audit"
echo "== capwrap run --exit-with web examples/demo.policy"
"$capwrap" run --exit-with web "$top/examples/demo.policy"
status=$?

echo
echo "== the audit log ($audit)"
cat "$audit" 2>/dev/null || echo "(empty)"
echo
echo "== what that shows"
echo "* web was served: its line came back from db (\"web | hello from web\")."
echo "* the squatter bound @capwrap-demo.sock first, yet received nothing:"
echo "  db never bound the fixed name and web never dialed it."
echo "* the outsider found db's autobind address in /proc/net/unix and dialed it;"
echo "  db's accept gate refused it (no capability) and the launcher audited it."
exit "$status"
