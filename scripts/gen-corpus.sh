#!/usr/bin/env bash
# Regenerates the fuzz seed corpora corpus/<target>/ (fuzz/README.md).
#
#   scripts/gen-corpus.sh [--fresh|--add] [--no-merge] [--btf FILE] [--kallsyms FILE] [TARGET...]
#
# With TARGETs (fuzz/targets.conf names), only their corpora are replaced.
# --add keeps every seed corpus/<target>/ holds and offers only the inputs
# gen_corpus.py writes for what the budgeted selection misses (named cov-*):
# those that bring edges the corpus lacks are added, within the budget (a
# re-selection may drop seeds whose lines no other seed reaches).
#
# 1. builds the clang test objects, the examples and the CLI (build-corpus/);
# 2. fuzz/tools/gen_corpus.py writes raw seeds: the objects, their .BTF and
#    .BTF.ext, a slice of the vmlinux BTF (default /sys/kernel/btf/vmlinux)
#    closed over the names the objects use, a hand-built BTF with every kind,
#    a kallsyms excerpt (default /proc/kallsyms) in several layouts, profiles
#    and patched objects made by the CLI, and the framed inputs of the
#    btf_ext, profile and pipeline targets;
# 3. minimises them with libFuzzer -merge=1 by edge coverage (build-fuzz-lf/),
#    together with what corpus/<target>/ already holds unless --fresh, keeps
#    the inputs with the most new edges per byte within the target's budget
#    (fuzz/targets.conf, fuzz/tools/corpus_budget.py) and replaces
#    corpus/<target>/ with them.
# Seeds are capped at 64 KiB each and 20 MiB in all (2.25, then 4.5, then
# 8 MiB as the campaigns of 2026-12-06 were merged; gzip takes the seeds
# to about a tenth, which is what git stores); the script prints the
# per-target and total sizes. corpus/regressions/ is never touched.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PYTHONPATH=$ROOT/tools/python${PYTHONPATH:+:$PYTHONPATH}  # ksrfmt.py
BTF=/sys/kernel/btf/vmlinux
KALLSYMS=/proc/kallsyms
FRESH=0 MERGE=1 ADD=0
while [ $# -gt 0 ]; do
  case $1 in
    --fresh) FRESH=1 ;;
    --add) ADD=1 ;;
    --no-merge) MERGE=0 ;;
    --btf) BTF=$2; shift ;;
    --kallsyms) KALLSYMS=$2; shift ;;
    -*) echo "usage: $0 [--fresh|--add] [--no-merge] [--btf FILE] [--kallsyms FILE] [TARGET...]" >&2; exit 2 ;;
    *) ONLY="${ONLY:-} $1" ;;
  esac
  shift
done
TARGETS=$(awk '/^[a-z]/ { print $1 }' fuzz/targets.conf)
if [ -n "${ONLY:-}" ]; then
  for t in $ONLY; do
    grep -qx "$t" <<<"$TARGETS" || { echo "$0: unknown target $t" >&2; exit 2; }
  done
  TARGETS=$ONLY
fi
JOBS=$(nproc)

echo "== building test objects and the CLI (build-corpus)"
CC=clang cmake -S . -B build-corpus -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-corpus -j"$JOBS" --target ksymres_cli bpf_objects examples >/dev/null

STAGE=$(mktemp -d /tmp/ksr-seeds.XXXXXX)
trap 'rm -rf "$STAGE"' EXIT
python3 fuzz/tools/gen_corpus.py --ksymres build-corpus/ksymres \
  --objects build-corpus/tests/bpf --objects build-corpus/examples \
  --btf "$BTF" --kallsyms "$KALLSYMS" --out "$STAGE/raw"

if [ $MERGE = 1 ]; then
  echo "== building libFuzzer targets (build-fuzz-lf)"
  CC=clang cmake -S . -B build-fuzz-lf -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DKSYMRES_FUZZ=libfuzzer -DKSYMRES_TESTS=OFF >/dev/null
  cmake --build build-fuzz-lf -j"$JOBS" >/dev/null
fi

for t in $TARGETS; do
  new=$STAGE/min/$t
  mkdir -p "$new" "corpus/$t" "corpus/regressions/$t"
  [ $ADD = 0 ] || cp corpus/"$t"/* "$new"/ 2>/dev/null || true  # the starting selection
  if [ $MERGE = 1 ]; then
    old=()
    [ $FRESH = 1 ] || [ $ADD = 1 ] || old=("corpus/$t")
    cand=$STAGE/raw/$t
    if [ $ADD = 1 ]; then
      cand=$STAGE/cov/$t
      mkdir -p "$cand"
      cp "$STAGE/raw/$t"/cov-* "$cand"/ 2>/dev/null || true
    fi
    python3 fuzz/tools/corpus_budget.py build-fuzz-lf/fuzz/fuzz_$t "$new" \
      "$(awk -v t="$t" '$1 == t { print $4 }' fuzz/targets.conf)" "$cand" "${old[@]}" |
      sed "s/^/$t: /"
  elif [ $ADD = 1 ]; then
    cp "$STAGE/raw/$t"/cov-* "$new"/ 2>/dev/null || true
  else
    cp "$STAGE/raw/$t"/* "$new"/
  fi
  find "$new" -type f -size +64k -print -delete | sed 's/^/dropped (> 64 KiB): /'
  rm -rf "corpus/$t"
  cp -r "$new" "corpus/$t"
  printf '%-14s %4d seeds %8d bytes\n' "$t" "$(find "corpus/$t" -type f | wc -l)" \
    "$(cat "corpus/$t"/* | wc -c)"
done
total=$(find corpus -path corpus/regressions -prune -o -type f -print0 | xargs -0 cat | wc -c)
echo "total seeds: $total bytes (limit 20971520)"
[ "$total" -lt 20971520 ] || { echo "seed corpus too large" >&2; exit 1; }
