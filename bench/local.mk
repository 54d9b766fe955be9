# Included by the top Makefile.am: `make bench`, the cost of the shim and
# the launcher measured against the raw kernel path (docs/PERFORMANCE.md).
# The programs are check_PROGRAMS so they are never installed and
# `make check` keeps them compiling; `make bench` builds them on its own.

# gatecalls.c's fence is common/kernel.c's, compiled into each program
# with its own flags (libcommon's carry the sanitizers, which the static
# programs cannot link).
BENCH_COMMON = bench/bench.c bench/bench.h bench/gatecalls.c \
	common/kernel.c common/kernel.h
BENCH_BINARIES = bench/bench-server bench/bench-client bench/bench-exec \
	bench/bench-trivial bench/bench-probe bench/bench-launch \
	bench/bench-calls bench/bench-flood
check_PROGRAMS += $(BENCH_BINARIES)
# common/ for compat.h and unixdiag.h; never shim/ or launcher/.
BENCH_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/common
bench_bench_server_SOURCES = bench/bench-server.c $(BENCH_COMMON)
bench_bench_server_CPPFLAGS = $(BENCH_CPPFLAGS)
bench_bench_client_SOURCES = bench/bench-client.c $(BENCH_COMMON)
bench_bench_client_CPPFLAGS = $(BENCH_CPPFLAGS)
bench_bench_exec_SOURCES = bench/bench-exec.c $(BENCH_COMMON)
bench_bench_exec_CPPFLAGS = $(BENCH_CPPFLAGS)
bench_bench_trivial_SOURCES = bench/bench-trivial.c $(BENCH_COMMON)
bench_bench_trivial_CPPFLAGS = $(BENCH_CPPFLAGS)
bench_bench_probe_SOURCES = bench/bench-probe.c $(BENCH_COMMON)
bench_bench_probe_CPPFLAGS = $(BENCH_CPPFLAGS)
bench_bench_launch_SOURCES = bench/bench-launch.c $(BENCH_COMMON)
bench_bench_launch_CPPFLAGS = $(BENCH_CPPFLAGS)
bench_bench_flood_SOURCES = bench/bench-flood.c $(BENCH_COMMON)
bench_bench_flood_CPPFLAGS = $(BENCH_CPPFLAGS)
# bench-server and bench-client linked statically: supervised, not shimmed.
BENCH_STATIC = bench/bench-server-static bench/bench-client-static
check_PROGRAMS += $(BENCH_STATIC)
bench_bench_server_static_SOURCES = $(bench_bench_server_SOURCES)
bench_bench_server_static_CPPFLAGS = $(BENCH_CPPFLAGS)
bench_bench_server_static_CFLAGS = -std=gnu11 -O2 $(WARN_CFLAGS)
bench_bench_server_static_LDFLAGS = -all-static
bench_bench_client_static_SOURCES = $(bench_bench_client_SOURCES)
bench_bench_client_static_CPPFLAGS = $(BENCH_CPPFLAGS)
bench_bench_client_static_CFLAGS = -std=gnu11 -O2 $(WARN_CFLAGS)
bench_bench_client_static_LDFLAGS = -all-static
bench_bench_calls_SOURCES = bench/bench-calls.c $(BENCH_COMMON)
bench_bench_calls_CPPFLAGS = $(BENCH_CPPFLAGS)
bench_bench_calls_LDADD = common/libcommon.la
EXTRA_DIST += bench/run-bench.sh bench/flood-bench.sh docs/PERFORMANCE.md

# BENCH_FLAGS passes options to the driver, e.g. make bench BENCH_FLAGS='-r 3'.
.PHONY: bench
bench: capwrap shim/libcapshim.la unotify/capwrap-unotify $(BENCH_BINARIES) \
    $(BENCH_STATIC)
	CAPWRAP='$(abs_top_builddir)/capwrap' \
	BENCH_BIN='$(abs_top_builddir)/bench' \
	bash $(srcdir)/bench/run-bench.sh $(BENCH_FLAGS)
	CAPWRAP='$(abs_top_builddir)/capwrap' \
	BENCH_BIN='$(abs_top_builddir)/bench' \
	bash $(srcdir)/bench/flood-bench.sh
