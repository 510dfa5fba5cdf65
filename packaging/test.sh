#!/usr/bin/env bash
# Runs the whole test suite headless, after installing the system packages it needs.
# Usage: packaging/test.sh [extra cargo test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
packaging/setup.sh
packaging/pytools.sh
# The UI tests (egui_kittest) need no display; unset DISPLAY so nothing reaches a real X server.
exec env -u DISPLAY cargo test --locked --all-targets "$@"
