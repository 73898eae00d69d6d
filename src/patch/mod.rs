//! The user's own xlsx, marked — never re-drawn. The package is copied part by part: every part
//! that has nothing to do with the marks is copied as it is (its compressed bytes unchanged); the
//! parts that must change are rewritten as streams or small text edits: the marked cells' `s`
//! (pointing at a cloned cell format with a fill), a comments part and its VML drawing, the
//! relationships and content types, the workbook's sheet list (the 校验报告 sheet added first and
//! active) and the styles (formats appended). `clean` takes exactly these away again. Every
//! output jixiao writes carries a fingerprint ([`meta`]), so a copy the user edited is never
//! replaced unseen.

mod book;
mod clean;
mod comments;
pub mod meta;
pub(crate) mod package;
mod report;
mod sheet;
mod styles;
mod values;
pub(crate) mod xml;

pub use clean::clean;
pub use meta::untouched;
pub use report::fix_words as report_fix_words;
pub use sheet::parse_a1;
pub use xml::unescape;

use crate::finding::{Finding, Severity};
use crate::workbook::Limits;
use book::{add_default, add_override, add_rel, new_rels as new_rels_part};
use meta::{CUSTOM_PART, State};
use package::{
    CT_COMMENTS, CT_CUSTOM, CT_VML, CT_WORKSHEET, Package, REL_COMMENTS, REL_CUSTOM, REL_STYLES,
    REL_VML, REL_WORKSHEET, ZipOut, free_rid, parse_rels, relative, rels_path, resolve,
};
use sheet::{SheetPlan, patch_sheet};
use std::collections::{BTreeMap, BTreeSet};
use styles::Styles;

/// Why a workbook could not be patched (the caller then re-creates the copy instead).
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum PatchError {
    #[error("工作簿结构有误，无法在原文件上标注（{0}）")]
    Corrupt(String),
    #[error("工作簿解压后过大（超过 {0} MB）")]
    TooLarge(u64),
    #[error("这不是 jixiao 生成的批注副本（没有 jixiao 的标记），无需清理")]
    NotAnnotated,
}

impl PatchError {
    pub fn corrupt(e: impl std::fmt::Display) -> PatchError {
        PatchError::Corrupt(e.to_string())
    }
}

/// The report sheet's name: 校验报告, or 校验报告2 … when the workbook has one of its own.
fn report_name(existing: &[String]) -> String {
    let taken = |n: &str| {
        existing
            .iter()
            .any(|e| e.to_lowercase() == n.to_lowercase())
    };
    let mut name = "校验报告".to_string();
    let mut k = 2;
    while taken(&name) {
        name = format!("校验报告{k}");
        k += 1;
    }
    name
}

/// An unused part name from a pattern with `{}` for a number (from 1).
fn free_part(pkg: &Package, taken: &BTreeSet<String>, pattern: &str) -> String {
    (1..)
        .map(|n| pattern.replace("{}", &n.to_string()))
        .find(|p| !pkg.has(p) && !taken.contains(p))
        .unwrap_or_default()
}

/// The note text of the findings on one cell.
fn note_text(fs: &[&Finding]) -> String {
    fs.iter()
        .map(|f| {
            format!(
                "{}[{}] {}\n建议：{}",
                f.severity.zh(),
                f.code,
                f.message,
                f.hint
            )
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// What one marked sheet needs besides its own part.
struct MarkedSheet {
    index: usize,
    path: String,
    plan: SheetPlan,
    notes: BTreeMap<(u32, u32), String>,
    rels_path: String,
    /// Rewritten or new parts: name → text.
    parts: Vec<(String, String)>,
}

/// The annotated copy of an xlsx: the user's package with every finding marked on its cell and
/// a 校验报告 sheet added first. A copy jixiao annotated before is cleaned of its old marks first.
pub fn annotate(
    bytes: &[u8],
    findings: &[Finding],
    limits: &Limits,
) -> Result<Vec<u8>, PatchError> {
    if meta::state_of(bytes, limits).is_some_and(|s| s.r.is_some()) {
        let cleaned = clean(bytes, limits)?;
        return annotate_fresh(&cleaned, findings, limits);
    }
    annotate_fresh(bytes, findings, limits)
}

fn annotate_fresh(
    bytes: &[u8],
    findings: &[Finding],
    limits: &Limits,
) -> Result<Vec<u8>, PatchError> {
    let mut pkg = Package::open(bytes, limits)?;
    let wb_path = package::workbook_path(&mut pkg)?;
    let wb_rels_path = rels_path(&wb_path);
    let wb_xml = pkg.read_text(&wb_path)?;
    let wb_rels_text = pkg.read_text(&wb_rels_path)?;
    let wb_rels = parse_rels(&wb_rels_text);
    let sheets = package::sheets(&wb_xml, &wb_rels, &wb_path);
    let styles_path = wb_rels
        .iter()
        .find(|r| r.typ == REL_STYLES)
        .map(|r| resolve(&wb_path, &r.target))
        .filter(|p| pkg.has(p))
        .ok_or_else(|| PatchError::corrupt("没有样式部件"))?;
    let mut styles = Styles::parse(&pkg.read_text(&styles_path)?)?;
    let xf_counts = styles.counts();
    let report_xfs = styles.report();

    // The findings by sheet and cell.
    let mut by_sheet: BTreeMap<usize, BTreeMap<(u32, u32), Vec<&Finding>>> = BTreeMap::new();
    for f in findings {
        let Some(cell) = f.cell else { continue };
        if cell.row >= 1_048_576 || cell.col >= 16_384 {
            continue; // listed on the report sheet; no such cell exists in Excel
        }
        let Some(i) = sheets
            .iter()
            .position(|s| s.name == f.sheet && s.path.is_some())
        else {
            continue;
        };
        by_sheet
            .entry(i)
            .or_default()
            .entry((cell.row, cell.col))
            .or_default()
            .push(f);
    }
    let active = active_tab(&wb_xml) as usize;
    let mut taken: BTreeSet<String> = BTreeSet::new();
    let mut marked: Vec<MarkedSheet> = Vec::new();
    let mut new_vml = false;
    for (i, entry) in sheets.iter().enumerate() {
        let Some(path) = entry.path.clone() else {
            continue;
        };
        let cells = by_sheet.remove(&i);
        if cells.is_none() && i != active {
            continue;
        }
        let cells = cells.unwrap_or_default();
        let marks = cells
            .iter()
            .map(|(k, fs)| {
                (
                    *k,
                    fs.iter()
                        .map(|f| f.severity)
                        .min()
                        .unwrap_or(Severity::Info),
                )
            })
            .collect();
        let notes: BTreeMap<(u32, u32), String> =
            cells.iter().map(|(k, fs)| (*k, note_text(fs))).collect();
        let srels_path = rels_path(&path);
        let mut m = MarkedSheet {
            index: i,
            path: path.clone(),
            plan: SheetPlan {
                marks,
                legacy_drawing: None,
                unselect: true,
            },
            notes,
            rels_path: srels_path.clone(),
            parts: Vec::new(),
        };
        if !m.notes.is_empty() {
            new_vml |= plan_notes(&mut pkg, &mut m, &mut taken, i as u32 + 1)?;
        }
        marked.push(m);
    }

    // The report sheet: a new part, listed first in the workbook and active.
    let names: Vec<String> = sheets.iter().map(|s| s.name.clone()).collect();
    let report_name = report_name(&names);
    let report_part = free_part(&pkg, &taken, "xl/worksheets/sheet{}.xml");
    taken.insert(report_part.clone());
    let report_rid = free_rid(&wb_rels, 1);
    let sheet_id = sheets.iter().map(|s| s.sheet_id).max().unwrap_or(0) + 1;
    let (wb_new, active_before) = book::add_report(&wb_xml, &report_name, sheet_id, &report_rid)?;
    let wb_rels_new = add_rel(
        &wb_rels_text,
        &report_rid,
        REL_WORKSHEET,
        &relative(&wb_path, &report_part),
    )?;

    // Content types and the custom properties part.
    let mut ct = pkg.read_text("[Content_Types].xml")?;
    ct = add_override(&ct, &report_part, CT_WORKSHEET)?;
    for m in &marked {
        for (part, _) in &m.parts {
            if part.ends_with(".xml") && part.contains("comments") && !pkg.has(part) {
                ct = add_override(&ct, part, CT_COMMENTS)?;
            }
        }
    }
    let mut state = State {
        v: 1,
        r: Some(report_name),
        a: active_before,
        x: Some(xf_counts),
        ..State::default()
    };
    if new_vml {
        let (c, added) = add_default(&ct, "vml", CT_VML)?;
        ct = c;
        state.vml = added;
    }
    let existing_custom = meta::custom_part(&mut pkg);
    let custom_text = match &existing_custom {
        Some(p) => Some(pkg.read_text(p)?),
        None => None,
    };
    let custom = existing_custom
        .clone()
        .unwrap_or_else(|| CUSTOM_PART.to_string());
    let root_rels = if existing_custom.is_none() {
        state.c = true;
        ct = add_override(&ct, CUSTOM_PART, CT_CUSTOM)?;
        let rels = pkg.read_text("_rels/.rels")?;
        Some(add_rel(
            &rels,
            &free_rid(&parse_rels(&rels), 1),
            REL_CUSTOM,
            CUSTOM_PART,
        )?)
    } else {
        None
    };

    // The parts, in the package's order; new ones after.
    let mut out = ZipOut::new();
    let names_in_order = pkg.names.clone();
    for name in &names_in_order {
        if Some(name) == existing_custom.as_ref() || *name == styles_path {
            continue; // written last, with what the sheets added
        }
        if name == "[Content_Types].xml" {
            out.put(name, ct.as_bytes())?;
        } else if *name == wb_path {
            out.put(name, wb_new.as_bytes())?;
        } else if *name == wb_rels_path {
            out.put(name, wb_rels_new.as_bytes())?;
        } else if name == "_rels/.rels" && root_rels.is_some() {
            out.put(name, root_rels.as_deref().unwrap_or_default().as_bytes())?;
        } else if let Some(m) = marked.iter_mut().find(|m| m.path == *name) {
            out.start(name)?;
            let done = {
                let input = pkg.reader(name)?;
                patch_sheet(input, out.writer(), &m.plan, &mut styles)?
            };
            if done.was_selected {
                state.t.push(m.index as u32);
            }
        } else if let Some(text) = marked
            .iter()
            .flat_map(|m| m.parts.iter())
            .find(|(p, _)| p == name)
            .map(|(_, t)| t.clone())
        {
            out.put(name, text.as_bytes())?;
        } else {
            pkg.raw_copy(name, &mut out)?;
        }
    }
    for (part, text) in marked.iter().flat_map(|m| m.parts.iter()) {
        if !pkg.has(part) {
            out.put(part, text.as_bytes())?;
        }
    }
    out.put(
        &report_part,
        report::report_sheet(findings, &report_xfs).as_bytes(),
    )?;
    out.put(&styles_path, &styles.write()?)?;
    state.e = Some(styles.counts());
    meta::seal(out, &custom, &state, custom_text.as_deref())
}

/// The active tab of workbook.xml (0 when not set).
fn active_tab(wb_xml: &str) -> u32 {
    wb_xml
        .find("<workbookView")
        .or_else(|| wb_xml.find(":workbookView"))
        .and_then(|at| {
            let end = wb_xml[at..].find('>')? + at;
            xml::get(&wb_xml[at + 1..end], "activeTab")?.parse().ok()
        })
        .unwrap_or(0)
}

/// Plans the notes of one sheet: its comments part and VML drawing, new or the user's own with
/// jixiao's added, and the relationships to them. Returns whether a new VML part was made.
fn plan_notes(
    pkg: &mut Package,
    m: &mut MarkedSheet,
    taken: &mut BTreeSet<String>,
    sheet_no: u32,
) -> Result<bool, PatchError> {
    let rels_text = if pkg.has(&m.rels_path) {
        Some(pkg.read_text(&m.rels_path)?)
    } else {
        None
    };
    let rels = rels_text.as_deref().map(parse_rels).unwrap_or_default();
    let find = |typ: &str| {
        rels.iter()
            .find(|r| r.typ == typ && !r.external)
            .map(|r| resolve(&m.path, &r.target))
    };
    let comments_part = find(REL_COMMENTS).filter(|p| pkg.has(p));
    let vml_part = find(REL_VML).filter(|p| pkg.has(p));
    let mut new_rels: Vec<(String, &str, String)> = Vec::new();
    let mut new_vml = false;
    // Comments: the user's, with jixiao's added; or a new part.
    let shapes_needed: Vec<(u32, u32)> = match &comments_part {
        Some(part) => {
            let text = pkg.read_text(part)?;
            let (text, new_cells) = comments::add_to_comments(&text, &m.notes);
            m.parts.push((part.clone(), text));
            new_cells
        }
        None => {
            let part = free_part(pkg, taken, "xl/comments{}.xml");
            taken.insert(part.clone());
            m.parts
                .push((part.clone(), comments::new_comments(&m.notes)));
            new_rels.push((String::new(), REL_COMMENTS, relative(&m.path, &part)));
            m.notes.keys().copied().collect()
        }
    };
    // The drawing: the user's, with shapes added; or a new one, linked from the sheet.
    match &vml_part {
        Some(part) => {
            let text = pkg.read_text(part)?;
            m.parts.push((
                part.clone(),
                comments::add_to_vml(&text, &shapes_needed, sheet_no),
            ));
        }
        None => {
            let part = free_part(pkg, taken, "xl/drawings/vmlDrawing{}.vml");
            taken.insert(part.clone());
            m.parts
                .push((part.clone(), comments::new_vml(&shapes_needed, sheet_no)));
            new_rels.push((String::new(), REL_VML, relative(&m.path, &part)));
            new_vml = true;
        }
    }
    // Relationship ids for the new links; the VML one is the sheet's legacyDrawing.
    let mut all = rels.clone();
    let mut rels_text = rels_text;
    let mut created: Vec<(String, &str, String)> = Vec::new();
    for (n, (_, typ, target)) in new_rels.into_iter().enumerate() {
        let id = free_rid(&all, n + 1);
        all.push(package::Rel {
            id: id.clone(),
            typ: typ.to_string(),
            target: target.clone(),
            external: false,
        });
        if typ == REL_VML {
            m.plan.legacy_drawing = Some(id.clone());
        }
        match rels_text.as_mut() {
            Some(t) => *t = add_rel(t, &id, typ, &target)?,
            None => created.push((id, typ, target)),
        }
    }
    match rels_text {
        Some(t) => m.parts.push((m.rels_path.clone(), t)),
        None if !created.is_empty() => m.parts.push((m.rels_path.clone(), new_rels_part(&created))),
        None => {}
    }
    Ok(new_vml)
}

/// A workbook jixiao wrote (rust_xlsxwriter's bytes) made the same on every platform and given
/// its fingerprint: the parts copied (the zip's host and attributes set the same everywhere),
/// and the custom properties part added.
pub fn stamp(bytes: &[u8]) -> Result<Vec<u8>, PatchError> {
    let limits = Limits::default();
    let mut pkg = Package::open(bytes, &limits)?;
    let existing_custom = meta::custom_part(&mut pkg);
    let custom_text = match &existing_custom {
        Some(p) => Some(pkg.read_text(p)?),
        None => None,
    };
    let mut state = State {
        v: 1,
        ..State::default()
    };
    let mut ct = pkg.read_text("[Content_Types].xml")?;
    let mut root = pkg.read_text("_rels/.rels")?;
    if existing_custom.is_none() {
        state.c = true;
        ct = add_override(&ct, CUSTOM_PART, CT_CUSTOM)?;
        root = add_rel(
            &root,
            &free_rid(&parse_rels(&root), 1),
            REL_CUSTOM,
            CUSTOM_PART,
        )?;
    }
    let mut out = ZipOut::new();
    for name in pkg.names.clone() {
        if Some(&name) == existing_custom.as_ref() {
            continue;
        }
        match name.as_str() {
            "[Content_Types].xml" => out.put(&name, ct.as_bytes())?,
            "_rels/.rels" => out.put(&name, root.as_bytes())?,
            // Copied as compressed; the host and attributes are made the same on every
            // platform when the zip is finished.
            _ => pkg.raw_copy(&name, &mut out)?,
        }
    }
    let custom = existing_custom.unwrap_or_else(|| CUSTOM_PART.to_string());
    meta::seal(out, &custom, &state, custom_text.as_deref())
}

/// Several finished workbooks as one zip (the web page's "download all"): each stored as it is,
/// in the order given, with the zip epoch as its time and Unix as its host, so the same files
/// give the same bytes.
pub fn bundle<'a>(
    files: impl IntoIterator<Item = (&'a str, &'a [u8])>,
) -> Result<Vec<u8>, PatchError> {
    let mut out = package::ZipOut::new();
    for (name, bytes) in files {
        out.put_stored(name, bytes)?;
    }
    out.finish()
}

/// A cell [`fix`] wrote: its sheet and 0-based (row, column).
pub type Written = (String, (u32, u32));

/// The user's xlsx with fixed values written (`edits`: sheet name → cell → value) and nothing
/// else changed: no sheet, note, colour or property added, every untouched part copied as it is.
/// A workbook jixiao annotated is cleaned first. When a number was written, the workbook asks
/// to be recalculated on opening (`fullCalcOnLoad`), so formulas over it show the new sums.
/// Returns the bytes and the cells written (a formula cell is never written).
pub fn fix(
    bytes: &[u8],
    edits: &BTreeMap<String, BTreeMap<(u32, u32), crate::finding::EditValue>>,
    limits: &Limits,
) -> Result<(Vec<u8>, Vec<Written>), PatchError> {
    if meta::state_of(bytes, limits).is_some_and(|s| s.r.is_some()) {
        let cleaned = clean(bytes, limits)?;
        return fix(&cleaned, edits, limits);
    }
    let mut pkg = Package::open(bytes, limits)?;
    let wb_path = package::workbook_path(&mut pkg)?;
    let wb_xml = pkg.read_text(&wb_path)?;
    let wb_rels = parse_rels(&pkg.read_text(&rels_path(&wb_path))?);
    let sheets = package::sheets(&wb_xml, &wb_rels, &wb_path);
    let numbers = edits
        .values()
        .flat_map(|m| m.values())
        .any(|v| matches!(v, crate::finding::EditValue::Number(_)));
    let mut out = ZipOut::new();
    let mut applied = Vec::new();
    for name in pkg.names.clone() {
        let sheet = sheets
            .iter()
            .find(|s| s.path.as_deref() == Some(name.as_str()))
            .and_then(|s| Some((s.name.clone(), edits.get(&s.name)?)));
        if let Some((sheet_name, cells)) = sheet {
            out.start(&name)?;
            let done = {
                let input = pkg.reader(&name)?;
                values::set_values(input, out.writer(), cells)?
            };
            applied.extend(done.into_iter().map(|c| (sheet_name.clone(), c)));
        } else if name == wb_path && numbers {
            out.put(&name, book::recalculate_on_load(&wb_xml).as_bytes())?;
        } else {
            pkg.raw_copy(&name, &mut out)?;
        }
    }
    Ok((out.finish()?, applied))
}
