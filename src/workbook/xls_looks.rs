//! The looks and layout of an .xls (BIFF8) workbook, from its records: FONT, FORMAT, XF and
//! PALETTE in the globals; COLINFO, ROW, DEFCOLWIDTH, DEFAULTROWHEIGHT, SETUP, WSBOOL and each
//! cell record's format in the sheets; the print area from its built-in NAME. calamine reads
//! the values; this reads what they look like. BIFF5 files give their widths and heights only.
//! Every read is bounds-checked: a broken record is skipped, never trusted.

use super::looks::{Edge, EdgeStyle, HAlign, Layout, Look, Looks, RowLook, VAlign, builtin_format};
use std::collections::HashMap;

/// The default BIFF8 palette, colour indices 8 to 63 (RGB).
const PALETTE: [u32; 56] = [
    0x000000, 0xFFFFFF, 0xFF0000, 0x00FF00, 0x0000FF, 0xFFFF00, 0xFF00FF, 0x00FFFF, 0x800000,
    0x008000, 0x000080, 0x808000, 0x800080, 0x008080, 0xC0C0C0, 0x808080, 0x9999FF, 0x993366,
    0xFFFFCC, 0xCCFFFF, 0x660066, 0xFF8080, 0x0066CC, 0xCCCCFF, 0x000080, 0xFF00FF, 0xFFFF00,
    0x00FFFF, 0x800080, 0x800000, 0x008080, 0x0000FF, 0x00CCFF, 0xCCFFFF, 0xCCFFCC, 0xFFFF99,
    0x99CCFF, 0xFF99CC, 0xCC99FF, 0xFFCC99, 0x3366FF, 0x33CCCC, 0x99CC00, 0xFFCC00, 0xFF9900,
    0xFF6600, 0x666699, 0x969696, 0x003366, 0x339966, 0x003300, 0x333300, 0x993300, 0x993366,
    0x333399, 0x333333,
];

fn u16_at(d: &[u8], i: usize) -> Option<u16> {
    d.get(i..i + 2).map(|b| u16::from_le_bytes([b[0], b[1]]))
}

fn u32_at(d: &[u8], i: usize) -> Option<u32> {
    d.get(i..i + 4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

/// A BIFF8 string of `cch` characters at `i` (a flags byte, then 1 or 2 bytes a character).
fn biff8_string(d: &[u8], i: usize, cch: usize) -> Option<String> {
    let flags = *d.get(i)?;
    let body = d.get(i + 1..)?;
    if flags & 1 == 1 {
        let units: Vec<u16> = body
            .chunks_exact(2)
            .take(cch)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        Some(String::from_utf16_lossy(&units))
    } else {
        Some(body.iter().take(cch).map(|&b| b as char).collect())
    }
}

struct Font {
    name: String,
    size: f64,
    bold: bool,
    italic: bool,
    strike: bool,
    underline: bool,
    color: u16,
}

/// One sheet's looks and layout.
pub struct XlsSheet {
    pub name: String,
    pub looks: Looks,
    pub layout: Layout,
}

/// Reads the looks of every sheet from the Workbook stream's bytes.
pub fn read(stream: &[u8]) -> Vec<XlsSheet> {
    let records = records(stream);
    // The globals: up to the first EOF.
    let mut palette = PALETTE.to_vec();
    let mut fonts: Vec<Font> = Vec::new();
    let mut formats: HashMap<u16, String> = HashMap::new();
    let mut xfs: Vec<[u8; 20]> = Vec::new();
    // Worksheets: name, offset of their BOF, index among all sheets (1-based, as NAME counts).
    let mut sheets: Vec<(String, usize, u16)> = Vec::new();
    let mut all_sheets = 0u16;
    let mut print_areas: HashMap<u16, (u32, u32, u32, u32)> = HashMap::new();
    let mut biff8 = false;
    for &(at, typ, data) in &records {
        match typ {
            0x0809 if at == 0 => biff8 = u16_at(data, 0) == Some(0x0600),
            0x000A => break,
            0x0092 if biff8 => {
                let n = u16_at(data, 0).unwrap_or(0) as usize;
                for (i, slot) in palette.iter_mut().enumerate().take(n.min(56)) {
                    if let Some(c) = data.get(2 + i * 4..5 + i * 4) {
                        *slot = (u32::from(c[0]) << 16) | (u32::from(c[1]) << 8) | u32::from(c[2]);
                    }
                }
            }
            0x0031 if biff8 => {
                let cch = usize::from(*data.get(14).unwrap_or(&0));
                fonts.push(Font {
                    size: f64::from(u16_at(data, 0).unwrap_or(220)) / 20.0,
                    italic: u16_at(data, 2).unwrap_or(0) & 2 != 0,
                    strike: u16_at(data, 2).unwrap_or(0) & 8 != 0,
                    color: u16_at(data, 4).unwrap_or(0x7FFF),
                    bold: u16_at(data, 6).unwrap_or(400) >= 700,
                    underline: data.get(10).is_some_and(|u| *u != 0),
                    name: biff8_string(data, 15, cch).unwrap_or_default(),
                });
            }
            0x041E if biff8 => {
                if let (Some(id), Some(cch)) = (u16_at(data, 0), u16_at(data, 2))
                    && let Some(code) = biff8_string(data, 4, usize::from(cch))
                {
                    formats.insert(id, code);
                }
            }
            0x00E0 if biff8 => {
                if let Some(x) = data.get(..20) {
                    let mut a = [0u8; 20];
                    a.copy_from_slice(x);
                    xfs.push(a);
                }
            }
            0x0085 => {
                let pos = u32_at(data, 0).unwrap_or(0) as usize;
                let cch = usize::from(*data.get(6).unwrap_or(&0));
                let name = if biff8 {
                    biff8_string(data, 7, cch).unwrap_or_default()
                } else {
                    data.get(7..7 + cch)
                        .map(|b| b.iter().map(|&c| c as char).collect())
                        .unwrap_or_default()
                };
                all_sheets = all_sheets.saturating_add(1);
                if data.get(5) == Some(&0) {
                    sheets.push((name, pos, all_sheets));
                }
            }
            0x0018 if biff8 => {
                if let Some((itab, area)) = print_area(data) {
                    print_areas.insert(itab, area);
                }
            }
            _ => {}
        }
    }
    let color = |icv: u16| -> Option<u32> {
        match icv {
            0..=7 => PALETTE.get(usize::from(icv)).copied(),
            8..=63 => palette.get(usize::from(icv) - 8).copied(),
            _ => None, // system colours: automatic
        }
    };
    let look_of = |xf: &[u8; 20]| -> Look {
        let ifnt = u16_at(xf, 0).unwrap_or(0) as usize;
        // Font index 4 does not exist in BIFF: indices above it are one off.
        let font = fonts.get(if ifnt >= 4 { ifnt - 1 } else { ifnt });
        let ifmt = u16_at(xf, 2).unwrap_or(0);
        let num_format = formats
            .get(&ifmt)
            .cloned()
            .or_else(|| builtin_format(ifmt).map(str::to_string))
            .filter(|f| !f.eq_ignore_ascii_case("general"));
        let align = xf[6];
        let h_align = match align & 7 {
            1 => Some(HAlign::Left),
            2 | 6 => Some(HAlign::Center),
            3 => Some(HAlign::Right),
            4 => Some(HAlign::Fill),
            5 | 7 => Some(HAlign::Justify),
            _ => None,
        };
        let v_align = match (align >> 4) & 7 {
            0 => Some(VAlign::Top),
            1 => Some(VAlign::Center),
            3 | 4 => Some(VAlign::Justify),
            _ => None, // bottom is the default
        };
        let b1 = u32_at(xf, 10).unwrap_or(0);
        let b2 = u32_at(xf, 14).unwrap_or(0);
        let edge = |dg: u32, icv: u32| -> Option<Edge> {
            let style = match dg {
                1 => EdgeStyle::Thin,
                2 | 8 | 10 | 12 => EdgeStyle::Medium,
                3 | 9 | 11 | 13 => EdgeStyle::Dashed,
                4 => EdgeStyle::Dotted,
                5 => EdgeStyle::Thick,
                6 => EdgeStyle::Double,
                7 => EdgeStyle::Hair,
                _ => return None,
            };
            Some(Edge {
                style,
                color: color(icv as u16).filter(|c| *c != 0),
            })
        };
        let fill = ((b2 >> 26) & 0x3F == 1)
            .then(|| color(u16_at(xf, 18).unwrap_or(0) & 0x7F))
            .flatten();
        Look {
            num_format,
            font_name: font.map(|f| f.name.clone()).filter(|n| !n.is_empty()),
            font_size: font.map(|f| f.size),
            bold: font.is_some_and(|f| f.bold),
            italic: font.is_some_and(|f| f.italic),
            underline: font.is_some_and(|f| f.underline),
            strike: font.is_some_and(|f| f.strike),
            font_color: font.and_then(|f| color(f.color)).filter(|c| *c != 0),
            fill,
            borders: [
                edge(b1 & 0xF, (b1 >> 16) & 0x7F),
                edge((b1 >> 4) & 0xF, (b1 >> 23) & 0x7F),
                edge((b1 >> 8) & 0xF, b2 & 0x7F),
                edge((b1 >> 12) & 0xF, (b2 >> 7) & 0x7F),
            ],
            h_align,
            v_align,
            wrap: align & 8 != 0,
        }
    };
    // Each distinct XF used becomes one entry of a sheet's look table.
    let mut out = Vec::new();
    for (name, pos, itab) in &sheets {
        let mut looks = Looks::default();
        let mut table_of: HashMap<u16, u32> = HashMap::new();
        let mut layout = Layout::default();
        let mut put = |looks: &mut Looks, r: u16, c: u16, ixfe: u16| {
            let Some(xf) = xfs.get(usize::from(ixfe)) else {
                return;
            };
            let id = *table_of.entry(ixfe).or_insert_with(|| {
                looks.table.push(look_of(xf));
                looks.table.len() as u32 - 1
            });
            looks.cells.insert((u32::from(r), u32::from(c)), id);
        };
        let mut fit = false;
        let start = records.iter().position(|(at, _, _)| at == pos);
        for &(_, typ, data) in records.iter().skip(start.map_or(usize::MAX, |s| s + 1)) {
            match typ {
                0x000A => break,
                0x00FD | 0x0203 | 0x027E | 0x0201 | 0x0006 | 0x0205 | 0x0204 | 0x00D6 => {
                    if let (Some(r), Some(c), Some(x)) =
                        (u16_at(data, 0), u16_at(data, 2), u16_at(data, 4))
                    {
                        put(&mut looks, r, c, x);
                    }
                }
                0x00BD | 0x00BE => {
                    let step = if typ == 0x00BD { 6 } else { 2 };
                    if let (Some(r), Some(first)) = (u16_at(data, 0), u16_at(data, 2)) {
                        let n = data.len().saturating_sub(6) / step;
                        for k in 0..n {
                            if let Some(x) = u16_at(data, 4 + k * step) {
                                put(&mut looks, r, first.saturating_add(k as u16), x);
                            }
                        }
                    }
                }
                0x007D => {
                    if let (Some(a), Some(b), Some(w), Some(flags)) = (
                        u16_at(data, 0),
                        u16_at(data, 2),
                        u16_at(data, 4),
                        u16_at(data, 8),
                    ) {
                        let last = u32::from(b).min(16_383);
                        layout.columns.push((
                            u32::from(a),
                            last,
                            f64::from(w) / 256.0,
                            flags & 1 != 0,
                        ));
                    }
                }
                0x0208 => {
                    if let (Some(r), Some(h), Some(flags)) =
                        (u16_at(data, 0), u16_at(data, 6), u32_at(data, 12))
                    {
                        // fUnsynced: the height was set by hand (or by the program that saved it).
                        layout.rows.insert(
                            u32::from(r),
                            RowLook {
                                height: f64::from(h & 0x7FFF) / 20.0,
                                custom: flags & 0x40 != 0,
                                hidden: flags & 0x20 != 0,
                            },
                        );
                    }
                }
                0x0055 => layout.default_width = u16_at(data, 0).map(f64::from),
                0x0225 => layout.default_height = u16_at(data, 2).map(|h| f64::from(h) / 20.0),
                0x0081 => fit = u16_at(data, 0).is_some_and(|w| w & 0x0100 != 0),
                0x00A1 => {
                    let grbit = u16_at(data, 10).unwrap_or(0);
                    if grbit & 4 == 0 {
                        layout.paper = u16_at(data, 0).filter(|p| *p > 0);
                        layout.landscape = Some(grbit & 2 == 0);
                    }
                    if fit {
                        layout.fit_to = u16_at(data, 6).zip(u16_at(data, 8));
                    }
                }
                _ => {}
            }
        }
        if !fit {
            layout.fit_to = None;
        }
        layout.print_area = print_areas.get(itab).copied();
        out.push(XlsSheet {
            name: name.clone(),
            looks,
            layout,
        });
    }
    out
}

/// A built-in Print_Area NAME: the sheet (1-based) and its area.
fn print_area(d: &[u8]) -> Option<(u16, (u32, u32, u32, u32))> {
    let grbit = u16_at(d, 0)?;
    let cch = usize::from(*d.get(3)?);
    let cce = usize::from(u16_at(d, 4)?);
    let itab = u16_at(d, 8)?;
    if grbit & 0x20 == 0 || cch != 1 || itab == 0 {
        return None; // not a built-in name, or not sheet-local
    }
    let flags = *d.get(14)?;
    let width = if flags & 1 == 1 { 2 } else { 1 };
    if *d.get(15)? != 0x06 {
        return None; // built-in 6 is Print_Area
    }
    let rgce = d.get(15 + width..15 + width + cce)?;
    // PtgArea3d: ptg, ixti (2), rwFirst, rwLast, colFirst, colLast (2 each).
    let ptg = *rgce.first()?;
    if ptg & 0x1F != 0x1B {
        return None;
    }
    let (r1, r2) = (u16_at(rgce, 3)?, u16_at(rgce, 5)?);
    let (c1, c2) = (u16_at(rgce, 7)? & 0x3FFF, u16_at(rgce, 9)? & 0x3FFF);
    Some((
        itab,
        (u32::from(r1), u32::from(c1), u32::from(r2), u32::from(c2)),
    ))
}

/// The records of a BIFF stream: (offset, type, data).
fn records(stream: &[u8]) -> Vec<(usize, u16, &[u8])> {
    let mut out = Vec::new();
    let mut at = 0usize;
    while at + 4 <= stream.len() {
        let typ = u16::from_le_bytes([stream[at], stream[at + 1]]);
        let len = usize::from(u16::from_le_bytes([stream[at + 2], stream[at + 3]]));
        let end = (at + 4 + len).min(stream.len());
        out.push((at, typ, &stream[at + 4..end]));
        at += 4 + len;
    }
    out
}
