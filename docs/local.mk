# Included by the top Makefile.am: the manual pages, the bash completion
# (operator-facing files installed with capwrap), and the lint of the
# manual pages.

dist_man_MANS = docs/capwrap.1 docs/capwrap.policy.5
EXTRA_DIST += docs/graph-example.svg completion/capwrap.bash

# bash-completion's own directory when its pkg-config file says so (with
# our prefix substituted, so a staged or unprivileged install stays under
# it), else $(datadir)/bash-completion/completions.  Override with
# `make install bashcompletiondir=DIR`.
bashcompletiondir =
install-data-local: install-bash-completion
uninstall-local: uninstall-bash-completion
bash_completion_dir = \
	dir='$(bashcompletiondir)'; \
	if test -z "$$dir" && test -n '$(PKG_CONFIG)'; then \
		dir=`$(PKG_CONFIG) --define-variable=prefix='$(prefix)' \
		    --define-variable=datadir='$(datadir)' \
		    --variable=completionsdir bash-completion 2>/dev/null`; \
	fi; \
	test -n "$$dir" || dir='$(datadir)/bash-completion/completions'
install-bash-completion:
	@$(bash_completion_dir); \
	echo " $(MKDIR_P) '$(DESTDIR)$$dir'"; \
	$(MKDIR_P) "$(DESTDIR)$$dir" && \
	echo " $(INSTALL_DATA) completion/capwrap.bash '$(DESTDIR)$$dir/capwrap'" && \
	$(INSTALL_DATA) $(srcdir)/completion/capwrap.bash "$(DESTDIR)$$dir/capwrap"
uninstall-bash-completion:
	@$(bash_completion_dir); \
	rm -f "$(DESTDIR)$$dir/capwrap"
.PHONY: install-bash-completion uninstall-bash-completion

# mandoc -Tlint -Wwarning must have nothing to say about either page.
if HAVE_MANDOC
TESTS += docs/mandoc-lint.sh
AM_TESTS_ENVIRONMENT += export MANDOC='$(MANDOC)'; \
	export DOCS_SRCDIR='$(abs_top_srcdir)/docs';
endif
EXTRA_DIST += docs/mandoc-lint.sh
