//! One worksheet part, streamed event by event: a marked cell's `s` points at its clone, a marked
//! cell that is not in the sheet (a blank where a value belongs) is inserted, the note's
//! drawing is linked (`legacyDrawing`), and the sheet is unselected when the report takes the
//! focus. Every other byte of the part goes through unchanged; nothing is held but the position.

use super::PatchError;
use super::styles::{Origin, Styles};
use super::xml;
use crate::finding::Severity;
use crate::form::col_name;
use quick_xml::events::{BytesEnd, Event};
use std::collections::BTreeMap;
use std::io::{BufRead, Write};

/// What to do to one worksheet.
pub struct SheetPlan {
    /// Marked cells and their most serious finding.
    pub marks: BTreeMap<(u32, u32), Severity>,
    /// Link the comments' drawing: the relationship id of the VML part.
    pub legacy_drawing: Option<String>,
    /// Unselect the sheet's views (`tabSelected` to 0), for the report takes the focus.
    pub unselect: bool,
}

/// What streaming a worksheet found out.
#[derive(Default)]
pub struct SheetDone {
    /// The sheet was selected (`tabSelected="1"`) before.
    pub was_selected: bool,
}

const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// Elements that follow `legacyDrawing` in a worksheet (CT_Worksheet's order).
const AFTER_LEGACY_DRAWING: [&str; 8] = [
    "legacyDrawingHF",
    "drawingHF",
    "picture",
    "oleObjects",
    "controls",
    "webPublishItems",
    "tableParts",
    "extLst",
];

/// Parses "D40" into a 0-based (row, col).
pub fn parse_a1(r: &str) -> Option<(u32, u32)> {
    let letters: String = r.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
    let digits = &r[letters.len()..];
    if letters.is_empty() || letters.len() > 3 {
        return None;
    }
    let mut col = 0u32;
    for c in letters.chars() {
        col = col * 26 + (c.to_ascii_uppercase() as u32 - 'A' as u32 + 1);
    }
    let row: u32 = digits.parse().ok().filter(|r| *r >= 1)?;
    Some((row - 1, col - 1))
}

struct Streamer<'a, W: Write> {
    w: quick_xml::Writer<W>,
    plan: &'a SheetPlan,
    styles: &'a mut Styles,
    prefix: String,
    /// The prefix of the relationships namespace on the root, if declared there.
    rel_prefix: Option<String>,
    /// Marked cells not yet met, by row.
    pending: BTreeMap<u32, BTreeMap<u32, Severity>>,
    /// Column default styles from `<cols>`: (first, last, style).
    col_styles: Vec<(u32, u32, u32)>,
    drawing_done: bool,
    depth: usize,
    in_sheet_data: bool,
    /// The current row: its number and its style (when `customFormat`).
    row: Option<(u32, Option<u32>)>,
    last_row: Option<u32>,
    last_col: Option<u32>,
    done: SheetDone,
}

/// Streams one worksheet from `input` to `out` following the plan.
pub fn patch_sheet(
    input: impl BufRead,
    out: impl Write,
    plan: &SheetPlan,
    styles: &mut Styles,
) -> Result<SheetDone, PatchError> {
    let mut pending: BTreeMap<u32, BTreeMap<u32, Severity>> = BTreeMap::new();
    for (&(r, c), &sev) in &plan.marks {
        pending.entry(r).or_default().insert(c, sev);
    }
    let mut s = Streamer {
        w: quick_xml::Writer::new(out),
        plan,
        styles,
        prefix: String::new(),
        rel_prefix: None,
        pending,
        col_styles: Vec::new(),
        drawing_done: plan.legacy_drawing.is_none(),
        depth: 0,
        in_sheet_data: false,
        row: None,
        last_row: None,
        last_col: None,
        done: SheetDone::default(),
    };
    xml::each_event(input, |ev| s.event(ev))?;
    Ok(s.done)
}

impl<W: Write> Streamer<'_, W> {
    fn put(&mut self, ev: Event) -> Result<(), PatchError> {
        self.w.write_event(ev).map_err(PatchError::corrupt)
    }

    fn raw(&mut self, text: &str) -> Result<(), PatchError> {
        self.w
            .get_mut()
            .write_all(text.as_bytes())
            .map_err(PatchError::corrupt)
    }

    fn event(&mut self, ev: Event) -> Result<(), PatchError> {
        match &ev {
            Event::Start(e) | Event::Empty(e) => {
                let empty = matches!(ev, Event::Empty(_));
                let qname = e.name();
                let name = xml::local(qname.as_ref()).to_string();
                if self.depth == 0 {
                    self.root(&xml::content(e), qname.as_ref());
                }
                if self.depth == 1
                    && !self.drawing_done
                    && AFTER_LEGACY_DRAWING.contains(&name.as_str())
                {
                    self.legacy_drawing()?;
                }
                let content = xml::content(e);
                match name.as_str() {
                    "sheetView" if self.plan.unselect => {
                        let selected = xml::get(&content, "tabSelected")
                            .is_some_and(|v| v == "1" || v == "true");
                        self.done.was_selected |= selected;
                        // Set to 0 in place (not removed), so `clean` can put the 1 back exactly.
                        let c = if selected {
                            let off = if xml::get(&content, "tabSelected") == Some("true") {
                                "false"
                            } else {
                                "0"
                            };
                            xml::set(&content, "tabSelected", off)
                        } else {
                            content.clone()
                        };
                        self.put(tagged(&c, empty))?;
                    }
                    "col" => {
                        let get = |k| xml::get(&content, k).and_then(|v| v.parse::<u32>().ok());
                        if let (Some(min), Some(max), Some(style)) =
                            (get("min"), get("max"), get("style"))
                        {
                            self.col_styles.push((
                                min.saturating_sub(1),
                                max.saturating_sub(1),
                                style,
                            ));
                        }
                        self.put(ev)?;
                    }
                    "sheetData" => {
                        if empty {
                            // No rows at all: every marked cell is new.
                            let c = content.clone();
                            self.put(tagged(&c, false))?;
                            self.flush_rows(u32::MAX)?;
                            let end = format!("{}sheetData", self.prefix);
                            self.put(Event::End(BytesEnd::new(end)))?;
                        } else {
                            self.in_sheet_data = true;
                            self.put(ev)?;
                        }
                    }
                    "row" if self.in_sheet_data => self.row_start(&content, empty)?,
                    "c" if self.in_sheet_data && self.row.is_some() => {
                        self.cell(&content, empty)?
                    }
                    _ => self.put(ev)?,
                }
                if !empty {
                    self.depth += 1;
                }
            }
            Event::End(e) => {
                self.depth = self.depth.saturating_sub(1);
                let name = xml::local(e.name().as_ref()).to_string();
                match name.as_str() {
                    "row" if self.in_sheet_data => {
                        if let Some((r, style)) = self.row {
                            self.flush_cells(r, u32::MAX, style)?;
                        }
                        self.row = None;
                        self.put(ev)?;
                    }
                    "sheetData" => {
                        self.flush_rows(u32::MAX)?;
                        self.in_sheet_data = false;
                        self.put(ev)?;
                    }
                    _ if self.depth == 0 => {
                        // The end of the worksheet: the drawing goes last if nothing followed it.
                        if !self.drawing_done {
                            self.legacy_drawing()?;
                        }
                        self.put(ev)?;
                    }
                    _ => self.put(ev)?,
                }
            }
            _ => self.put(ev)?,
        }
        Ok(())
    }

    fn root(&mut self, content: &str, qname: &str) {
        self.prefix = xml::prefix_of(qname);
        // The prefix bound to the relationships namespace, if the root declares one.
        for tok in content.split_whitespace() {
            if let Some((name, _)) = tok.split_once('=')
                && let Some(p) = name.strip_prefix("xmlns:")
                && xml::get(content, name).is_some_and(|v| v == REL_NS)
            {
                self.rel_prefix = Some(p.to_string());
            }
        }
    }

    fn legacy_drawing(&mut self) -> Result<(), PatchError> {
        self.drawing_done = true;
        let Some(rid) = self.plan.legacy_drawing.clone() else {
            return Ok(());
        };
        let text = match &self.rel_prefix {
            Some(p) => format!("<{}legacyDrawing {p}:id=\"{rid}\"/>", self.prefix),
            None => format!(
                "<{}legacyDrawing xmlns:r=\"{REL_NS}\" r:id=\"{rid}\"/>",
                self.prefix
            ),
        };
        self.raw(&text)
    }

    /// A row starts: first the marked rows above it that the sheet does not have.
    fn row_start(&mut self, content: &str, empty: bool) -> Result<(), PatchError> {
        let r = xml::get(content, "r")
            .and_then(|v| v.parse::<u32>().ok())
            .map(|r| r.saturating_sub(1))
            .unwrap_or_else(|| self.last_row.map_or(0, |l| l + 1));
        self.flush_rows(r)?;
        self.last_row = Some(r);
        self.last_col = None;
        let style = xml::get(content, "customFormat")
            .filter(|v| *v == "1" || *v == "true")
            .and_then(|_| xml::get(content, "s"))
            .and_then(|v| v.parse::<u32>().ok());
        let has_marks = self.pending.contains_key(&r);
        if empty && has_marks {
            // <row r="5"/> with a marked cell: open it, add the cells, close it.
            self.put(tagged(content, false))?;
            self.flush_cells(r, u32::MAX, style)?;
            let end = format!("{}row", self.prefix);
            self.put(Event::End(BytesEnd::new(end)))?;
            self.row = None;
        } else {
            self.put(tagged(content, empty))?;
            if !empty {
                self.row = Some((r, style));
            }
        }
        Ok(())
    }

    /// A cell: first the marked cells left of it that the row does not have; then the cell
    /// itself, re-pointed at its clone when marked.
    fn cell(&mut self, content: &str, empty: bool) -> Result<(), PatchError> {
        let Some((r, row_style)) = self.row else {
            return self.put(tagged(content, empty));
        };
        let c = xml::get(content, "r")
            .and_then(parse_a1)
            .map(|(_, c)| c)
            .unwrap_or_else(|| self.last_col.map_or(0, |l| l + 1));
        self.flush_cells(r, c, row_style)?;
        self.last_col = Some(c);
        let sev = self.pending.get_mut(&r).and_then(|cells| cells.remove(&c));
        let Some(sev) = sev else {
            return self.put(tagged(content, empty));
        };
        let s = xml::get(content, "s").and_then(|v| v.parse::<u32>().ok());
        let origin = Origin {
            xf: s.unwrap_or(0),
            no_s: s.is_none(),
            inserted: false,
        };
        let clone = self.styles.clone_for(origin, sev);
        let c2 = xml::set(content, "s", &clone.to_string());
        self.put(tagged(&c2, empty))
    }

    /// Inserts the pending marked cells of row `r` left of column `before`.
    fn flush_cells(
        &mut self,
        r: u32,
        before: u32,
        row_style: Option<u32>,
    ) -> Result<(), PatchError> {
        let Some(cells) = self.pending.get_mut(&r) else {
            return Ok(());
        };
        let due: Vec<(u32, Severity)> = cells.range(..before).map(|(c, s)| (*c, *s)).collect();
        for (c, _) in &due {
            cells.remove(c);
        }
        if cells.is_empty() {
            self.pending.remove(&r);
        }
        for (c, sev) in due {
            let base = row_style.or_else(|| self.col_style(c)).unwrap_or(0);
            let clone = self.styles.clone_for(
                Origin {
                    xf: base,
                    no_s: false,
                    inserted: true,
                },
                sev,
            );
            let text = format!(
                "<{}c r=\"{}{}\" s=\"{clone}\"/>",
                self.prefix,
                col_name(c),
                r + 1
            );
            self.raw(&text)?;
        }
        Ok(())
    }

    /// Inserts the marked rows the sheet does not have, above row `before`.
    fn flush_rows(&mut self, before: u32) -> Result<(), PatchError> {
        let rows: Vec<u32> = self.pending.range(..before).map(|(r, _)| *r).collect();
        for r in rows {
            let text = format!("<{}row r=\"{}\">", self.prefix, r + 1);
            self.raw(&text)?;
            self.flush_cells(r, u32::MAX, None)?;
            let text = format!("</{}row>", self.prefix);
            self.raw(&text)?;
        }
        Ok(())
    }

    fn col_style(&self, c: u32) -> Option<u32> {
        self.col_styles
            .iter()
            .find(|(a, b, _)| (*a..=*b).contains(&c))
            .map(|(_, _, s)| *s)
    }
}

/// A start or empty tag from raw content.
fn tagged(content: &str, empty: bool) -> Event<'static> {
    let t = xml::tag(content);
    if empty {
        Event::Empty(t)
    } else {
        Event::Start(t)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(sheet: &str, marks: &[((u32, u32), Severity)], drawing: bool) -> String {
        let styles_xml = r#"<styleSheet><fonts count="1"><font/></fonts><fills count="2"><fill/><fill/></fills><borders count="1"><border/></borders><cellXfs count="3"><xf fillId="0"/><xf fillId="0"/><xf fillId="0"/></cellXfs></styleSheet>"#;
        let mut styles = Styles::parse(styles_xml).unwrap();
        let plan = SheetPlan {
            marks: marks.iter().copied().collect(),
            legacy_drawing: drawing.then(|| "rIdJx1".to_string()),
            unselect: true,
        };
        let mut out = Vec::new();
        patch_sheet(sheet.as_bytes(), &mut out, &plan, &mut styles).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn cells_marked_inserted_and_drawing_linked() {
        let sheet = r#"<worksheet xmlns="m" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheetViews><sheetView tabSelected="1" workbookViewId="0"/></sheetViews><cols><col min="2" max="2" width="9" style="2" customWidth="1"/></cols><sheetData><row r="2"><c r="A2" s="1" t="s"><v>0</v></c><c r="C2"><v>5</v></c></row><row r="5"/></sheetData><pageMargins left="0.7"/><tableParts count="0"/></worksheet>"#;
        let out = run(
            sheet,
            &[
                ((1, 0), Severity::Error),
                ((1, 1), Severity::Warning),
                ((1, 2), Severity::Info),
                ((3, 3), Severity::Error),
                ((4, 0), Severity::Error),
                ((9, 1), Severity::Warning),
            ],
            true,
        );
        assert!(
            out.contains("<sheetView tabSelected=\"0\" workbookViewId=\"0\"/>"),
            "{out}"
        );
        // A2 re-pointed, B2 inserted with the column's style as origin, C2 with no s given one.
        assert!(out.contains("<c r=\"A2\" s=\"3\" t=\"s\"><v>0</v></c><c r=\"B2\" s=\"4\"/><c r=\"C2\" s=\"5\"><v>5</v></c></row>"), "{out}");
        // Row 4 did not exist: inserted before row 5; row 5 was empty: opened for its cell.
        assert!(
            out.contains(
                "<row r=\"4\"><c r=\"D4\" s=\"6\"/></row><row r=\"5\"><c r=\"A5\" s=\"6\"/></row>"
            ),
            "{out}"
        );
        assert!(
            out.contains("<row r=\"10\"><c r=\"B10\" s=\"4\"/></row></sheetData>"),
            "{out}"
        );
        assert!(out.contains("<pageMargins left=\"0.7\"/><legacyDrawing r:id=\"rIdJx1\"/><tableParts count=\"0\"/>"), "{out}");
    }

    #[test]
    fn prefixed_and_empty_sheets() {
        let sheet = r#"<x:worksheet xmlns:x="m"><x:sheetData/></x:worksheet>"#;
        let out = run(sheet, &[((0, 0), Severity::Error)], true);
        assert_eq!(
            out,
            "<x:worksheet xmlns:x=\"m\"><x:sheetData><x:row r=\"1\"><x:c r=\"A1\" s=\"3\"/></x:row></x:sheetData><x:legacyDrawing xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\" r:id=\"rIdJx1\"/></x:worksheet>"
        );
        assert_eq!(parse_a1("XFD1048576"), Some((1_048_575, 16_383)));
        assert_eq!(parse_a1("A0"), None);
    }
}
