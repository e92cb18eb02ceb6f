#!/usr/bin/env bash
# The Debian package: `cpack -G DEB` from a tree configured for /usr; its
# Depends: (dpkg-shlibdeps, and libcurl4, liblzma5, libzstd1 that ksymres opens at run time)
# resolve on this machine (apt-get's simulation of installing it), lintian
# finds no error, and the ksymres unpacked from it runs and resolves exactly
# as the build's own does.
. "$(dirname "$0")/lib.sh"
: "${KSR_SOURCE_DIR:?}" "${KSR_BPF_DIR:?}"
[ "${KSR_SANITIZE:-0}" = 1 ] && skip "the package is built and checked by the gcc build, not the sanitizer one"
for c in cpack dpkg-deb apt-get; do command -v "$c" >/dev/null || skip "$c is not installed"; done

B=$T/build
CC=${KSR_CC:-cc} cmake -S "$KSR_SOURCE_DIR" -B "$B" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_INSTALL_PREFIX=/usr -DKSYMRES_TESTS=OFF >"$T/cfg.log" 2>&1 \
  && nice cmake --build "$B" -j"$(nproc)" >"$T/build.log" 2>&1 \
  && (cd "$B" && cpack -G DEB >"$T/cpack.log" 2>&1) \
  || { fail "building the package: $(tail -n 5 "$T/cfg.log" "$T/build.log" "$T/cpack.log" 2>/dev/null)"; finish; exit 1; }
DEB=$(ls "$B"/ksymres_*.deb 2>/dev/null | head -1)
[ -f "$DEB" ] && pass "cpack wrote $(basename "$DEB") ($(stat -c %s "$DEB") bytes)" || { fail "no .deb"; finish; exit 1; }

deps=$(dpkg-deb -f "$DEB" Depends)
for p in libc6 libelf1 libbpf1 libmicrohttpd12 libsqlite3-0 libjansson4 libcurl4 liblzma5 libzstd1; do
  grep -qE "(^|, )$p( |,|$)" <<<"$deps" && pass "Depends: $p" || fail "Depends lacks $p: $deps"
done
files=$(dpkg-deb -c "$DEB" | awk '{ print $6 }')
for f in ./usr/bin/ksymres ./usr/include/ksymres/ksymres.h ./usr/share/man/man8/ksymres.8.gz \
         ./usr/share/bash-completion/completions/ksymres ./usr/lib/systemd/system/ksymres.service \
         ./usr/share/doc/ksymres/copyright ./usr/share/doc/ksymres/changelog.gz \
         ./usr/libexec/ksymres/ksymres-serve; do
  grep -qxF "$f" <<<"$files" && pass "package has $f" || fail "package lacks $f"
done
grep -qE '^\./usr/lib/[a-z0-9_]+-linux-gnu/libksymres\.so\.0$' <<<"$files" && pass "library in the multiarch directory" \
  || fail "no libksymres.so.0 under /usr/lib/<triplet>"

# the dependencies resolve: apt-get simulates installing the file
if apt-get install -s "$DEB" >"$T/apt.log" 2>&1 && grep -q '^Inst ksymres ' "$T/apt.log"; then
  pass "apt-get install -s ./$(basename "$DEB"): dependencies resolve"
else
  fail "apt-get install -s: $(tail -3 "$T/apt.log")"
fi

if command -v lintian >/dev/null; then
  lintian "$DEB" >"$T/lintian.log" 2>&1
  errs=$(grep -c '^E: ' "$T/lintian.log")
  [ "$errs" = 0 ] && pass "lintian: no errors ($(grep -c '^W: ' "$T/lintian.log") warnings)" \
    || fail "lintian: $(grep '^E: ' "$T/lintian.log" | head -5)"
else
  fail "lintian is not installed (scripts/deps.sh installs it)"
fi

# the unpacked files work on their own
R=$T/root
dpkg-deb -x "$DEB" "$R"
v=$("$R/usr/bin/ksymres" --version 2>&1) && pass "installed ksymres --version: $v" || fail "installed ksymres --version: $v"
[ "$("$R/usr/bin/ksymres" serve --routes | head -1)" = "GET /healthz" ] \
  && pass "the packaged ksymres serve runs /usr/libexec/ksymres/ksymres-serve" || fail "packaged ksymres serve"
"$KSR_BIN" profile --from "$KSR_SOURCE_DIR/tests/unit/fixtures/fixed-v1.profile" -o "$T/fixed.profile" >/dev/null \
  || fail "fixed profile"
"$KSR_BIN" resolve "$KSR_BPF_DIR/weak.bpf.o" -p "$T/fixed.profile" -o "$T/want.o" >/dev/null 2>&1 \
  && [ -s "$T/want.o" ] || fail "the build's resolve of weak.bpf.o against the fixed profile"
"$R/usr/bin/ksymres" resolve "$KSR_BPF_DIR/weak.bpf.o" -p "$T/fixed.profile" -o "$T/got.o" >/dev/null 2>&1
[ -s "$T/got.o" ] && cmp -s "$T/want.o" "$T/got.o" && pass "the packaged ksymres resolves byte-identically" \
  || fail "the packaged ksymres's resolve differs or failed"
finish
