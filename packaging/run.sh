#!/usr/bin/env bash
# Installs what is missing, builds, and opens the console. With nothing configured, the first start
# creates the demo hall (四平市政务服务中心) in ~/.local/share/jiancha and opens it.
# Usage: packaging/run.sh [jiancha arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
packaging/setup.sh
exec cargo run --locked --bin jiancha -- "$@"
