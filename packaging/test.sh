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
# Clippy lints the crate while the tests build: clippy-driver compiles as rustc does and adds its lints
# (what `cargo clippy` runs, without stopping at type checking), so one build serves both instead of a
# check of every target and then a build (5 minutes less on a fresh clone). `-D warnings` goes to it the
# way `cargo clippy -- -D warnings` passes it.
export RUSTC_WORKSPACE_WRAPPER
RUSTC_WORKSPACE_WRAPPER=$(rustup which clippy-driver 2>/dev/null || command -v clippy-driver)
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
# The UI tests (egui_kittest) need no display; unset DISPLAY so nothing reaches a real X server.
# In the release profile, the one the package ships; the integration tests are one binary (tests/suite.rs).
# The cost: the tests run without overflow checks and debug assertions, as the shipped binary does
# (`cargo test` in debug still has them).
env -u DISPLAY cargo test --locked --release --all-targets "$@"
# The store-level tests again, on PostgreSQL (tests/support/backend.rs): a throw-away cluster from
# Debian's postgresql, as the postgres user (initdb refuses root), on loopback; if it cannot start, this
# fails. Still under clippy-driver, so that nothing is compiled again.
packaging/pg-cluster.sh start target/pg-test
trap 'packaging/pg-cluster.sh stop target/pg-test' EXIT
JIANCHA_TEST_POSTGRES=$(cat target/pg-test/url) PGPASSWORD=$(cat target/pg-test/pw) \
  env -u DISPLAY cargo test --locked --release --test suite "$@" -- $(cat tests/support/on-both-backends)
packaging/pg-cluster.sh stop target/pg-test
trap - EXIT
unset RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS
# The package holds the binary the tests just ran (`--no-build`): the same code, and no second release
# build. Built with the tests, it carries eframe's wgpu renderer that egui_kittest's dev-dependency
# turns on (some MiB more); the console still draws with glow (ui::run names the renderer).
packaging/deb-test.sh --no-build
