#!/usr/bin/env bash
# Paths in JSON: valid UTF-8 passes through as UTF-8, bytes that are not
# UTF-8 become \udcXX (surrogateescape), so the decoded path names the file.
. "$(dirname "$0")/lib.sh"
[ -r /sys/kernel/btf/vmlinux ] || skip "/sys/kernel/btf/vmlinux not readable"
[ "$(id -u)" = 0 ] || skip "capturing this host's profile needs root"
"$KSR_BIN" capture -o "$T/host.profile" || { fail "capture"; finish; exit 1; }

# exists.py JSON KEY...: every value under results[].KEY, decoded with
# surrogateescape, must be an existing path
cat >"$T/exists.py" <<'EOF'
import json, os, sys
doc = json.load(open(sys.argv[1], encoding="utf-8"))
bad = [v for r in doc["results"] for k in sys.argv[2:] for v in [r[k]]
       if not os.path.exists(v.encode("utf-8", "surrogateescape"))]
print("missing: %r" % bad if bad else "all exist")
sys.exit(1 if bad else 0)
EOF

mkdir -p "$T/uni" "$T/lat"
cp "$KSR_BPF_DIR/typeless.bpf.o" "$T/uni/程序 ✓.o"
cp "$KSR_BPF_DIR/typeless.bpf.o" "$T/lat/caf"$'\xe9'".o"
cp "$T/host.profile" "$T/uni/hôte ✓.profile"
run "$KSR_BIN" resolve "$T/uni/程序 ✓.o" "$T/lat/caf"$'\xe9'".o" -p "$T/uni/hôte ✓.profile" \
  --out-dir "$T/uni/out ✓" -j
[ "$RC" = 0 ] || fail "batch resolve: exit $RC ($(cat "$T/err"))"
grep -qF '程序 ✓.o' "$T/out" && pass "UTF-8 object path passes through as UTF-8" ||
  fail "UTF-8 path escaped: $(head -c 300 "$T/out")"
grep -qF 'caf\udce9.o' "$T/out" && pass "a Latin-1 byte is \\udce9" ||
  fail "invalid byte: $(grep -o 'caf[^"]*' "$T/out" | head -2)"
cp "$T/out" "$T/batch.json"
run python3 "$T/exists.py" "$T/batch.json" object profile output
[ "$RC" = 0 ] && pass "decoded object, profile and output paths exist" || fail "$(cat "$T/out") $(cat "$T/err")"
cmp -s "$T/uni/out ✓/summary.json" <("$KSR_BIN" resolve "$T/uni/程序 ✓.o" "$T/lat/caf"$'\xe9'".o" \
  -p "$T/uni/hôte ✓.profile" --out-dir "$T/uni/out ✓" -j) && pass "summary.json is the same JSON" ||
  fail "summary.json differs from stdout"

# the error line in JSON mode: the path, exactly
run "$KSR_BIN" inspect -j "$T/uni/missing ✓"$'\xff'".o"
python3 -c 'import json,sys; e=json.load(open(sys.argv[1]))["error"]; sys.exit(not e.encode("utf-8","surrogateescape").startswith(sys.argv[2].encode("utf-8","surrogateescape")))' \
  "$T/err" "$T/uni/missing ✓"$'\xff'".o" && pass "JSON error names the path exactly" || fail "error: $(cat "$T/err")"
finish
