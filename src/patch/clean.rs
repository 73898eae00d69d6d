//! `clean`: a copy the user fixed, given back as their workbook for upload. It takes away only
//! what jixiao added — the 校验报告 sheet, the marks (each cell's format back to the one its clone
//! was made from, inserted blank cells removed), jixiao's notes and the text it appended to the
//! user's own notes, its property — and keeps the user's fixes, fills and notes. On a copy no one
//! edited, every part comes back exactly as it was in the input.

use super::book::{self, Edit};
use super::comments::{APPENDED, AUTHOR};
use super::meta::{self, CUSTOM_PART};
use super::package::{
    self, Package, REL_COMMENTS, REL_CUSTOM, REL_STYLES, REL_VML, ZipOut, parse_rels, rels_path,
    resolve,
};
use super::sheet::parse_a1;
use super::styles::{Origin, Styles, truncate};
use super::{PatchError, xml};
use crate::workbook::Limits;
use quick_xml::events::Event;
use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;

/// The user's workbook back from an annotated copy.
pub fn clean(bytes: &[u8], limits: &Limits) -> Result<Vec<u8>, PatchError> {
    let mut pkg = Package::open(bytes, limits)?;
    let custom = meta::custom_part(&mut pkg).ok_or(PatchError::NotAnnotated)?;
    let custom_text = pkg.read_text(&custom)?;
    let state = meta::read_state(&custom_text)
        .filter(|s| s.r.is_some())
        .ok_or(PatchError::NotAnnotated)?;
    let wb_path = package::workbook_path(&mut pkg)?;
    let wb_rels_path = rels_path(&wb_path);
    let wb_xml = pkg.read_text(&wb_path)?;
    let wb_rels_text = pkg.read_text(&wb_rels_path)?;
    let wb_rels = parse_rels(&wb_rels_text);
    let sheets = package::sheets(&wb_xml, &wb_rels, &wb_path);
    let report_at = sheets
        .iter()
        .position(|s| Some(&s.name) == state.r.as_ref());
    let styles_path = wb_rels
        .iter()
        .find(|r| r.typ == REL_STYLES)
        .map(|r| resolve(&wb_path, &r.target))
        .filter(|p| pkg.has(p));
    let styles_text = match &styles_path {
        Some(p) => Some(pkg.read_text(p)?),
        None => None,
    };
    let clones = match &styles_text {
        Some(t) => Styles::parse(t).map(|s| s.clones()).unwrap_or_default(),
        None => BTreeMap::new(),
    };

    let mut removed: BTreeSet<String> = BTreeSet::new();
    let mut replaced: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    // The report sheet, its relationship and the workbook's list.
    if let Some(i) = report_at {
        let entry = &sheets[i];
        if let Some(p) = &entry.path {
            removed.insert(p.clone());
            removed.insert(rels_path(p));
        }
        replaced.insert(
            wb_path.clone(),
            book::remove_report(&wb_xml, &entry.rid, state.a)?.into_bytes(),
        );
        let rid = entry.rid.clone();
        replaced.insert(
            wb_rels_path.clone(),
            book::remove_children(&wb_rels_text, |t| {
                t.local == "Relationship"
                    && xml::get_unescaped(&t.content, "Id").as_deref() == Some(rid.as_str())
            })?
            .into_bytes(),
        );
    }
    // Every other sheet: its notes, drawing and cells.
    for (i, entry) in sheets.iter().enumerate() {
        let Some(path) = entry.path.clone() else {
            continue;
        };
        if Some(i) == report_at {
            continue;
        }
        // The sheet's index before the report was added (it was put first).
        let before = match report_at {
            Some(r) if i > r => i - 1,
            _ => i,
        };
        let select = state.t.contains(&(before as u32));
        let srels_path = rels_path(&path);
        let srels_text = if pkg.has(&srels_path) {
            Some(pkg.read_text(&srels_path)?)
        } else {
            None
        };
        let rels = srels_text.as_deref().map(parse_rels).unwrap_or_default();
        let mut drop_rids: Vec<String> = Vec::new();
        let comments = rels
            .iter()
            .find(|r| r.typ == REL_COMMENTS && !r.external)
            .map(|r| (r.id.clone(), resolve(&path, &r.target)))
            .filter(|(_, p)| pkg.has(p));
        let mut removed_cells: BTreeSet<(u32, u32)> = BTreeSet::new();
        if let Some((rid, part)) = &comments {
            let text = pkg.read_text(part)?;
            let (cleaned, cells) = clean_comments(&text)?;
            removed_cells = cells;
            match cleaned {
                Some(t) if t != text => {
                    replaced.insert(part.clone(), t.into_bytes());
                }
                Some(_) => {}
                None => {
                    removed.insert(part.clone());
                    drop_rids.push(rid.clone());
                }
            }
        }
        let vml = rels
            .iter()
            .find(|r| r.typ == REL_VML && !r.external)
            .map(|r| (r.id.clone(), resolve(&path, &r.target)))
            .filter(|(_, p)| pkg.has(p));
        let mut drop_drawing: Option<String> = None;
        if let Some((rid, part)) = &vml
            && !removed_cells.is_empty()
        {
            let text = pkg.read_text(part)?;
            match clean_vml(&text, &removed_cells) {
                Some(t) if t != text => {
                    replaced.insert(part.clone(), t.into_bytes());
                }
                Some(_) => {}
                None => {
                    removed.insert(part.clone());
                    drop_rids.push(rid.clone());
                    drop_drawing = Some(rid.clone());
                }
            }
        }
        if let Some(t) = &srels_text
            && !drop_rids.is_empty()
        {
            let left = book::remove_children(t, |tag| {
                tag.local == "Relationship"
                    && xml::get_unescaped(&tag.content, "Id")
                        .is_some_and(|id| drop_rids.contains(&id))
            })?;
            if parse_rels(&left).is_empty() {
                removed.insert(srels_path.clone());
            } else {
                replaced.insert(srels_path.clone(), left.into_bytes());
            }
        }
        let (text, changed) = {
            let input = pkg.reader(&path)?;
            clean_sheet(input, &clones, select, drop_drawing.as_deref())?
        };
        if changed {
            replaced.insert(path, text);
        }
    }
    // The custom property, the styles, the content types and the package relationships.
    if state.c {
        removed.insert(custom.clone());
        let root = pkg.read_text("_rels/.rels")?;
        replaced.insert(
            "_rels/.rels".to_string(),
            book::remove_children(&root, |t| {
                t.local == "Relationship" && xml::get(&t.content, "Type") == Some(REL_CUSTOM)
            })?
            .into_bytes(),
        );
    } else if let Some(t) = meta::without_property(&custom_text) {
        replaced.insert(custom.clone(), t.into_bytes());
    }
    if let (Some(path), Some(text), Some(x), Some(e)) =
        (&styles_path, &styles_text, state.x, state.e)
        && Styles::parse(text).map(|s| s.counts()).ok() == Some(e)
    {
        replaced.insert(path.clone(), truncate(text, x)?.into_bytes());
    }
    let ct = pkg.read_text("[Content_Types].xml")?;
    let vml_left = pkg
        .names
        .iter()
        .any(|n| n.ends_with(".vml") && !removed.contains(n));
    let ct = book::remove_children(&ct, |t| match t.local.as_str() {
        "Override" => xml::get_unescaped(&t.content, "PartName")
            .is_some_and(|p| removed.contains(p.trim_start_matches('/'))),
        "Default" => {
            state.vml
                && !vml_left
                && xml::get(&t.content, "Extension").is_some_and(|e| e.eq_ignore_ascii_case("vml"))
        }
        _ => false,
    })?;
    replaced.insert("[Content_Types].xml".to_string(), ct.into_bytes());

    let mut out = ZipOut::new();
    for name in pkg.names.clone() {
        if removed.contains(&name) {
            continue;
        }
        match replaced.get(&name) {
            Some(bytes) => out.put(&name, bytes)?,
            None => pkg.raw_copy(&name, &mut out)?,
        }
    }
    let _ = CUSTOM_PART;
    out.finish()
}

/// A comments part without jixiao's notes: its own comments removed (author "jixiao"), the text
/// it appended to the user's comments taken off, its author removed when nothing refers to it.
/// `None` when no comment is left. Also gives the cells whose comment was removed.
/// A comments part cleaned (`None`: nothing left) and the cells whose comment went.
type CleanedComments = (Option<String>, BTreeSet<(u32, u32)>);

fn clean_comments(text: &str) -> Result<CleanedComments, PatchError> {
    // The author index of jixiao.
    let mut authors: Vec<String> = Vec::new();
    {
        let mut r = quick_xml::Reader::from_str(text);
        let mut in_author = false;
        loop {
            match r.read_event() {
                Ok(Event::Start(e)) if xml::local(e.name().as_ref()) == "author" => {
                    in_author = true;
                    authors.push(String::new());
                }
                Ok(Event::Empty(e)) if xml::local(e.name().as_ref()) == "author" => {
                    authors.push(String::new());
                }
                Ok(Event::Text(t)) if in_author => {
                    if let Some(last) = authors.last_mut() {
                        last.push_str(&xml::unescape(&t.xml10_content()));
                    }
                }
                Ok(Event::End(e)) if xml::local(e.name().as_ref()) == "author" => in_author = false,
                Ok(Event::Eof) => break,
                Err(e) => return Err(PatchError::corrupt(format!("批注：{e}"))),
                _ => {}
            }
        }
    }
    let ours = authors
        .iter()
        .position(|a| a == AUTHOR)
        .map(|i| i.to_string());
    let mut cells = BTreeSet::new();
    let mut left = 0usize;
    let mut max_author_left = None;
    // First the runs jixiao appended (their text starts with the marker).
    let without_runs = remove_appended_runs(text)?;
    let mut author_index = 0usize;
    let out = book::rewrite(&without_runs, |t| {
        if t.end {
            return None;
        }
        match t.local.as_str() {
            "author" => {
                let i = author_index;
                author_index += 1;
                (ours.as_deref() == Some(i.to_string().as_str()) && i + 1 == authors.len())
                    .then_some(Edit::Remove)
            }
            "comment" => {
                let author = xml::get(&t.content, "authorId").map(str::to_string);
                if author.is_some() && author == ours {
                    if let Some(at) = xml::get(&t.content, "ref").and_then(parse_a1) {
                        cells.insert(at);
                    }
                    Some(Edit::Remove)
                } else {
                    left += 1;
                    let a: Option<usize> = author.and_then(|a| a.parse().ok());
                    max_author_left = max_author_left.max(a);
                    None
                }
            }
            _ => None,
        }
    })?;
    // jixiao's author stays if a comment left still names it (the user took one over).
    let keep_author = ours
        .as_deref()
        .and_then(|o| o.parse::<usize>().ok())
        .is_some_and(|o| max_author_left.is_some_and(|m| m >= o));
    let out = if keep_author {
        without_runs_only_comments(&without_runs, &cells)?
    } else {
        out
    };
    Ok(((left > 0).then_some(out), cells))
}

/// The part with jixiao's comments removed but every author kept.
fn without_runs_only_comments(
    text: &str,
    cells: &BTreeSet<(u32, u32)>,
) -> Result<String, PatchError> {
    book::rewrite(text, |t| {
        (!t.end
            && t.local == "comment"
            && xml::get(&t.content, "ref")
                .and_then(parse_a1)
                .is_some_and(|at| cells.contains(&at)))
        .then_some(Edit::Remove)
    })
}

/// Takes away the `<r>` runs whose text starts with jixiao's marker.
fn remove_appended_runs(text: &str) -> Result<String, PatchError> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut ranges: Vec<std::ops::Range<usize>> = Vec::new();
    let mut run_start: Option<usize> = None;
    let mut run_text = String::new();
    loop {
        let start = reader.buffer_position() as usize;
        let ev = reader
            .read_event()
            .map_err(|e| PatchError::corrupt(format!("批注：{e}")))?;
        let end = reader.buffer_position() as usize;
        match ev {
            Event::Start(e) if xml::local(e.name().as_ref()) == "r" => {
                run_start = Some(start);
                run_text.clear();
            }
            Event::Text(t) if run_start.is_some() => {
                run_text.push_str(&xml::unescape(&t.xml10_content()))
            }
            Event::End(e) if xml::local(e.name().as_ref()) == "r" => {
                if let Some(s) = run_start.take()
                    && run_text.trim_start().starts_with(APPENDED)
                {
                    ranges.push(s..end);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for r in ranges {
        out.push_str(&text[at..r.start]);
        at = r.end;
    }
    out.push_str(&text[at..]);
    Ok(out)
}

/// A VML drawing without the note shapes of `cells`; `None` when no shape is left.
fn clean_vml(text: &str, cells: &BTreeSet<(u32, u32)>) -> Option<String> {
    let (v, _, x) = super::comments::Prefixes::of(text);
    let v = v.unwrap_or_else(|| "v".to_string());
    let x = x.unwrap_or_else(|| "x".to_string());
    let (open, close) = (format!("<{v}:shape "), format!("</{v}:shape>"));
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut shapes_left = 0;
    while let Some(start) = rest.find(&open) {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let end = after
            .find(&close)
            .map(|e| e + close.len())
            .unwrap_or(after.len());
        let shape = &after[..end];
        let num = |tag: &str| -> Option<u32> {
            let open = format!("<{x}:{tag}>");
            let s = shape.find(&open)? + open.len();
            shape[s..].split('<').next()?.trim().parse().ok()
        };
        let is_note = shape.contains("ObjectType=\"Note\"");
        let ours = is_note
            && matches!((num("Row"), num("Column")), (Some(r), Some(c)) if cells.contains(&(r, c)));
        if !ours {
            out.push_str(shape);
            shapes_left += 1;
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    (shapes_left > 0).then_some(out)
}

/// Streams a worksheet back: clones' cells to their original formats (`s` removed where there
/// was none), cells jixiao inserted and left blank removed (and rows left empty by that), the
/// sheet reselected, jixiao's drawing link removed. Returns the part and whether it changed.
fn clean_sheet(
    input: impl BufRead,
    clones: &BTreeMap<u32, Origin>,
    select: bool,
    drop_drawing: Option<&str>,
) -> Result<(Vec<u8>, bool), PatchError> {
    let mut reader = quick_xml::Reader::from_reader(input);
    let mut w = quick_xml::Writer::new(Vec::new());
    let mut buf = Vec::new();
    let mut changed = false;
    // A row being held until its end: its start tag, its events, whether it had only `r`.
    let mut row: Option<(Vec<Event<'static>>, bool, usize, usize)> = None;
    // Inside a cell being dropped (an inserted cell the user filled is kept, so only empty ones).
    loop {
        let ev = reader
            .read_event_into(&mut buf)
            .map_err(|e| PatchError::corrupt(format!("工作表：{e}")))?
            .into_owned();
        if matches!(ev, Event::Eof) {
            break;
        }
        let mut out_ev: Option<Event<'static>> = Some(ev.clone());
        match &ev {
            Event::Start(e) | Event::Empty(e) => {
                let empty = matches!(ev, Event::Empty(_));
                let c = xml::content(e);
                match xml::local(e.name().as_ref()) {
                    "sheetView"
                        if select && matches!(xml::get(&c, "tabSelected"), Some("0" | "false")) =>
                    {
                        changed = true;
                        let back = if xml::get(&c, "tabSelected") == Some("false") {
                            "true"
                        } else {
                            "1"
                        };
                        out_ev = Some(tagged(&xml::set(&c, "tabSelected", back), empty));
                    }
                    "legacyDrawing"
                        if drop_drawing.is_some()
                            && package::rid_of(&c).as_deref() == drop_drawing =>
                    {
                        changed = true;
                        out_ev = None;
                    }
                    "row" if !empty => {
                        let only_r =
                            c.split_whitespace().count() == 2 && xml::get(&c, "r").is_some();
                        row = Some((vec![ev.clone()], only_r, 0, 0));
                        buf.clear();
                        continue;
                    }
                    "c" => {
                        let origin = xml::get(&c, "s")
                            .and_then(|v| v.parse::<u32>().ok())
                            .and_then(|s| clones.get(&s).copied());
                        if let Some(o) = origin {
                            changed = true;
                            if o.inserted && empty {
                                out_ev = None;
                                if let Some(r) = row.as_mut() {
                                    r.3 += 1;
                                }
                            } else {
                                let c2 = if o.no_s {
                                    xml::remove(&c, "s")
                                } else {
                                    xml::set(&c, "s", &o.xf.to_string())
                                };
                                out_ev = Some(tagged(&c2, empty));
                            }
                        }
                        if out_ev.is_some()
                            && let Some(r) = row.as_mut()
                        {
                            r.2 += 1;
                        }
                    }
                    _ => {}
                }
            }
            Event::End(e) if xml::local(e.name().as_ref()) == "row" => {
                if let Some((mut events, only_r, kept, dropped)) = row.take() {
                    // A row jixiao inserted: only `r`, nothing left after its cells went.
                    if only_r && kept == 0 && dropped > 0 {
                        buf.clear();
                        continue;
                    }
                    events.push(ev.clone());
                    for e in events {
                        w.write_event(e).map_err(PatchError::corrupt)?;
                    }
                    buf.clear();
                    continue;
                }
            }
            _ => {}
        }
        if let Some(e) = out_ev {
            match row.as_mut() {
                Some((events, ..)) => events.push(e),
                None => w.write_event(e).map_err(PatchError::corrupt)?,
            }
        }
        buf.clear();
    }
    Ok((w.into_inner(), changed))
}

fn tagged(content: &str, empty: bool) -> Event<'static> {
    let t = xml::tag(content);
    if empty {
        Event::Empty(t)
    } else {
        Event::Start(t)
    }
}
