//! jixiao (绩效): reads a filled 省级部门（单位）整体绩效目标申报表, checks it as a finance
//! reviewer would, and writes a standardized workbook with a 校验报告 sheet.
//!
//! The pipeline runs one way: bytes → [`workbook`] (sheets with absolute cells) → [`locate`]
//! (a typed [`form::Form`]) → [`rules`] (findings) → [`report`] / [`patch`] / [`json`]
//! (outputs). Edition data ([`edition`]) drives the locator and the rules. [`process`] runs it
//! for one input, bytes in and everything out; every door (the command line, the web page, the
//! fuzzer) calls it and adds only its own part.
//!
//! The `cli` feature (default) adds what only a program on a computer needs: writing files
//! ([`output`]) and loading an edition from a path. Without it the library builds for
//! wasm32-unknown-unknown.

pub mod edition;
pub mod finding;
pub mod form;
#[cfg(feature = "cli")]
pub mod ioerror;
pub mod json;
pub mod locate;
#[cfg(feature = "cli")]
pub mod output;
pub mod patch;
pub mod pipeline;
pub mod recreate;
pub mod report;
pub mod rules;
pub mod summary;
pub mod template;
pub mod text;
pub mod workbook;

pub use pipeline::{FileResult, Options, Outcome, Output, OutputKind, Outputs, Status, process};

/// Checks one workbook given as bytes with one edition and the default limits, building no
/// outputs: one outcome per form (or one saying why none could be read). A convenience over
/// [`process`] for tests and tools.
pub fn check_bytes(file: &str, bytes: &[u8], ed: &edition::Edition) -> Vec<Outcome> {
    check_bytes_with(
        file,
        bytes,
        std::slice::from_ref(ed),
        &workbook::Limits::default(),
    )
}

/// As [`check_bytes`], detecting the edition among `eds`, within `limits`.
pub fn check_bytes_with(
    file: &str,
    bytes: &[u8],
    eds: &[edition::Edition],
    limits: &workbook::Limits,
) -> Vec<Outcome> {
    let opts = Options {
        editions: eds,
        limits: *limits,
        outputs: Outputs::default(),
    };
    process(file, bytes, &opts).outcomes
}
