#!/usr/bin/env bash
# Installs the Python tools the test suite drives, in a virtual environment of the project's own
# (target/pytools), from PyPI at pinned versions: schemathesis (the OpenAPI fuzzer run against a server on
# a demo copy) and openapi-spec-validator (checks the served document is valid OpenAPI 3.1).
# Idempotent: nothing is fetched when the pinned versions are there.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=target/pytools
WANT=(schemathesis==4.32.5 openapi-spec-validator==0.9.0 aiosmtpd==1.4.6)
if [ -x "$VENV/bin/python" ] && "$VENV/bin/python" -m pip freeze 2>/dev/null | grep -qx "schemathesis==4.32.5" \
   && "$VENV/bin/python" -m pip freeze | grep -qx "openapi-spec-validator==0.9.0" \
   && "$VENV/bin/python" -m pip freeze | grep -qx "aiosmtpd==1.4.6"; then
  echo "jiancha pytools: ${WANT[*]} present."
  exit 0
fi
mkdir -p target
python3 -m venv "$VENV"
"$VENV/bin/python" -m pip install -q --disable-pip-version-check "${WANT[@]}"
echo "jiancha pytools: installed ${WANT[*]} in $VENV"
