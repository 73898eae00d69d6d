//! Fuzzes the whole path on in-memory bytes through the core every door calls
//! (`jixiao::process`): read (sniff, unzip, calamine) → locate → rules → the standardized
//! workbook, the annotated copy, and the JSON line. Any panic is a bug: bad input must become a
//! finding or an "unreadable" outcome.
#![no_main]

use jixiao::edition::Edition;
use jixiao::workbook::Limits;
use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

static EDITIONS: OnceLock<Vec<Edition>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    // As the binary does: parser panics are contained and reported as a corrupt file; the hook
    // keeps libFuzzer's abort for every other panic.
    let eds = EDITIONS.get_or_init(|| {
        jixiao::workbook::install_panic_hook();
        Edition::embedded()
    });
    // Smaller limits than the command line's, so each execution stays fast. The same core
    // function every door calls, with every output.
    let opts = jixiao::Options {
        editions: eds,
        limits: Limits::SMALL,
        outputs: jixiao::Outputs::ALL,
    };
    let result = jixiao::process("fuzz.xlsx", data, &opts);
    for o in &result.outputs {
        let bytes = o.bytes.as_ref().expect("an output of a read form can be built");
        assert!(!bytes.is_empty());
    }
    for outcome in &result.outcomes {
        let line = jixiao::json::line(outcome);
        assert!(!line.contains('\n'));
    }
});
