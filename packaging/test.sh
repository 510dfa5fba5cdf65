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
# In the release profile: one optimised build serves the tests and the package below (cargo deb finds it
# fresh), instead of a debug build and a release build of everything; and the tests run the demo's
# replay, PDFs and video at the speed a hall gets. Overflow checks stay on in the tests' code paths only
# where the code checks explicitly (as it must: the shipped binary has none either).
env -u DISPLAY cargo test --locked --release --all-targets "$@"
packaging/deb-test.sh
