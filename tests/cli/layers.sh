#!/usr/bin/env bash
# The layers' include paths, as the build gives them (CMake's per-layer
# targets, CMakeLists.txt): a file of each layer can include its own
# headers, the output layer's (commands only) and the library's, and nothing
# above or beside it. Each probe is compiled with exactly the include
# directories of its layer's target; a wrong include must fail to compile.
. "$(dirname "$0")/lib.sh"
: "${KSR_CC:?}" "${KSR_INC_CORE:?}" "${KSR_INC_OUTPUT:?}" "${KSR_INC_OFFLINE:?}" "${KSR_INC_LIVE:?}"
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
probe output "$KSR_INC_OUTPUT" profile.h ok
probe output "$KSR_INC_OUTPUT" offline.h fail
probe output "$KSR_INC_OUTPUT" live.h fail
probe offline "$KSR_INC_OFFLINE" offline.h ok
probe offline "$KSR_INC_OFFLINE" output.h ok
probe offline "$KSR_INC_OFFLINE" live.h fail
probe live "$KSR_INC_LIVE" live.h ok
probe live "$KSR_INC_LIVE" report.h ok
probe live "$KSR_INC_LIVE" offline.h fail
finish
