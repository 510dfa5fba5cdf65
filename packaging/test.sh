#!/usr/bin/env bash
# Runs the whole test suite headless, after installing the system packages it needs, then builds the
# Debian package and checks it by installing it here (packaging/deb-test.sh; as root).
# Usage: packaging/test.sh [extra cargo test arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
packaging/setup.sh
packaging/pytools.sh
# Every lint is an error in CI (each `allow` in the code says why).
rustup component add clippy rustfmt >/dev/null 2>&1 || true
# The code is formatted as rustfmt.toml says.
cargo fmt --check
cargo clippy --locked --all-targets -- -D warnings
# The UI tests (egui_kittest) need no display; unset DISPLAY so nothing reaches a real X server.
# In the release profile, the one the package ships: the package build below then reuses most of this
# build (measured on a fresh clone: .ci/run 2,453 s with debug tests, 2,144 s with these), and the tests
# run the binary a hall gets. The cost: the tests run without overflow checks and debug assertions, as the
# shipped binary does (`cargo test` in debug still has them).
env -u DISPLAY cargo test --locked --release --all-targets "$@"
packaging/deb-test.sh
