//! Writing fixed values into one worksheet part, streamed: a fixed cell keeps its attributes
//! (its format among them) and gets the new value — a number, or inline text, so the shared
//! strings stay untouched; a cell the sheet does not have is inserted; a cell holding a formula
//! is never changed. Every other byte goes through unchanged.

use super::PatchError;
use super::xml;
use crate::finding::EditValue;
use crate::form::col_name;
use quick_xml::events::Event;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, Write};

/// Streams `input` to `out` with `edits` (0-based (row, col) → value) written; returns the cells
/// written (a formula cell is left as it is and not listed).
pub fn set_values(
    input: impl BufRead,
    out: impl Write,
    edits: &BTreeMap<(u32, u32), EditValue>,
) -> Result<BTreeSet<(u32, u32)>, PatchError> {
    let mut pending: BTreeMap<u32, BTreeMap<u32, &EditValue>> = BTreeMap::new();
    for (&(r, c), v) in edits {
        pending.entry(r).or_default().insert(c, v);
    }
    let mut s = Values {
        w: out,
        prefix: String::new(),
        pending,
        applied: BTreeSet::new(),
        depth: 0,
        in_sheet_data: false,
        row: None,
        last_row: None,
        last_col: None,
        cell: None,
    };
    xml::each_event(input, |ev| s.event(ev))?;
    Ok(s.applied)
}

/// A cell being replaced: its position, its start tag, and its events so far (written back
/// unchanged if it turns out to hold a formula).
struct Held {
    at: (u32, u32),
    content: String,
    events: Vec<u8>,
    formula: bool,
    depth: usize,
}

struct Values<'a, W: Write> {
    w: W,
    prefix: String,
    pending: BTreeMap<u32, BTreeMap<u32, &'a EditValue>>,
    applied: BTreeSet<(u32, u32)>,
    depth: usize,
    in_sheet_data: bool,
    row: Option<u32>,
    last_row: Option<u32>,
    last_col: Option<u32>,
    cell: Option<Held>,
}

impl<W: Write> Values<'_, W> {
    fn write(&mut self, bytes: &[u8]) -> Result<(), PatchError> {
        self.w.write_all(bytes).map_err(PatchError::corrupt)
    }

    fn put(&mut self, ev: &Event) -> Result<(), PatchError> {
        let mut bytes = Vec::new();
        quick_xml::Writer::new(&mut bytes)
            .write_event(ev.borrow())
            .map_err(PatchError::corrupt)?;
        match self.cell.as_mut() {
            Some(held) => {
                held.events.extend_from_slice(&bytes);
                Ok(())
            }
            None => self.write(&bytes),
        }
    }

    fn event(&mut self, ev: Event) -> Result<(), PatchError> {
        if let Some(held) = self.cell.as_mut() {
            match &ev {
                Event::Start(e) => {
                    held.formula |= xml::local(e.name().as_ref()) == "f";
                    held.depth += 1;
                }
                Event::Empty(e) => held.formula |= xml::local(e.name().as_ref()) == "f",
                Event::End(_) if held.depth == 0 => {
                    self.depth = self.depth.saturating_sub(1);
                    let Some(held) = self.cell.take() else {
                        return Ok(());
                    };
                    if held.formula {
                        if let Some(cells) = self.pending.get_mut(&held.at.0) {
                            cells.remove(&held.at.1);
                        }
                        self.write(&held.events)?;
                        return self.put(&ev);
                    }
                    return self.replaced(held.at, &held.content);
                }
                Event::End(_) => held.depth -= 1,
                _ => {}
            }
            return self.put(&ev);
        }
        match &ev {
            Event::Start(e) | Event::Empty(e) => {
                let empty = matches!(ev, Event::Empty(_));
                let qname = e.name();
                let name = xml::local(qname.as_ref()).to_string();
                if self.depth == 0 {
                    self.prefix = xml::prefix_of(qname.as_ref());
                }
                let content = xml::content(e);
                match name.as_str() {
                    "sheetData" if empty => {
                        let tag = format!("<{content}>");
                        self.write(tag.as_bytes())?;
                        self.flush_rows(u32::MAX)?;
                        let end = format!("</{}sheetData>", self.prefix);
                        return self.write(end.as_bytes());
                    }
                    "sheetData" => self.in_sheet_data = true,
                    "row" if self.in_sheet_data => {
                        let r = xml::get(&content, "r")
                            .and_then(|v| v.parse::<u32>().ok())
                            .map(|r| r.saturating_sub(1))
                            .unwrap_or_else(|| self.last_row.map_or(0, |l| l + 1));
                        self.flush_rows(r)?;
                        self.last_row = Some(r);
                        self.last_col = None;
                        if empty && self.pending.contains_key(&r) {
                            let tag = format!("<{content}>");
                            self.write(tag.as_bytes())?;
                            self.flush_cells(r, u32::MAX)?;
                            let end = format!("</{}row>", self.prefix);
                            return self.write(end.as_bytes());
                        }
                        if !empty {
                            self.row = Some(r);
                        }
                    }
                    "c" if self.in_sheet_data && self.row.is_some() => {
                        let r = self.row.unwrap_or(0);
                        let c = xml::get(&content, "r")
                            .and_then(super::parse_a1)
                            .map(|(_, c)| c)
                            .unwrap_or_else(|| self.last_col.map_or(0, |l| l + 1));
                        self.flush_cells(r, c)?;
                        self.last_col = Some(c);
                        if self
                            .pending
                            .get(&r)
                            .is_some_and(|cells| cells.contains_key(&c))
                        {
                            if empty {
                                return self.replaced((r, c), &content);
                            }
                            self.depth += 1;
                            let mut events = Vec::new();
                            quick_xml::Writer::new(&mut events)
                                .write_event(ev.borrow())
                                .map_err(PatchError::corrupt)?;
                            self.cell = Some(Held {
                                at: (r, c),
                                content,
                                events,
                                formula: false,
                                depth: 0,
                            });
                            return Ok(());
                        }
                    }
                    _ => {}
                }
                if !empty {
                    self.depth += 1;
                }
                self.put(&ev)
            }
            Event::End(e) => {
                self.depth = self.depth.saturating_sub(1);
                match xml::local(e.name().as_ref()) {
                    "row" if self.in_sheet_data => {
                        if let Some(r) = self.row.take() {
                            self.flush_cells(r, u32::MAX)?;
                        }
                    }
                    "sheetData" => {
                        self.flush_rows(u32::MAX)?;
                        self.in_sheet_data = false;
                    }
                    _ => {}
                }
                self.put(&ev)
            }
            _ => self.put(&ev),
        }
    }

    /// Writes cell `at` with its new value, keeping the attributes of `content` but its type.
    fn replaced(&mut self, at: (u32, u32), content: &str) -> Result<(), PatchError> {
        let Some(value) = self
            .pending
            .get_mut(&at.0)
            .and_then(|cells| cells.remove(&at.1))
        else {
            let tag = format!("<{content}/>");
            return self.write(tag.as_bytes());
        };
        let tag = xml::remove(content, "t");
        let text = cell_xml(&self.prefix, &tag, value);
        self.applied.insert(at);
        self.write(text.as_bytes())
    }

    /// Inserts the edited cells of row `r` left of column `before` that the row does not have.
    fn flush_cells(&mut self, r: u32, before: u32) -> Result<(), PatchError> {
        let Some(cells) = self.pending.get_mut(&r) else {
            return Ok(());
        };
        let due: Vec<(u32, &EditValue)> = cells.range(..before).map(|(c, v)| (*c, *v)).collect();
        for (c, _) in &due {
            cells.remove(c);
        }
        if cells.is_empty() {
            self.pending.remove(&r);
        }
        for (c, v) in due {
            let tag = format!("{}c r=\"{}{}\"", self.prefix, col_name(c), r + 1);
            let text = cell_xml(&self.prefix, &tag, v);
            self.applied.insert((r, c));
            self.write(text.as_bytes())?;
        }
        Ok(())
    }

    /// Inserts the rows with edited cells the sheet does not have, above row `before`.
    fn flush_rows(&mut self, before: u32) -> Result<(), PatchError> {
        let rows: Vec<u32> = self.pending.range(..before).map(|(r, _)| *r).collect();
        for r in rows {
            let text = format!("<{}row r=\"{}\">", self.prefix, r + 1);
            self.write(text.as_bytes())?;
            self.flush_cells(r, u32::MAX)?;
            let text = format!("</{}row>", self.prefix);
            self.write(text.as_bytes())?;
        }
        Ok(())
    }
}

/// A whole cell element from its start tag's content (name and attributes, no type) and value.
fn cell_xml(prefix: &str, tag: &str, value: &EditValue) -> String {
    match value {
        EditValue::Number(n) => format!(
            "<{tag}><{prefix}v>{}</{prefix}v></{prefix}c>",
            n.normalize()
        ),
        EditValue::Text(t) => format!(
            "<{tag} t=\"inlineStr\"><{prefix}is><{prefix}t xml:space=\"preserve\">{}</{prefix}t></{prefix}is></{prefix}c>",
            xml::escape(t)
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal::Decimal;

    fn run(sheet: &str, edits: &[((u32, u32), EditValue)]) -> (String, BTreeSet<(u32, u32)>) {
        let edits: BTreeMap<_, _> = edits.iter().cloned().collect();
        let mut out = Vec::new();
        let applied = set_values(sheet.as_bytes(), &mut out, &edits).unwrap();
        (String::from_utf8(out).unwrap(), applied)
    }

    #[test]
    fn values_written_inserted_and_formulas_kept() {
        let sheet = r#"<worksheet xmlns="m"><sheetData><row r="2"><c r="A2" s="3" t="s"><v>0</v></c><c r="C2" s="4"><f>SUM(A1)</f><v>5</v></c><c r="E2" s="5"/></row><row r="4"/></sheetData></worksheet>"#;
        let (out, applied) = run(
            sheet,
            &[
                ((1, 0), EditValue::Number(Decimal::new(900, 1))),
                ((1, 1), EditValue::Text("%".into())),
                ((1, 2), EditValue::Number(Decimal::ONE)),
                ((1, 4), EditValue::Text("≥".into())),
                ((3, 0), EditValue::Text("<&>".into())),
                ((6, 1), EditValue::Number(Decimal::TWO)),
            ],
        );
        assert!(out.contains(r#"<c r="A2" s="3"><v>90</v></c>"#), "{out}");
        assert!(
            out.contains(r#"<c r="B2" t="inlineStr"><is><t xml:space="preserve">%</t></is></c>"#),
            "{out}"
        );
        assert!(
            out.contains(r#"<c r="C2" s="4"><f>SUM(A1)</f><v>5</v></c>"#),
            "{out}"
        );
        assert!(
            out.contains(
                r#"<c r="E2" s="5" t="inlineStr"><is><t xml:space="preserve">≥</t></is></c></row>"#
            ),
            "{out}"
        );
        assert!(out.contains(r#"<row r="4"><c r="A4" t="inlineStr"><is><t xml:space="preserve">&lt;&amp;&gt;</t></is></c></row>"#), "{out}");
        assert!(
            out.contains(r#"<row r="7"><c r="B7"><v>2</v></c></row></sheetData>"#),
            "{out}"
        );
        assert!(
            !applied.contains(&(1, 2)),
            "a formula cell is never written"
        );
        assert_eq!(applied.len(), 5);
    }

    #[test]
    fn prefixed_sheet() {
        let sheet = r#"<x:worksheet xmlns:x="m"><x:sheetData/></x:worksheet>"#;
        let (out, _) = run(sheet, &[((0, 0), EditValue::Number(Decimal::ONE))]);
        assert_eq!(
            out,
            r#"<x:worksheet xmlns:x="m"><x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c></x:row></x:sheetData></x:worksheet>"#
        );
    }
}
