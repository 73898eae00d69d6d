//! Fuzzes the whole path on in-memory bytes through the core every door calls
//! (`jixiao::process`): read (sniff, unzip, calamine) → locate → rules → the standardized
//! workbook, the annotated copy (the patch of an xlsx, re-read and cleaned), and the JSON line. Any panic is a bug: bad input must become a
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
        // The annotated copy (the patched xlsx, or the re-created one) reads back as a form
        // and cleans back.
        if o.kind == jixiao::OutputKind::Annotated {
            let again = jixiao::process("copy.xlsx", bytes, &jixiao::Options { outputs: jixiao::Outputs::default(), ..opts });
            assert!(again.outcomes.iter().all(|x| x.form.is_some()), "the copy reads as a form");
            jixiao::patch::clean(bytes, &opts.limits).expect("the copy cleans");
        }
    }
    for outcome in &result.outcomes {
        let line = jixiao::json::line(outcome);
        assert!(!line.contains('\n'));
    }
});
