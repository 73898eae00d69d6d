//! Bounds checked before calamine sees the bytes, so a hostile file ends in a reason, not an
//! exhausted machine: zip parts decompressed as a counted stream, .xls BIFF records and .ods
//! repeats measured before calamine builds a dense grid, and cells counted as they are read.

use super::sniff::contains;
use super::{Format, Limits, ReadError, corrupt};
use std::io::{Cursor, Read};

/// Decompresses every part of a zip container as a stream, counting bytes, so a zip bomb is
/// refused after reading at most the limit, before calamine inflates anything into memory.
///
/// Returns whether the workbook asks to be fully recalculated on load (`fullCalcOnLoad`), as
/// files written by programs rather than saved by Excel or WPS do: their cached formula results
/// are placeholders (0), not values anyone has seen.
pub(super) fn check_zip(bytes: &[u8], format: Format, limits: &Limits) -> Result<bool, ReadError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| corrupt(format, e))?;
    let limit = limits.max_unzipped_bytes;
    let mut total: u64 = 0;
    let mut buf = vec![0u8; 64 * 1024];
    let mut recalc_on_load = false;
    for i in 0..zip.len() {
        let mut part = zip.by_index(i).map_err(|e| corrupt(format, e))?;
        if part.size() > limit {
            return Err(ReadError::UnzippedTooLarge { limit: limit >> 20 });
        }
        let is_workbook = part.name().map(|n| n == "xl/workbook.xml").unwrap_or(false);
        let mut head: Vec<u8> = Vec::new();
        loop {
            let n = part.read(&mut buf).map_err(|e| corrupt(format, e))?;
            if n == 0 {
                break;
            }
            if is_workbook && head.len() < (1 << 20) {
                head.extend_from_slice(&buf[..n]);
            }
            total += n as u64;
            if total > limit {
                return Err(ReadError::UnzippedTooLarge { limit: limit >> 20 });
            }
        }
        if is_workbook {
            recalc_on_load = contains(&head, b"fullCalcOnLoad=\"1\"")
                || contains(&head, b"fullCalcOnLoad=\"true\"");
        }
    }
    Ok(recalc_on_load)
}

/// calamine turns every .xls sheet into a dense grid of its cells' bounding box while opening
/// the file, so one cell at A1 and one at row 65535, column 65535 ask for over 100 GB and abort
/// the process (found by the fuzzer). Before calamine sees an .xls, walk its BIFF records and
/// refuse a sheet whose bounding box is larger than the dense limit.
pub(super) fn check_xls(bytes: &[u8], limits: &Limits) -> Result<(), ReadError> {
    let format = Format::Xls;
    let mut file = cfb::CompoundFile::open(Cursor::new(bytes)).map_err(|e| corrupt(format, e))?;
    let path = ["/Workbook", "/Book", "/WORKBOOK", "/BOOK"]
        .into_iter()
        .find(|p| file.is_stream(p))
        .ok_or_else(|| corrupt(format, "没有 Workbook 数据流"))?;
    let mut stream = Vec::new();
    file.open_stream(path)
        .and_then(|mut s| s.read_to_end(&mut stream))
        .map_err(|e| corrupt(format, e))?;
    let dense_limit = limits.max_cells.saturating_mul(4);
    // (min row, max row, min col, max col) of the current substream's cells.
    let mut bbox: Option<(u32, u32, u32, u32)> = None;
    let mut at = 0usize;
    while at + 4 <= stream.len() {
        let typ = u16::from_le_bytes([stream[at], stream[at + 1]]);
        let len = usize::from(u16::from_le_bytes([stream[at + 2], stream[at + 3]]));
        let data = &stream[at + 4..(at + 4 + len).min(stream.len())];
        at += 4 + len;
        let u16_at = |i: usize| {
            data.get(i..i + 2)
                .map(|b| u32::from(u16::from_le_bytes([b[0], b[1]])))
        };
        let cells: Option<(u32, u32, u32)> = match typ {
            // Number, Label, RString, BoolErr, Formula, Rk, LabelSst: row, col first.
            0x0203 | 0x0204 | 0x00D6 | 0x0205 | 0x0006 | 0x027E | 0x00FD => {
                u16_at(0).zip(u16_at(2)).map(|(r, c)| (r, c, c))
            }
            // MulRk: row, first col, …, last col in the final two bytes.
            0x00BD if data.len() >= 6 => u16_at(0)
                .zip(u16_at(2))
                .zip(u16_at(data.len() - 2))
                .map(|((r, c1), c2)| (r, c1, c2)),
            // Dimensions: calamine reserves rows × columns cells for it up front, so a forged
            // record is refused by the same bound (parsed as calamine does).
            0x0200 => {
                let dims = match data.len() {
                    10 => u16_at(0).zip(u16_at(2)).zip(u16_at(4)).zip(u16_at(6)),
                    14 | 16 => {
                        let u32_at = |i: usize| {
                            data.get(i..i + 4)
                                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                        };
                        u32_at(0).zip(u32_at(4)).zip(u16_at(8)).zip(u16_at(10))
                    }
                    _ => None,
                };
                if let Some((((rf, rl), cf), cl)) = dims {
                    let cf = if cf > 0xFF || cl < cf { 0 } else { cf };
                    let (end_r, end_c) = if rl >= 1 && cl >= 1 {
                        (rl - 1, cl - 1)
                    } else {
                        (rf, cf)
                    };
                    if end_r < rf || end_c < cf {
                        // calamine would compute a negative size, wrapping to billions.
                        return Err(corrupt(format, "Dimensions 记录无效"));
                    }
                    let rows = u64::from(end_r.saturating_sub(rf)) + 1;
                    let cols = u64::from(end_c.saturating_sub(cf)) + 1;
                    if rows.saturating_mul(cols) > dense_limit {
                        return Err(ReadError::TooManyCells {
                            limit: limits.max_cells,
                        });
                    }
                }
                None
            }
            // BOF: a new substream (sheet) starts.
            0x0809 => {
                bbox = None;
                None
            }
            _ => None,
        };
        if let Some((r, c1, c2)) = cells {
            let (lo, hi) = (c1.min(c2), c1.max(c2));
            let b = bbox.get_or_insert((r, r, lo, hi));
            *b = (b.0.min(r), b.1.max(r), b.2.min(lo), b.3.max(hi));
            let area = u64::from(b.1 - b.0 + 1) * u64::from(b.3 - b.2 + 1);
            if area > dense_limit {
                return Err(ReadError::TooManyCells {
                    limit: limits.max_cells,
                });
            }
        }
    }
    Ok(())
}

/// calamine's ods reader expands repeated rows and cells (`number-rows-repeated`,
/// `number-columns-repeated`) into a dense grid before we see anything: an 800-byte file can
/// ask for 100 million cells (6 GB). Stream content.xml first and refuse a sheet whose
/// non-empty cells span a bounding box larger than the dense limit.
pub(super) fn check_ods(bytes: &[u8], limits: &Limits) -> Result<(), ReadError> {
    use quick_xml::events::Event;
    let format = Format::Ods;
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| corrupt(format, e))?;
    let Ok(content) = zip.by_name("content.xml") else {
        return Ok(()); // calamine reports the missing part
    };
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(content));
    let dense_limit = limits.max_cells.saturating_mul(4);
    let attr = |e: &quick_xml::events::BytesStart, name: &str| -> Option<u64> {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == name)
            .and_then(|a| a.value.trim().parse().ok())
    };
    let (mut row, mut col) = (0u64, 0u64);
    let mut rows_rep = 1u64;
    // (min row, max row, min col, max col) of the current table's non-empty cells.
    let mut bbox: Option<(u64, u64, u64, u64)> = None;
    let mut buf = Vec::new();
    loop {
        let event = xml
            .read_event_into(&mut buf)
            .map_err(|e| corrupt(format, e))?;
        let empty_tag = matches!(event, Event::Empty(_));
        match &event {
            Event::Start(e) | Event::Empty(e) => match e.local_name().as_ref() {
                "table" => {
                    (row, bbox) = (0, None);
                }
                "table-row" => {
                    rows_rep = attr(e, "table:number-rows-repeated").unwrap_or(1).max(1);
                    col = 0;
                    if empty_tag {
                        row = row.saturating_add(rows_rep);
                    }
                }
                "table-cell" | "covered-table-cell" => {
                    let cols_rep = attr(e, "table:number-columns-repeated").unwrap_or(1).max(1);
                    let has_value = e
                        .attributes()
                        .flatten()
                        .any(|a| a.key.as_ref() == "office:value-type");
                    // A cell with text but no value type is non-empty too: count any Start tag.
                    if has_value || !empty_tag {
                        let (r2, c2) = (
                            row.saturating_add(rows_rep - 1),
                            col.saturating_add(cols_rep - 1),
                        );
                        let b = bbox.get_or_insert((row, r2, col, c2));
                        *b = (b.0.min(row), b.1.max(r2), b.2.min(col), b.3.max(c2));
                        let area = (b.1 - b.0 + 1).saturating_mul(b.3 - b.2 + 1);
                        if area > dense_limit {
                            return Err(ReadError::TooManyCells {
                                limit: limits.max_cells,
                            });
                        }
                    }
                    col = col.saturating_add(cols_rep);
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == "table-row" => {
                row = row.saturating_add(rows_rep);
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(())
}

/// Counts cells against the workbook-wide limit.
pub(super) struct Budget {
    pub(super) left: u64,
    pub(super) limit: u64,
}

impl Budget {
    pub(super) fn take(&mut self, n: u64) -> Result<(), ReadError> {
        if n > self.left {
            return Err(ReadError::TooManyCells { limit: self.limit });
        }
        self.left -= n;
        Ok(())
    }
}
