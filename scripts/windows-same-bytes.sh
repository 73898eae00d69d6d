#!/usr/bin/env bash
# The workbooks jixiao.exe writes under wine equal, byte for byte, those the Linux program writes:
# every sample, realistic form and corpus file converted in one batch, its 汇总.xlsx included
# (the files are named one by one, as `in/…` on both: a folder walked on Windows would list them
# as `in\…`, as Explorer shows them). Takes the two programs already built (debug by default:
# `cargo test` builds them).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
profile="${1:-debug}"
linux="$root/target/$profile/jixiao"
windows="$root/target/x86_64-pc-windows-gnu/$profile/jixiao.exe"
for p in "$linux" "$windows"; do
  [ -x "$p" ] || [ -f "$p" ] || { echo "没有 $p：先构建它" >&2; exit 2; }
done
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/in"
cp "$root"/samples/*.xls* "$root"/samples/*.ods "$work/in/"
cp "$root"/tests/realistic/*.xls* "$root"/tests/realistic/*.ods "$work/in/" 2>/dev/null || true
cp "$root"/tests/corpus/*.xls* "$root"/tests/corpus/*.ods "$work/in/" 2>/dev/null || true
run() { # program out-dir
  local prog="$1" out="$2"
  mkdir -p "$out"
  if [ "${prog##*.}" = exe ]; then
    (cd "$work" && "$root/scripts/wine-run.sh" "$prog" convert in/* -o "$out" >/dev/null 2>&1) || true
  else
    (cd "$work" && "$prog" convert in/* -o "$out" >/dev/null 2>&1) || true
  fi
}
run "$linux" "$work/linux"
run "$windows" "$work/windows"
n=$(find "$work/linux" -type f | wc -l)
[ "$n" -gt 10 ] || { echo "Linux 程序只写了 $n 个文件" >&2; exit 1; }
if diff -r "$work/linux" "$work/windows"; then
  echo "Windows 与 Linux 写出的 $n 个文件逐字节相同"
else
  echo "Windows 与 Linux 写出的文件不同" >&2
  exit 1
fi
