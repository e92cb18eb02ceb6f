#!/usr/bin/env bash
# The layers' include paths, as the build gives them (CMake's per-layer
# targets, CMakeLists.txt): a file of each layer can include its own
# headers, the output layer's (commands only) and the library's public
# header, and nothing above or beside it; no command layer sees a core
# header. Each probe is compiled with exactly the include directories of its
# layer's target; a wrong include must fail to compile. Then the link side:
# every library symbol the CLI's layers use is exported by libksymres.so,
# so the CLI uses the public API only, as bpftool uses libbpf's.
. "$(dirname "$0")/lib.sh"
: "${KSR_CC:?}" "${KSR_INC_CORE:?}" "${KSR_INC_OUTPUT:?}" "${KSR_INC_OFFLINE:?}" "${KSR_INC_LIVE:?}"
: "${KSR_INC_SERVICE:?}" "${KSR_INC_REMOTE:?}" "${KSR_INC_MAIN:?}" "${KSR_LAYER_LIBS:?}" "${KSR_SHARED_LIB:?}"
flags() { local IFS=':'; for d in $1; do printf -- '-I%s\n' "$d"; done; }
probe() {   # layer dirs header expect(ok|fail)
  printf '#include "%s"\nint probe;\n' "$3" >"$T/probe.c"
  # shellcheck disable=SC2046
  if "$KSR_CC" -fsyntax-only $(flags "$2") "$T/probe.c" 2>/dev/null; then got=ok; else got=fail; fi
  [ "$got" = "$4" ] && pass "$1 including $3: $got" || fail "$1 including $3: $got, expected $4"
}
probe core "$KSR_INC_CORE" profile.h ok
probe core "$KSR_INC_CORE" output.h fail
probe core "$KSR_INC_CORE" offline.h fail
probe core "$KSR_INC_CORE" live.h fail
probe output "$KSR_INC_OUTPUT" report.h ok
probe output "$KSR_INC_OUTPUT" ksymres/ksymres.h ok
probe output "$KSR_INC_OUTPUT" offline.h fail
probe output "$KSR_INC_OUTPUT" live.h fail
probe offline "$KSR_INC_OFFLINE" offline.h ok
probe offline "$KSR_INC_OFFLINE" output.h ok
probe offline "$KSR_INC_OFFLINE" ksymres/ksymres.h ok
probe offline "$KSR_INC_OFFLINE" live.h fail
probe live "$KSR_INC_LIVE" live.h ok
probe live "$KSR_INC_LIVE" report.h ok
probe live "$KSR_INC_LIVE" ksymres/ksymres.h ok
probe live "$KSR_INC_LIVE" offline.h fail
probe service "$KSR_INC_SERVICE" routes.h ok
probe service "$KSR_INC_SERVICE" store.h ok
probe service "$KSR_INC_SERVICE" report.h ok
probe service "$KSR_INC_SERVICE" ksymres/ksymres.h ok
probe service "$KSR_INC_SERVICE" offline.h fail
probe service "$KSR_INC_SERVICE" live.h fail
probe offline "$KSR_INC_OFFLINE" store.h fail
probe output "$KSR_INC_OUTPUT" routes.h fail
# the client (remote/): beside output/, below the commands; offline/ and
# live/ both see it, the service and output/ do not
probe remote "$KSR_INC_REMOTE" remote.h ok
probe remote "$KSR_INC_REMOTE" output.h ok
probe remote "$KSR_INC_REMOTE" ksymres/ksymres.h ok
probe remote "$KSR_INC_REMOTE" offline.h fail
probe remote "$KSR_INC_REMOTE" live.h fail
probe remote "$KSR_INC_REMOTE" routes.h fail
probe offline "$KSR_INC_OFFLINE" remote.h ok
probe live "$KSR_INC_LIVE" remote.h ok
probe output "$KSR_INC_OUTPUT" remote.h fail
probe service "$KSR_INC_SERVICE" remote.h fail
probe main "$KSR_INC_MAIN" service.h ok
probe main "$KSR_INC_MAIN" offline.h ok
probe main "$KSR_INC_MAIN" live.h ok
probe main "$KSR_INC_MAIN" ksymres/ksymres.h ok
# the library's internals: no layer above it sees a core header
for layer in output remote offline live service main; do
  var=KSR_INC_${layer^^}
  for h in profile.h fileio.h kallsyms.h resolve.h object.h; do
    probe "$layer" "${!var}" "$h" fail
  done
done

# The link side: what the layers (their archives and main's object) leave
# undefined and do not define themselves, among the ksr_ names, must be
# what libksymres.so exports.
IFS=':' read -r -a libs <<<"$KSR_LAYER_LIBS"
nm --defined-only "${libs[@]}" 2>/dev/null | awk 'NF == 3 { print $3 }' | sort -u >"$T/layer_defs"
nm -u "${libs[@]}" 2>/dev/null | awk '$1 == "U" && $2 ~ /^ksr_/ { print $2 }' | sort -u >"$T/layer_undef"
comm -23 "$T/layer_undef" "$T/layer_defs" >"$T/used"
nm -D --defined-only "$KSR_SHARED_LIB" | awk '{ print $3 }' | sort -u >"$T/exported"
n=$(wc -l <"$T/used")
[ "$n" -gt 0 ] && pass "the layers use $n library symbols" || fail "no library symbol found in the layers (nm?)"
internal=$(comm -23 "$T/used" "$T/exported" | tr '\n' ' ')
[ -z "$internal" ] && pass "every library symbol the layers use is exported by libksymres.so" ||
  fail "the layers use internal symbols: $internal"
finish
