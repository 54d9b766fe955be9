# Included by the top Makefile.am: the compatibility suites, unmodified
# real programs (socat, python3, dbus-daemon, haproxy, node, perl, ruby, nc,
# PostgreSQL, Xvfb, uWSGI) run under capwrap
# from the policies in examples/.

COMPAT_SUITES = tests/compat/socat.bats tests/compat/socat-dgram.bats \
	tests/compat/python3.bats tests/compat/dbus.bats \
	tests/compat/haproxy.bats tests/compat/node.bats \
	tests/compat/perl.bats tests/compat/ruby.bats \
	tests/compat/postgresql.bats tests/compat/netcat.bats \
	tests/compat/uwsgi.bats tests/compat/xvfb.bats

if HAVE_BATS
TESTS += $(COMPAT_SUITES)
endif
EXTRA_DIST += $(COMPAT_SUITES) tests/compat/compat.bash \
	examples/compat-socat-stream.policy \
	examples/compat-socat-seqpacket.policy \
	examples/compat-socat-dgram.policy examples/compat-python3.policy \
	examples/compat-dbus.policy examples/compat-haproxy.policy \
	examples/compat/request.txt examples/compat/py-echo-server.py \
	examples/compat/py-echo-client.py examples/compat/dbus-bus.conf \
	examples/compat/haproxy.cfg docs/COMPATIBILITY.md \
	examples/compat-node.policy examples/compat/node-echo-server.js \
	examples/compat/node-echo-client.js \
	examples/compat-perl.policy examples/compat/pl-echo-server.pl \
	examples/compat/pl-echo-client.pl examples/compat-ruby.policy \
	examples/compat/rb-echo-server.rb examples/compat/rb-echo-client.rb \
	examples/compat-postgresql.policy examples/compat/pgbench-select.sql \
	examples/compat-netcat.policy examples/compat/nc-answer.txt \
	examples/compat-uwsgi.policy examples/compat/uwsgi-app.py \
	examples/compat-xvfb.policy
