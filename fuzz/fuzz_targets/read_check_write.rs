//! Fuzzes the whole path on in-memory bytes: read (sniff, unzip, calamine) → locate → rules →
//! the standardized workbook, the annotated copy and the JSON line. Any panic is a bug: bad input must become a
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
    // Smaller limits than the command line's, so each execution stays fast.
    let limits = Limits {
        max_file_bytes: 4 << 20,
        max_unzipped_bytes: 32 << 20,
        max_cells: 100_000,
    };
    let (outcomes, wb) = jixiao::check_workbook("fuzz.xlsx", data, eds, &limits);
    for outcome in &outcomes {
        if let Some(form) = &outcome.form {
            let ed = eds.iter().find(|e| e.edition.id == outcome.edition).expect("the edition used");
            let bytes = jixiao::report::standard_workbook(outcome, form, ed).expect("writing a read form");
            assert!(!bytes.is_empty());
        }
        let line = jixiao::json::line(outcome);
        assert!(!line.contains('\n'));
    }
    if let Some(wb) = &wb
        && outcomes.iter().any(|o| o.form.is_some())
    {
        let copy = jixiao::annotate::annotated_workbook(wb, &outcomes).expect("copying a read workbook");
        assert!(!copy.is_empty());
    }
});
