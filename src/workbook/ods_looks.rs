//! The looks and layout of an .ods workbook, from content.xml and styles.xml: cell styles
//! (with their parents and the columns' default styles), data styles as number formats, column
//! widths and row heights, merged cells (`number-columns-spanned` / `number-rows-spanned`), the
//! print range and page orientation, and formulas converted to Excel's syntax where they can be.
//! Repeated rows and cells are followed only as far as the sheet's cells go, so a file that
//! repeats an empty styled cell a million times costs nothing.

use super::looks::{Edge, EdgeStyle, HAlign, Layout, Look, Looks, RowLook, VAlign};
use calamine::Dimensions;
use quick_xml::events::{BytesStart, Event};
use std::collections::{BTreeMap, HashMap};

/// One sheet's looks, layout, merges and formulas.
#[derive(Default)]
pub struct OdsSheet {
    pub name: String,
    pub looks: Looks,
    pub layout: Layout,
    pub merges: Vec<Dimensions>,
    /// Formulas in Excel's syntax, by cell.
    pub formulas: BTreeMap<(u32, u32), String>,
    /// Cells whose formula has no Excel equivalent (their value is kept).
    pub unconverted: Vec<(u32, u32)>,
}

/// A style as written: its parent, data style, and the properties it sets.
#[derive(Default, Clone)]
struct StyleDef {
    parent: Option<String>,
    data_style: Option<String>,
    look: PartialLook,
}

/// Properties a style sets (unset ones come from its parent).
#[derive(Default, Clone)]
struct PartialLook {
    font_name: Option<String>,
    font_size: Option<f64>,
    bold: Option<bool>,
    italic: Option<bool>,
    underline: Option<bool>,
    strike: Option<bool>,
    font_color: Option<Option<u32>>,
    fill: Option<Option<u32>>,
    borders: [Option<Option<Edge>>; 4],
    h_align: Option<Option<HAlign>>,
    v_align: Option<Option<VAlign>>,
    wrap: Option<bool>,
}

/// A page layout: landscape or not, and fit to pages wide × tall.
type PageSetup = (Option<bool>, Option<(u16, u16)>);

#[derive(Default)]
struct Styles {
    cells: HashMap<String, StyleDef>,
    default_cell: PartialLook,
    data: HashMap<String, String>,
    columns: HashMap<String, f64>,
    /// Row styles: height, and whether it is fitted to the text (`use-optimal-row-height`).
    rows: HashMap<String, (f64, bool)>,
    tables: HashMap<String, String>,
    masters: HashMap<String, String>,
    pages: HashMap<String, PageSetup>,
}

fn attr(e: &BytesStart, name: &str) -> Option<String> {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == name)
        .map(|a| crate::patch::unescape(&a.value))
}

/// A length ("2.258cm", "0.452in", "12pt", "10mm") in points.
fn points(s: &str) -> Option<f64> {
    let s = s.trim();
    let (num, unit) = s.split_at(s.find(|c: char| c.is_ascii_alphabetic())?);
    let v: f64 = num.parse().ok()?;
    Some(match unit {
        "pt" => v,
        "cm" => v * 72.0 / 2.54,
        "mm" => v * 72.0 / 25.4,
        "in" => v * 72.0,
        "pc" => v * 12.0,
        "px" => v * 0.75,
        _ => return None,
    })
}

/// A column width in points as the width an xlsx stores (characters, padding included), as
/// LibreOffice converts between the two: 7 pt a character.
fn chars(pt: f64) -> f64 {
    (pt / 7.0 * 100.0).round() / 100.0
}

fn color(s: &str) -> Option<u32> {
    let hex = s.trim().strip_prefix('#')?;
    (hex.len() == 6)
        .then(|| u32::from_str_radix(hex, 16).ok())
        .flatten()
}

/// "0.06pt solid #000000" as an edge.
fn edge(s: &str) -> Option<Edge> {
    if s.trim() == "none" || s.trim().is_empty() {
        return None;
    }
    let parts: Vec<&str> = s.split_whitespace().collect();
    let width = parts.first().and_then(|w| points(w)).unwrap_or(0.75);
    let style = match parts.get(1).copied().unwrap_or("solid") {
        "double" => EdgeStyle::Double,
        "dotted" => EdgeStyle::Dotted,
        "dashed" | "dash" => EdgeStyle::Dashed,
        "hidden" | "none" => return None,
        _ if width >= 2.25 => EdgeStyle::Thick,
        _ if width >= 1.4 => EdgeStyle::Medium,
        _ => EdgeStyle::Thin,
    };
    Some(Edge {
        style,
        color: parts.get(2).and_then(|c| color(c)).filter(|c| *c != 0),
    })
}

impl PartialLook {
    /// Reads the properties of a style's property element.
    fn read(&mut self, e: &BytesStart) {
        for a in e.attributes().flatten() {
            let key = a.key.as_ref();
            let v = crate::patch::unescape(&a.value);
            let v = v.as_str();
            match key {
                "style:font-name" | "fo:font-family" => {
                    self.font_name = Some(v.trim_matches('\'').to_string())
                }
                "fo:font-size" => self.font_size = points(v),
                "fo:font-weight" => {
                    self.bold = Some(v == "bold" || v.parse::<u32>().is_ok_and(|w| w >= 600))
                }
                "fo:font-style" => self.italic = Some(v == "italic" || v == "oblique"),
                "style:text-underline-style" => self.underline = Some(v != "none"),
                "style:text-line-through-style" => self.strike = Some(v != "none"),
                "fo:color" => self.font_color = Some(color(v).filter(|c| *c != 0)),
                "fo:background-color" => self.fill = Some(color(v)),
                "fo:border" => self.borders = [Some(edge(v)); 4],
                "fo:border-left" => self.borders[0] = Some(edge(v)),
                "fo:border-right" => self.borders[1] = Some(edge(v)),
                "fo:border-top" => self.borders[2] = Some(edge(v)),
                "fo:border-bottom" => self.borders[3] = Some(edge(v)),
                "fo:text-align" => {
                    self.h_align = Some(match v {
                        "start" | "left" => Some(HAlign::Left),
                        "center" => Some(HAlign::Center),
                        "end" | "right" => Some(HAlign::Right),
                        "justify" => Some(HAlign::Justify),
                        _ => None,
                    })
                }
                "style:vertical-align" => {
                    self.v_align = Some(match v {
                        "top" => Some(VAlign::Top),
                        "middle" => Some(VAlign::Center),
                        _ => None,
                    })
                }
                "fo:wrap-option" => self.wrap = Some(v == "wrap"),
                _ => {}
            }
        }
    }

    /// This style's properties over a parent's.
    fn over(&self, base: &Look) -> Look {
        let mut l = base.clone();
        if let Some(v) = &self.font_name {
            l.font_name = Some(v.clone());
        }
        if let Some(v) = self.font_size {
            l.font_size = Some(v);
        }
        l.bold = self.bold.unwrap_or(l.bold);
        l.italic = self.italic.unwrap_or(l.italic);
        l.underline = self.underline.unwrap_or(l.underline);
        l.strike = self.strike.unwrap_or(l.strike);
        if let Some(v) = self.font_color {
            l.font_color = v;
        }
        if let Some(v) = self.fill {
            l.fill = v;
        }
        for i in 0..4 {
            if let Some(v) = self.borders[i] {
                l.borders[i] = v;
            }
        }
        if let Some(v) = self.h_align {
            l.h_align = v;
        }
        if let Some(v) = self.v_align {
            l.v_align = v;
        }
        l.wrap = self.wrap.unwrap_or(l.wrap);
        l
    }
}

/// Reads the style definitions of content.xml or styles.xml into `st`.
fn read_styles(xml: &str, st: &mut Styles) {
    let mut reader = quick_xml::Reader::from_str(xml);
    // The style being read: (family, name) and, for a data style, its format pieces.
    let mut current: Option<(String, String)> = None;
    let mut def = StyleDef::default();
    let mut data_fmt: Option<DataFormat> = None;
    let mut page: Option<String> = None;
    loop {
        let ev = match reader.read_event() {
            Ok(e) => e,
            Err(_) => return,
        };
        match &ev {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.name();
                let name: &str = name.as_ref();
                match name {
                    "style:style" => {
                        let family = attr(e, "style:family").unwrap_or_default();
                        let n = attr(e, "style:name").unwrap_or_default();
                        def = StyleDef {
                            parent: attr(e, "style:parent-style-name"),
                            data_style: attr(e, "style:data-style-name"),
                            look: PartialLook::default(),
                        };
                        if family == "table"
                            && let Some(m) = attr(e, "style:master-page-name")
                        {
                            st.tables.insert(n.clone(), m);
                        }
                        current = Some((family, n));
                        if matches!(ev, Event::Empty(_)) {
                            finish(st, &mut current, &def);
                        }
                    }
                    "style:default-style" => {
                        let family = attr(e, "style:family").unwrap_or_default();
                        current = Some((format!("default-{family}"), String::new()));
                        def = StyleDef::default();
                    }
                    "style:table-cell-properties"
                    | "style:paragraph-properties"
                    | "style:text-properties" => {
                        def.look.read(e);
                    }
                    "style:table-column-properties" => {
                        if let (Some((_, n)), Some(w)) = (
                            &current,
                            attr(e, "style:column-width").and_then(|w| points(&w)),
                        ) {
                            st.columns.insert(n.clone(), w);
                        }
                    }
                    "style:table-row-properties" => {
                        if let (Some((_, n)), Some(h)) = (
                            &current,
                            attr(e, "style:row-height").and_then(|h| points(&h)),
                        ) {
                            let optimal = attr(e, "style:use-optimal-row-height")
                                .is_some_and(|o| o == "true");
                            st.rows.insert(n.clone(), (h, optimal));
                        }
                    }
                    "number:number-style"
                    | "number:percentage-style"
                    | "number:currency-style"
                    | "number:date-style"
                    | "number:text-style"
                    | "number:time-style" => {
                        data_fmt = Some(DataFormat::new(
                            name,
                            attr(e, "style:name").unwrap_or_default(),
                        ));
                    }
                    n if n.starts_with("number:") => {
                        if let Some(d) = data_fmt.as_mut() {
                            d.piece(n, e);
                        }
                    }
                    "style:page-layout" => page = attr(e, "style:name"),
                    "style:page-layout-properties" => {
                        if let Some(p) = &page {
                            let landscape =
                                attr(e, "style:print-orientation").map(|o| o == "landscape");
                            let fit = attr(e, "style:scale-to-X")
                                .zip(attr(e, "style:scale-to-Y"))
                                .and_then(|(x, y)| Some((x.parse().ok()?, y.parse().ok()?)))
                                .or_else(|| {
                                    attr(e, "style:scale-to-pages")
                                        .and_then(|n| n.parse().ok())
                                        .map(|n: u16| (n, n))
                                });
                            st.pages.insert(p.clone(), (landscape, fit));
                        }
                    }
                    "style:master-page" => {
                        if let (Some(n), Some(l)) =
                            (attr(e, "style:name"), attr(e, "style:page-layout-name"))
                        {
                            st.masters.insert(n, l);
                        }
                    }
                    _ => {}
                }
            }
            Event::Text(t) => {
                if let Some(d) = data_fmt.as_mut() {
                    d.text(&t.xml10_content());
                }
            }
            Event::End(e) => {
                let name = e.name();
                let name: &str = name.as_ref();
                match name {
                    "style:style" | "style:default-style" => finish(st, &mut current, &def),
                    "number:number-style"
                    | "number:percentage-style"
                    | "number:currency-style"
                    | "number:date-style"
                    | "number:text-style"
                    | "number:time-style" => {
                        if let Some(d) = data_fmt.take() {
                            st.data.insert(d.name.clone(), d.code());
                        }
                    }
                    "number:text" => {
                        if let Some(d) = data_fmt.as_mut() {
                            d.in_text = false;
                        }
                    }
                    _ => {}
                }
            }
            Event::Eof => return,
            _ => {}
        }
    }
}

fn finish(st: &mut Styles, current: &mut Option<(String, String)>, def: &StyleDef) {
    match current.take() {
        Some((family, name)) if family == "table-cell" => {
            st.cells.insert(name, def.clone());
        }
        Some((family, _)) if family == "default-table-cell" => st.default_cell = def.look.clone(),
        _ => {}
    }
}

/// A data style being read into an Excel format code.
struct DataFormat {
    name: String,
    kind: String,
    code: String,
    in_text: bool,
}

impl DataFormat {
    fn new(kind: &str, name: String) -> DataFormat {
        DataFormat {
            name,
            kind: kind.to_string(),
            code: String::new(),
            in_text: false,
        }
    }

    fn piece(&mut self, name: &str, e: &BytesStart) {
        match name {
            "number:number" => {
                let decimals: usize = attr(e, "number:decimal-places")
                    .and_then(|d| d.parse().ok())
                    .unwrap_or(0);
                let grouping = attr(e, "number:grouping").is_some_and(|g| g == "true");
                let int = if grouping { "#,##0" } else { "0" };
                self.code.push_str(int);
                if decimals > 0 {
                    self.code.push('.');
                    self.code.push_str(&"0".repeat(decimals.min(30)));
                }
            }
            "number:year" => {
                self.code
                    .push_str(if attr(e, "number:style").is_some_and(|s| s == "long") {
                        "yyyy"
                    } else {
                        "yy"
                    })
            }
            "number:month" => {
                self.code
                    .push_str(if attr(e, "number:style").is_some_and(|s| s == "long") {
                        "mm"
                    } else {
                        "m"
                    })
            }
            "number:day" => {
                self.code
                    .push_str(if attr(e, "number:style").is_some_and(|s| s == "long") {
                        "dd"
                    } else {
                        "d"
                    })
            }
            "number:hours" => self.code.push('h'),
            "number:minutes" => self.code.push_str("mm"),
            "number:seconds" => self.code.push_str("ss"),
            "number:text" => self.in_text = true,
            "number:text-content" => self.code.push('@'),
            _ => {}
        }
    }

    fn text(&mut self, t: &str) {
        if !self.in_text {
            return;
        }
        for c in t.chars() {
            match c {
                '%' if self.kind == "number:percentage-style" => self.code.push('%'),
                '-' | '/' | ':' | ' ' | '.' | ',' => self.code.push(c),
                c => {
                    self.code.push('"');
                    self.code.push(c);
                    self.code.push('"');
                }
            }
        }
    }

    fn code(&self) -> String {
        let mut code = self.code.clone();
        if self.kind == "number:percentage-style" && !code.contains('%') {
            code.push('%');
        }
        code
    }
}

/// An OpenFormula expression ("of:=SUM([.F6:.F8])") in Excel's syntax, if it has one.
pub fn excel_formula(of: &str) -> Option<String> {
    let f = of.strip_prefix("of:").unwrap_or(of);
    let f = f.strip_prefix('=').unwrap_or(f);
    let mut out = String::with_capacity(f.len());
    let mut chars = f.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '[' => {
                // A reference: [.A1], [.A1:.B2], [$Sheet.A1], ['Sheet 1'.A1:.B2]
                let mut r = String::new();
                for d in chars.by_ref() {
                    if d == ']' {
                        break;
                    }
                    r.push(d);
                }
                out.push_str(&excel_ref(&r)?);
            }
            ';' => out.push(','),
            c => out.push(c),
        }
    }
    // Only what Excel knows: references, numbers, operators and the functions forms use.
    const KNOWN: [&str; 24] = [
        "SUM",
        "AVERAGE",
        "ROUND",
        "ROUNDUP",
        "ROUNDDOWN",
        "IF",
        "MIN",
        "MAX",
        "COUNT",
        "COUNTA",
        "ABS",
        "SUMIF",
        "SUMIFS",
        "COUNTIF",
        "AND",
        "OR",
        "NOT",
        "IFERROR",
        "SUMPRODUCT",
        "INT",
        "TEXT",
        "LEN",
        "TODAY",
        "YEAR",
    ];
    let mut word = String::new();
    let mut instr = false;
    for c in out.chars().chain(std::iter::once(' ')) {
        if c == '"' {
            instr = !instr;
        }
        if instr {
            continue;
        }
        if c.is_ascii_alphabetic() || (c == '.' && !word.is_empty()) {
            word.push(c);
        } else {
            if c == '(' && !KNOWN.contains(&word.to_uppercase().as_str()) {
                return None;
            }
            word.clear();
        }
    }
    Some(out)
}

fn excel_ref(r: &str) -> Option<String> {
    let mut parts = r.split(':');
    let first = parts.next()?;
    let second = parts.next();
    let (sheet, a) = split_sheet(first)?;
    let mut s = match sheet {
        Some(name) => format!("'{}'!{a}", name.replace('\'', "''")),
        None => a,
    };
    if let Some(b) = second {
        let (_, b) = split_sheet(b)?;
        s.push(':');
        s.push_str(&b);
    }
    Some(s)
}

/// ".A1" → (None, "A1"); "$Sheet1.A1" or "'My sheet'.$A$1" → (Some(name), cell).
fn split_sheet(p: &str) -> Option<(Option<String>, String)> {
    let dot = p.rfind('.')?;
    let (sheet, cell) = (&p[..dot], &p[dot + 1..]);
    if cell.is_empty() || !cell.chars().all(|c| c.is_ascii_alphanumeric() || c == '$') {
        return None;
    }
    let sheet = sheet.trim_start_matches('$');
    let sheet = sheet.trim_matches('\'');
    Some((
        (!sheet.is_empty()).then(|| sheet.to_string()),
        cell.to_string(),
    ))
}

/// Reads every table's looks; `ends` bounds each sheet (its last used row and column) so that
/// repeats of empty styled cells are not followed.
pub fn read(content: &str, styles: &str, ends: &HashMap<String, (u32, u32)>) -> Vec<OdsSheet> {
    let mut st = Styles::default();
    read_styles(styles, &mut st);
    read_styles(content, &mut st);
    let mut cache: HashMap<String, Option<u32>> = HashMap::new();
    let mut out: Vec<OdsSheet> = Vec::new();
    let mut reader = quick_xml::Reader::from_str(content);
    let (mut row, mut col) = (0u32, 0u32);
    let mut col_defaults: Vec<(u32, u32, Option<String>)> = Vec::new();
    let mut row_default: Option<String> = None;
    let mut row_repeat = 1u32;
    let mut end = (0u32, 0u32);
    while let Ok(ev) = reader.read_event() {
        let empty = matches!(ev, Event::Empty(_));
        match &ev {
            Event::Start(e) | Event::Empty(e) => {
                let name = e.name();
                let name: &str = name.as_ref();
                let Some(sheet) = (match name {
                    "table:table" => None,
                    _ => out.last_mut(),
                }) else {
                    if name == "table:table" {
                        let tname = attr(e, "table:name").unwrap_or_default();
                        end = ends.get(&tname).copied().unwrap_or((0, 0));
                        let mut s = OdsSheet {
                            name: tname,
                            ..OdsSheet::default()
                        };
                        if let Some(m) = attr(e, "table:style-name").and_then(|t| st.tables.get(&t))
                            && let Some((landscape, fit)) =
                                st.masters.get(m).and_then(|l| st.pages.get(l))
                        {
                            s.layout.landscape = *landscape;
                            s.layout.fit_to = *fit;
                            s.layout.paper = Some(9);
                        }
                        s.layout.print_area =
                            attr(e, "table:print-ranges").and_then(|p| print_range(&p));
                        out.push(s);
                        row = 0;
                        col = 0;
                        col_defaults.clear();
                    }
                    continue;
                };
                match name {
                    "table:table-column" => {
                        let n = attr(e, "table:number-columns-repeated")
                            .and_then(|n| n.parse().ok())
                            .unwrap_or(1u32)
                            .max(1);
                        let last = col.saturating_add(n - 1).min(end.1.max(col));
                        if let Some(w) =
                            attr(e, "table:style-name").and_then(|s| st.columns.get(&s))
                        {
                            sheet.layout.columns.push((
                                col,
                                last,
                                chars(*w),
                                attr(e, "table:visibility").is_some_and(|v| v == "collapse"),
                            ));
                        }
                        col_defaults.push((
                            col,
                            col.saturating_add(n - 1),
                            attr(e, "table:default-cell-style-name"),
                        ));
                        col = col.saturating_add(n);
                    }
                    "table:table-row" => {
                        col = 0;
                        row_repeat = attr(e, "table:number-rows-repeated")
                            .and_then(|n| n.parse().ok())
                            .unwrap_or(1u32)
                            .max(1);
                        row_default = attr(e, "table:default-cell-style-name");
                        if let Some(&(height, optimal)) =
                            attr(e, "table:style-name").and_then(|s| st.rows.get(&s))
                        {
                            let hidden =
                                attr(e, "table:visibility").is_some_and(|v| v == "collapse");
                            for r in
                                row..row.saturating_add(row_repeat).min(end.0.saturating_add(1))
                            {
                                sheet.layout.rows.insert(
                                    r,
                                    RowLook {
                                        height,
                                        custom: !optimal,
                                        hidden,
                                    },
                                );
                            }
                        }
                        if empty {
                            row = row.saturating_add(row_repeat);
                        }
                    }
                    "table:table-cell" | "table:covered-table-cell" => {
                        let n = attr(e, "table:number-columns-repeated")
                            .and_then(|n| n.parse().ok())
                            .unwrap_or(1u32)
                            .max(1);
                        if name == "table:table-cell" {
                            let style = attr(e, "table:style-name")
                                .or_else(|| row_default.clone())
                                .or_else(|| {
                                    col_defaults
                                        .iter()
                                        .find(|(a, b, _)| (*a..=*b).contains(&col))
                                        .and_then(|(_, _, s)| s.clone())
                                });
                            let look = style.and_then(|s| {
                                *cache.entry(s.clone()).or_insert_with(|| {
                                    let look = resolve(&st, &s, 0)?;
                                    sheet.looks.table.push(look);
                                    Some(sheet.looks.table.len() as u32 - 1)
                                })
                            });
                            let (rows_span, cols_span) = (
                                attr(e, "table:number-rows-spanned")
                                    .and_then(|n| n.parse::<u32>().ok())
                                    .unwrap_or(1),
                                attr(e, "table:number-columns-spanned")
                                    .and_then(|n| n.parse::<u32>().ok())
                                    .unwrap_or(1),
                            );
                            if (rows_span > 1 || cols_span > 1) && row <= end.0 && col <= end.1 {
                                sheet.merges.push(Dimensions {
                                    start: (row, col),
                                    end: (
                                        row + rows_span.min(10_000) - 1,
                                        col + cols_span.min(1_000) - 1,
                                    ),
                                });
                            }
                            if let Some(f) = attr(e, "table:formula") {
                                match excel_formula(&f) {
                                    Some(x) => {
                                        sheet.formulas.insert((row, col), x);
                                    }
                                    None => sheet.unconverted.push((row, col)),
                                }
                            }
                            if let Some(id) = look {
                                let rows_to =
                                    row.saturating_add(row_repeat).min(end.0.saturating_add(1));
                                let cols_to = col.saturating_add(n).min(end.1.saturating_add(1));
                                for r in row..rows_to {
                                    for c in col..cols_to {
                                        sheet.looks.cells.insert((r, c), id);
                                    }
                                }
                            }
                        }
                        col = col.saturating_add(n);
                    }
                    _ => {}
                }
            }
            Event::End(e) => {
                let name = e.name();
                let name: &str = name.as_ref();
                match name {
                    "table:table-row" => row = row.saturating_add(row_repeat),
                    "table:table" => cache.clear(),
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

/// A cell style with its parents (and the default cell style) folded in.
fn resolve(st: &Styles, name: &str, depth: u32) -> Option<Look> {
    let def = st.cells.get(name)?;
    let base = match (&def.parent, depth < 16) {
        (Some(p), true) => {
            resolve(st, p, depth + 1).unwrap_or_else(|| st.default_cell.over(&Look::default()))
        }
        _ => st.default_cell.over(&Look::default()),
    };
    let mut look = def.look.over(&base);
    if let Some(d) = def.data_style.as_ref().and_then(|d| st.data.get(d)) {
        look.num_format = Some(d.clone()).filter(|c| !c.is_empty());
    }
    Some(look)
}

/// "申报表.A1:申报表.H40" (or with $ and quotes) as an area.
fn print_range(p: &str) -> Option<(u32, u32, u32, u32)> {
    let first = p.split_whitespace().next()?;
    let (a, b) = first.split_once(':')?;
    let cell = |s: &str| -> Option<(u32, u32)> {
        let c = s.rsplit('.').next()?.replace('$', "");
        crate::patch::parse_a1(&c)
    };
    let (r1, c1) = cell(a)?;
    let (r2, c2) = cell(b)?;
    Some((r1, c1, r2, c2))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_in_excel_syntax() {
        assert_eq!(
            excel_formula("of:=SUM([.F6:.F8])").as_deref(),
            Some("SUM(F6:F8)")
        );
        assert_eq!(excel_formula("of:=[.D5]+[.D6]").as_deref(), Some("D5+D6"));
        assert_eq!(
            excel_formula("of:=ROUND([.A1];2)").as_deref(),
            Some("ROUND(A1,2)")
        );
        assert_eq!(
            excel_formula("of:=['表 1'.$A$1]*2").as_deref(),
            Some("'表 1'!$A$1*2")
        );
        assert_eq!(
            excel_formula("of:=IF([.A1]>0;\"是;否\";\"否\")").as_deref(),
            Some("IF(A1>0,\"是;否\",\"否\")")
        );
        assert_eq!(
            excel_formula("of:=ORG.OPENOFFICE.WEEKS([.A1];[.A2];0)"),
            None
        );
        assert_eq!(excel_formula("of:=100%").as_deref(), Some("100%"));
    }

    #[test]
    fn lengths_and_widths() {
        assert!((points("2.54cm").unwrap() - 72.0).abs() < 1e-9);
        assert!((points("1in").unwrap() - 72.0).abs() < 1e-9);
        assert_eq!(
            edge("0.06pt solid #000000").map(|e| e.style),
            Some(EdgeStyle::Thin)
        );
        assert_eq!(edge("none"), None);
        assert_eq!(print_range("申报表.A1:申报表.H40"), Some((0, 0, 39, 7)));
    }
}
