#!/usr/bin/env bash
# cmake --install gives a usable library: headers, shared and static
# libraries, pkg-config and CMake package files, the CLI and its man page;
# the shared library exports only the public API.
. "$(dirname "$0")/lib.sh"
: "${KSR_BUILD_DIR:?}" "${KSR_SOURCE_DIR:?}"
P=$T/prefix
cmake --install "$KSR_BUILD_DIR" --prefix "$P" >/dev/null || { fail "cmake --install"; finish; exit 1; }
LIB=$(ls -d "$P"/lib*/ | head -1)
for f in include/ksymres/ksymres.h bin/ksymres share/man/man8/ksymres.8.gz share/bash-completion/completions/ksymres \
         lib/systemd/system/ksymres.service share/doc/ksymres/copyright share/doc/ksymres/changelog.gz; do
  [ -e "$P/$f" ] && pass "installed $f" || fail "missing $f"
done
for f in libksymres.so libksymres.a pkgconfig/ksymres.pc cmake/ksymres/ksymresConfig.cmake; do
  [ -e "$LIB/$f" ] && pass "installed lib/$f" || fail "missing lib/$f"
done
exported=$(nm -D --defined-only "$LIB/libksymres.so" | awk '$2 == "T" { print $3 }' | sort)
bad=$(echo "$exported" | grep -v '^ksr_' || true)
[ -z "$bad" ] && pass "only ksr_ symbols exported ($(echo "$exported" | wc -l))" || fail "unexpected exports: $bad"
public=$(grep -o 'ksr_[a-z0-9_]*(' "$P/include/ksymres/ksymres.h" | tr -d '(' | sort -u)
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
  && pass "find_package(ksymres CONFIG) consumer builds" || fail "CMake consumer: $(tail -n 5 "$T/cfg.log" "$T/build.log")"
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
# serve and store run in ksymres-serve (libexec): the CLI itself does not
# load the service's libraries, whose start-up every command would pay
needed=$(readelf -d "$P/bin/ksymres" | awk '/NEEDED/ { print $NF }' | tr -d '[]' | tr '\n' ' ')
case $needed in
  *microhttpd*|*sqlite*) fail "ksymres links the service's libraries: $needed" ;;
  *) pass "ksymres does not link libmicrohttpd or SQLite ($needed)" ;;
esac
[ "$("$P/bin/ksymres" serve --routes | head -1)" = "GET /healthz" ] \
  && pass "installed ksymres serve runs libexec/ksymres/ksymres-serve" || fail "installed ksymres serve"
"$P/bin/ksymres" store fsck "$T/no-store" >/dev/null 2>&1; rc=$?
[ "$rc" = 1 ] && pass "installed ksymres store runs it too (exit 1 for no store)" || fail "installed store: exit $rc"

# the library does the main job: a consumer resolves an object through the
# public API, from a profile file and from a profile made in memory from its
# parts, and writes exactly the bytes `ksymres resolve` writes
C=$T/consumer/consumer
if [ -x "$C" ] && [ "$(id -u)" = 0 ] && [ -r /sys/kernel/btf/vmlinux ] &&
   awk 'NR==1 { exit ($1 ~ /^0+$/) ? 1 : 0 }' /proc/kallsyms; then
  cp /sys/kernel/btf/vmlinux "$T/vmlinux.btf"
  cat /proc/kallsyms >"$T/kallsyms"
  "$P/bin/ksymres" profile --btf "$T/vmlinux.btf" --kallsyms "$T/kallsyms" --release r1 -o "$T/p.profile" >/dev/null
  if LD_LIBRARY_PATH=$LIB "$C" --profile "$T/vmlinux.btf" "$T/kallsyms" r1 "$T/lib.profile" >"$T/c.out" 2>&1 &&
     cmp -s "$T/p.profile" "$T/lib.profile"; then
    pass "library profile writer == ksymres profile ($(cat "$T/c.out"))"
  else fail "library profile writer: $(cat "$T/c.out")"; fi
  for o in typeless kfuncs weak; do
    "$P/bin/ksymres" resolve "$KSR_BPF_DIR/$o.bpf.o" -p "$T/p.profile" -o "$T/$o.cli.o" >/dev/null
    if LD_LIBRARY_PATH=$LIB "$C" "$KSR_BPF_DIR/$o.bpf.o" "$T/p.profile" "$T/$o.lib.o" >"$T/c.out" 2>&1 &&
       cmp -s "$T/$o.cli.o" "$T/$o.lib.o"; then
      pass "library resolve of $o == ksymres resolve ($(grep -c ' resolved\| weak_unresolved' "$T/c.out") externs; $(grep manifest "$T/c.out"))"
    else fail "library resolve of $o: $(cat "$T/c.out")"; fi
    if LD_LIBRARY_PATH=$LIB "$C" "$KSR_BPF_DIR/$o.bpf.o" "$T/vmlinux.btf" "$T/kallsyms" r1 "$T/$o.mem.o" >"$T/c.out" 2>&1 &&
       cmp -s "$T/$o.cli.o" "$T/$o.mem.o"; then
      pass "library resolve of $o against a profile in memory == ksymres resolve"
    else fail "in-memory profile resolve of $o: $(cat "$T/c.out")"; fi
  done
else
  echo "SKIPPED: library resolve vs the CLI: needs root, /sys/kernel/btf/vmlinux and unrestricted /proc/kallsyms"
fi
# ksymres_resolve(): one output per object x profile, real dependencies,
# the check gate; with Makefiles and Ninja
K=$P/bin/ksymres
mkdir -p "$T/kern"
"$K" profile --from "$KSR_SOURCE_DIR/tests/unit/fixtures/fixed-v1.profile" -o "$T/kern/fixed.profile" >/dev/null
for i in 1 2; do   # the fixture's BTF with two kallsyms snapshots that have bpf_prog_put
  printf 'ffffffff81000000 T _text\nffffffff811%05x T bpf_prog_put\n' "$i" >"$T/kern/k$i.txt"
  "$K" profile --btf "$T/kern/fixed.profile" --kallsyms "$T/kern/k$i.txt" --release "k$i" -o "$T/kern/k$i.profile" >/dev/null
done
OBJS="$KSR_BPF_DIR/weak.bpf.o;$KSR_BPF_DIR/typeless.bpf.o"
gens=("Unix Makefiles")
command -v ninja >/dev/null && gens+=(Ninja) || echo "SKIPPED (part): ninja is not installed, ksymres_resolve() tried with Makefiles only"
for gen in "${gens[@]}"; do
  B=$T/resolve-${gen// /_}
  if ! cmake -S "$KSR_SOURCE_DIR/tests/install/resolve" -B "$B" -G "$gen" -DCMAKE_PREFIX_PATH="$P" \
       "-DKSR_OBJECTS=$OBJS" "-DKSR_PROFILES=$T/kern/k1.profile;$T/kern/k2.profile" >"$T/r.log" 2>&1 ||
     ! cmake --build "$B" >"$T/r1.log" 2>&1; then
    fail "$gen: ksymres_resolve() project: $(tail -n 5 "$T/r.log" "$T/r1.log")"; continue
  fi
  n=$(grep -c 'ksymres resolve .* for k[12]' "$T/r1.log")
  [ "$n" = 4 ] && pass "$gen: first build ran 4 resolves (2 objects x 2 profiles)" || fail "$gen: first build ran $n resolves"
  same=1
  for o in weak typeless; do for k in k1 k2; do
    "$K" resolve "$KSR_BPF_DIR/$o.bpf.o" -p "$T/kern/$k.profile" -o "$T/want.o" >/dev/null
    cmp -s "$T/want.o" "$B/resolved/$k/$o.bpf.o" || same=0
  done; done
  [ $same = 1 ] && pass "$gen: the 4 outputs equal ksymres resolve's" || fail "$gen: outputs differ from ksymres resolve's"
  grep -q 'runnable' "$B/checked/k1/typeless.bpf.o.check" && pass "$gen: CHECK_ONLY wrote the check table" \
    || fail "$gen: no check table"
  sleep 1.1; touch "$T/kern/k2.profile"
  cmake --build "$B" >"$T/r2.log" 2>&1 || fail "$gen: rebuild after touching k2"
  grep 'ksymres \(resolve\|check\) ' "$T/r2.log" | sed 's/^/    re-ran: /'
  a=$(grep -c 'ksymres \(resolve\|check\) .* for k2' "$T/r2.log"); b=$(grep -c ' for k1' "$T/r2.log")
  [ "$a" = 4 ] && [ "$b" = 0 ] && pass "$gen: touching k2.profile re-ran its 4 commands and none of k1's" \
    || fail "$gen: after touching k2: $a commands of k2, $b of k1 re-ran"
  cmake --build "$B" >"$T/r3.log" 2>&1
  n=$(grep -c 'ksymres \(resolve\|check\) ' "$T/r3.log")
  [ "$n" = 0 ] && pass "$gen: a third build runs nothing" || fail "$gen: a third build ran $n commands"
  # the gate: typeless.bpf.o cannot run on the fixture (no bpf_prog_put)
  G=$T/gate-${gen// /_}
  cmake -S "$KSR_SOURCE_DIR/tests/install/resolve" -B "$G" -G "$gen" -DCMAKE_PREFIX_PATH="$P" \
    "-DKSR_OBJECTS=$OBJS" "-DKSR_PROFILES=$T/kern/fixed.profile" >/dev/null 2>&1
  if cmake --build "$G" >"$T/g.log" 2>&1; then
    fail "$gen: the build passed although typeless.bpf.o cannot run on fixed.profile"
  elif grep -q 'NOT runnable' "$T/g.log" && grep -q 'bpf_prog_put' "$T/g.log"; then
    pass "$gen: the check gate fails the build with the table"
  else
    fail "$gen: the build failed without the table: $(tail -n 5 "$T/g.log")"
  fi
  [ ! -e "$G/resolved/fixed/typeless.bpf.o" ] && pass "$gen: no output for the pair that cannot run" \
    || fail "$gen: an output was written for the failing pair"
done

# KCONFIG BAKE: the output equals resolve --kconfig=bake against a profile
# that records a kernel config
printf 'CONFIG_HZ=250\nCONFIG_BPF_SYSCALL=y\n' >"$T/kern/config"
"$K" profile --btf "$T/kern/fixed.profile" --kallsyms "$T/kern/k1.txt" --release 6.1.0-test \
  --config "$T/kern/config" -o "$T/kern/kc.profile" >/dev/null
B=$T/resolve-bake
if cmake -S "$KSR_SOURCE_DIR/tests/install/resolve" -B "$B" -DCMAKE_PREFIX_PATH="$P" \
     "-DKSR_OBJECTS=$KSR_BPF_DIR/weak.bpf.o" "-DKSR_PROFILES=$T/kern/kc.profile" -DKSR_KCONFIG=BAKE \
     "-DKSR_KCONFIG_OBJECTS=$KSR_BPF_DIR/kconfig_values.bpf.o" >"$T/b.log" 2>&1 &&
   cmake --build "$B" >>"$T/b.log" 2>&1; then
  "$K" resolve "$KSR_BPF_DIR/kconfig_values.bpf.o" -p "$T/kern/kc.profile" --kconfig=bake -o "$T/want.o" >/dev/null
  cmp -s "$T/want.o" "$B/baked/kc/kconfig_values.bpf.o" && pass "KCONFIG BAKE: the output equals resolve --kconfig=bake" \
    || fail "KCONFIG BAKE: the output differs from resolve --kconfig=bake"
else
  fail "KCONFIG BAKE project: $(tail -n 5 "$T/b.log")"
fi

if command -v man >/dev/null; then
  warn=$(MANWIDTH=80 man --warnings -l "$P/share/man/man8/ksymres.8.gz" 2>&1 >/dev/null)
  [ -z "$warn" ] && pass "man page renders without warnings" || fail "man page: $warn"
else
  echo "SKIPPED (part): man is not installed, the page is not rendered"
fi
finish
