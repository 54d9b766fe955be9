# Included by the top Makefile.am: the operator's view of capwrap (its
# commands, messages and exit statuses, audit and graph, supervision,
# readiness, completion) and the audit log reader's unit test.

check_PROGRAMS += tests/operator/test-jsonl
tests_operator_test_jsonl_SOURCES = tests/operator/test_jsonl.c \
	tests/unit/tap.h launcher/jsonl.c launcher/jsonl.h \
	launcher/auditread.c launcher/auditread.h
tests_operator_test_jsonl_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/launcher -I$(top_srcdir)/tests/unit
tests_operator_test_jsonl_CFLAGS = $(AM_CFLAGS) $(LIBBSD_CFLAGS)
tests_operator_test_jsonl_LDADD = $(LIBBSD_LIBS)
TESTS += tests/operator/test-jsonl

OPERATOR_SUITES = tests/operator/cli.bats tests/operator/audit.bats \
	tests/operator/graph.bats tests/operator/supervise.bats \
	tests/operator/completion.bats tests/operator/misc.bats \
	tests/operator/signals.bats tests/operator/probe.bats \
	tests/operator/control.bats tests/operator/reload.bats \
	tests/operator/fssocket.bats tests/operator/check.bats \
	tests/operator/notifycred.bats \
	tests/operator/daemons.bats \
	tests/operator/startorder.bats
if HAVE_BATS
TESTS += $(OPERATOR_SUITES)
endif
EXTRA_DIST += $(OPERATOR_SUITES) tests/operator/operator.bash \
	tests/operator/graph-example.policy tests/operator/graph-example.sh
