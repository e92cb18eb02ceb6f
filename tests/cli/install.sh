#!/usr/bin/env bash
# cmake --install gives a usable library: headers, shared and static
# libraries, pkg-config and CMake package files, the CLI and its man page;
# the shared library exports only the public API.
. "$(dirname "$0")/lib.sh"
: "${KSR_BUILD_DIR:?}" "${KSR_SOURCE_DIR:?}"
P=$T/prefix
cmake --install "$KSR_BUILD_DIR" --prefix "$P" >/dev/null || { fail "cmake --install"; finish; exit 1; }
LIB=$(ls -d "$P"/lib*/ | head -1)
for f in include/ksymres/ksymres.h bin/ksymres share/man/man8/ksymres.8; do
  [ -e "$P/$f" ] && pass "installed $f" || fail "missing $f"
done
for f in libksymres.so libksymres.a pkgconfig/ksymres.pc cmake/ksymres/ksymresConfig.cmake; do
  [ -e "$LIB/$f" ] && pass "installed lib/$f" || fail "missing lib/$f"
done
exported=$(nm -D --defined-only "$LIB/libksymres.so" | awk '$2 == "T" { print $3 }' | sort)
bad=$(echo "$exported" | grep -v '^ksr_' || true)
[ -z "$bad" ] && pass "only ksr_ symbols exported ($(echo "$exported" | wc -l))" || fail "unexpected exports: $bad"
public=$(grep -o 'ksr_[a-z_]*(' "$P/include/ksymres/ksymres.h" | tr -d '(' | sort -u)
extra=$(comm -23 <(echo "$exported") <(echo "$public"))
[ -z "$extra" ] && pass "every export is declared in the public header" || fail "exported but not public: $extra"

# consumers use the build's compiler; a sanitizer build's library needs the
# sanitizer runtime in the consumer too
CC=${KSR_CC:-cc}
SAN=""
[ "${KSR_SANITIZE:-0}" = 1 ] && SAN="-fsanitize=address,undefined"
export ASAN_OPTIONS=detect_leaks=0

# CMake consumer
CC=$CC cmake -S "$KSR_SOURCE_DIR/tests/install" -B "$T/consumer" -DCMAKE_PREFIX_PATH="$P" \
  -DCMAKE_C_FLAGS="$SAN" >"$T/cfg.log" 2>&1 \
  && cmake --build "$T/consumer" >"$T/build.log" 2>&1 \
  && pass "find_package(ksymres CONFIG) consumer builds" || fail "CMake consumer: $(tail -5 "$T/cfg.log" "$T/build.log")"
if [ -x "$T/consumer/consumer" ]; then
  out=$(LD_LIBRARY_PATH=$LIB "$T/consumer/consumer" "$KSR_BPF_DIR/typeless.bpf.o")
  [ "$out" = bpf_prog_put ] && pass "consumer lists the externs" || fail "consumer printed '$out'"
fi
# pkg-config consumer
if PKG_CONFIG_PATH=$LIB/pkgconfig $CC $SAN "$KSR_SOURCE_DIR/tests/install/consumer.c" -o "$T/pc_consumer" \
     $(PKG_CONFIG_PATH=$LIB/pkgconfig pkg-config --cflags --libs ksymres) 2>"$T/pc.log"; then
  pass "pkg-config consumer builds"
else fail "pkg-config consumer: $(cat "$T/pc.log")"; fi
"$P/bin/ksymres" --version >/dev/null && pass "installed CLI runs" || fail "installed CLI"
MANWIDTH=80 man -l "$P/share/man/man8/ksymres.8" >/dev/null 2>&1 && pass "man page renders" || pass "man not available (page installed)"
finish
