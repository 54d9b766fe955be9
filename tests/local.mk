# Included by the top Makefile.am: fixtures, unit tests and bats suites.

FIXTURE_COMMON = tests/fixtures/fixture.c tests/fixtures/fixture.h
check_PROGRAMS += tests/fixtures/fx-server tests/fixtures/fx-client \
	tests/fixtures/fx-dgram tests/fixtures/fx-dgram-fortified
tests_fixtures_fx_server_SOURCES = tests/fixtures/fx-server.c $(FIXTURE_COMMON)
tests_fixtures_fx_client_SOURCES = tests/fixtures/fx-client.c $(FIXTURE_COMMON)
tests_fixtures_fx_dgram_SOURCES = tests/fixtures/fx-dgram.c $(FIXTURE_COMMON)
# The same program as a distribution builds it: glibc's fortified receives.
tests_fixtures_fx_dgram_fortified_SOURCES = $(tests_fixtures_fx_dgram_SOURCES)
tests_fixtures_fx_dgram_fortified_CFLAGS = $(AM_CFLAGS) -O2 \
	-U_FORTIFY_SOURCE -D_FORTIFY_SOURCE=2

# C unit tests print TAP.
check_PROGRAMS += tests/unit/test-policy tests/unit/test-wire \
	tests/unit/test-procstat tests/unit/test-image
tests_unit_test_policy_SOURCES = tests/unit/test_policy.c tests/unit/tap.h
tests_unit_test_policy_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/policy
tests_unit_test_policy_CFLAGS = $(AM_CFLAGS) $(LIBBSD_CFLAGS)
tests_unit_test_policy_LDADD = policy/libpolicy.a $(LIBBSD_LIBS)
tests_unit_test_wire_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/common
tests_unit_test_wire_SOURCES = tests/unit/test_wire.c tests/unit/tap.h
tests_unit_test_wire_LDADD = common/libcommon.la
# The stat parser, and the launcher's reader of it against cut(1).
tests_unit_test_procstat_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/common \
	-I$(top_srcdir)/launcher
tests_unit_test_procstat_SOURCES = tests/unit/test_procstat.c \
	tests/unit/tap.h launcher/procinfo.c launcher/procinfo.h
tests_unit_test_procstat_LDADD = common/libcommon.la
# The image check on crafted files, and the secure-execution rule.
tests_unit_test_image_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/common
tests_unit_test_image_SOURCES = tests/unit/test_image.c tests/unit/tap.h
tests_unit_test_image_LDADD = common/libcommon.la
# The bounded command-line read of the audit, with a reader held up.
check_PROGRAMS += tests/unit/test-procfacts
tests_unit_test_procfacts_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/common \
	-I$(top_srcdir)/launcher
tests_unit_test_procfacts_CFLAGS = $(AM_CFLAGS) -pthread
tests_unit_test_procfacts_LDADD = common/libcommon.la -lpthread
tests_unit_test_procfacts_SOURCES = tests/unit/test_procfacts.c \
	tests/unit/tap.h launcher/procfacts.c launcher/procfacts.h \
	launcher/procinfo.c launcher/procinfo.h
# The channel transport over socketpairs: what it takes, what it refuses.
check_PROGRAMS += tests/unit/test-transport
tests_unit_test_transport_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/common
tests_unit_test_transport_SOURCES = tests/unit/test_transport.c \
	tests/unit/tap.h
tests_unit_test_transport_LDADD = common/libcommon.la
# The broker's decisions, from a parsed policy and facts handed over.
check_PROGRAMS += tests/unit/test-decide
tests_unit_test_decide_CPPFLAGS = $(AM_CPPFLAGS) $(LAUNCHER_INCLUDES)
tests_unit_test_decide_CFLAGS = $(AM_CFLAGS) $(LIBBSD_CFLAGS)
tests_unit_test_decide_LDADD = policy/libpolicy.a common/libcommon.la \
	$(LIBBSD_LIBS)
tests_unit_test_decide_SOURCES = tests/unit/test_decide.c \
	tests/unit/judge.h tests/unit/tap.h launcher/decide.c launcher/decide.h \
	launcher/decideadmit.c launcher/verdict.c launcher/verdict.h
# How abstract names match, and the decisions on padded names.
check_PROGRAMS += tests/unit/test-absname tests/unit/test-padded
tests_unit_test_absname_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/common
tests_unit_test_absname_SOURCES = tests/unit/test_absname.c tests/unit/tap.h
tests_unit_test_absname_LDADD = common/libcommon.la
tests_unit_test_padded_CPPFLAGS = $(AM_CPPFLAGS) $(LAUNCHER_INCLUDES)
tests_unit_test_padded_CFLAGS = $(AM_CFLAGS) $(LIBBSD_CFLAGS)
tests_unit_test_padded_LDADD = policy/libpolicy.a common/libcommon.la \
	$(LIBBSD_LIBS)
tests_unit_test_padded_SOURCES = tests/unit/test_padded.c \
	tests/unit/judge.h tests/unit/tap.h launcher/decide.c launcher/decide.h \
	launcher/decideadmit.c launcher/verdict.c launcher/verdict.h
# Whom the launcher says it reaps: its children, asked once.
check_PROGRAMS += tests/unit/test-reappage
tests_unit_test_reappage_CPPFLAGS = $(AM_CPPFLAGS) $(LAUNCHER_INCLUDES)
tests_unit_test_reappage_CFLAGS = $(AM_CFLAGS) -pthread
tests_unit_test_reappage_LDADD = -lpthread
tests_unit_test_reappage_SOURCES = tests/unit/test_reappage.c \
	tests/unit/tap.h launcher/reappage.c launcher/reappage.h
# The registry's name index.
check_PROGRAMS += tests/unit/test-regindex
tests_unit_test_regindex_CPPFLAGS = $(AM_CPPFLAGS) $(LAUNCHER_INCLUDES)
tests_unit_test_regindex_SOURCES = tests/unit/test_regindex.c \
	tests/unit/tap.h launcher/regindex.c launcher/regindex.h
# The start order: who waits for whom, cycles together.
check_PROGRAMS += tests/unit/test-startorder
tests_unit_test_startorder_CPPFLAGS = $(AM_CPPFLAGS) $(LAUNCHER_INCLUDES)
tests_unit_test_startorder_CFLAGS = $(AM_CFLAGS) $(LIBBSD_CFLAGS)
tests_unit_test_startorder_LDADD = policy/libpolicy.a $(LIBBSD_LIBS)
tests_unit_test_startorder_SOURCES = tests/unit/test_startorder.c \
	tests/unit/tap.h launcher/startorder.c launcher/startorder.h
UNIT_TESTS = tests/unit/test-policy tests/unit/test-wire \
	tests/unit/test-procstat tests/unit/test-procfacts \
	tests/unit/test-image tests/unit/test-transport tests/unit/test-decide \
	tests/unit/test-padded tests/unit/test-absname \
	tests/unit/test-startorder tests/unit/test-reappage \
	tests/unit/test-regindex

BATS_SUITES = tests/core.bats tests/sockets.bats

TESTS += $(UNIT_TESTS)
if HAVE_BATS
TESTS += $(BATS_SUITES)
endif
EXTRA_DIST += $(BATS_SUITES) tests/helpers.bash

TEST_EXTENSIONS = .bats
TAP_DRIVER = env AM_TAP_AWK='$(AWK)' $(SHELL) $(top_srcdir)/build-aux/tap-driver.sh
LOG_DRIVER = $(TAP_DRIVER)
BATS_LOG_DRIVER = $(TAP_DRIVER)
BATS_LOG_COMPILER = $(BATS) --tap
AM_TESTS_ENVIRONMENT = \
	export CAPWRAP='$(abs_top_builddir)/capwrap'; \
	export CAPWRAP_SHIM_SO='$(abs_top_builddir)/shim/.libs/libcapshim.so'; \
	export FIXTURES='$(abs_top_builddir)/tests/fixtures'; \
	export TESTS_SRCDIR='$(abs_top_srcdir)/tests'; \
	export EXAMPLES='$(abs_top_srcdir)/examples'; \
	export CAPWRAP_KERNEL_QUIET=1; \
	export CAPWRAP_SHIM_LTO='$(SHIM_LTO_CFLAGS)'; \
	export CAPWRAP_SAN_CFLAGS='$(SAN_CFLAGS)';
