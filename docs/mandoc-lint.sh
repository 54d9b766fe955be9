#!/bin/sh
# TAP: each manual page passes mandoc -Tlint -Wwarning without a word, and
# its rendered text has balanced quotes: a quote macro that swallows the
# rest of its line (.Dq a , Dq b) renders as “a, “b”” and lint is silent.
n=0
fail=0
echo "1..4"
report() {
	n=$((n + 1))
	if [ -z "$2" ]; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		printf '%s\n' "$2" | sed 's/^/# /'
		fail=1
	fi
}
for page in capwrap.1 capwrap.policy.5; do
	report "$page: lint" \
	    "$("$MANDOC" -Tlint -Wwarning "$DOCS_SRCDIR/$page" 2>&1)"
	# An opening quote before the previous one closed, or a closing one
	# with none open: nested or unbalanced.
	report "$page: quotes balanced" \
	    "$("$MANDOC" -Tutf8 "$DOCS_SRCDIR/$page" | LC_ALL=C.UTF-8 sed "s/.\x08//g" |
	    grep -E '“[^”]*“|”[^“]*”')"
done
exit $fail
