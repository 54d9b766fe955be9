#!/usr/bin/env bats
# capwrap graph: the topology as Graphviz DOT, refusals drawn over it.

load operator

setup_file() {
	export GRAPH_POLICY="$TESTS_SRCDIR/operator/graph-example.policy"
}

@test "services are nodes labelled with their names, dials are edges, externals apart" {
	run --separate-stderr "$CAPWRAP" graph "$GRAPH_POLICY"
	assert_success
	assert_line --index 0 'digraph capwrap {'
	assert_line --regexp '^	s0 \[label="db\\n@demo\.db"\];$'
	assert_line --regexp '^	s1 \[label="web\\n@demo\.web"\];$'
	assert_line --regexp '^	s2 \[label="cron"\];$'
	assert_line --regexp '^	s3 \[label="legacy\\n@demo\.legacy\\n\(unprotected\)", style="rounded,dashed"\];$'
	assert_line '	s1 -> s0;'
	assert_line '	s2 -> s1;'
	assert_line '	subgraph cluster_external {'
	assert_line --regexp '^		x0 \[label="@/tmp/\.X11-unix/X0", shape=note'
	refute_line --partial 'color=red'
	assert_line --index "$(( ${#lines[@]} - 1 ))" '}'
}

@test "names with any byte and quotes are escaped for DOT" {
	write_policy <<'EOF'
service agent {
	exec fx-server x
	provides "@a\"b\\c\x01"
}
EOF
	run "$CAPWRAP" graph "$T/policy"
	assert_success
	assert_line '	s0 [label="agent\n@a\\x22b\\x5cc\\x01"];'
	if command -v dot >/dev/null; then
		"$CAPWRAP" graph "$T/policy" | dot -Tsvg > /dev/null
	fi
}

@test "--audit: intruders, refused dials and binds in red dashed edges with counts" {
	rec() { printf '{"time":"2025-01-01T00:00:0%sZ","event":"deny",%s}\n' "$@"; }
	{
		rec 1 '"gate":"accept","service":"db","name":"@demo.db","pid":5,"peer_pid":77,"peer_uid":1000,"peer_exe":"/usr/bin/socat"'
		rec 2 '"gate":"accept","service":"db","name":"@demo.db","pid":5,"peer_pid":78,"peer_uid":1000,"peer_exe":"/usr/bin/socat","count":4'
		rec 3 '"gate":"accept","service":"web","name":"@demo.web","pid":6,"peer_pid":90'
		rec 4 '"gate":"connect","service":"cron","name":"@demo.db","pid":7'
		rec 5 '"gate":"connect","service":"cron","name":"@nowhere","pid":7'
		rec 6 '"gate":"bind","service":"web","name":"@demo.db","pid":6'
		rec 7 '"gate":"connect","service":"web","name":"@demo.db","pid":6,"peer_pid":99,"peer_exe":"/tmp/squat"'
	} > "$T/a.jsonl"
	run --separate-stderr "$CAPWRAP" graph "$GRAPH_POLICY" --audit "$T/a.jsonl"
	assert_success
	assert_line '	i0 [label="/usr/bin/socat\npid 77, 78\nuid 1000", shape=octagon, style=solid, color=red, fontcolor=red];'
	assert_line '	i1 [label="pid 90", shape=octagon, style=solid, color=red, fontcolor=red];'
	assert_line '	i0 -> s0 [label="@demo.db ×5", color=red, fontcolor=red, style=dashed];'
	assert_line '	i1 -> s1 [label="@demo.web ×1", color=red, fontcolor=red, style=dashed];'
	assert_line '	s2 -> s0 [label="@demo.db ×1", color=red, fontcolor=red, style=dashed];'
	assert_line --regexp '^	n[0-9]+ \[label="@nowhere\\n\(provided by no service\)"'
	assert_line --regexp '^	s2 -> n[0-9]+ \[label="@nowhere ×1", color=red'
	assert_line '	s1 -> s0 [label="bind @demo.db ×1", color=red, fontcolor=red, style=dashed];'
	assert_line --regexp '^	s1 -> i[0-9]+ \[label="@demo.db \(impostor\) ×1", color=red'
	# The policy's own edges are still there, solid.
	assert_line '	s1 -> s0;'
}

@test "the output is valid DOT" {
	command -v dot >/dev/null || skip "graphviz is not installed"
	"$CAPWRAP" graph "$GRAPH_POLICY" > "$T/g.dot"
	run dot -Tsvg -o "$T/g.svg" "$T/g.dot"
	assert_success
	grep -q '<svg' "$T/g.svg"
}

@test "bad audit lines: the graph is drawn, the lines reported, exit 65" {
	printf 'nonsense\n' > "$T/a.jsonl"
	run --separate-stderr "$CAPWRAP" graph "$GRAPH_POLICY" --audit "$T/a.jsonl"
	assert_equal "$status" 65
	assert_line --index 0 'digraph capwrap {'
	assert_equal "$stderr" "capwrap: $T/a.jsonl:1:1: expected '{' to start a record; line skipped"
}
