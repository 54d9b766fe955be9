# Programs the shim cannot enter, run supervised through seccomp
# (unotify/): fx-server and fx-client linked statically, and go-echo.go
# built by the suite with Debian's golang-go, static and with cgo.
check_PROGRAMS += tests/supervised/sx-static-server \
	tests/supervised/sx-static-client tests/supervised/sx-errors \
	tests/supervised/sx-parent
tests_supervised_sx_static_server_SOURCES = tests/fixtures/fx-server.c \
	$(FIXTURE_COMMON)
tests_supervised_sx_static_client_SOURCES = tests/fixtures/fx-client.c \
	$(FIXTURE_COMMON)
# No sanitizer runtime: it needs ld.so.
SUPERVISED_STATIC_CFLAGS = -std=gnu11 $(WARN_CFLAGS)
tests_supervised_sx_static_server_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/tests/fixtures
tests_supervised_sx_static_server_CFLAGS = $(SUPERVISED_STATIC_CFLAGS)
tests_supervised_sx_static_server_LDFLAGS = -all-static
tests_supervised_sx_static_client_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/tests/fixtures
tests_supervised_sx_static_client_CFLAGS = $(SUPERVISED_STATIC_CFLAGS)
tests_supervised_sx_static_client_LDFLAGS = -all-static
# Calls the kernel refuses: the supervisor must refuse them alike.
tests_supervised_sx_errors_SOURCES = tests/supervised/sx-errors.c
tests_supervised_sx_errors_CFLAGS = $(SUPERVISED_STATIC_CFLAGS)
tests_supervised_sx_errors_LDFLAGS = -all-static
# A program that takes its parent's descriptors: not its supervisor's.
tests_supervised_sx_parent_SOURCES = tests/supervised/sx-parent.c
tests_supervised_sx_parent_CFLAGS = $(SUPERVISED_STATIC_CFLAGS)
tests_supervised_sx_parent_LDFLAGS = -all-static

SUPERVISED_SUITES = tests/supervised/supervised.bats
if HAVE_BATS
TESTS += $(SUPERVISED_SUITES)
endif
EXTRA_DIST += $(SUPERVISED_SUITES) tests/supervised/go-echo.go
