#!/usr/bin/env bash
# Crash safety of ksymres serve's store: rounds of 20 concurrent pushes
# (curl PUT) of 20 distinct profiles, the server SIGKILLed at a different
# moment each round (before any push, 0.02 s, 0.1 s and 0.3 s into them,
# after all of them), then restarted on the same store. After every
# restart: every push that got 201 (in any round so far) is listed, its
# /file is the same bytes, tmp/ is empty, and `store fsck` is clean (it
# opens and verifies every stored profile whole). The profiles are made
# from the fixture's BTF plus 3000 INT types with distinct names (about
# 130 kB each, so a push takes long enough to be cut), not from this
# host's files.
. "$(dirname "$0")/lib.sh"
command -v curl >/dev/null || skip "curl not installed"
command -v python3 >/dev/null || skip "python3 not installed"
K=$KSR_BIN
S=$T/store
P=$T/prof
R=$T/res
mkdir -p "$P" "$R"

# the fixture's raw .BTF (profile format v2: the section at 0x1000)
"$K" profile --from "$KSR_SOURCE_DIR/tests/unit/fixtures/fixed-v1.profile" -o "$T/fixed.profile" >/dev/null ||
  { fail "fixed profile"; finish; exit 1; }
off=$("$K" profile --info "$T/fixed.profile" | awk '$1 == ".BTF" { print $2, $3 }')
read -r boff bsize <<<"$off"
dd if="$T/fixed.profile" of="$T/base.btf" bs=1 skip=$((boff)) count="$bsize" status=none
printf 'ffffffff81000000 T _text\nffffffff81001000 T bpf_rcu_read_lock\n' >"$T/k"
ROUNDS="0 1 2 3 4"
python3 - "$T/base.btf" "$P" $ROUNDS <<'EOF' || { fail "BTF generation"; finish; exit 1; }
import sys
import ksrfmt as K
base = K.parse_btf(open(sys.argv[1], "rb").read())
for r in sys.argv[3:]:
    for i in range(20):
        t = base + [K.Type(K.INT, "crash_%s_%d_%d" % (r, i, j), 4, word=32) for j in range(3000)]
        open("%s/%s.%d.btf" % (sys.argv[2], r, i), "wb").write(K.write_btf(t))
EOF
# four at a time: under ASan each takes a quarter of a second
for r in $ROUNDS; do for i in $(seq 0 19); do echo "$r.$i"; done; done |
  xargs -P4 -I{} sh -c '"$0" profile --btf "$1/$2.btf" --kallsyms "$3" -o "$1/$2.profile" >/dev/null' \
    "$K" "$P" {} "$T/k" ||
  fail "profiles"
[ "$(ls "$P"/*.profile | wc -l)" = 100 ] || { fail "$(ls "$P"/*.profile | wc -l) profiles made"; finish; exit 1; }

PID=
trap '[ -n "$PID" ] && kill -KILL "$PID" 2>/dev/null; rm -rf "$T"' EXIT

# verify_store DESC: after a restart, every 201 so far is listed and its
# file is the pushed bytes (one python3 for all); tmp/ empty; fsck clean
# (it opens and verifies every block of every stored profile)
verify_store() {
  local desc=$1 f
  python3 - "$U" "$R" "$P" >"$T/verify" 2>"$T/verify.err" <<'EOF' || fail "$desc: $(cat "$T/verify.err")"
import glob, json, os, sys, urllib.request
u, res, prof = sys.argv[1:4]
listed = {p["identity"] for p in json.load(urllib.request.urlopen(u + "/v1/profiles"))["profiles"]}
missing = bad = 0
for code in sorted(glob.glob(res + "/*.code")):
    if open(code).read().strip() != "201":
        continue
    name = os.path.basename(code)[:-5]
    ident = json.load(open(res + "/" + name + ".body"))["identity"]
    if ident not in listed:
        missing += 1
        print("not listed:", name, ident, file=sys.stderr)
    elif urllib.request.urlopen(u + "/v1/profiles/" + ident + "/file").read() != \
            open(prof + "/" + name + ".profile", "rb").read():
        bad += 1
        print("other bytes:", name, ident, file=sys.stderr)
    else:
        print(name)
sys.exit(1 if missing or bad else 0)
EOF
  PRESENT=$(wc -l <"$T/verify")
  pass "$desc: $PRESENT profiles that got 201 listed, their files the pushed bytes"
  [ -z "$(ls -A "$S/tmp")" ] && pass "$desc: tmp/ empty after startup" || fail "$desc: tmp/ holds $(ls -A "$S/tmp" | head -3)"
  if "$K" store fsck "$S" >"$T/fsck" 2>&1; then pass "$desc: store fsck clean: $(cat "$T/fsck")"
  else fail "$desc: store fsck: $(cat "$T/fsck")"; fi
}

PUSHES=0 CREATED=0 KILLS=0 TMPSEEN=0
serve_bg "$T/serve.err" --store "$S"
for r in $ROUNDS; do
  case $r in
    0) delay=before ;; 1) delay=0.02 ;; 2) delay=0.1 ;; 3) delay=0.3 ;; 4) delay=after ;;
  esac
  if [ "$delay" = before ]; then
    kill -KILL "$PID"; wait "$PID" 2>/dev/null; KILLS=$((KILLS + 1))
  fi
  pids=()
  for i in $(seq 0 19); do
    curl -s -o "$R/$r.$i.body" -w '%{http_code}\n' -X PUT --data-binary @"$P/$r.$i.profile" \
      "$U/v1/profiles?label=round=$r" >"$R/$r.$i.code" 2>/dev/null &
    pids+=($!)
  done
  PUSHES=$((PUSHES + 20))
  case $delay in
    before) ;;
    after) wait "${pids[@]}" ;;
    *) sleep "$delay" ;;
  esac
  if [ "$delay" != before ]; then
    kill -KILL "$PID"; wait "$PID" 2>/dev/null; KILLS=$((KILLS + 1))
  fi
  wait "${pids[@]}"
  t=$(ls -A "$S/tmp" | wc -l); TMPSEEN=$((TMPSEEN + t))
  c=$(cat "$R"/$r.*.code | grep -c '^201$')
  CREATED=$((CREATED + c))
  echo "round $r: SIGKILL $delay: $c of 20 pushes got 201 ($(cat "$R"/$r.*.code | sort | uniq -c | tr -s ' \n' ' ')); $t temporary files left at the kill"
  serve_bg "$T/serve.err" --store "$S"
  verify_store "after the kill of round $r ($delay)"
done
n=$(cat "$R"/*.body 2>/dev/null | grep -o '"identity": *"[0-9a-f]*"' | sort -u | wc -l)
[ "$CREATED" -gt 0 ] && [ "$n" = "$CREATED" ] && pass "$CREATED pushes got 201, each a distinct identity" ||
  fail "201s: $CREATED, distinct identities answered: $n"
# the last round waited for every push: all of them must have been created
[ "$(cat "$R"/4.*.code | grep -c '^201$')" = 20 ] && pass "every push of the last round got 201" ||
  fail "last round: $(cat "$R"/4.*.code | tr '\n' ' ')"
echo "pushes $PUSHES, 201s $CREATED, kills $KILLS, temporary files seen at the kills $TMPSEEN, present after the last restart $PRESENT"
[ "$PRESENT" = "$CREATED" ] && pass "present after restart = 201s ($PRESENT)" || fail "present $PRESENT, 201s $CREATED"
kill -TERM "$PID"; wait "$PID"; rc=$?; PID=
[ "$rc" = 0 ] && pass "serve stopped cleanly" || fail "serve exit $rc on SIGTERM"
finish
