//! What jixiao leaves in a workbook it wrote, in a custom document property named `jixiao`
//! (kept by Excel, WPS and LibreOffice): a fingerprint of every other part, so a later run can
//! tell an output the user has edited from one it may replace; and, in an annotated copy, what
//! `clean` needs to take the marks away again. The value is short JSON (Excel keeps custom
//! properties of up to 255 characters).

use super::PatchError;
use super::package::{Package, REL_CUSTOM, ZipOut, parse_rels, resolve};
use super::xml;
use quick_xml::events::Event;
use serde::{Deserialize, Serialize};
use std::io::{Cursor, Read, Seek, Write};

/// The custom property's name.
pub const PROPERTY: &str = "jixiao";

/// The custom properties part jixiao creates when a workbook has none.
pub const CUSTOM_PART: &str = "docProps/custom.xml";

const FMTID: &str = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}";

/// What jixiao records in a workbook it wrote.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct State {
    /// Format version.
    pub v: u32,
    /// Fingerprint of every part but the custom properties (hex).
    pub fp: String,
    /// The report sheet jixiao added, by name (annotated copies only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub r: Option<String>,
    /// The active tab before, when jixiao made its report the active one (`None`: it was not set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub a: Option<u32>,
    /// The sheets (by their index before the report was added) that were selected.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub t: Vec<u32>,
    /// jixiao created the custom properties part (so `clean` removes it).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub c: bool,
    /// jixiao added the vml content type.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub vml: bool,
    /// The styles' counts (fonts, fills, borders, cell formats) before jixiao added its own …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub x: Option<[u32; 4]>,
    /// … and after: when the styles still end there, `clean` takes the additions away.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub e: Option<[u32; 4]>,
}

/// A 64-bit FNV-1a hash: stable across platforms and versions (the fingerprint is stored).
struct Fnv(u64);

impl Fnv {
    fn new() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

/// The fingerprint of a package: every entry's name, size and CRC-32 (from the zip directory),
/// but the custom properties part's.
pub fn fingerprint(bytes: &[u8], custom_part: &str) -> Result<String, PatchError> {
    fingerprint_of(Cursor::new(bytes), custom_part)
}

fn fingerprint_of<R: Read + Seek>(r: R, custom_part: &str) -> Result<String, PatchError> {
    let mut zip = zip::ZipArchive::new(r).map_err(PatchError::corrupt)?;
    let mut h = Fnv::new();
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(PatchError::corrupt)?;
        let name = f.name().map_err(PatchError::corrupt)?;
        if name == custom_part {
            continue;
        }
        h.write(name.as_bytes());
        h.write(&[0]);
        h.write(&f.size().to_le_bytes());
        h.write(&f.crc32().to_le_bytes());
    }
    Ok(format!("{:016x}", h.0))
}

/// The custom properties part of a package, from its relationships (or the usual name).
pub fn custom_part(pkg: &mut Package) -> Option<String> {
    let rels = parse_rels(&pkg.read_text("_rels/.rels").ok()?);
    rels.iter()
        .find(|r| r.typ == REL_CUSTOM)
        .map(|r| resolve("", &r.target))
        .filter(|p| pkg.has(p))
        .or_else(|| pkg.has(CUSTOM_PART).then(|| CUSTOM_PART.to_string()))
}

/// The jixiao state in a custom properties part, if there is one.
pub fn read_state(custom_xml: &str) -> Option<State> {
    let mut reader = quick_xml::Reader::from_str(custom_xml);
    let mut ours = false;
    let mut text = String::new();
    loop {
        match reader.read_event().ok()? {
            Event::Start(e) if xml::local(e.name().as_ref()) == "property" => {
                ours = xml::get_unescaped(&xml::content(&e), "name").as_deref() == Some(PROPERTY);
            }
            // Text comes in pieces: plain runs and entity references (&quot; …).
            Event::Text(t) if ours => text.push_str(&t.xml10_content()),
            Event::GeneralRef(r) if ours => {
                let raw: &str = r.as_ref();
                text.push_str(&xml::unescape(&format!("&{raw};")));
            }
            Event::End(e) if xml::local(e.name().as_ref()) == "property" && ours => {
                return serde_json::from_str(&text).ok();
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// The state of the workbook jixiao wrote, if it is one of its outputs.
pub fn state_of(bytes: &[u8], limits: &crate::workbook::Limits) -> Option<State> {
    let mut pkg = Package::open(bytes, limits).ok()?;
    let part = custom_part(&mut pkg)?;
    read_state(&pkg.read_text(&part).ok()?)
}

/// Whether an existing file is exactly what jixiao wrote: its fingerprint matches. A file with
/// no fingerprint, or one that cannot be read, is not.
pub fn untouched(bytes: &[u8]) -> bool {
    let limits = crate::workbook::Limits::default();
    let Ok(mut pkg) = Package::open(bytes, &limits) else {
        return false;
    };
    let Some(part) = custom_part(&mut pkg) else {
        return false;
    };
    let Some(state) = pkg.read_text(&part).ok().and_then(|t| read_state(&t)) else {
        return false;
    };
    fingerprint(bytes, &part).is_ok_and(|fp| fp == state.fp)
}

/// The custom properties part with jixiao's property set to `value` (JSON): added to `existing`
/// (another program's properties kept as they are), or in a new part.
pub fn with_property(existing: Option<&str>, value: &str) -> String {
    let property = |pid: u32| {
        format!(
            "<property fmtid=\"{FMTID}\" pid=\"{pid}\" name=\"{PROPERTY}\"><vt:lpwstr>{}</vt:lpwstr></property>",
            xml::escape(value)
        )
    };
    match existing {
        Some(text) => {
            // pid values must be unique and ≥ 2.
            let max_pid = text
                .match_indices("pid=\"")
                .filter_map(|(i, m)| {
                    let rest = &text[i + m.len()..];
                    rest[..rest.find('"')?].parse::<u32>().ok()
                })
                .max()
                .unwrap_or(1);
            let close = text.rfind("</").unwrap_or(text.len());
            // A property part always declares vt: on its root, as programs write it.
            format!(
                "{}{}{}",
                &text[..close],
                property(max_pid + 1),
                &text[close..]
            )
        }
        None => format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/custom-properties\" xmlns:vt=\"http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes\">{}</Properties>",
            property(2)
        ),
    }
}

/// The custom properties part without jixiao's property (`None` when nothing else is left).
pub fn without_property(text: &str) -> Option<String> {
    let marker = format!("name=\"{PROPERTY}\"");
    let at = text.find(&marker)?;
    let start = text[..at].rfind('<')?;
    let end = text[at..].find("</property>")? + at + "</property>".len();
    let rest = format!("{}{}", &text[..start], &text[end..]);
    rest.contains("<property").then_some(rest)
}

/// Finishes a package: appends the custom properties part (`custom`, written by `state_xml`
/// from the fingerprint of everything else) as the last entry.
pub fn seal(
    out: ZipOut,
    custom: &str,
    state: &State,
    existing_custom: Option<&str>,
) -> Result<Vec<u8>, PatchError> {
    let bytes = out.finish()?;
    let mut bytes = seal_into(Cursor::new(bytes), custom, state, existing_custom)?.into_inner();
    super::package::same_on_every_platform(&mut bytes);
    Ok(bytes)
}

/// [`seal`] for a zip jixiao wrote whole (no raw copies) into a file or a buffer.
pub fn seal_into<W: Read + Write + Seek>(
    mut w: W,
    custom: &str,
    state: &State,
    existing_custom: Option<&str>,
) -> Result<W, PatchError> {
    let mut state = state.clone();
    w.rewind().map_err(PatchError::corrupt)?;
    state.fp = fingerprint_of(&mut w, custom)?;
    let json = serde_json::to_string(&state).map_err(PatchError::corrupt)?;
    let part = with_property(existing_custom, &json);
    let mut zip = zip::ZipWriter::new_append(w).map_err(PatchError::corrupt)?;
    zip.start_file(custom, super::package::entry_options(Some(part.len())))
        .map_err(PatchError::corrupt)?;
    zip.write_all(part.as_bytes())
        .map_err(PatchError::corrupt)?;
    zip.finish().map_err(PatchError::corrupt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn property_added_and_removed() {
        let state = State {
            v: 1,
            fp: "00ff".into(),
            r: Some("校验报告".into()),
            ..State::default()
        };
        let json = serde_json::to_string(&state).unwrap();
        assert!(json.len() < 255, "{json}");
        let new = with_property(None, &json);
        assert_eq!(read_state(&new), Some(state.clone()));
        assert_eq!(without_property(&new), None);
        let other = "<?xml version=\"1.0\"?><Properties xmlns=\"x\" xmlns:vt=\"y\"><property fmtid=\"{F}\" pid=\"2\" name=\"部门\"><vt:lpwstr>财务</vt:lpwstr></property></Properties>";
        let both = with_property(Some(other), &json);
        assert!(both.contains("pid=\"3\""));
        assert_eq!(read_state(&both), Some(state));
        assert_eq!(without_property(&both).as_deref(), Some(other));
    }
}
