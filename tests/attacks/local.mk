# Included by the top Makefile.am: the attack suite.  Every promise of
# capwrap has an attacker here that tries to break it; each test asserts
# what the attacker got (nothing).  See docs/SECURITY.md.

ATTACK_FIXTURES = tests/attacks/ax-brute tests/attacks/ax-flood \
	tests/attacks/ax-squat tests/attacks/ax-twice tests/attacks/ax-forge \
	tests/attacks/ax-claim tests/attacks/ax-stall tests/attacks/ax-descend \
	tests/attacks/ax-static-server tests/attacks/ax-uring \
	tests/attacks/ax-landlock tests/attacks/ax-reap tests/attacks/ax-nsimp
check_PROGRAMS += $(ATTACK_FIXTURES)
tests_attacks_ax_brute_SOURCES = tests/attacks/ax-brute.c $(FIXTURE_COMMON)
tests_attacks_ax_brute_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/fixtures
tests_attacks_ax_flood_SOURCES = tests/attacks/ax-flood.c $(FIXTURE_COMMON)
tests_attacks_ax_flood_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/fixtures
tests_attacks_ax_squat_SOURCES = tests/attacks/ax-squat.c $(FIXTURE_COMMON)
tests_attacks_ax_squat_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/fixtures
tests_attacks_ax_reap_SOURCES = tests/attacks/ax-reap.c $(FIXTURE_COMMON) \
	tests/fixtures/fxinline.h
tests_attacks_ax_reap_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/fixtures \
	-I$(top_srcdir)/common
tests_attacks_ax_nsimp_SOURCES = tests/attacks/ax-nsimp.c $(FIXTURE_COMMON) \
	tests/fixtures/fxinline.h
tests_attacks_ax_nsimp_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/fixtures \
	-I$(top_srcdir)/common
tests_attacks_ax_twice_SOURCES = tests/attacks/ax-twice.c $(FIXTURE_COMMON)
tests_attacks_ax_twice_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/fixtures
AX_CHANNEL = tests/attacks/axchan.c tests/attacks/axchan.h common/wire.c common/wire.h \
	common/absname.c common/absname.h
tests_attacks_ax_forge_SOURCES = tests/attacks/ax-forge.c $(FIXTURE_COMMON) \
	$(AX_CHANNEL)
tests_attacks_ax_forge_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/tests/fixtures -I$(top_srcdir)/common

tests_attacks_ax_claim_SOURCES = tests/attacks/ax-claim.c $(HABIT_COMMON) \
	$(AX_CHANNEL)
tests_attacks_ax_claim_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/fixtures \
	-I$(top_srcdir)/tests/habits -I$(top_srcdir)/common

# getsockopt() of its own, reached by the shim's calls: exported.
tests_attacks_ax_stall_SOURCES = tests/attacks/ax-stall.c $(HABIT_COMMON)
tests_attacks_ax_stall_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/fixtures \
	-I$(top_srcdir)/tests/habits
tests_attacks_ax_stall_CFLAGS = $(AM_CFLAGS) -pthread
tests_attacks_ax_stall_LDFLAGS = $(AM_LDFLAGS) -pthread -Wl,--export-dynamic
tests_attacks_ax_stall_LDADD = $(DL_LIBS)

# A service starting descendants; and fx-server linked statically, a
# program the shim cannot enter that binds the name it was given.
tests_attacks_ax_descend_SOURCES = tests/attacks/ax-descend.c $(HABIT_COMMON)
tests_attacks_ax_descend_CPPFLAGS = $(HABIT_CPPFLAGS)
tests_attacks_ax_static_server_SOURCES = tests/fixtures/fx-server.c \
	$(FIXTURE_COMMON)
tests_attacks_ax_static_server_CPPFLAGS = $(AM_CPPFLAGS) \
	-I$(top_srcdir)/tests/fixtures
# No sanitizer runtime: it needs ld.so.
tests_attacks_ax_static_server_CFLAGS = -std=gnu11 $(WARN_CFLAGS)
tests_attacks_ax_static_server_LDFLAGS = -all-static

# Raw io_uring system calls, past the shim: the fence's attacker.
tests_attacks_ax_uring_SOURCES = tests/attacks/ax-uring.c
tests_attacks_ax_uring_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/common

# Raw socket system calls, past the shim: the Landlock fence's attacker.
tests_attacks_ax_landlock_SOURCES = tests/attacks/ax-landlock.c $(AX_CHANNEL)
tests_attacks_ax_landlock_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/common

ATTACK_SUITES = tests/attacks/claims.bats tests/attacks/gates.bats tests/attacks/flood.bats \
	tests/attacks/impostor.bats tests/attacks/forgery.bats \
	tests/attacks/valgrind.bats tests/attacks/limits.bats \
	tests/attacks/refusals.bats tests/attacks/descend.bats \
	tests/attacks/audit.bats tests/attacks/uring.bats \
	tests/attacks/landlock.bats
if HAVE_BATS
TESTS += $(ATTACK_SUITES)
endif
EXTRA_DIST += $(ATTACK_SUITES) tests/attacks/attack.bash \
	tests/attacks/pidreuse.sh tests/attacks/go-listen.go

# A sanitizer-built shim preloaded into programs that are not: see
# docs/SECURITY.md, "Sanitizer builds".
if SANITIZERS
AM_TESTS_ENVIRONMENT += \
	export ASAN_OPTIONS="verify_asan_link_order=0:detect_leaks=0:$${ASAN_OPTIONS:-}"; \
	export UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:$${UBSAN_OPTIONS:-}";
endif
