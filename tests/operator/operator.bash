# Shared by the operator suites: the capwrap commands as a new user would
# type them.

load ../helpers

# A policy whose services start and stay up until told to stop.
write_idle_policy() {
	write_policy <<EOF2
service db {
	exec fx-server $U.db
	provides @$U.db
}
service web {
	exec fx-client $U.db hello
	dials db
}
EOF2
}

# Run a command as the unprivileged user nobody (root reads everything).
as_nobody() {
	setpriv --reuid=nobody --regid=nogroup --clear-groups -- "$@"
}

# setup for the suites that talk to a running launcher (control.bats,
# reload.bats): a scratch directory, a unique name, and a runtime
# directory of the test's own for the control socket.
setup_control() {
	T=$(mktemp -d "${BATS_TMPDIR:-/tmp}/capwrap-test.XXXXXX")
	U="t$$-$BATS_TEST_NUMBER-$RANDOM"
	export T U
	PATH="$FIXTURES:$PATH"
	mkdir -m 0700 "$T/xdg"
	export XDG_RUNTIME_DIR="$T/xdg"
}
