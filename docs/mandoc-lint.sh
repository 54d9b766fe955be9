#!/bin/sh
# TAP: each manual page passes mandoc -Tlint -Wwarning without a word.
n=0
fail=0
echo "1..2"
for page in capwrap.1 capwrap.policy.5; do
	n=$((n + 1))
	out=$("$MANDOC" -Tlint -Wwarning "$DOCS_SRCDIR/$page" 2>&1)
	if [ -z "$out" ]; then
		echo "ok $n - $page"
	else
		echo "not ok $n - $page"
		printf '%s\n' "$out" | sed 's/^/# /'
		fail=1
	fi
done
exit $fail
