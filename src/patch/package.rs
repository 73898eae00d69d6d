//! The xlsx package as parts: the zip read entry by entry (every decompressed byte counted
//! against the limits, as the reader does), relationships resolved to part paths, the workbook's
//! sheets with their parts, and the zip written back deterministically.

use super::PatchError;
use super::xml;
use crate::workbook::Limits;
use quick_xml::events::Event;
use std::cell::Cell;
use std::io::{BufRead, BufReader, Cursor, Read, Seek, Write};
use std::rc::Rc;
use zip::ZipArchive;
use zip::write::SimpleFileOptions;

/// The relationship types the patch reads or writes.
pub const REL_OFFICE_DOCUMENT: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument";
pub const REL_WORKSHEET: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet";
pub const REL_STYLES: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles";
pub const REL_COMMENTS: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments";
pub const REL_VML: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing";
pub const REL_CUSTOM: &str =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties";

pub const CT_WORKSHEET: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml";
pub const CT_COMMENTS: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml";
pub const CT_VML: &str = "application/vnd.openxmlformats-officedocument.vmlDrawing";
pub const CT_CUSTOM: &str = "application/vnd.openxmlformats-officedocument.custom-properties+xml";

/// A zip read part by part within the limits.
pub struct Package<'a> {
    zip: ZipArchive<Cursor<&'a [u8]>>,
    /// Entry names in zip order.
    pub names: Vec<String>,
    /// Decompressed bytes still allowed.
    left: Rc<Cell<u64>>,
    limit: u64,
}

/// A reader that fails once more than the allowed bytes have come through it.
struct Counted<R> {
    inner: R,
    left: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let left = self.left.get();
        if n as u64 > left {
            return Err(std::io::Error::other("解压后过大"));
        }
        self.left.set(left - n as u64);
        Ok(n)
    }
}

impl<'a> Package<'a> {
    pub fn open(bytes: &'a [u8], limits: &Limits) -> Result<Package<'a>, PatchError> {
        let mut zip = ZipArchive::new(Cursor::new(bytes)).map_err(PatchError::corrupt)?;
        // Entry names in zip order (file_names() is in no particular order).
        let mut ordered = Vec::with_capacity(zip.len());
        for i in 0..zip.len() {
            let f = zip.by_index_raw(i).map_err(PatchError::corrupt)?;
            ordered.push(f.name().map_err(PatchError::corrupt)?.to_string());
        }
        Ok(Package {
            zip,
            names: ordered,
            left: Rc::new(Cell::new(limits.max_unzipped_bytes)),
            limit: limits.max_unzipped_bytes,
        })
    }

    pub fn has(&self, name: &str) -> bool {
        self.names.iter().any(|n| n == name)
    }

    fn too_large(&self) -> PatchError {
        PatchError::TooLarge(self.limit >> 20)
    }

    /// A whole part, decompressed (within the limits).
    pub fn read(&mut self, name: &str) -> Result<Vec<u8>, PatchError> {
        let mut out = Vec::new();
        self.reader(name)?
            .read_to_end(&mut out)
            .map_err(|_| PatchError::TooLarge(0))?;
        Ok(out)
    }

    /// A whole part as text.
    pub fn read_text(&mut self, name: &str) -> Result<String, PatchError> {
        let bytes = self.read(name).map_err(|e| match e {
            PatchError::TooLarge(0) => self.too_large(),
            e => e,
        })?;
        String::from_utf8(bytes).map_err(|_| PatchError::corrupt(format!("{name} 不是 UTF-8")))
    }

    /// A part as a buffered stream (within the limits).
    pub fn reader(&mut self, name: &str) -> Result<impl BufRead + '_, PatchError> {
        let left = self.left.clone();
        let f = self.zip.by_name(name).map_err(PatchError::corrupt)?;
        Ok(BufReader::new(Counted { inner: f, left }))
    }

    /// Copies an entry into the output as it is (compressed data and metadata unchanged).
    pub fn raw_copy(&mut self, name: &str, out: &mut ZipOut) -> Result<(), PatchError> {
        let f = self
            .zip
            .by_name_raw(name.as_bytes())
            .map_err(PatchError::corrupt)?;
        out.zip.raw_copy_file(f).map_err(PatchError::corrupt)?;
        Ok(())
    }
}

/// The options of a written entry: deflate (or stored, for a small part of known size),
/// the zip epoch as its time, Unix as host.
pub fn entry_options(len: Option<usize>) -> SimpleFileOptions {
    let options = SimpleFileOptions::default()
        .last_modified_time(zip::DateTime::default())
        .system(zip::System::Unix)
        .unix_permissions(0o644);
    match len {
        // A part of a few hundred bytes ([Content_Types].xml, a rels part, the custom
        // properties) is stored: deflate would save a few hundred bytes, and setting up and
        // resetting the compressor for it costs more than compressing the sheet.
        Some(n) if n <= STORED_MAX => options.compression_method(zip::CompressionMethod::Stored),
        _ => options
            .compression_method(zip::CompressionMethod::Deflated)
            // Level 1: outputs are written once and read once; the deflate time matters
            // more than the last few percent of size.
            .compression_level(Some(1)),
    }
}

/// The largest part written stored rather than deflated.
const STORED_MAX: usize = 4096;

/// The output zip: entries written deterministically (fixed time, Unix as the host, deflate),
/// in memory or into a file (the batch's summary, which grows with the batch).
pub struct ZipOut<W: Write + Seek = Cursor<Vec<u8>>> {
    zip: zip::ZipWriter<W>,
}

impl Default for ZipOut {
    fn default() -> Self {
        ZipOut::new()
    }
}

impl ZipOut {
    pub fn new() -> ZipOut {
        ZipOut::to(Cursor::new(Vec::new()))
    }

    pub fn finish(self) -> Result<Vec<u8>, PatchError> {
        let mut bytes = self.into_inner()?.into_inner();
        same_on_every_platform(&mut bytes);
        Ok(bytes)
    }
}

impl<W: Write + Seek> ZipOut<W> {
    /// A zip written into `w`. Only entries written here (never raw copies) may go into it:
    /// they carry the same host and attributes on every platform by their options.
    pub fn to(w: W) -> ZipOut<W> {
        ZipOut {
            zip: zip::ZipWriter::new(w),
        }
    }

    /// The finished zip's writer.
    pub fn into_inner(self) -> Result<W, PatchError> {
        self.zip.finish().map_err(PatchError::corrupt)
    }

    /// Writes a whole part.
    pub fn put(&mut self, name: &str, bytes: &[u8]) -> Result<(), PatchError> {
        self.zip
            .start_file(name, entry_options(Some(bytes.len())))
            .map_err(PatchError::corrupt)?;
        self.zip.write_all(bytes).map_err(PatchError::corrupt)
    }

    /// Writes a whole file stored, not deflated again (a workbook is a zip already).
    pub fn put_stored(&mut self, name: &str, bytes: &[u8]) -> Result<(), PatchError> {
        let options = entry_options(None)
            .compression_method(zip::CompressionMethod::Stored)
            .compression_level(None);
        self.zip
            .start_file(name, options)
            .map_err(PatchError::corrupt)?;
        self.zip.write_all(bytes).map_err(PatchError::corrupt)
    }

    /// Starts a part to be written through [`ZipOut::writer`].
    pub fn start(&mut self, name: &str) -> Result<(), PatchError> {
        self.zip
            .start_file(name, entry_options(None))
            .map_err(PatchError::corrupt)
    }

    /// The open part, to stream into.
    pub fn writer(&mut self) -> &mut impl Write {
        &mut self.zip
    }
}

/// Sets every central directory entry's "made by" host to Unix and its external attributes to
/// an ordinary file's (0644), so the same workbook is the same bytes whether it was written on
/// Linux or Windows (where the zip library would record DOS) and whatever an entry copied
/// from an input recorded. A zip64 archive is left as it is.
pub fn same_on_every_platform(bytes: &mut [u8]) {
    let Some(eocd) = bytes
        .windows(4)
        .rposition(|w| w == b"PK\x05\x06")
        .filter(|&i| i + 22 <= bytes.len())
    else {
        return;
    };
    let u16_at = |b: &[u8], i: usize| u16::from_le_bytes([b[i], b[i + 1]]) as usize;
    let u32_at =
        |b: &[u8], i: usize| u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]) as usize;
    let count = u16_at(bytes, eocd + 10);
    let mut at = u32_at(bytes, eocd + 16);
    if at == 0xFFFF_FFFF {
        return;
    }
    for _ in 0..count {
        if at + 46 > bytes.len() || &bytes[at..at + 4] != b"PK\x01\x02" {
            return;
        }
        bytes[at + 5] = 3; // host: Unix
        let mode: u32 = 0o100_644 << 16;
        bytes[at + 38..at + 42].copy_from_slice(&mode.to_le_bytes());
        let (n, m, k) = (
            u16_at(bytes, at + 28),
            u16_at(bytes, at + 30),
            u16_at(bytes, at + 32),
        );
        at += 46 + n + m + k;
    }
}

/// One relationship of a part.
#[derive(Debug, Clone)]
pub struct Rel {
    pub id: String,
    pub typ: String,
    pub target: String,
    pub external: bool,
}

/// The relationships in a `.rels` part.
pub fn parse_rels(text: &str) -> Vec<Rel> {
    let mut out = Vec::new();
    let mut reader = quick_xml::Reader::from_str(text);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e))
                if xml::local(e.name().as_ref()) == "Relationship" =>
            {
                let c = xml::content(&e);
                out.push(Rel {
                    id: xml::get_unescaped(&c, "Id").unwrap_or_default(),
                    typ: xml::get_unescaped(&c, "Type").unwrap_or_default(),
                    target: xml::get_unescaped(&c, "Target").unwrap_or_default(),
                    external: xml::get(&c, "TargetMode").is_some_and(|m| m == "External"),
                });
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

/// A relationship id not used in `rels` ("rIdJx1", "rIdJx2" …).
pub fn free_rid(rels: &[Rel], n: usize) -> String {
    let mut k = n;
    loop {
        let id = format!("rIdJx{k}");
        if !rels.iter().any(|r| r.id == id) {
            return id;
        }
        k += 1;
    }
}

/// The `.rels` part of a part: "xl/workbook.xml" → "xl/_rels/workbook.xml.rels".
pub fn rels_path(part: &str) -> String {
    match part.rfind('/') {
        Some(i) => format!("{}/_rels/{}.rels", &part[..i], &part[i + 1..]),
        None => format!("_rels/{part}.rels"),
    }
}

/// A relationship target resolved against the part it is from: a path inside the package.
pub fn resolve(from_part: &str, target: &str) -> String {
    let mut parts: Vec<&str> = if let Some(abs) = target.strip_prefix('/') {
        return normalise(abs);
    } else {
        from_part.split('/').collect()
    };
    parts.pop(); // the source part's own name
    let joined = format!("{}/{target}", parts.join("/"));
    normalise(joined.trim_start_matches('/'))
}

fn normalise(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    out.join("/")
}

/// A target for a part, relative to the folder of the part that points at it.
pub fn relative(from_part: &str, to_part: &str) -> String {
    let from: Vec<&str> = from_part.split('/').collect();
    let to: Vec<&str> = to_part.split('/').collect();
    let from_dir = &from[..from.len().saturating_sub(1)];
    let common = from_dir.iter().zip(&to).take_while(|(a, b)| a == b).count();
    let mut out: Vec<String> = vec!["..".to_string(); from_dir.len() - common];
    out.extend(to[common..].iter().map(|s| s.to_string()));
    out.join("/")
}

/// A sheet of the workbook, as workbook.xml lists it.
#[derive(Debug, Clone)]
pub struct SheetEntry {
    pub name: String,
    pub sheet_id: u32,
    pub rid: String,
    /// The worksheet part; `None` for a chart sheet or a dangling relationship.
    pub path: Option<String>,
}

/// The workbook part's path (from the package relationships).
pub fn workbook_path(pkg: &mut Package) -> Result<String, PatchError> {
    let rels = parse_rels(&pkg.read_text("_rels/.rels")?);
    rels.iter()
        .find(|r| r.typ == REL_OFFICE_DOCUMENT)
        .map(|r| resolve("", &r.target))
        .ok_or_else(|| PatchError::corrupt("没有工作簿部件"))
}

/// The sheets listed in workbook.xml, with their parts.
pub fn sheets(workbook_xml: &str, rels: &[Rel], workbook: &str) -> Vec<SheetEntry> {
    let mut out = Vec::new();
    let mut reader = quick_xml::Reader::from_str(workbook_xml);
    loop {
        match reader.read_event() {
            Ok(Event::Start(e) | Event::Empty(e)) if xml::local(e.name().as_ref()) == "sheet" => {
                let c = xml::content(&e);
                let rid = rid_of(&c).unwrap_or_default();
                let path = rels
                    .iter()
                    .find(|r| r.id == rid && r.typ == REL_WORKSHEET && !r.external)
                    .map(|r| resolve(workbook, &r.target));
                out.push(SheetEntry {
                    name: xml::get_unescaped(&c, "name").unwrap_or_default(),
                    sheet_id: xml::get(&c, "sheetId")
                        .and_then(|v| v.parse().ok())
                        .unwrap_or(0),
                    rid,
                    path,
                });
            }
            Ok(Event::Eof) | Err(_) => break,
            _ => {}
        }
    }
    out
}

/// The `r:id` of a tag, whatever prefix the relationships namespace has.
pub fn rid_of(content: &str) -> Option<String> {
    // The attribute is `<prefix>:id`; "id" alone is another attribute.
    content
        .split_whitespace()
        .filter_map(|tok| tok.split_once('='))
        .find(|(name, _)| name.ends_with(":id"))
        .and_then(|(name, _)| xml::get_unescaped(content, name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve() {
        assert_eq!(
            resolve("xl/workbook.xml", "worksheets/sheet1.xml"),
            "xl/worksheets/sheet1.xml"
        );
        assert_eq!(
            resolve("xl/worksheets/sheet1.xml", "../comments1.xml"),
            "xl/comments1.xml"
        );
        assert_eq!(
            resolve("xl/workbook.xml", "/xl/worksheets/sheet2.xml"),
            "xl/worksheets/sheet2.xml"
        );
        assert_eq!(resolve("", "xl/workbook.xml"), "xl/workbook.xml");
        assert_eq!(
            rels_path("xl/worksheets/sheet1.xml"),
            "xl/worksheets/_rels/sheet1.xml.rels"
        );
        assert_eq!(
            relative("xl/worksheets/sheet1.xml", "xl/comments1.xml"),
            "../comments1.xml"
        );
        assert_eq!(
            relative("xl/workbook.xml", "xl/worksheets/sheet9.xml"),
            "worksheets/sheet9.xml"
        );
        assert_eq!(
            rid_of("sheet name=\"a\" sheetId=\"1\" r:id=\"rId3\""),
            Some("rId3".into())
        );
        assert_eq!(
            rid_of("sheet name=\"a\" x:id=\"rId4\" id=\"7\""),
            Some("rId4".into())
        );
    }
}
