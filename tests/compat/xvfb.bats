#!/usr/bin/env bats
# The X server Xvfb and the X client xdpyinfo, unmodified
# (examples/compat-xvfb.policy): display :N is the abstract name
# @/tmp/.X11-unix/XN.  Xvfb also binds the filesystem socket
# /tmp/.X11-unix/XN unless told -nolisten unix ("local" is the abstract
# one), and Xlib falls back to the file when the abstract name refuses:
# the example listens on neither TCP nor the file.

load ../helpers
load compat

# free_display FROM: the first display number from FROM on that nothing
# holds: no lock file, no socket file, no abstract name.
free_display() {
	local n=$1
	while [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ] ||
	    name_is_bound "/tmp/.X11-unix/X$n"; do
		n=$((n + 1))
	done
	echo "$n"
}

# The example policy on a free display, $DPY.
compat_xvfb() {
	skip_in_sanitizer_build "Xvfb's libcap-ng closes a descriptor in its constructor, before the ASan runtime (not first in the library list) has started: the instrumented close() of the shim faults"
	need_programs Xvfb xdpyinfo
	compat_policy compat-xvfb.policy
	DPY=$(free_display 173)
	sed -i -e "s|:73\\b|:$DPY|g" -e "s|X11-unix/X73\\b|X11-unix/X$DPY|g" \
	    "$T/policy"
	"$CAPWRAP" check "$T/policy" > /dev/null
}

@test "xvfb: wrapped xdpyinfo reads the wrapped Xvfb's display through the abstract name, and no file is left to anyone" {
	compat_xvfb
	start_topology --exit-with client
	wait_topology
	assert_equal "$TOPOLOGY_STATUS" 0
	run cat "$T/out"
	assert_line "client | name of display:    :$DPY"
	assert_line 'client | vendor string:    The X.Org Foundation'
	assert [ ! -e "/tmp/.X11-unix/X$DPY" ]
	run cat "$T/err"
	refute_output --partial 'filesystem socket'
	assert_line 'capwrap: server exited with status 0'
	run cat "$T/audit.jsonl"
	assert_output ''
}

@test "xvfb: the same xdpyinfo unwrapped cannot open the display" {
	compat_xvfb
	drop_service client
	start_topology
	wait_minted '^Xvfb '
	DISPLAY=:$DPY run xdpyinfo
	assert_equal "$status" 1
	assert_output "xdpyinfo:  unable to open display \":$DPY\"."
	run name_is_bound "/tmp/.X11-unix/X$DPY"
	assert_failure
	assert [ ! -e "/tmp/.X11-unix/X$DPY" ]
}

@test "xvfb: an unwrapped xdpyinfo dialing Xvfb's autobind address is closed at the accept gate" {
	need_programs socat
	compat_xvfb
	drop_service client
	start_topology
	wait_minted '^Xvfb '
	assert_equal "$(socket_type "$MINTED")" 1
	# Xlib dials @/tmp/.X11-unix/XN and cannot name the bare autobind
	# address: an unwrapped socat, on another free display, carries
	# xdpyinfo's connection to it.
	relay=$(free_display $((DPY + 1)))
	socat "ABSTRACT-LISTEN:/tmp/.X11-unix/X$relay,fork" \
	    "ABSTRACT-CONNECT:$MINTED" 2> /dev/null &
	BACKGROUND_PIDS=$!
	wait_for /proc/net/unix "@/tmp/\\.X11-unix/X$relay\$"
	DISPLAY=:$relay run xdpyinfo
	assert_equal "$status" 1
	assert_output "xdpyinfo:  unable to open display \":$relay\"."
	assert_accept_denied server "/tmp/.X11-unix/X$DPY" socat
	# Xvfb goes on accepting: a second intruder is refused and audited.
	DISPLAY=:$relay run xdpyinfo
	assert_equal "$status" 1
	wait_denials 2
}

@test "xvfb: an Xvfb that keeps its filesystem socket lets an unwrapped client in through the file, unseen by capwrap" {
	compat_xvfb
	drop_service client
	sed -i 's| -nolisten unix||' "$T/policy"
	start_topology
	wait_minted '^Xvfb '
	wait_for /proc/net/unix " /tmp/\\.X11-unix/X$DPY\$"
	# Refused at the abstract name, Xlib falls back to the file, which
	# capwrap does not gate: the outsider is served, and nothing is
	# refused.
	DISPLAY=:$DPY run xdpyinfo
	assert_success
	assert_line "name of display:    :$DPY"
	run grep -c '"event":"deny"' "$T/audit.jsonl"
	assert_output 0
}
