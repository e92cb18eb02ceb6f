#!/usr/bin/env bash
# docs/openapi.yaml describes every route the router knows: `ksymres serve
# --routes` prints the router's own table (routes.c), and each METHOD PATH
# must be an operation of the spec, and the spec no operation the router
# lacks. Parsed with PyYAML when present, else from the file's layout.
. "$(dirname "$0")/lib.sh"
SPEC=$KSR_SOURCE_DIR/docs/openapi.yaml
"$KSR_BIN" serve --routes >"$T/routes" || { fail "serve --routes: exit $?"; finish; exit 1; }
n=$(wc -l <"$T/routes")
[ "$n" -ge 10 ] && pass "the router has $n routes" || fail "serve --routes: $(cat "$T/routes")"
python3 - "$SPEC" >"$T/spec" <<'PY' || fail "docs/openapi.yaml does not parse"
import re, sys
text = open(sys.argv[1]).read()
try:
    import yaml
    doc = yaml.safe_load(text)
    assert doc["openapi"].startswith("3.")
    for path, item in doc["paths"].items():
        for m in ("get", "put", "post", "delete", "patch", "head", "options"):
            if m in item:
                print(m.upper(), path)
except ImportError:
    # the layout of the file: "  /path:" then "    method:"
    path = None
    inpaths = False
    for line in text.splitlines():
        if line.startswith("paths:"):
            inpaths = True
        elif inpaths and re.match(r"^  /\S*:$", line):
            path = line.strip()[:-1]
        elif inpaths and path and re.match(r"^    (get|put|post|delete|patch):", line):
            print(line.strip()[:-1].upper(), path)
PY
sort "$T/routes" >"$T/a"; sort "$T/spec" >"$T/b"
missing=$(comm -23 "$T/a" "$T/b" | tr '\n' ';')
extra=$(comm -13 "$T/a" "$T/b" | tr '\n' ';')
[ -z "$missing" ] && pass "every route of the router is in docs/openapi.yaml" ||
  fail "routes missing from docs/openapi.yaml: $missing"
[ -z "$extra" ] && pass "docs/openapi.yaml describes no route the router lacks" ||
  fail "docs/openapi.yaml has operations the router lacks: $extra"
# the spec itself, by openapi-spec-validator where it is installed
if python3 -c 'import openapi_spec_validator' 2>/dev/null; then
  python3 - "$SPEC" >"$T/v" 2>&1 <<'PY' && pass "docs/openapi.yaml is valid OpenAPI 3 (openapi-spec-validator)" ||
from openapi_spec_validator import validate
from openapi_spec_validator.readers import read_from_filename
import sys
validate(read_from_filename(sys.argv[1])[0])
PY
    fail "docs/openapi.yaml is not valid OpenAPI: $(tail -3 "$T/v")"
else
  echo "note: openapi-spec-validator not installed; the spec's structure is not validated"
fi
finish
