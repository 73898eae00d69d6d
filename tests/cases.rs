//! Rule cases: each tests/cases/*.case is a base form plus a few edits (the language of
//! tests/common/formspec.rs), turned into a real xlsx, read back through the real reader, and
//! checked against its `expect` lines (every finding, code and cell, exactly) and `json` lines
//! (a JSON pointer into the `check --format json` record and the value it must hold).
//!
//! A case file:
//!   # what the case shows
//!   base corrected            (or: base faithful; corrected is the default)
//!   set budget.total = 300
//!   expect E303 D14           (cell on the form's sheet; "-" for no cell)
//!   json /form/budget/total = "300"
//!   edition "rate_max = \"100\"" => "rate_max = \"300\""   (edit the edition file's text)
//!   when E422 off expect E421 F41   (with that rule turned off, this finding must appear)
//!
//! The rendered text (message and hint) of every finding of every case is snapshotted
//! (tests/snapshots/cases__NAME.snap), so a change of wording shows as a diff.

mod common;

use common::expect::{Expected, codes};
use common::formspec::{FormSpec, corrected_seed, faithful_seed};
use jixiao::edition::Edition;
use std::collections::BTreeSet;
use std::path::Path;

struct Case {
    spec: FormSpec,
    /// The edition TOML the case runs with (the embedded one, possibly edited).
    edition: String,
    expected: Expected,
    /// (rule turned off, code, cell) that must then be reported.
    when_off: Vec<(String, String, String)>,
}

fn parse_case(text: &str) -> Case {
    let mut spec = corrected_seed();
    let mut expected = Expected::default();
    let mut edition = jixiao::edition::BUILTIN_2022.to_string();
    let mut when_off = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || expected.take_line(line) {
            continue;
        }
        if let Some(rest) = line.strip_prefix("when ") {
            let w: Vec<&str> = rest.split_whitespace().collect();
            assert!(
                w.len() == 5 && w[1] == "off" && w[2] == "expect",
                "when CODE off expect CODE CELL: {line}"
            );
            when_off.push((w[0].to_string(), w[3].to_string(), w[4].to_string()));
            continue;
        }
        if let Some(b) = line.strip_prefix("base ") {
            spec = match b.trim() {
                "faithful" => faithful_seed(),
                "corrected" => corrected_seed(),
                other => panic!("unknown base {other}"),
            };
        } else if let Some(e) = line.strip_prefix("edition ") {
            // edition "FIND" => "REPLACE": edit the edition file's text, as a finance department would.
            let (find, replace) = e
                .split_once(" => ")
                .expect("edition \"FIND\" => \"REPLACE\"");
            let unquote =
                |s: &str| -> String { serde_json::from_str(s.trim()).expect("a JSON string") };
            let (find, replace) = (unquote(find), unquote(replace));
            assert!(edition.contains(&find), "edition text has no {find:?}");
            edition = edition.replacen(&find, &replace, 1);
        } else {
            spec.apply(line);
        }
    }
    Case {
        spec,
        edition,
        expected,
        when_off,
    }
}

/// The case's edition with one rule turned off.
fn with_rule_off(edition: &Edition, code: &str) -> Edition {
    let mut ed = edition.clone();
    ed.rules.insert(code.to_string(), "off".to_string());
    ed
}

/// Every finding as the terminal renders it (message and hint), for the snapshot.
fn rendered(outcomes: &[jixiao::Outcome]) -> String {
    outcomes
        .iter()
        .flat_map(|o| o.findings.iter().map(|f| f.line()))
        .collect::<Vec<_>>()
        .join("\n")
}

fn run_case(path: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let case = parse_case(&text);
    let bytes = case.spec.to_xlsx().map_err(|e| e.to_string())?;
    let ed = Edition::parse(&case.edition, "case edition").map_err(|e| e.to_string())?;
    let outcomes = jixiao::check_bytes("case.xlsx", &bytes, &ed);
    let name = path.file_stem().unwrap().to_string_lossy().into_owned();
    insta::assert_snapshot!(name, rendered(&outcomes));
    case.expected.verify(&outcomes)?;
    for (off, code, cell) in &case.when_off {
        let outcomes = jixiao::check_bytes("case.xlsx", &bytes, &with_rule_off(&ed, off));
        let found = outcomes.iter().flat_map(|o| &o.findings).any(|f| {
            f.code == code && f.cell.map(|c| c.to_string()).as_deref() == Some(cell.as_str())
        });
        if !found {
            return Err(format!(
                "with {off} off, {code} {cell} must be reported; got:\n  {}",
                rendered(&outcomes).replace('\n', "\n  ")
            ));
        }
    }
    Ok(())
}

#[test]
fn rule_cases() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/cases")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "case"))
        .collect();
    paths.sort();
    assert!(
        paths.len() >= 10,
        "expected the case files, found {}",
        paths.len()
    );
    let mut failures = Vec::new();
    for p in &paths {
        if let Err(e) = run_case(p) {
            failures.push(format!(
                "{}:\n{e}",
                p.file_name().unwrap().to_string_lossy()
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// Turning any one rule off never silences a problem another rule reports: on every case, with
/// each rule off in turn, every other finding is still there, and every cell the rule spoke
/// about keeps a finding wherever another rule's check also saw a problem there.
#[test]
fn turning_a_rule_off_never_silences_another() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "case"))
        .collect();
    paths.sort();
    let key = |f: &jixiao::finding::Finding| (f.code, f.sheet.clone(), f.cell, f.message.clone());
    let mut failures = Vec::new();
    let mut runs = 0;
    for p in &paths {
        let case = parse_case(&std::fs::read_to_string(p).unwrap());
        let bytes = case.spec.to_xlsx().unwrap();
        let ed = Edition::parse(&case.edition, "case edition").unwrap();
        let wb = jixiao::workbook::read(&bytes).unwrap();
        let Ok(forms) = jixiao::locate::locate(&wb, std::slice::from_ref(&ed)) else {
            continue;
        };
        for (_, form) in &forms {
            let base = jixiao::rules::run(form, &ed);
            let unresolved = jixiao::rules::run_unresolved(form, &ed);
            for rule in jixiao::rules::RULES.iter().filter(|r| r.check.is_some()) {
                let off = with_rule_off(&ed, rule.code);
                let got: BTreeSet<_> = jixiao::rules::run(form, &off).iter().map(key).collect();
                runs += 1;
                let name = p.file_name().unwrap().to_string_lossy();
                for f in base.iter().filter(|f| f.code != rule.code) {
                    if !got.contains(&key(f)) {
                        failures.push(format!("{name}: with {} off, lost {}", rule.code, f.line()));
                    }
                }
                // Cells only this rule reported: another rule that saw a problem there speaks.
                for f in base.iter().filter(|f| f.code == rule.code) {
                    let others_saw = unresolved
                        .iter()
                        .any(|u| u.code != rule.code && u.cell == f.cell && u.sheet == f.sheet);
                    let still = got
                        .iter()
                        .any(|(_, sheet, cell, _)| *cell == f.cell && *sheet == f.sheet);
                    if others_saw && !still {
                        failures.push(format!(
                            "{name}: with {} off, {} went silent",
                            rule.code,
                            f.location()
                        ));
                    }
                }
            }
        }
    }
    assert!(runs > 1000, "only {runs} runs");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Every rule a form can trigger is shown by at least one rule case or realistic workbook
/// (E001/E002 are file-level and covered by the end-to-end tests and the corpus).
#[test]
fn every_code_is_produced_somewhere() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut produced = BTreeSet::new();
    for (dir, ext) in [("cases", "case"), ("realistic", "expect")] {
        for e in std::fs::read_dir(root.join(dir)).unwrap() {
            let p = e.unwrap().path();
            if p.extension().is_some_and(|x| x == ext) {
                produced.extend(codes(&std::fs::read_to_string(p).unwrap()));
            }
        }
    }
    for r in jixiao::rules::RULES.iter().filter(|r| r.check.is_some()) {
        assert!(
            produced.contains(r.code),
            "no case or realistic workbook produces {}",
            r.code
        );
    }
}

/// samples/*.xlsx are exactly what `cargo run --example make_samples` writes from the seed data.
#[test]
#[cfg_attr(
    windows,
    ignore = "make_samples writes with rust_xlsxwriter alone, whose zip records the host; \
              jixiao's own outputs are the same on both (scripts/windows-same-bytes.sh)"
)]
fn samples_match_their_source() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    for (name, spec) in [
        ("seed-2022.xlsx", faithful_seed()),
        ("seed-2022-corrected.xlsx", corrected_seed()),
    ] {
        let committed = std::fs::read(dir.join(name)).unwrap();
        assert!(
            committed == spec.to_xlsx().unwrap(),
            "samples/{name} is stale: run `cargo run --example make_samples`"
        );
    }
}

/// `jixiao fix` on every rule case, sample and realistic workbook: a fixed finding is gone when
/// the fixed workbook is checked again, every other finding is still there (same code and cell)
/// and none is new; no cell without a fix changes, no formula changes; fixing a fixed workbook
/// changes nothing; without --unsafe-fixes no unsafe fix is applied. Every fixable code is
/// exercised.
#[test]
fn fixes_remove_their_findings_and_nothing_else() {
    use jixiao::finding::FixKind;
    use jixiao::{Options, OutputKind, Outputs};
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut inputs: Vec<(String, Vec<u8>, Vec<Edition>)> = Vec::new();
    let mut cases: Vec<_> = std::fs::read_dir(root.join("tests/cases"))
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "case"))
        .collect();
    cases.sort();
    for p in &cases {
        let case = parse_case(&std::fs::read_to_string(p).unwrap());
        let ed = Edition::parse(&case.edition, "case edition").unwrap();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        inputs.push((name, case.spec.to_xlsx().unwrap(), vec![ed]));
    }
    for dir in ["samples", "tests/realistic"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension()
                    .is_some_and(|e| e == "xlsx" || e == "xls" || e == "ods")
            })
            .collect();
        files.sort();
        for p in files {
            let name = p.file_name().unwrap().to_string_lossy().into_owned();
            inputs.push((name, std::fs::read(&p).unwrap(), Edition::embedded()));
        }
    }
    let key = |f: &jixiao::finding::Finding| (f.code, f.sheet.clone(), f.cell);
    let mut fixed_codes = BTreeSet::new();
    let mut failures = Vec::new();
    for (name, bytes, eds) in &inputs {
        let run = |bytes: &[u8], fixed: Option<FixKind>| {
            let opts = Options {
                editions: eds,
                limits: Default::default(),
                outputs: Outputs {
                    fixed,
                    ..Outputs::default()
                },
            };
            jixiao::process(name, bytes, &opts)
        };
        for upto in [FixKind::Safe, FixKind::Unsafe] {
            let r = run(bytes, Some(upto));
            let Some(out) = r.outputs.iter().find(|o| o.kind == OutputKind::Fixed) else {
                continue; // not a form: nothing to fix
            };
            let Ok(fixed) = &out.bytes else {
                failures.push(format!("{name}: no fixed workbook: {:?}", out.bytes));
                continue;
            };
            let applied: BTreeSet<(String, u32, u32)> = out
                .changes
                .iter()
                .map(|c| (c.sheet.clone(), c.cell.row, c.cell.col))
                .collect();
            if out.changes.iter().any(|c| c.kind > upto) {
                failures.push(format!("{name}: an unsafe fix applied without asking"));
            }
            let before: Vec<_> = r.outcomes.iter().flat_map(|o| o.findings.clone()).collect();
            let after_r = run(fixed, None);
            let after: BTreeSet<_> = after_r
                .outcomes
                .iter()
                .flat_map(|o| o.findings.iter().map(key))
                .collect();
            let before_keys: BTreeSet<_> = before.iter().map(key).collect();
            let done = |f: &jixiao::finding::Finding| {
                f.fix.as_ref().is_some_and(|x| {
                    x.kind <= upto
                        && x.edits
                            .iter()
                            .all(|e| applied.contains(&(f.sheet.clone(), e.cell.row, e.cell.col)))
                })
            };
            // A figure in 元 is divided only when the form then balances exactly: the sums it
            // broke are mended with it.
            let mended: &[&str] = if before.iter().any(|f| f.code == "E307" && done(f)) {
                &["E303", "E304", "E308", "E309", "E310"]
            } else {
                &[]
            };
            for f in &before {
                let done = done(f);
                if done {
                    fixed_codes.insert(f.code);
                    if after.contains(&key(f)) {
                        failures.push(format!(
                            "{name} ({upto:?}): still there after its fix: {}",
                            f.line()
                        ));
                    }
                } else if f.fix.is_none()
                    && !after.contains(&key(f))
                    // What an xls/ods file's reading noted (its encoding, its ods-only formulas)
                    // goes with the format when it becomes xlsx, fixed or not.
                    && (name.ends_with(".xlsx") || !["E902", "E905"].contains(&f.code))
                    && !mended.contains(&f.code)
                {
                    failures.push(format!(
                        "{name} ({upto:?}): lost without a fix: {}",
                        f.line()
                    ));
                }
            }
            for k in after.difference(&before_keys) {
                failures.push(format!("{name} ({upto:?}): new after fixing: {k:?}"));
            }
            // Only the fixed cells changed; no formula changed (an xls/ods against its re-creation
            // as xlsx, which writes formulas in Excel's words).
            let a = jixiao::workbook::read(bytes).unwrap();
            let a = if name.ends_with(".xlsx") {
                a
            } else {
                jixiao::workbook::read(&jixiao::recreate::workbook(&a).unwrap()).unwrap()
            };
            let b = jixiao::workbook::read(fixed).unwrap();
            for sa in &a.sheets {
                let Some(sb) = b.sheets.iter().find(|s| s.name == sa.name) else {
                    failures.push(format!("{name}: sheet {} gone", sa.name));
                    continue;
                };
                let cells: BTreeSet<(u32, u32)> = sa
                    .used()
                    .map(|(r, c, _)| (r, c))
                    .chain(sb.used().map(|(r, c, _)| (r, c)))
                    .collect();
                for (r, c) in cells {
                    let changed = jixiao::workbook::cell_text(sa.get(r, c))
                        != jixiao::workbook::cell_text(sb.get(r, c));
                    if changed && !applied.contains(&(sa.name.clone(), r, c)) {
                        failures.push(format!(
                            "{name}: {}!{} changed without a fix",
                            sa.name,
                            jixiao::form::CellRef::new(r, c)
                        ));
                    }
                    if sa.formula(r, c) != sb.formula(r, c) {
                        failures.push(format!(
                            "{name}: a formula changed at {}!{}",
                            sa.name,
                            jixiao::form::CellRef::new(r, c)
                        ));
                    }
                }
            }
            // Fixing again changes nothing.
            let again = run(fixed, Some(upto));
            let out2 = again
                .outputs
                .iter()
                .find(|o| o.kind == OutputKind::Fixed)
                .unwrap();
            if !out2.changes.is_empty() {
                failures.push(format!("{name}: a second fix changed {:?}", out2.changes));
            }
            if name.ends_with(".xlsx") && out2.bytes.as_ref().ok() != Some(fixed) {
                failures.push(format!("{name}: a second fix wrote other bytes"));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every rule that declares a fix has it exercised.
    let declared: Vec<&str> = jixiao::rules::RULES
        .iter()
        .filter(|r| r.fix.is_some())
        .map(|r| r.code)
        .collect();
    assert_eq!(declared, ["E307", "E424", "E431", "E444", "E901"]);
    for code in declared {
        assert!(
            fixed_codes.contains(code),
            "no input exercises {code}'s fix: {fixed_codes:?}"
        );
    }
}
