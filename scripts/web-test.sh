#!/usr/bin/env bash
# Tests the offline page built by scripts/web.sh: drives dist/jixiao.html in Debian's headless
# Chromium with playwright-core (no browser download) and compares what it shows and downloads
# with the command line's answers. Writes target/web/test/page.png and figures.json.
#   scripts/web-test.sh [JIXIAO_BINARY]   (default target/debug/jixiao, built if missing)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
jixiao="${1:-target/debug/jixiao}"
[ -x "$jixiao" ] || cargo build
[ -f dist/jixiao.html ] || scripts/web.sh
if ! command -v chromium >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk
fi
(cd web/tests && npm ci --no-audit --no-fund --silent)
node web/tests/page.test.js "$jixiao" target/web/test
