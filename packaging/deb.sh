#!/usr/bin/env bash
# Builds the Debian package target/debian/jiancha_VERSION-1_ARCH.deb with cargo-deb (a release build),
# installing cargo-deb from crates.io when it is missing.
#
# Usage: packaging/deb.sh [--deb-version V]   (extra arguments go to cargo deb)
set -euo pipefail
cd "$(dirname "$0")/.."
packaging/setup.sh
CARGO_DEB_VERSION=3.8.0
if ! cargo deb --version 2>/dev/null | grep -q "$CARGO_DEB_VERSION"; then
  cargo install cargo-deb --locked --version "$CARGO_DEB_VERSION"
fi
# The commit `jiancha --version` names (build.rs reads it when set).
JIANCHA_COMMIT=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
export JIANCHA_COMMIT
cargo deb --locked --strip "$@"
