#!/usr/bin/env bash
# dist/ksymres.service: systemd-analyze verify accepts it (where systemd
# is installed; SKIPPED otherwise), and it keeps the sandboxing the
# service relies on (docs/service.md).
. "$(dirname "$0")/lib.sh"
U=$KSR_SOURCE_DIR/dist/ksymres.service
for want in DynamicUser=yes StateDirectory=ksymres ProtectSystem=strict ProtectHome=yes \
            NoNewPrivileges=yes PrivateTmp=yes 'RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX' \
            SystemCallFilter=@system-service MemoryDenyWriteExecute=yes CapabilityBoundingSet=; do
  grep -qxF "$want" "$U" && pass "the unit has $want" || fail "the unit lacks $want"
done
grep -q '^ExecStart=/usr/bin/ksymres serve ' "$U" && pass "ExecStart runs ksymres serve" || fail "ExecStart"
command -v systemd-analyze >/dev/null || skip "systemd-analyze not installed (the unit's lines were checked)"
# verify needs ExecStart's binary: a copy of the unit pointing at the built one
# and Documentation=man:ksymres(8) the page of this tree, as installed
sed "s|/usr/bin/ksymres|$KSR_BIN|" "$U" >"$T/ksymres.service"
mkdir -p "$T/man/man8" && ln -s "$KSR_SOURCE_DIR/docs/ksymres.8" "$T/man/man8/ksymres.8"
export MANPATH=$T/man
if systemd-analyze verify "$T/ksymres.service" >"$T/v" 2>&1; then
  pass "systemd-analyze verify: clean$( [ -s "$T/v" ] && echo " ($(head -c 200 "$T/v" | tr '\n' ' '))")"
else
  # messages about the host (no systemd as PID 1 in a container) are not the unit's
  if grep -q "ksymres.service" "$T/v"; then fail "systemd-analyze verify: $(cat "$T/v")"
  else pass "systemd-analyze verify: nothing about the unit ($(head -c 200 "$T/v" | tr '\n' ' '))"; fi
fi
# the exposure systemd computes from the sandboxing: at most 2.0 of 10
# (1.4 when written)
lvl=$(systemd-analyze security --offline=yes "$T/ksymres.service" 2>/dev/null | grep -o 'exposure level for ksymres.service: [0-9.]*' | awk '{ print $NF }')
if [ -z "$lvl" ]; then echo "note: systemd-analyze security --offline gave no exposure level"
else awk -v l="$lvl" 'BEGIN { exit !(l <= 2.0) }' && pass "systemd-analyze security: exposure $lvl" ||
  fail "systemd-analyze security: exposure $lvl, more than 2.0"; fi
finish
