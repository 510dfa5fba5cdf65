#!/usr/bin/env bash
# Installs what is missing, builds, and opens the console. Without arguments it opens the demo hall
# (四平市政务服务中心) in ~/.local/share/jiancha, creating it on the first start; with arguments they
# go to `jiancha` as they are (e.g. `packaging/run.sh --data-dir /srv/hall` for a hall's own data,
# whose first start offers 打开演示大厅 / 新建本大厅 / 连接服务器).
# Usage: packaging/run.sh [jiancha arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
packaging/setup.sh
if [ "$#" -eq 0 ]; then
  set -- --demo
fi
exec cargo run --locked --bin jiancha -- "$@"
