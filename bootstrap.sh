#!/bin/sh
# One command from a fresh Debian 12 machine to a running capwrap:
#   ./bootstrap.sh demo    install what is missing, build, run the demo
#   ./bootstrap.sh check   install what is missing, build, run every test:
#                          the suite, the suite again built with ASan and
#                          UBSan, and a short pass of each fuzzer
# Builds out of tree in ./build (and ./build-sanitizers).  Needs root (or
# sudo) to install packages.  FUZZ_SECONDS sets the fuzzing time (20).
set -eu

top=$(cd "$(dirname "$0")" && pwd)
build=$top/build
what=${1:-demo}

# Build tools and libraries, the test tools, and the real programs the
# compatibility suite wraps.
packages="build-essential autoconf automake libtool pkg-config libbsd-dev
	bats bats-assert bats-support mandoc socat python3 haproxy dbus-daemon
	dbus-bin libglib2.0-bin libcap2-bin util-linux iproute2 procps
	valgrind clang libclang-rt-14-dev graphviz netcat-openbsd perl
	golang-go clang-format universal-ctags nodejs jq strace curl ruby
	postgresql xvfb x11-utils uwsgi uwsgi-plugin-python3"

case $what in
demo|check) ;;
*)	echo "usage: $0 demo|check" >&2
	exit 64 ;;
esac

missing=
for p in $packages; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "bootstrap: installing:$missing"
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	$sudo apt-get update -q
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q \
		--no-install-recommends $missing
fi

cd "$top"
if [ ! -x configure ] || [ configure.ac -nt configure ]; then
	autoreconf -fi
fi

# build DIR CONFIGURE-ARGS...: configure (once) and build out of tree.
build() {
	dir=$1
	shift
	mkdir -p "$dir"
	cd "$dir"
	[ -f Makefile ] || "$top/configure" "$@"
	make -j"$(nproc)"
}

build "$build" --enable-werror
case $what in
demo)
	exec "$top/examples/demo.sh" "$build/capwrap" ;;
check)
	echo "bootstrap: the test suite"
	make -j"$(nproc)" check
	echo "bootstrap: the test suite under AddressSanitizer and UBSan"
	build "$top/build-sanitizers" --enable-werror --enable-sanitizers
	make -j"$(nproc)" check
	echo "bootstrap: the fuzzers, ${FUZZ_SECONDS:-20} s each"
	cd "$build"
	make fuzz FUZZ_SECONDS="${FUZZ_SECONDS:-20}" ;;
esac
