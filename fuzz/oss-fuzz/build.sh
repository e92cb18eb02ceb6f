#!/bin/bash -eu
# Builds every fuzz target of fuzz/targets.conf the way OSS-Fuzz and
# ClusterFuzzLite expect (fuzz/README.md, "OSS-Fuzz and ClusterFuzzLite"):
#
#   $CC $CFLAGS     compile the library and the harnesses (the builder's
#                   sanitizer and coverage flags are in $CFLAGS; nothing is
#                   added here but include paths and -std)
#   $CXX $CXXFLAGS $LIB_FUZZING_ENGINE
#                   link each target (C++: the engines' mains are C++);
#                   -fsanitize=fuzzer for libFuzzer, a driver archive
#                   (libAFLDriver.a) for AFL++
#   $OUT            fuzz_<t>, fuzz_<t>_seed_corpus.zip (corpus/<t> and
#                   corpus/regressions/<t>), fuzz_<t>.dict (its
#                   dictionaries joined), fuzz_<t>.options (max_len)
#   $WORK           objects and archives
#   $SANITIZER      only printed: the flags are already in $CFLAGS
#
# The libraries ksymres uses (libelf, zlib, liblzma, libzstd, libxxhash,
# SQLite for the http target) are linked statically: the fuzzers run on
# machines that have only libc and the C++ runtime. No -Werror here: the
# builders use newer compilers than the project's CI.
#
# Source directory: the checkout this file is in, else the current
# directory (OSS-Fuzz runs $SRC/build.sh from the Dockerfile's WORKDIR).
# Run here by fuzz/oss-fuzz/check.sh (ctest fuzz_oss_fuzz_build) with the
# variables set as the builders set them.
set -euo pipefail   # also when run as "bash build.sh", which drops the #! flags
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
[ -f "$ROOT/fuzz/targets.conf" ] || ROOT=$PWD
[ -f "$ROOT/fuzz/targets.conf" ] || { echo "build.sh: no fuzz/targets.conf in $ROOT" >&2; exit 1; }
: "${CC:?}" "${CXX:?}" "${CFLAGS=}" "${CXXFLAGS=}" "${LIB_FUZZING_ENGINE:?}" "${OUT:?}" "${WORK:?}"
echo "build.sh: $ROOT, engine '$LIB_FUZZING_ENGINE', sanitizer ${SANITIZER:-?}"

B=$WORK/ksymres-fuzz
rm -rf "$B"
mkdir -p "$B/core" "$B/service" "$B/fuzz" "$OUT"
deps="libelf zlib liblzma libzstd libxxhash"
INC="-I$ROOT/include -I$ROOT/core -I$ROOT/service -I$ROOT/output"
# The builders' default image is Ubuntu 20.04: kernel 5.4 UAPI headers (no
# BTF_KIND_ENUM64, DECL_TAG, TYPE_TAG, BPF_PSEUDO_KFUNC_CALL) and xxhash
# 0.7.3 (XXH3 before it was final). The Dockerfiles clone libbpf (for its
# copy of the UAPI headers) and xxHash, pinned, into $SRC; taken first when
# there. xxhash is header-only here (XXH_INLINE_ALL): nothing to link.
if [ -d "${SRC:-}/libbpf/include/uapi/linux" ]; then
  INC="$INC -I$SRC/libbpf/include/uapi"
  echo "build.sh: kernel UAPI headers from $SRC/libbpf/include/uapi"
fi
if [ -f "${SRC:-}/xxhash/xxhash.h" ]; then
  INC="$INC -I$SRC/xxhash"
  deps=${deps% libxxhash}
  echo "build.sh: xxhash.h from $SRC/xxhash"
fi
INC="$INC $(pkg-config --cflags $deps sqlite3)"
JOBS=$(nproc)

compile() {   # out-dir, sources...: one object each, $JOBS at a time
  local dir=$1; shift
  printf '%s\n' "$@" | xargs -P "$JOBS" -I{} sh -c \
    "$CC $CFLAGS -std=gnu11 -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION $INC -c {} -o $dir/\$(basename {} .c).o"
}
# the library and, for http, the service's handlers and the output layer;
# not serve.c, the libmicrohttpd server no fuzzer links (Ubuntu 20.04's
# libmicrohttpd 0.9.66 predates the enum MHD_Result it is written for)
compile "$B/core" "$ROOT"/core/*.c
compile "$B/service" $(ls "$ROOT"/service/*.c | grep -v '/serve\.c$') "$ROOT"/output/*.c
ar rcs "$B/libksymres.a" "$B"/core/*.o
ar rcs "$B/libksymres_service.a" "$B"/service/*.o
compile "$B/fuzz" "$ROOT"/fuzz/fuzz_util.c $(awk '/^[a-z]/ { print "'"$ROOT"'/fuzz/fuzz_" $1 ".c" }' "$ROOT/fuzz/targets.conf")

# structure-aware mutators (fuzz/mutators.conf) of the targets that use
# them by default: the hook compiled once per target for its functions
compile "$B/fuzz" "$ROOT"/fuzz/mutator_btf.c "$ROOT"/fuzz/mutator_object.c
sa_objs() {   # target: its mutator objects, if it uses one by default
  local fn cross
  read -r fn cross < <(awk -v t="$1" '$1 == t && $4 == "default" { print $2, $3 }' "$ROOT/fuzz/mutators.conf")
  [ -n "${fn:-}" ] || return 0
  local defs="-DKSR_SA_MUTATOR=$fn"
  [ "$cross" = - ] || defs="$defs -DKSR_SA_CROSS=$cross"
  # shellcheck disable=SC2086 # flag lists
  $CC $CFLAGS -std=gnu11 $defs -c "$ROOT/fuzz/mutator_hook.c" -o "$B/fuzz/mutator_hook_$1.o"
  echo "$B/fuzz/mutator_hook_$1.o $B/fuzz/mutator_btf.o $B/fuzz/mutator_object.o"
}

static() {   # pkg-config modules: their libraries as archives, the rest as usual
  local l out=()
  for l in $(pkg-config --libs --static "$@"); do
    case $l in
      -lc|-lm|-lpthread|-ldl|-lrt) out+=("$l") ;;
      -l*) out+=("-l:lib${l#-l}.a") ;;
      *) out+=("$l") ;;
    esac
  done
  echo "${out[@]}"
}
LIBS=$(static $deps)
SQLITE=$(static sqlite3)

while read -r t max_len dicts _; do
  case $t in ''|\#*) continue ;; esac
  extra=""
  [ "$t" = http ] && extra="$B/libksymres_service.a $SQLITE"
  # a target's extra link flags (fuzz_faults: the --wrap of the allocators)
  [ -f "$ROOT/fuzz/fuzz_$t.ldflags" ] && extra+=" $(cat "$ROOT/fuzz/fuzz_$t.ldflags")"
  extra="$extra $(sa_objs "$t")"
  # shellcheck disable=SC2086 # flag lists
  $CXX $CXXFLAGS "$B/fuzz/fuzz_$t.o" "$B/fuzz/fuzz_util.o" $extra "$B/libksymres.a" $LIBS \
    $LIB_FUZZING_ENGINE -lpthread -o "$OUT/fuzz_$t"

  for d in ${dicts//+/ }; do cat "$ROOT/fuzz/dict/$d.dict"; done >"$OUT/fuzz_$t.dict"
  printf '[libfuzzer]\nmax_len = %s\n' "$max_len" >"$OUT/fuzz_$t.options"
  # seeds and regression inputs, flat (zip -j), named as committed
  rm -f "$OUT/fuzz_${t}_seed_corpus.zip"
  dirs=("$ROOT/corpus/$t")
  [ -d "$ROOT/corpus/regressions/$t" ] && dirs+=("$ROOT/corpus/regressions/$t")
  seeds=$(find "${dirs[@]}" -type f ! -name '.*')
  [ -z "$seeds" ] || echo "$seeds" | zip -q -j "$OUT/fuzz_${t}_seed_corpus.zip" -@
  echo "build.sh: fuzz_$t ($(echo "$seeds" | grep -c . || true) seeds)"
done <"$ROOT/fuzz/targets.conf"
