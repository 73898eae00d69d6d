//! Small tools for editing XML as text without re-writing what is not edited: one attribute of a
//! start tag changed, added or removed with every other byte of the tag kept, and escaping.

use quick_xml::events::BytesStart;

/// One attribute in a tag's raw text: its name and the byte spans of the whole attribute
/// (with the whitespace before it) and of its value (between the quotes).
struct AttrSpan<'a> {
    name: &'a str,
    whole: std::ops::Range<usize>,
    value: std::ops::Range<usize>,
}

/// The attributes of a start tag's raw content ("c r=\"A1\" s='5'"), in order.
fn spans(content: &str) -> Vec<AttrSpan<'_>> {
    let bytes = content.as_bytes();
    let mut out = Vec::new();
    // Skip the element name.
    let mut i = bytes
        .iter()
        .position(|b| b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    while i < bytes.len() {
        let ws_start = i;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let name_start = i;
        while i < bytes.len() && bytes[i] != b'=' && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let name_end = i;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= bytes.len() || bytes[i] != b'=' {
            break;
        }
        i += 1;
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let Some(&quote) = bytes.get(i).filter(|q| **q == b'"' || **q == b'\'') else {
            break;
        };
        let value_start = i + 1;
        let Some(len) = bytes[value_start..].iter().position(|b| *b == quote) else {
            break;
        };
        let value_end = value_start + len;
        i = value_end + 1;
        out.push(AttrSpan {
            name: &content[name_start..name_end],
            whole: ws_start..i,
            value: value_start..value_end,
        });
    }
    out
}

/// The raw content of a start tag (name and attributes, without `<`, `>` or `/`).
/// Reads a worksheet part event by event into `each`, until its end (what the patch streams do).
pub fn each_event(
    input: impl std::io::BufRead,
    mut each: impl FnMut(quick_xml::events::Event) -> Result<(), super::PatchError>,
) -> Result<(), super::PatchError> {
    let mut reader = quick_xml::Reader::from_reader(input);
    let mut buf = Vec::new();
    loop {
        let ev = reader
            .read_event_into(&mut buf)
            .map_err(|e| super::PatchError::corrupt(format!("工作表：{e}")))?;
        if matches!(ev, quick_xml::events::Event::Eof) {
            return Ok(());
        }
        each(ev)?;
        buf.clear();
    }
}

/// A `<cols>` element's columns: one `<col>` per width (characters), from column A.
pub fn cols(widths: &[f64]) -> String {
    widths
        .iter()
        .enumerate()
        .map(|(i, w)| {
            format!(
                "<col min=\"{0}\" max=\"{0}\" width=\"{w}\" customWidth=\"1\"/>",
                i + 1
            )
        })
        .collect()
}

pub fn content(e: &BytesStart) -> String {
    let raw: &str = e.as_ref();
    raw.to_string()
}

/// An attribute's raw (still escaped) value in a tag's content.
pub fn get<'a>(content: &'a str, name: &str) -> Option<&'a str> {
    spans(content)
        .into_iter()
        .find(|a| a.name == name)
        .map(|a| &content[a.value])
}

/// An attribute's value, unescaped.
pub fn get_unescaped(content: &str, name: &str) -> Option<String> {
    get(content, name).map(unescape)
}

/// The tag's content with one attribute set to `value` (already escaped): replaced in place when
/// present, appended otherwise; every other byte kept.
pub fn set(content: &str, name: &str, value: &str) -> String {
    match spans(content).into_iter().find(|a| a.name == name) {
        Some(a) => format!(
            "{}{}{}",
            &content[..a.value.start],
            value,
            &content[a.value.end..]
        ),
        // Added last, before any whitespace the tag ends with (so removing it gives the tag back).
        None => {
            let body = content.trim_end();
            format!("{body} {name}=\"{value}\"{}", &content[body.len()..])
        }
    }
}

/// The tag's content without one attribute (and the whitespace before it).
pub fn remove(content: &str, name: &str) -> String {
    match spans(content).into_iter().find(|a| a.name == name) {
        Some(a) => format!("{}{}", &content[..a.whole.start], &content[a.whole.end..]),
        None => content.to_string(),
    }
}

/// A start tag from raw content.
pub fn tag(content: &str) -> BytesStart<'static> {
    let name_len = content
        .find(|c: char| c.is_ascii_whitespace())
        .unwrap_or(content.len());
    BytesStart::from_content(content.to_string(), name_len)
}

/// The element's name without its namespace prefix.
pub fn local(name: &str) -> &str {
    match name.find(':') {
        Some(i) => &name[i + 1..],
        None => name,
    }
}

/// The namespace prefix of a tag's name with its colon ("x:" of "x:worksheet"), or "".
pub fn prefix_of(name: &str) -> String {
    match name.find(':') {
        Some(i) => name[..=i].to_string(),
        None => String::new(),
    }
}

/// Escapes text for an XML attribute or element.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            // Attributes are always written in double quotes: an apostrophe needs no escape.
            '"' => out.push_str("&quot;"),
            // Characters XML 1.0 cannot hold are dropped (they cannot come from a cell anyway).
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// Unescapes the five XML entities and numeric references; anything else is kept as written.
pub fn unescape(s: &str) -> String {
    quick_xml::escape::unescape(s)
        .map(|c| c.into_owned())
        .unwrap_or_else(|_| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attributes_edited_in_place() {
        let c = "c r=\"D40\" s='5' t=\"s\"";
        assert_eq!(get(c, "s"), Some("5"));
        assert_eq!(set(c, "s", "23"), "c r=\"D40\" s='23' t=\"s\"");
        assert_eq!(remove(c, "s"), "c r=\"D40\" t=\"s\"");
        assert_eq!(set("c r=\"D40\"", "s", "9"), "c r=\"D40\" s=\"9\"");
        assert_eq!(remove(&set("c r=\"D40\"", "s", "9"), "s"), "c r=\"D40\"");
        assert_eq!(remove(&set("c r=\"D40\" ", "s", "9"), "s"), "c r=\"D40\" ");
        assert_eq!(get("row  r = \"3\"", "r"), Some("3"));
        assert_eq!(get(c, "x"), None);
        assert_eq!(local("x:worksheet"), "worksheet");
        assert_eq!(prefix_of("x:worksheet"), "x:");
        assert_eq!(escape("a<b&\"c\""), "a&lt;b&amp;&quot;c&quot;");
        assert_eq!(unescape("a&lt;b&amp;c&#x4E2D;"), "a<b&c中");
    }
}
