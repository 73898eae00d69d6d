#!/usr/bin/env bash
# Rewrites the rule table in README.md from `jixiao rules --format markdown` (the test
# readme_rule_table_is_current fails until this is run after a rule changes).
set -euo pipefail
cd "$(dirname "$0")/.."
table=$(cargo run --quiet -- rules --format markdown)
python3 - "$table" <<'PY'
import re, sys
table = sys.argv[1].strip() + "\n"
readme = open("README.md", encoding="utf-8").read()
start = readme.index("| 代码 |")
end = readme.index("\n\n", start) + 1
open("README.md", "w", encoding="utf-8").write(readme[:start] + table + readme[end:])
PY
