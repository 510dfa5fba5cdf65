#!/usr/bin/env bash
# Runs the whole test suite headless, after installing the system packages it needs, then builds the
# Debian package and checks it by installing it here (packaging/deb-test.sh; as root).
# Usage: packaging/test.sh [extra cargo test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
packaging/setup.sh
packaging/pytools.sh
# Every lint is an error in CI (each `allow` in the code says why).
rustup component add clippy >/dev/null 2>&1 || true
cargo clippy --locked --all-targets -- -D warnings
# The UI tests (egui_kittest) need no display; unset DISPLAY so nothing reaches a real X server.
env -u DISPLAY cargo test --locked --all-targets "$@"
packaging/deb-test.sh
