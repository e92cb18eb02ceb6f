#!/usr/bin/env bash
# Module kfuncs offline against Debian's real 6.12 and 6.1 kernels, never
# booted: a profile from the image's vmlinux BTF plus every module file of
# the package (profile --modules), and conntrack.bpf.o checked against it:
# bpf_xdp_ct_lookup and bpf_ct_release resolve in nf_conntrack with the
# ids bpftool (libbpf) reads from the same files. Needs the extracted
# packages with lib/modules: $KSR_MODULE_TREES/<package>, or the kernel
# cache (tests/kernels/lib.sh: fetched from Debian's archive if need be).
. "$(dirname "$0")/lib.sh"
. "$KDIR/../cli/lib.sh"
HERE=$(dirname "$0")
OBJ=$KSR_BPF_DIR/conntrack.bpf.o
command -v bpftool >/dev/null || skip "bpftool not installed"
printf 'ffffffff81000000 T _text\n' >"$T/ks"
found=0
for series in 6.12 6.1; do
  D=$(ksr_module_tree "$series")
  if [ -z "$D" ]; then
    echo "note: $series SKIPPED: no extracted linux-image-$series package with lib/modules (in ${KSR_MODULE_TREES:-$CACHE})"
    continue
  fi
  found=$((found + 1))
  rel=$(basename "$D"/lib/modules/*)
  python3 "$HERE/extract-vmlinux.py" "$D"/boot/vmlinuz-* "$T/vmlinux-$series" >/dev/null 2>&1 ||
    { fail "$series: extract vmlinux"; continue; }
  start=$(date +%s.%N)
  expect_ok "$series: profile --modules ($rel)" "$KSR_BIN" profile --btf "$T/vmlinux-$series" --kallsyms "$T/ks" \
    --release "$rel" --modules "$D/lib/modules" -o "$T/$series.profile" || continue
  secs=$(echo "$(date +%s.%N) - $start" | bc)
  files=$(find "$D/lib/modules" -name '*.ko' -o -name '*.ko.xz' -o -name '*.ko.zst' | wc -l)
  run "$KSR_BIN" profile --info "$T/$series.profile" -j
  n=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1]))["modules"]; print(len(m) if "nf_conntrack" in m else -1)' "$T/out")
  [ "$n" = "$files" ] && pass "$series: all $files module BTFs validated as split BTF (${secs%???????} s)" ||
    fail "$series: $n modules for $files files"
  # the ids libbpf reads from the same files (bpftool, split BTF on the vmlinux)
  ko=$(find "$D/lib/modules" -name 'nf_conntrack.ko*' | head -1)
  case $ko in
    *.xz) xz -dc "$ko" >"$T/nfct.ko" ;;
    *.zst) zstd -qdc "$ko" >"$T/nfct.ko" ;;
    *) cp "$ko" "$T/nfct.ko" ;;
  esac
  bpftool btf dump file "$T/nfct.ko" -B "$T/vmlinux-$series" >"$T/dump" 2>/dev/null || { fail "$series: bpftool"; continue; }
  want_l=$(sed -n "s/^\[\([0-9]*\)\] FUNC 'bpf_xdp_ct_lookup'.*/\1/p" "$T/dump")
  want_r=$(sed -n "s/^\[\([0-9]*\)\] FUNC 'bpf_ct_release'.*/\1/p" "$T/dump")
  run "$KSR_BIN" check "$OBJ" -p "$T/$series.profile" -j
  python3 - "$T/out" "$want_l" "$want_r" <<'PY' && pass "$series: conntrack kfuncs resolved in nf_conntrack, ids $want_l and $want_r as bpftool reads them" || fail "$series: check: $(cat "$T/out" "$T/err")"
import json, sys
p = json.load(open(sys.argv[1]))["profiles"][0]
e = {x["name"]: x for x in p["externs"]}
ok = p["runnable"] and p["needs_modules"] == ["nf_conntrack"]
ok = ok and all(x["status"] == "resolved" and x["module"] == "nf_conntrack" for x in e.values())
ok = ok and e["bpf_xdp_ct_lookup"]["btf_id"] == int(sys.argv[2]) and e["bpf_ct_release"]["btf_id"] == int(sys.argv[3])
sys.exit(not ok)
PY
done
[ "$found" = 0 ] && skip "no Debian kernel package tree with lib/modules (set KSR_MODULE_TREES to a directory of extracted linux-image packages)"
finish
