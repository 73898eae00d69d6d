//! Property test, run in CI and bounded: whatever is done to the samples' bytes — flipped bytes,
//! cuts, insertions, or edits inside the xlsx's XML parts re-zipped — reading, checking and
//! writing never panics. (The cargo-fuzz target in fuzz/ explores the same path for longer.)

use jixiao::edition::Edition;
use jixiao::workbook::Limits;
use proptest::prelude::*;
use std::io::{Cursor, Read, Write};
use std::path::Path;

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("samples")
            .join(name),
    )
    .unwrap()
}

/// Runs the whole path through the core, as every door does; a panic anywhere fails the
/// property, and so does an output of a readable form that could not be built.
fn run(bytes: &[u8]) {
    static EDITIONS: std::sync::OnceLock<Vec<Edition>> = std::sync::OnceLock::new();
    let eds = EDITIONS.get_or_init(Edition::embedded);
    let opts = jixiao::Options {
        editions: eds,
        limits: Limits::SMALL,
        outputs: jixiao::Outputs::ALL,
    };
    let result = jixiao::process("mutant", bytes, &opts);
    for o in &result.outputs {
        assert!(
            o.bytes.is_ok(),
            "{:?}: {:?}",
            o.kind,
            o.bytes.as_ref().err()
        );
    }
    for o in &result.outcomes {
        let _ = jixiao::json::line(o);
    }
}

#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Cut(usize),
    Insert(usize, Vec<u8>),
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let one = prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Flip(i, b)),
        any::<usize>().prop_map(Edit::Cut),
        (
            any::<usize>(),
            proptest::collection::vec(any::<u8>(), 1..16)
        )
            .prop_map(|(i, v)| Edit::Insert(i, v)),
    ];
    proptest::collection::vec(one, 1..6)
}

fn apply(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        if bytes.is_empty() {
            break;
        }
        match e {
            Edit::Flip(i, b) => {
                let n = bytes.len();
                bytes[i % n] ^= b | 1;
            }
            Edit::Cut(i) => bytes.truncate(i % bytes.len()),
            Edit::Insert(i, v) => {
                let at = i % bytes.len();
                bytes.splice(at..at, v.iter().copied());
            }
        }
    }
    bytes
}

/// Text that matters to the parsers: markup, quotes, digits, signs, CJK, entities.
fn xml_noise() -> impl Strategy<Value = String> {
    proptest::string::string_regex(r#"[<>/"'=&;#0-9A-Za-z:\-.%≥≤ 一级指标值类型定性]{1,12}"#)
        .unwrap()
}

/// Re-zips the sample with one XML part edited.
fn edit_inside(part_pick: usize, at: usize, noise: &str) -> Vec<u8> {
    let bytes = sample("seed-2022-corrected.xlsx");
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
    let xml_parts: Vec<String> = (0..zip.len())
        .map(|i| zip.by_index(i).unwrap().name().unwrap().to_string())
        .filter(|n| n.ends_with(".xml"))
        .collect();
    let target = &xml_parts[part_pick % xml_parts.len()];
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        if &name == target {
            let at = at % data.len().max(1);
            data.splice(at..at, noise.bytes());
        }
        out.start_file(name, opts).unwrap();
        out.write_all(&data).unwrap();
    }
    out.finish().unwrap().into_inner()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn mutated_xlsx_never_panics(e in edits()) {
        run(&apply(sample("seed-2022.xlsx"), &e));
    }

    #[test]
    fn mutated_xls_never_panics(e in edits()) {
        run(&apply(sample("seed-2022-corrected.xls"), &e));
    }

    #[test]
    fn mutated_ods_never_panics(e in edits()) {
        run(&apply(sample("seed-2022-corrected.ods"), &e));
    }

    #[test]
    fn edited_xml_inside_xlsx_never_panics(part in any::<usize>(), at in any::<usize>(), noise in xml_noise()) {
        run(&edit_inside(part, at, &noise));
    }
}

/// Inputs the fuzzer once crashed on (tests/regressions/): each now runs through.
#[test]
fn fuzz_regressions_run_through() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/regressions");
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        run(&std::fs::read(e.unwrap().path()).unwrap());
        n += 1;
    }
    assert!(n >= 1);
}
