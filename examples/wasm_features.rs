//! Checks that a WebAssembly module uses only the features the offline page declares, so it runs
//! in the Chromium 75-era engines some office browsers embed: the 1.0 spec (MVP with mutable
//! globals) plus sign-extension (Chrome 74), non-trapping float-to-int and bulk memory (Chrome
//! 75). No reference types (Chrome 96; this also rejects LLVM's overlong call_indirect
//! encoding), multi-value, SIMD, threads, exceptions, tail calls or GC.
//!
//! `cargo run --example wasm_features -- FILE.wasm…` exits 1 naming the first feature a module
//! uses beyond these.

use wasmparser::{Validator, WasmFeatures};

/// What the page's module may use (README: "Old browsers").
const ALLOWED: WasmFeatures = WasmFeatures::WASM1
    .union(WasmFeatures::SIGN_EXTENSION)
    .union(WasmFeatures::SATURATING_FLOAT_TO_INT)
    .union(WasmFeatures::BULK_MEMORY);

fn main() {
    let files: Vec<String> = std::env::args().skip(1).collect();
    if files.is_empty() {
        eprintln!("用法：wasm_features FILE.wasm…");
        std::process::exit(2);
    }
    let mut failed = false;
    for f in &files {
        let bytes = match std::fs::read(f) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{f}: {e}");
                std::process::exit(2);
            }
        };
        // The same module is also valid with every feature, or the check proves nothing.
        if let Err(e) = Validator::new_with_features(WasmFeatures::all()).validate_all(&bytes) {
            eprintln!("{f}: not a valid module: {e}");
            std::process::exit(2);
        }
        match Validator::new_with_features(ALLOWED).validate_all(&bytes) {
            Ok(_) => println!(
                "{f}: only MVP + mutable-globals, sign-ext, nontrapping-fptoint, bulk-memory"
            ),
            Err(e) => {
                eprintln!("{f}: uses a feature old browsers lack: {e}");
                failed = true;
            }
        }
    }
    if failed {
        std::process::exit(1);
    }
}
