//! The styles part: a marked cell gets a new cell format cloned from its own (font, border,
//! number format and alignment kept) with a fill by severity, and the report sheet gets a few
//! formats of its own. Everything is appended, so the existing formats keep their numbers.
//!
//! A clone's fill carries, in its (never shown) background colour, which format it was cloned
//! from, so `clean` can put the original back even after Excel has re-saved the file.

use super::PatchError;
use super::xml;
use crate::finding::Severity;
use quick_xml::events::Event;
use std::collections::BTreeMap;

/// Fills marking a finding's cell: error, warning, 提示 (ARGB).
pub const MARK: [&str; 3] = ["FFFFC7CE", "FFFFEB9C", "FFDDEBF7"];

/// The top six bits of a clone's sentinel colour.
const TAG: u32 = 0b10_1101;

/// What a clone's sentinel colour says: which format the cell had, and how.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Origin {
    /// The cell's format before (0 when it had none).
    pub xf: u32,
    /// The cell had no `s` attribute.
    pub no_s: bool,
    /// jixiao inserted the cell (it was not in the sheet at all).
    pub inserted: bool,
}

impl Origin {
    /// The sentinel RGB for this origin.
    fn encode(self) -> Option<String> {
        (self.xf < 1 << 16).then(|| {
            let v = (TAG << 18)
                | (u32::from(self.inserted) << 17)
                | (u32::from(self.no_s) << 16)
                | self.xf;
            format!("FF{v:06X}")
        })
    }

    /// Reads a sentinel colour ("FFB6…"), if it is one.
    pub fn decode(argb: &str) -> Option<Origin> {
        let rgb = argb.get(argb.len().checked_sub(6)?..)?;
        let v = u32::from_str_radix(rgb, 16).ok()?;
        (v >> 18 == TAG).then_some(Origin {
            xf: v & 0xFFFF,
            no_s: v & (1 << 16) != 0,
            inserted: v & (1 << 17) != 0,
        })
    }
}

/// The formats of the report sheet, by role.
#[derive(Debug, Clone, Copy)]
pub struct ReportXfs {
    pub title: u32,
    pub header: u32,
    pub text: u32,
    pub number: u32,
    pub link: u32,
    pub severity: [u32; 3],
}

/// The styles part, held as events to be written back with additions.
pub struct Styles {
    events: Vec<Event<'static>>,
    /// Each cell format of `cellXfs` as events (its start tag first).
    xfs: Vec<Vec<Event<'static>>>,
    fonts: u32,
    fills: u32,
    borders: u32,
    /// The default font's name (of font 0), for the report's fonts.
    font_name: String,
    /// For each fill, the origin its sentinel colour names when it is one of jixiao's.
    fill_origins: Vec<Option<Origin>>,
    added_fonts: Vec<String>,
    added_fills: Vec<String>,
    added_borders: Vec<String>,
    added_xfs: Vec<String>,
    clones: BTreeMap<(Origin, Severity), u32>,
    report: Option<ReportXfs>,
}

impl Styles {
    pub fn parse(text: &str) -> Result<Styles, PatchError> {
        let mut reader = quick_xml::Reader::from_str(text);
        let mut events = Vec::new();
        let mut xfs: Vec<Vec<Event<'static>>> = Vec::new();
        let (mut fonts, mut fills, mut borders) = (0u32, 0u32, 0u32);
        let mut font_name = String::new();
        let mut fill_origins: Vec<Option<Origin>> = Vec::new();
        // The section being read (fonts, fills, borders, cellXfs) and the depth inside it.
        let mut section: Option<String> = None;
        let mut depth = 0usize;
        let mut in_xf = false;
        let mut seen_cell_xfs = false;
        loop {
            let ev = reader
                .read_event()
                .map_err(|e| PatchError::corrupt(format!("styles.xml：{e}")))?
                .into_owned();
            match &ev {
                Event::Start(e) => {
                    let name = xml::local(e.name().as_ref()).to_string();
                    if section.is_none()
                        && matches!(name.as_str(), "fonts" | "fills" | "borders" | "cellXfs")
                    {
                        seen_cell_xfs |= name == "cellXfs";
                        section = Some(name);
                        depth = 0;
                    } else if let Some(sec) = &section {
                        depth += 1;
                        if depth == 1 {
                            match sec.as_str() {
                                "fonts" => fonts += 1,
                                "fills" => {
                                    fills += 1;
                                    fill_origins.push(None);
                                }
                                "borders" => borders += 1,
                                "cellXfs" => {
                                    xfs.push(vec![ev.clone()]);
                                    in_xf = true;
                                }
                                _ => {}
                            }
                        } else if in_xf && let Some(x) = xfs.last_mut() {
                            x.push(ev.clone());
                        }
                    }
                }
                Event::Empty(e) => {
                    let name = xml::local(e.name().as_ref()).to_string();
                    if let Some(sec) = &section {
                        if depth == 0 {
                            match sec.as_str() {
                                "fonts" => fonts += 1,
                                "fills" => {
                                    fills += 1;
                                    fill_origins.push(None);
                                }
                                "borders" => borders += 1,
                                "cellXfs" => xfs.push(vec![ev.clone()]),
                                _ => {}
                            }
                        } else if in_xf && let Some(x) = xfs.last_mut() {
                            x.push(ev.clone());
                        }
                        if sec == "fills" && name == "bgColor" {
                            let origin = xml::get(&xml::content(e), "rgb").and_then(Origin::decode);
                            if let Some(last) = fill_origins.last_mut() {
                                *last = origin;
                            }
                        }
                        if sec == "fonts" && fonts == 1 && name == "name" && font_name.is_empty() {
                            font_name =
                                xml::get_unescaped(&xml::content(e), "val").unwrap_or_default();
                        }
                    } else if name == "cellXfs"
                        || name == "fonts"
                        || name == "fills"
                        || name == "borders"
                    {
                        return Err(PatchError::corrupt("styles.xml 缺少必需的部分"));
                    }
                }
                Event::End(e) => {
                    if section.is_some() {
                        if depth == 0 {
                            section = None;
                        } else {
                            if in_xf && let Some(x) = xfs.last_mut() {
                                x.push(ev.clone());
                            }
                            depth -= 1;
                            if depth == 0 {
                                in_xf = false;
                            }
                        }
                    }
                    let _ = e;
                }
                Event::Text(_) | Event::GeneralRef(_) | Event::CData(_) if in_xf => {
                    if let Some(x) = xfs.last_mut() {
                        x.push(ev.clone());
                    }
                }
                Event::Eof => break,
                _ => {}
            }
            events.push(ev);
        }
        if !seen_cell_xfs || fonts == 0 || fills == 0 || borders == 0 {
            return Err(PatchError::corrupt("styles.xml 缺少必需的部分"));
        }
        if font_name.is_empty() {
            font_name = "等线".to_string();
        }
        Ok(Styles {
            events,
            xfs,
            fonts,
            fills,
            borders,
            font_name,
            fill_origins,
            added_fonts: Vec::new(),
            added_fills: Vec::new(),
            added_borders: Vec::new(),
            added_xfs: Vec::new(),
            clones: BTreeMap::new(),
            report: None,
        })
    }

    /// jixiao's clones among the cell formats: format number → where it was cloned from.
    pub fn clones(&self) -> BTreeMap<u32, Origin> {
        self.xfs
            .iter()
            .enumerate()
            .filter_map(|(i, x)| {
                let Some(Event::Start(e) | Event::Empty(e)) = x.first() else {
                    return None;
                };
                let fill: usize = xml::get(&xml::content(e), "fillId")?.parse().ok()?;
                let origin = (*self.fill_origins.get(fill)?)?;
                Some((i as u32, origin))
            })
            .collect()
    }

    /// How many fonts, fills, borders and cell formats there are, with those added so far.
    pub fn counts(&self) -> [u32; 4] {
        [
            self.fonts + self.added_fonts.len() as u32,
            self.fills + self.added_fills.len() as u32,
            self.borders + self.added_borders.len() as u32,
            self.xf_count(),
        ]
    }

    /// How many cell formats there are, with the ones added so far.
    fn xf_count(&self) -> u32 {
        (self.xfs.len() + self.added_xfs.len()) as u32
    }

    /// The cell format a marked cell gets: its own, with the severity's fill.
    pub fn clone_for(&mut self, origin: Origin, severity: Severity) -> u32 {
        if let Some(&id) = self.clones.get(&(origin, severity)) {
            return id;
        }
        let fill_id = self.fills + self.added_fills.len() as u32;
        let bg = origin
            .encode()
            .map(|c| format!("<bgColor rgb=\"{c}\"/>"))
            .unwrap_or_else(|| "<bgColor indexed=\"64\"/>".to_string());
        self.added_fills.push(format!(
            "<fill><patternFill patternType=\"solid\"><fgColor rgb=\"{}\"/>{bg}</patternFill></fill>",
            MARK[severity.rank()]
        ));
        let source = self
            .xfs
            .get(origin.xf as usize)
            .or_else(|| self.xfs.first())
            .cloned()
            .unwrap_or_default();
        let mut out = String::new();
        for (i, ev) in source.iter().enumerate() {
            match ev {
                Event::Start(e) | Event::Empty(e) if i == 0 => {
                    let c = xml::content(e);
                    let c = xml::set(&c, "fillId", &fill_id.to_string());
                    let c = xml::set(&c, "applyFill", "1");
                    let close = if matches!(ev, Event::Empty(_)) {
                        "/>"
                    } else {
                        ">"
                    };
                    out.push_str(&format!("<{c}{close}"));
                }
                other => out.push_str(&event_text(other)),
            }
        }
        if out.is_empty() {
            out = format!(
                "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"{fill_id}\" borderId=\"0\" xfId=\"0\" applyFill=\"1\"/>"
            );
        }
        let id = self.xf_count();
        self.added_xfs.push(out);
        self.clones.insert((origin, severity), id);
        id
    }

    /// The report sheet's formats (added once).
    pub fn report(&mut self) -> ReportXfs {
        if let Some(r) = self.report {
            return r;
        }
        let name = xml::escape(&self.font_name);
        let font = |extra: &str, size: u32| {
            format!(
                "<font>{extra}<sz val=\"{size}\"/><name val=\"{name}\"/><charset val=\"134\"/></font>"
            )
        };
        let base_font = self.fonts + self.added_fonts.len() as u32;
        self.added_fonts.extend([
            font("<b/>", 12),
            font("<b/>", 11),
            font("<b/><color rgb=\"FFC00000\"/>", 11),
            font("<b/><color rgb=\"FFB8860B\"/>", 11),
            font("<b/><color rgb=\"FF2F75B5\"/>", 11),
            font("<u/><color rgb=\"FF0563C1\"/>", 11),
            font("", 11),
        ]);
        let fill = self.fills + self.added_fills.len() as u32;
        self.added_fills.push(
            "<fill><patternFill patternType=\"solid\"><fgColor rgb=\"FFDDEBF7\"/><bgColor indexed=\"64\"/></patternFill></fill>".to_string(),
        );
        let border = self.borders + self.added_borders.len() as u32;
        self.added_borders.push(
            "<border><left style=\"thin\"><color auto=\"1\"/></left><right style=\"thin\"><color auto=\"1\"/></right><top style=\"thin\"><color auto=\"1\"/></top><bottom style=\"thin\"><color auto=\"1\"/></bottom><diagonal/></border>".to_string(),
        );
        let first = self.xf_count();
        let xf = |font: u32, fill_id: u32, border_id: u32, align: &str| {
            format!(
                "<xf numFmtId=\"0\" fontId=\"{font}\" fillId=\"{fill_id}\" borderId=\"{border_id}\" xfId=\"0\" applyFont=\"1\" applyFill=\"1\" applyBorder=\"1\" applyAlignment=\"1\"><alignment {align}/></xf>"
            )
        };
        let top = "vertical=\"top\" wrapText=\"1\"";
        self.added_xfs.extend([
            xf(base_font, 0, 0, "vertical=\"center\""),
            xf(
                base_font + 1,
                fill,
                border,
                "horizontal=\"center\" vertical=\"center\" wrapText=\"1\"",
            ),
            xf(base_font + 6, 0, border, top),
            xf(base_font + 6, 0, border, "vertical=\"top\""),
            xf(base_font + 5, 0, border, top),
            xf(base_font + 2, 0, border, top),
            xf(base_font + 3, 0, border, top),
            xf(base_font + 4, 0, border, top),
        ]);
        let r = ReportXfs {
            title: first,
            header: first + 1,
            text: first + 2,
            number: first + 3,
            link: first + 4,
            severity: [first + 5, first + 6, first + 7],
        };
        self.report = Some(r);
        r
    }

    /// The styles part with the additions.
    pub fn write(&self) -> Result<Vec<u8>, PatchError> {
        let mut w = quick_xml::Writer::new(Vec::new());
        let mut section: Option<String> = None;
        let mut depth = 0usize;
        for ev in &self.events {
            match ev {
                Event::Start(e) if section.is_none() => {
                    let name = xml::local(e.name().as_ref()).to_string();
                    let added = match name.as_str() {
                        "fonts" => Some(self.fonts + self.added_fonts.len() as u32),
                        "fills" => Some(self.fills + self.added_fills.len() as u32),
                        "borders" => Some(self.borders + self.added_borders.len() as u32),
                        "cellXfs" => Some(self.xf_count()),
                        _ => None,
                    };
                    match added {
                        Some(count) => {
                            let c = xml::content(e);
                            let c = if xml::get(&c, "count").is_some() {
                                xml::set(&c, "count", &count.to_string())
                            } else {
                                c
                            };
                            write(&mut w, Event::Start(xml::tag(&c)))?;
                            section = Some(name);
                            depth = 0;
                        }
                        None => write(&mut w, ev.clone())?,
                    }
                }
                Event::Start(_) => {
                    depth += 1;
                    write(&mut w, ev.clone())?;
                }
                Event::End(e) if section.is_some() && depth == 0 => {
                    let added = match section.as_deref() {
                        Some("fonts") => &self.added_fonts,
                        Some("fills") => &self.added_fills,
                        Some("borders") => &self.added_borders,
                        _ => &self.added_xfs,
                    };
                    let prefix = xml::prefix_of(e.name().as_ref());
                    for item in added {
                        w.get_mut()
                            .extend_from_slice(with_prefix(item, &prefix).as_bytes());
                    }
                    write(&mut w, ev.clone())?;
                    section = None;
                }
                Event::End(_) => {
                    depth = depth.saturating_sub(1);
                    write(&mut w, ev.clone())?;
                }
                other => write(&mut w, other.clone())?,
            }
        }
        Ok(w.into_inner())
    }
}

/// The styles part cut back to `counts` (fonts, fills, borders, cell formats): the elements
/// after them taken away and the counts set back, every other byte kept.
pub fn truncate(text: &str, counts: [u32; 4]) -> Result<String, PatchError> {
    let mut section: Option<(usize, u32)> = None;
    let mut depth = 0usize;
    let mut index = 0u32;
    super::book::rewrite(text, |t| {
        let which = match t.local.as_str() {
            "fonts" => Some(0),
            "fills" => Some(1),
            "borders" => Some(2),
            "cellXfs" => Some(3),
            _ => None,
        };
        if t.end {
            if section.is_some() {
                if depth == 0 {
                    section = None;
                } else {
                    depth -= 1;
                }
            }
            return None;
        }
        match (section, which) {
            (None, Some(k)) if !t.empty => {
                section = Some((k, counts[k]));
                depth = 0;
                index = 0;
                let c = if xml::get(&t.content, "count").is_some() {
                    xml::set(&t.content, "count", &counts[k].to_string())
                } else {
                    t.content.clone()
                };
                Some(super::book::Edit::Replace(format!("<{c}>")))
            }
            (Some((_, limit)), _) if depth == 0 => {
                let keep = index < limit;
                index += 1;
                if !t.empty {
                    depth += usize::from(keep);
                }
                (!keep).then_some(super::book::Edit::Remove)
            }
            (Some(_), _) => {
                if !t.empty {
                    depth += 1;
                }
                None
            }
            _ => None,
        }
    })
}

fn write(w: &mut quick_xml::Writer<Vec<u8>>, ev: Event) -> Result<(), PatchError> {
    w.write_event(ev).map_err(PatchError::corrupt)
}

/// An event as the text it came from.
fn event_text(ev: &Event) -> String {
    let mut w = quick_xml::Writer::new(Vec::new());
    let _ = w.write_event(ev.clone());
    String::from_utf8_lossy(&w.into_inner()).into_owned()
}

/// Markup written without a prefix, given the prefix the part's elements use ("x:"). Only the
/// element names of our own fixed markup are prefixed.
pub fn with_prefix(markup: &str, prefix: &str) -> String {
    if prefix.is_empty() {
        return markup.to_string();
    }
    let mut out = String::with_capacity(markup.len() + 16);
    let mut chars = markup.char_indices().peekable();
    while let Some((_, c)) = chars.next() {
        out.push(c);
        if c == '<' {
            match chars.peek() {
                Some((_, '/')) => {
                    out.push('/');
                    chars.next();
                    out.push_str(prefix);
                }
                Some((_, '?' | '!')) => {}
                _ => out.push_str(prefix),
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const STYLES: &str = r#"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><fonts count="1"><font><sz val="11"/><name val="宋体"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="10" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"><alignment wrapText="1"/></xf></cellXfs></styleSheet>"#;

    #[test]
    fn clones_keep_the_format_and_say_where_they_came_from() {
        let mut st = Styles::parse(STYLES).unwrap();
        let o = Origin {
            xf: 1,
            no_s: false,
            inserted: false,
        };
        let id = st.clone_for(o, Severity::Error);
        assert_eq!(id, 2);
        assert_eq!(st.clone_for(o, Severity::Error), 2, "memoised");
        let out = String::from_utf8(st.write().unwrap()).unwrap();
        assert!(out.contains("<cellXfs count=\"3\">"), "{out}");
        assert!(out.contains("<fills count=\"3\">"), "{out}");
        assert!(out.contains("<xf numFmtId=\"10\" fontId=\"0\" fillId=\"2\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\" applyFill=\"1\"><alignment wrapText=\"1\"/></xf></cellXfs>"), "{out}");
        let sentinel = out.split("bgColor rgb=\"").nth(1).unwrap()[..8].to_string();
        assert_eq!(Origin::decode(&sentinel), Some(o));
        assert_eq!(Origin::decode("FFFFC7CE"), None);
    }

    #[test]
    fn prefixes() {
        assert_eq!(with_prefix("<a><b/></a>", "x:"), "<x:a><x:b/></x:a>");
        assert_eq!(with_prefix("<a/>", ""), "<a/>");
    }
}
