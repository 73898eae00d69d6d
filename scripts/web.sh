#!/usr/bin/env bash
# Builds the offline page, dist/jixiao.html: one file holding the page, its worker and the
# WebAssembly module (web/), that works opened from disk or served by any static server.
#
# The module is built for the engines of old office browsers (README, "The offline page"):
# -C target-cpu=mvp plus the features Chromium 75 has, with std rebuilt for that set
# (-Zbuild-std, through RUSTC_BOOTSTRAP on the stable toolchain, with its rust-src), and then
# checked by examples/wasm_features.rs. wasm-bindgen-cli of exactly the version web/Cargo.toml
# pins is installed once into ~/.cache/jixiao.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
version=$(sed -n 's/^wasm-bindgen = "=\(.*\)"/\1/p' web/Cargo.toml)
[ -n "$version" ] || { echo "web/Cargo.toml must pin wasm-bindgen with =" >&2; exit 2; }
cache="${XDG_CACHE_HOME:-$HOME/.cache}/jixiao"
bindgen="$cache/wasm-bindgen-$version/bin/wasm-bindgen"
if [ ! -x "$bindgen" ]; then
  # Only the wasm-bindgen program, without the test runner's TLS stack: a few minutes, once.
  cargo install wasm-bindgen-cli --version "$version" --no-default-features --bin wasm-bindgen \
    --root "$cache/wasm-bindgen-$version"
fi
rustup target add wasm32-unknown-unknown >/dev/null
rustup component add rust-src >/dev/null

features="+mutable-globals,+sign-ext,+nontrapping-fptoint,+bulk-memory"
(
  cd web
  RUSTC_BOOTSTRAP=1 RUSTFLAGS="-C target-cpu=mvp -C target-feature=$features" \
    CARGO_TARGET_DIR="$root/target/web" \
    cargo build --release --locked --target wasm32-unknown-unknown -Zbuild-std=std,panic_abort
)
gen="$root/target/web/bindgen"
rm -rf "$gen"
"$bindgen" --target no-modules --no-typescript --remove-name-section --remove-producers-section \
  --out-dir "$gen" \
  "$root/target/web/wasm32-unknown-unknown/release/jixiao_web.wasm"

# The declared features, checked; and the check shown to fail on a module using multi-value.
cargo run --quiet --example wasm_features -- "$gen/jixiao_web_bg.wasm"
printf '\x00asm\x01\x00\x00\x00\x01\x06\x01\x60\x00\x02\x7f\x7f' >"$gen/multi-value.wasm"
rc=0
cargo run --quiet --example wasm_features -- "$gen/multi-value.wasm" 2>/dev/null || rc=$?
if [ "$rc" -ne 1 ]; then
  echo "examples/wasm_features.rs did not reject a multi-value module (exit $rc)" >&2
  exit 1
fi

mkdir -p dist
python3 - "$gen/jixiao_web.js" "$gen/jixiao_web_bg.wasm" web/page/worker.js web/page/page.html \
  dist/jixiao.html <<'PY'
import base64, os, sys
glue, wasm, worker, page, out = sys.argv[1:]
glue = open(glue, encoding="utf-8").read()
worker = open(worker, encoding="utf-8").read()
b64 = base64.b64encode(open(wasm, "rb").read()).decode()
source = glue + "\nvar WASM_BASE64 = '" + b64 + "';\n" + worker
assert "</script" not in source.lower(), "the worker's source would end its script element"
html = open(page, encoding="utf-8").read()
assert html.count("/*WORKER*/") == 1
html = html.replace("/*WORKER*/", source)
with open(out + ".tmp", "w", encoding="utf-8", newline="\n") as f:
    f.write(html)
os.replace(out + ".tmp", out)
PY
ls -l dist/jixiao.html
