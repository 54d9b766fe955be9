# Included by the top Makefile.am: `make fuzz` builds the libFuzzer
# targets with clang (found by configure as $(CLANG)) and runs each for
# FUZZ_SECONDS.  New inputs go to fuzz/work/ in the build tree; the seed
# corpora in $(srcdir)/fuzz/corpus/ are only read.
#   make fuzz FUZZ_SECONDS=10

FUZZ_SECONDS = 60
FUZZ_CFLAGS = -std=gnu11 -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=undefined -include $(top_builddir)/config.h
FUZZ_TARGETS = fuzz/fuzz-policy fuzz/fuzz-wire fuzz/fuzz-procstat

# The parser is compiled again by clang, instrumented for coverage: the
# same sources as policy/libpolicy.a, its .c files picked by the shell.
fuzz/fuzz-policy: $(srcdir)/fuzz/fuzz_policy.c $(policy_libpolicy_a_SOURCES)
	@test -n "$(CLANG)" || { echo "make fuzz: configure found no clang" >&2; exit 1; }
	@$(MKDIR_P) fuzz
	$(AM_V_CC)srcs=; for f in $(policy_libpolicy_a_SOURCES); do \
	    case $$f in *.c) srcs="$$srcs $(srcdir)/$$f";; esac; done; \
	    $(CLANG) $(FUZZ_CFLAGS) -I$(top_srcdir)/policy $(LIBBSD_CFLAGS) \
	    -o $@ $(srcdir)/fuzz/fuzz_policy.c $$srcs $(LIBBSD_LIBS)

fuzz/fuzz-wire: $(srcdir)/fuzz/fuzz_wire.c $(srcdir)/common/wire.c \
    $(srcdir)/common/wire.h $(srcdir)/common/absname.c
	@test -n "$(CLANG)" || { echo "make fuzz: configure found no clang" >&2; exit 1; }
	@$(MKDIR_P) fuzz
	$(AM_V_CC)$(CLANG) $(FUZZ_CFLAGS) -I$(top_srcdir)/common -o $@ \
	    $(srcdir)/fuzz/fuzz_wire.c $(srcdir)/common/wire.c \
	    $(srcdir)/common/absname.c

fuzz/fuzz-procstat: $(srcdir)/fuzz/fuzz_procstat.c $(srcdir)/common/procstat.c \
    $(srcdir)/common/procstat.h
	@test -n "$(CLANG)" || { echo "make fuzz: configure found no clang" >&2; exit 1; }
	@$(MKDIR_P) fuzz
	$(AM_V_CC)$(CLANG) $(FUZZ_CFLAGS) -I$(top_srcdir)/common -o $@ \
	    $(srcdir)/fuzz/fuzz_procstat.c $(srcdir)/common/procstat.c

.PHONY: fuzz
fuzz: $(FUZZ_TARGETS)
	@$(MKDIR_P) fuzz/work/policy fuzz/work/wire fuzz/work/procstat
	fuzz/fuzz-policy -max_total_time=$(FUZZ_SECONDS) -max_len=8192 \
	    -print_final_stats=1 fuzz/work/policy $(srcdir)/fuzz/corpus/policy
	fuzz/fuzz-wire -max_total_time=$(FUZZ_SECONDS) -max_len=512 \
	    -print_final_stats=1 fuzz/work/wire $(srcdir)/fuzz/corpus/wire
	fuzz/fuzz-procstat -max_total_time=$(FUZZ_SECONDS) -max_len=1024 \
	    -print_final_stats=1 fuzz/work/procstat $(srcdir)/fuzz/corpus/procstat

CLEANFILES += $(FUZZ_TARGETS)
EXTRA_DIST += fuzz/fuzz_policy.c fuzz/fuzz_wire.c fuzz/fuzz_procstat.c \
	fuzz/corpus
