#!/usr/bin/env bash
# Builds the programs staff download and packs each with a short Chinese 使用说明.txt:
#   dist/jixiao-<version>-windows-x86_64.zip   (jixiao.exe, cross-built with mingw-w64)
#   dist/jixiao-<version>-linux-x86_64.tar.gz  (jixiao)
#   dist/jixiao.html                            (the offline page, by scripts/web.sh)
# Needs: rustup target add x86_64-pc-windows-gnu; apt-get install mingw-w64; python3.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
version=$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)
cargo build --release --locked
cargo build --release --locked --target x86_64-pc-windows-gnu
mkdir -p dist
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

win="$stage/jixiao-$version-windows-x86_64"
mkdir -p "$win"
cp target/x86_64-pc-windows-gnu/release/jixiao.exe "$win/"
# Notepad on older Windows wants CRLF line ends; the BOM makes it read UTF-8.
{ printf '\xef\xbb\xbf'; sed 's/$/\r/' scripts/dist/使用说明-windows.txt; } >"$win/使用说明.txt"
# Fixed times and order, so the same program gives the same archive; names flagged UTF-8 so
# Explorer shows 使用说明.txt right.
python3 - "$stage" "$(basename "$win")" "dist/jixiao-$version-windows-x86_64.zip" <<'PY'
import os, sys, zipfile
stage, top, out = sys.argv[1:]
with zipfile.ZipFile(out + ".tmp", "w", zipfile.ZIP_DEFLATED) as z:
    for name in sorted(os.listdir(os.path.join(stage, top))):
        info = zipfile.ZipInfo(f"{top}/{name}", date_time=(2000, 1, 1, 0, 0, 0))
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o100755 << 16
        with open(os.path.join(stage, top, name), "rb") as f:
            z.writestr(info, f.read())
os.replace(out + ".tmp", out)
PY

lin="$stage/jixiao-$version-linux-x86_64"
mkdir -p "$lin"
cp target/release/jixiao "$lin/"
cp scripts/dist/使用说明-linux.txt "$lin/使用说明.txt"
tar --sort=name --mtime='2000-01-01 00:00:00' --owner=0 --group=0 --numeric-owner \
  -C "$stage" -czf "dist/jixiao-$version-linux-x86_64.tar.gz" "$(basename "$lin")"

scripts/web.sh
ls -l dist/
