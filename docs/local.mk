# Included by the top Makefile.am.
