//! The annotated copy is the user's own workbook, marked: on xlsx files written by XlsxWriter,
//! openpyxl and LibreOffice (tests/annotate/, made by make.py) with formulas, a shared formula,
//! data validation, conditional formatting, an image, comments already there, a hidden sheet,
//! custom widths and heights, print settings and a defined name. Only the parts that must change
//! change (listed here); the marked cells keep their formats but for the fill; `clean` gives back
//! every part exactly; checking the copy gives exactly the findings of the input.

use std::collections::BTreeMap;
use std::io::{Cursor, Read};
use std::path::Path;

fn parts(bytes: &[u8]) -> BTreeMap<String, Vec<u8>> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    (0..zip.len())
        .map(|i| {
            let mut f = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            (f.name().unwrap().to_string(), data)
        })
        .collect()
}

fn text(parts: &BTreeMap<String, Vec<u8>>, name: &str) -> String {
    String::from_utf8(parts[name].clone()).unwrap()
}

fn opts(eds: &[jixiao::edition::Edition]) -> jixiao::Options<'_> {
    jixiao::Options {
        editions: eds,
        limits: Default::default(),
        outputs: jixiao::Outputs::ALL,
    }
}

/// The `<xf …>` entries of cellXfs, as text.
fn cell_xfs(styles: &str) -> Vec<String> {
    let start = styles.find("<cellXfs").unwrap();
    let body = &styles[start..styles[start..].find("</cellXfs>").unwrap() + start];
    let mut out = Vec::new();
    let mut rest = &body[body.find('>').unwrap() + 1..];
    while let Some(i) = rest.find("<xf ") {
        let tail = &rest[i..];
        let empty_end = tail.find("/>").unwrap_or(usize::MAX);
        let gt = tail.find('>').unwrap();
        let end = if gt + 1 == empty_end + 2 || tail[..gt].ends_with('/') {
            gt + 1
        } else {
            tail.find("</xf>").unwrap() + 5
        };
        out.push(tail[..end].to_string());
        rest = &tail[end..];
    }
    out
}

/// An attribute of a tag's text.
fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let i = tag.find(&key)? + key.len();
    Some(tag[i..i + tag[i..].find('"')?].to_string())
}

/// The `s` of a cell in a worksheet's XML (None when the cell has no s, or is not there).
fn cell_style(sheet: &str, cell: &str) -> Option<Option<u32>> {
    let key = format!("<c r=\"{cell}\"");
    let i = sheet.find(&key)?;
    let tag = &sheet[i..i + sheet[i..].find('>')?];
    Some(attr(tag, "s").and_then(|s| s.parse().ok()))
}

/// An xf without what marking changes (its fill).
fn without_fill(xf: &str) -> String {
    let mut x = xf.to_string();
    for name in ["fillId", "applyFill"] {
        if let Some(v) = attr(&x, name) {
            x = x.replace(&format!(" {name}=\"{v}\""), "");
        }
    }
    x
}

#[test]
fn the_copy_is_the_users_workbook_marked() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/annotate");
    let eds = jixiao::edition::Edition::embedded();
    // Per file: the parts the copy changes, then the parts it adds.
    let cases: [(&str, &[&str], &[&str]); 3] = [
        (
            "features-xlsxwriter.xlsx",
            &[
                "[Content_Types].xml",
                "docProps/custom.xml",
                "xl/_rels/workbook.xml.rels",
                "xl/comments1.xml",
                "xl/drawings/vmlDrawing1.vml",
                "xl/styles.xml",
                "xl/workbook.xml",
                "xl/worksheets/sheet1.xml",
            ],
            &["xl/worksheets/sheet4.xml"],
        ),
        (
            "features-openpyxl.xlsx",
            &[
                "[Content_Types].xml",
                "docProps/custom.xml",
                "xl/_rels/workbook.xml.rels",
                "xl/comments/comment1.xml",
                "xl/drawings/commentsDrawing1.vml",
                "xl/styles.xml",
                "xl/workbook.xml",
                "xl/worksheets/sheet1.xml",
            ],
            &["xl/worksheets/sheet4.xml"],
        ),
        (
            "features-libreoffice.xlsx",
            &[
                "[Content_Types].xml",
                "docProps/custom.xml",
                "xl/_rels/workbook.xml.rels",
                "xl/comments1.xml",
                "xl/drawings/vmlDrawing1.vml",
                "xl/styles.xml",
                "xl/workbook.xml",
                "xl/worksheets/sheet1.xml",
            ],
            &["xl/worksheets/sheet4.xml"],
        ),
    ];
    for (name, changed, added) in cases {
        let input = std::fs::read(dir.join(name)).unwrap();
        let result = jixiao::process(name, &input, &opts(&eds));
        let copy = result
            .outputs
            .iter()
            .find(|o| o.kind == jixiao::OutputKind::Annotated)
            .and_then(|o| o.bytes.clone().ok())
            .expect("an annotated copy");
        assert!(
            result.outputs.iter().all(|o| o.note.is_none()),
            "{name}: patched, not re-created"
        );
        let (a, b) = (parts(&input), parts(&copy));
        // Every part but the listed ones is byte for byte the input's.
        let mut differs: Vec<&str> = Vec::new();
        for (part, data) in &a {
            match b.get(part) {
                Some(d) if d == data => {}
                Some(_) => differs.push(part),
                None => panic!("{name}: {part} lost"),
            }
        }
        let new: Vec<&str> = b
            .keys()
            .filter(|k| !a.contains_key(*k))
            .map(String::as_str)
            .collect();
        assert_eq!(differs, changed, "{name}: changed parts");
        assert_eq!(new, added, "{name}: added parts");
        // The marked cells keep their formats but for the fill.
        let (sa, sb) = (text(&a, "xl/styles.xml"), text(&b, "xl/styles.xml"));
        let (xa, xb) = (cell_xfs(&sa), cell_xfs(&sb));
        assert_eq!(xb[..xa.len()], xa[..], "{name}: existing formats untouched");
        let (sheet_a, sheet_b) = (
            text(&a, "xl/worksheets/sheet1.xml"),
            text(&b, "xl/worksheets/sheet1.xml"),
        );
        let findings: Vec<&jixiao::finding::Finding> =
            result.outcomes.iter().flat_map(|o| &o.findings).collect();
        assert_eq!(findings.len(), 8, "{name}");
        for f in &findings {
            let cell = f.cell.unwrap().to_string();
            let before = cell_style(&sheet_a, &cell).unwrap_or(None).unwrap_or(0) as usize;
            let after = cell_style(&sheet_b, &cell)
                .flatten()
                .unwrap_or_else(|| panic!("{name}: {cell} not marked"))
                as usize;
            assert!(after >= xa.len(), "{name}: {cell} points at a clone");
            assert_eq!(
                without_fill(&xb[after]),
                without_fill(&xa[before]),
                "{name}: {cell}"
            );
        }
        // Formulas (the shared one too), validation and conditional formats are still there.
        for marker in [
            "<f t=\"shared\"",
            "<dataValidation",
            "<conditionalFormatting",
        ] {
            assert_eq!(
                sheet_b.matches(marker).count(),
                sheet_a.matches(marker).count(),
                "{name}: {marker}"
            );
        }
        assert!(
            sheet_a.matches("<f").count() >= 24,
            "{name}: the input has its formulas"
        );
        assert_eq!(
            sheet_b.matches("<f").count(),
            sheet_a.matches("<f").count(),
            "{name}"
        );
        // The user's comment on a marked cell is kept, with jixiao's text after it.
        let comments = changed
            .iter()
            .find(|p| p.contains("comment") && p.ends_with(".xml"))
            .unwrap();
        let c = text(&b, comments);
        assert!(
            c.contains("请确认比较符") && c.contains("单位全称以编办批复为准"),
            "{name}"
        );
        assert!(c.contains("【jixiao】警告[E444]"), "{name}: {c}");
        // The report: first and active, its places linked to the cells.
        let wb = text(&b, "xl/workbook.xml");
        assert!(
            wb.find("name=\"校验报告\"").unwrap() < wb.find("name=\"绩效目标申报表\"").unwrap(),
            "{name}"
        );
        let report = text(&b, "xl/worksheets/sheet4.xml");
        assert!(
            report.contains("location=\"'绩效目标申报表'!D24\""),
            "{name}"
        );
        assert_eq!(report.matches("<hyperlink ").count(), 8, "{name}");
        // Checking the copy gives exactly the input's findings.
        let again = jixiao::process(name, &copy, &opts(&eds));
        let key = |r: &jixiao::FileResult| -> Vec<(String, Option<String>, String)> {
            r.outcomes
                .iter()
                .flat_map(|o| &o.findings)
                .map(|f| {
                    (
                        f.code.to_string(),
                        f.cell.map(|c| c.to_string()),
                        f.message.clone(),
                    )
                })
                .collect()
        };
        assert_eq!(
            key(&again),
            key(&result),
            "{name}: the copy checks as the input"
        );
        // clean gives back every part of the input exactly.
        let cleaned = jixiao::patch::clean(&copy, &Default::default()).expect("clean");
        assert_eq!(parts(&cleaned), a, "{name}: clean gives the input back");
        // The same input gives the same bytes; a copy of a copy is the copy.
        let twice = jixiao::process(name, &input, &opts(&eds));
        let copy2 = twice
            .outputs
            .iter()
            .find(|o| o.kind == jixiao::OutputKind::Annotated)
            .unwrap();
        assert_eq!(
            copy2.bytes.as_ref().unwrap(),
            &copy,
            "{name}: deterministic"
        );
        let of_copy = jixiao::process(name, &copy, &opts(&eds));
        let copy3 = of_copy
            .outputs
            .iter()
            .find(|o| o.kind == jixiao::OutputKind::Annotated)
            .unwrap();
        assert_eq!(
            parts(copy3.bytes.as_ref().unwrap()),
            b,
            "{name}: annotating a copy again"
        );
    }
}

/// A copy the user fixed in place (a value changed), then cleaned: their fix stays, jixiao's
/// marks go. The fill a user gave a cell themselves (one of jixiao's colours, no sentinel) stays.
#[test]
fn clean_keeps_the_users_fixes() {
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/seed-2022.xlsx");
    let input = std::fs::read(&sample).unwrap();
    let eds = jixiao::edition::Edition::embedded();
    let result = jixiao::process("seed", &input, &opts(&eds));
    let copy = result.outputs[1].bytes.clone().unwrap();
    // The user types ≤ into the blank type of 预算调整率 (D24, a shared string index would do;
    // an inline string keeps the test short) and saves.
    let mut p = parts(&copy);
    let sheet = text(&p, "xl/worksheets/sheet1.xml");
    let at = sheet.find("<c r=\"D24\"").unwrap();
    let end = at + sheet[at..].find("/>").unwrap() + 2;
    let tag = &sheet[at..end];
    let fixed_tag = tag.replace("/>", " t=\"inlineStr\"><is><t>≤</t></is></c>");
    let fixed = sheet.replace(tag, &fixed_tag);
    p.insert("xl/worksheets/sheet1.xml".into(), fixed.into_bytes());
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (name, data) in &p {
        out.start_file(name, zip::write::SimpleFileOptions::default())
            .unwrap();
        std::io::Write::write_all(&mut out, data).unwrap();
    }
    let edited = out.finish().unwrap().into_inner();
    assert!(
        !jixiao::patch::untouched(&edited),
        "an edited copy is not jixiao's any more"
    );
    assert!(jixiao::patch::untouched(&copy));
    let cleaned = jixiao::patch::clean(&edited, &Default::default()).unwrap();
    let c = parts(&cleaned);
    let sheet = text(&c, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("<t>≤</t>"), "the fix is kept");
    assert!(!c.contains_key("xl/comments1.xml") && !c.contains_key("docProps/custom.xml"));
    assert_eq!(c["xl/styles.xml"], parts(&input)["xl/styles.xml"]);
    // And the cleaned workbook checks one warning fewer.
    let again = jixiao::process("seed", &cleaned, &opts(&eds));
    assert_eq!(again.outcomes[0].findings.len(), 7);
    assert!(
        jixiao::patch::clean(&input, &Default::default()).is_err(),
        "not a copy"
    );
}

/// The re-created copies of xls and ods inputs, read back with openpyxl, have the widths, the
/// hand-set heights, the number formats and the borders LibreOffice reports for the inputs
/// (tests/annotate/fidelity.py; the references were made by LibreOffice, see make.py).
#[test]
#[cfg_attr(
    windows,
    ignore = "reads the copies back with Python's openpyxl, which the wine prefix does not have"
)]
fn xls_and_ods_copies_look_like_their_inputs() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/annotate/fidelity.py");
    let out = std::process::Command::new("python3")
        .arg(&script)
        .arg(env!("CARGO_BIN_EXE_jixiao"))
        .output()
        .expect("python3 (with openpyxl, as .ci/run installs it)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("checked:"), "{text}");
}
