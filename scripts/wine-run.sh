#!/usr/bin/env bash
# Runs a Windows program under wine, in the project's own prefix (target/wine): cargo's runner
# for x86_64-pc-windows-gnu, so `cargo test --target x86_64-pc-windows-gnu` runs the Windows
# tests. The prefix is made once and kept in ~/.cache/jixiao (making one takes a minute).
#
# Wine 8.0 (Debian 12) has no bcryptprimitives.dll, whose ProcessPrng Rust's std calls for random
# bytes; every Rust program would stop at start. The prefix gets a tiny stand-in built here with
# mingw from scripts/wine/bcryptprimitives.c (ProcessPrng over RtlGenRandom). Real Windows 10 and
# later have the real one; the stand-in is never shipped.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
wine=/usr/lib/wine/wine64
export WINEPREFIX="${JIXIAO_WINEPREFIX:-$root/target/wine}"
export WINEDEBUG="${WINEDEBUG:--all}"
# No Mono or Gecko installer prompts while the prefix is made.
export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-mscoree,mshtml=}"
export WINEARCH=win64
if [ ! -f "$WINEPREFIX/.jixiao-ready" ]; then
  version=$("$wine" --version | tr -c 'a-zA-Z0-9.\n-' _)
  cache="${XDG_CACHE_HOME:-$HOME/.cache}/jixiao/wineprefix-$version"
  mkdir -p "$(dirname "$WINEPREFIX")"
  (
    flock 9
    if [ ! -f "$WINEPREFIX/.jixiao-ready" ]; then
      if [ ! -f "$cache/.jixiao-ready" ]; then
        rm -rf "$cache"
        mkdir -p "$(dirname "$cache")"
        WINEPREFIX="$cache" "$wine" wineboot --init >/dev/null 2>&1
        WINEPREFIX="$cache" /usr/lib/wine/wineserver -w
        x86_64-w64-mingw32-gcc -shared -O2 -o "$cache/drive_c/windows/system32/bcryptprimitives.dll" \
          "$root/scripts/wine/bcryptprimitives.c" -ladvapi32
        touch "$cache/.jixiao-ready"
      fi
      rm -rf "$WINEPREFIX"
      cp -a "$cache" "$WINEPREFIX"
    fi
  ) 9>"$WINEPREFIX.lock"
fi
exec "$wine" "$@"
