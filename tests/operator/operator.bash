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
