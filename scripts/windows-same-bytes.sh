#!/usr/bin/env bash
# The workbooks jixiao.exe writes under wine equal, byte for byte, those the Linux program writes:
# every sample, realistic form and corpus file converted in one batch, its 汇总.xlsx included
# (the files are named one by one, as `in/…` on both: a folder walked on Windows would list them
# as `in\…`, as Explorer shows them). Takes the two programs already built (debug by default:
# `cargo test` builds them). Then text piped on a Chinese Windows (GBK) and JSON (UTF-8).
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

# Text piped on a Chinese Windows is GBK (wine takes its ANSI code page, 936, from a zh_CN
# locale), and says exactly what the Linux program says in UTF-8; JSON stays UTF-8 there.
if locale -a 2>/dev/null | grep -qi '^zh_CN\.utf-\?8$'; then
  sample="in/seed-2022.xlsx"
  (cd "$work" && "$linux" check "$sample" >"$work/linux.txt" 2>&1) || true
  (cd "$work" && "$linux" check --format json "$sample" >"$work/linux.json") || true
  (cd "$work" && LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 "$root/scripts/wine-run.sh" "$windows" check "$sample" \
    >"$work/windows.txt" 2>&1) || true
  (cd "$work" && LANG=zh_CN.UTF-8 LC_ALL=zh_CN.UTF-8 "$root/scripts/wine-run.sh" "$windows" check --format json \
    "$sample" >"$work/windows.json") || true
  if cmp -s "$work/linux.txt" "$work/windows.txt"; then
    echo "管道输出在中文 Windows 上仍是 UTF-8，应为 GBK" >&2
    exit 1
  fi
  iconv -f GBK -t UTF-8 "$work/windows.txt" | tr -d '\r' | sed 's|in\\|in/|g' >"$work/windows-utf8.txt"
  if ! diff "$work/linux.txt" "$work/windows-utf8.txt"; then
    echo "管道输出（GBK）与 Linux 的输出不同" >&2
    exit 1
  fi
  cmp "$work/linux.json" "$work/windows.json" || { echo "JSON 输出不是相同的 UTF-8" >&2; exit 1; }
  echo "管道输出：中文 Windows 上为 GBK，内容与 Linux 相同；JSON 为相同的 UTF-8"
else
  echo "（没有 zh_CN.UTF-8 区域设置，跳过管道编码的检查）"
fi
