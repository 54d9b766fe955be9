# Included by the top Makefile.am: the habits suites.  Fixtures that
# behave like real programs (prefork servers, forking and threaded
# clients, re-exec, daemons, epoll loops, signals, raw syscall(), early
# constructors) run under capwrap; each test asserts they behave as they
# would without it and that none of them opens a gate.

HABIT_COMMON = tests/habits/hx.c tests/habits/hx.h $(FIXTURE_COMMON)
HABIT_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/tests/fixtures \
	-I$(top_srcdir)/tests/habits

HABIT_FIXTURES = tests/habits/hx-prefork tests/habits/hx-forkdial \
	tests/habits/hx-threads tests/habits/hx-exec tests/habits/hx-daemon \
	tests/habits/hx-fds tests/habits/hx-epoll tests/habits/hx-signals \
	tests/habits/hx-addr tests/habits/hx-rawsys tests/habits/hx-early \
	tests/habits/hx-interpose tests/habits/hx-static tests/habits/hx-sandbox \
	tests/habits/hx-forkinds
check_PROGRAMS += $(HABIT_FIXTURES)

tests_habits_hx_prefork_SOURCES = tests/habits/hx-prefork.c $(HABIT_COMMON)
tests_habits_hx_prefork_CPPFLAGS = $(HABIT_CPPFLAGS)
tests_habits_hx_forkdial_SOURCES = tests/habits/hx-forkdial.c $(HABIT_COMMON)
tests_habits_hx_forkdial_CPPFLAGS = $(HABIT_CPPFLAGS)
tests_habits_hx_forkinds_SOURCES = tests/habits/hx-forkinds.c $(HABIT_COMMON)
tests_habits_hx_forkinds_CPPFLAGS = $(HABIT_CPPFLAGS)
tests_habits_hx_threads_SOURCES = tests/habits/hx-threads.c $(HABIT_COMMON)
tests_habits_hx_threads_CPPFLAGS = $(HABIT_CPPFLAGS)
tests_habits_hx_threads_CFLAGS = $(AM_CFLAGS) -pthread
tests_habits_hx_threads_LDFLAGS = $(AM_LDFLAGS) -pthread
tests_habits_hx_exec_SOURCES = tests/habits/hx-exec.c $(HABIT_COMMON)
tests_habits_hx_exec_CPPFLAGS = $(HABIT_CPPFLAGS) -I$(top_srcdir)/common
tests_habits_hx_daemon_SOURCES = tests/habits/hx-daemon.c $(HABIT_COMMON)
tests_habits_hx_daemon_CPPFLAGS = $(HABIT_CPPFLAGS)
tests_habits_hx_fds_SOURCES = tests/habits/hx-fds.c $(HABIT_COMMON)
tests_habits_hx_fds_CPPFLAGS = $(HABIT_CPPFLAGS)
tests_habits_hx_epoll_SOURCES = tests/habits/hx-epoll.c $(HABIT_COMMON)
tests_habits_hx_epoll_CPPFLAGS = $(HABIT_CPPFLAGS)
tests_habits_hx_signals_SOURCES = tests/habits/hx-signals.c $(HABIT_COMMON)
tests_habits_hx_signals_CPPFLAGS = $(HABIT_CPPFLAGS)
tests_habits_hx_addr_SOURCES = tests/habits/hx-addr.c $(HABIT_COMMON)
tests_habits_hx_addr_CPPFLAGS = $(HABIT_CPPFLAGS)
tests_habits_hx_rawsys_SOURCES = tests/habits/hx-rawsys.c $(HABIT_COMMON)
tests_habits_hx_rawsys_CPPFLAGS = $(HABIT_CPPFLAGS) -I$(top_srcdir)/common
tests_habits_hx_sandbox_SOURCES = tests/habits/hx-sandbox.c $(HABIT_COMMON)
tests_habits_hx_sandbox_CPPFLAGS = $(HABIT_CPPFLAGS)

# A program exporting its own connect(), ahead of every preload; and one
# program for each other call the shim must be first for
# (shim/real.c, real_hooks_first), exporting that call alone.
EXPORT_DYNAMIC = $(AM_LDFLAGS) -Wl,--export-dynamic
tests_habits_hx_interpose_SOURCES = tests/habits/hx-interpose.c $(HABIT_COMMON)
tests_habits_hx_interpose_CPPFLAGS = $(HABIT_CPPFLAGS) -DHX_OWN_connect
tests_habits_hx_interpose_LDFLAGS = $(EXPORT_DYNAMIC)
tests_habits_hx_interpose_LDADD = $(DL_LIBS)
# hx-interpose-CALL for each call below exports that call alone; built
# by one rule, as the libown-CALL.so libraries are.
INTERPOSED_CALLS = bind listen accept accept4 sendto sendmsg sendmmsg \
	recvfrom recvmsg recv read
check_DATA = tests/habits/interposers.stamp
tests/habits/interposers.stamp: tests/habits/hx-interpose.c $(HABIT_COMMON)
	@$(MKDIR_P) tests/habits
	$(AM_V_CCLD)for c in $(INTERPOSED_CALLS); do \
		$(CC) $(HABIT_CPPFLAGS) $(AM_CFLAGS) -DHX_OWN_$$c \
		    $(EXPORT_DYNAMIC) -o tests/habits/hx-interpose-$$c \
		    $(srcdir)/tests/habits/hx-interpose.c \
		    $(srcdir)/tests/habits/hx.c $(srcdir)/tests/fixtures/fixture.c \
		    $(DL_LIBS) || exit 1; \
	done; touch $@
CLEANFILES += tests/habits/interposers.stamp \
	$(INTERPOSED_CALLS:%=tests/habits/hx-interpose-%)

# bind() from a library: libinterpose.so, preloaded by a service ahead of
# the shim, or linked into hx-interpose-linked (behind the shim).
check_PROGRAMS += tests/habits/hx-interpose-linked
tests_habits_hx_interpose_linked_SOURCES = $(tests_habits_hx_interpose_SOURCES)
tests_habits_hx_interpose_linked_CPPFLAGS = $(HABIT_CPPFLAGS)
tests_habits_hx_interpose_linked_LDADD = tests/habits/libinterpose.so $(DL_LIBS)
tests_habits_hx_interpose_linked_LDFLAGS = $(AM_LDFLAGS) \
	-Wl,-rpath,$(abs_top_builddir)/tests/habits
tests/habits/libinterpose.so: tests/habits/hx-interpose.c
	@$(MKDIR_P) tests/habits
	$(AM_V_CCLD)$(CC) -std=gnu11 $(WARN_CFLAGS) -include $(top_builddir)/config.h \
		-DHX_LIBRARY -DHX_OWN_bind -fPIC -shared -Wl,-soname,libinterpose.so \
		-o $@ $(srcdir)/tests/habits/hx-interpose.c $(DL_LIBS)
CLEANFILES += tests/habits/libinterpose.so

# A statically linked program: no sanitizer runtime, which needs ld.so.
tests_habits_hx_static_SOURCES = tests/habits/hx-static.c
tests_habits_hx_static_CFLAGS = -std=gnu11 $(WARN_CFLAGS)
tests_habits_hx_static_LDFLAGS = -all-static

# libearly.so binds and dials from its constructor, before main(); a
# plain shared object (not a libtool module) so that hx-early links to it
# directly, found through its run path.
tests_habits_hx_early_SOURCES = tests/habits/hx-early.c $(HABIT_COMMON)
tests_habits_hx_early_CPPFLAGS = $(HABIT_CPPFLAGS)
tests_habits_hx_early_LDADD = tests/habits/libearly.so
tests_habits_hx_early_LDFLAGS = $(AM_LDFLAGS) \
	-Wl,-rpath,$(abs_top_builddir)/tests/habits
tests/habits/libearly.so: tests/habits/libearly.c
	@$(MKDIR_P) tests/habits
	$(AM_V_CCLD)$(CC) -std=gnu11 $(WARN_CFLAGS) -include $(top_builddir)/config.h \
		-fPIC -shared -Wl,-soname,libearly.so \
		-o $@ $(srcdir)/tests/habits/libearly.c
CLEANFILES += tests/habits/libearly.so

# libown-CALL.so for each CALL below, defining that call alone
# (tests/habits/hx-interpose.c): symbols.bats preloads each ahead of the
# shim.
OWN_CALLS = readv recvmmsg __recv_chk __recvfrom_chk __read_chk syscall \
	execve execveat fexecve execv execvp execvpe execl execlp execle \
	posix_spawn posix_spawnp
check_DATA += tests/habits/libown.stamp
tests/habits/libown.stamp: tests/habits/hx-interpose.c
	@$(MKDIR_P) tests/habits
	$(AM_V_CCLD)for c in $(OWN_CALLS); do \
		$(CC) -std=gnu11 $(WARN_CFLAGS) -include $(top_builddir)/config.h \
		    -DHX_LIBRARY -DHX_OWN_$$c -fPIC -shared \
		    -Wl,-soname,libown-$$c.so -o tests/habits/libown-$$c.so \
		    $(srcdir)/tests/habits/hx-interpose.c $(DL_LIBS) || exit 1; \
	done; touch $@
CLEANFILES += tests/habits/libown.stamp tests/habits/libown-*.so

HABIT_SUITES = tests/habits/prefork.bats tests/habits/fork.bats \
	tests/habits/workers.bats \
	tests/habits/threads.bats tests/habits/exec.bats \
	tests/habits/daemon.bats tests/habits/nonblock.bats \
	tests/habits/signals.bats tests/habits/addresses.bats \
	tests/habits/syscall.bats tests/habits/symbols.bats \
	tests/habits/targets.bats tests/habits/descriptors.bats \
	tests/habits/sandbox.bats tests/habits/padded.bats \
	tests/habits/forkpid.bats
if HAVE_BATS
TESTS += $(HABIT_SUITES)
endif
EXTRA_DIST += $(HABIT_SUITES) tests/habits/habits.bash tests/habits/libearly.c \
	tests/habits/hx-padded.py
