//! Notes on marked cells: a comments part (author "jixiao") and its VML drawing, new or added to
//! the sheet's own. A comment the user already has on a marked cell is kept, and jixiao's text is
//! appended to it as a run of its own starting with [`APPENDED`], so `clean` can take exactly that
//! away again.

use super::xml;
use crate::form::col_name;
use std::collections::BTreeMap;

/// The author name of jixiao's comments.
pub const AUTHOR: &str = "jixiao";

/// What starts the run jixiao appends to a user's own comment.
pub const APPENDED: &str = "【jixiao】";

const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";

fn run(text: &str) -> String {
    format!(
        "<r><rPr><sz val=\"9\"/><color indexed=\"81\"/><rFont val=\"宋体\"/><charset val=\"134\"/></rPr><t xml:space=\"preserve\">{}</t></r>",
        xml::escape(text)
    )
}

/// A new comments part for `notes` (cell → text).
pub fn new_comments(notes: &BTreeMap<(u32, u32), String>) -> String {
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<comments xmlns=\"{MAIN_NS}\"><authors><author>{AUTHOR}</author></authors><commentList>"
    );
    for (&(r, c), text) in notes {
        s.push_str(&format!(
            "<comment ref=\"{}{}\" authorId=\"0\"><text>{}</text></comment>",
            col_name(c),
            r + 1,
            run(text)
        ));
    }
    s.push_str("</commentList></comments>");
    s
}

/// A user's comments part with jixiao's notes added: appended to the comment already on a cell,
/// or as new comments by the author "jixiao" (added to the authors). Returns the part and the
/// cells that needed a new note shape.
pub fn add_to_comments(
    existing: &str,
    notes: &BTreeMap<(u32, u32), String>,
) -> (String, Vec<(u32, u32)>) {
    // The cells that already have a comment.
    let mut has: BTreeMap<(u32, u32), ()> = BTreeMap::new();
    for (i, _) in existing.match_indices("ref=\"") {
        let rest = &existing[i + 5..];
        if let Some(end) = rest.find('"')
            && let Some(at) = super::sheet::parse_a1(&rest[..end])
        {
            has.insert(at, ());
        }
    }
    let prefix = comments_prefix(existing);
    let mut out = existing.to_string();
    // Append to existing comments: before the comment's </text>.
    for (&(r, c), text) in notes.iter().filter(|(k, _)| has.contains_key(*k)) {
        let key = format!("ref=\"{}{}\"", col_name(c), r + 1);
        let Some(at) = out.find(&key) else { continue };
        let close = format!("</{prefix}text>");
        let Some(end) = out[at..].find(&close) else {
            continue;
        };
        let insert_at = at + end;
        let appended = super::styles::with_prefix(&run(&format!("\n\n{APPENDED}{text}")), &prefix);
        out.insert_str(insert_at, &appended);
    }
    let new: Vec<((u32, u32), &String)> = notes
        .iter()
        .filter(|(k, _)| !has.contains_key(*k))
        .map(|(k, v)| (*k, v))
        .collect();
    if new.is_empty() {
        return (out, Vec::new());
    }
    // The author's index: jixiao added as the last author (or found there already).
    let authors_close = format!("</{prefix}authors>");
    let author_count = out.matches(&format!("<{prefix}author>")).count()
        + out.matches(&format!("<{prefix}author/>")).count();
    let author_id = match out.find(&authors_close) {
        Some(at) => {
            out.insert_str(at, &format!("<{prefix}author>{AUTHOR}</{prefix}author>"));
            author_count
        }
        None => 0,
    };
    let list_close = format!("</{prefix}commentList>");
    let mut added = String::new();
    for ((r, c), text) in &new {
        added.push_str(&super::styles::with_prefix(
            &format!(
                "<comment ref=\"{}{}\" authorId=\"{author_id}\"><text>{}</text></comment>",
                col_name(*c),
                r + 1,
                run(text)
            ),
            &prefix,
        ));
    }
    match out.rfind(&list_close) {
        Some(at) => out.insert_str(at, &added),
        None => {
            if let Some(at) = out.rfind(&format!("<{prefix}commentList/>")) {
                let empty = format!("<{prefix}commentList/>");
                out.replace_range(
                    at..at + empty.len(),
                    &format!("<{prefix}commentList>{added}</{prefix}commentList>"),
                );
            }
        }
    }
    (out, new.into_iter().map(|(k, _)| k).collect())
}

/// The element prefix a comments part uses ("x:" or "").
fn comments_prefix(text: &str) -> String {
    let at = text.find("comments").unwrap_or(0);
    let open = text[..at].rfind('<').unwrap_or(0);
    let name = &text[open + 1..at];
    if name.ends_with(':') {
        name.to_string()
    } else {
        String::new()
    }
}

const VML: &str = "urn:schemas-microsoft-com:vml";
const OFFICE: &str = "urn:schemas-microsoft-com:office:office";
const EXCEL: &str = "urn:schemas-microsoft-com:office:excel";

/// The prefixes a VML drawing binds to the VML, Office and Excel namespaces ("v", "o", "x" as
/// Excel writes them; "ns1" … as other programs do).
pub struct Prefixes {
    pub v: String,
    pub o: String,
    pub x: String,
}

impl Prefixes {
    /// Read from a drawing's root tag; `None` for a namespace it does not declare.
    pub fn of(text: &str) -> (Option<String>, Option<String>, Option<String>) {
        let start = root_start(text);
        let end = text[start..].find('>').map_or(start, |e| start + e);
        let root = &text[start..end];
        let find = |ns: &str| {
            root.match_indices("xmlns:").find_map(|(i, m)| {
                let rest = &root[i + m.len()..];
                let (name, value) = rest.split_once('=')?;
                let value = value.trim_start();
                let q = value.chars().next()?;
                let value = &value[1..];
                let value = &value[..value.find(q)?];
                (value == ns).then(|| name.trim().to_string())
            })
        };
        (find(VML), find(OFFICE), find(EXCEL))
    }
}

/// Where the root element starts (after an XML declaration or comments).
fn root_start(text: &str) -> usize {
    text.match_indices('<')
        .find(|(i, _)| {
            text[i + 1..]
                .chars()
                .next()
                .is_some_and(|c| c.is_alphabetic())
        })
        .map_or(0, |(i, _)| i)
}

/// One note's shape in the VML drawing, anchored beside its cell.
fn shape(p: &Prefixes, id: u32, r: u32, c: u32, z: u32) -> String {
    // Anchor: left column, offset, top row, offset, right column, offset, bottom row, offset.
    let top = r.saturating_sub(1);
    let top_offset = if r == 0 { 2 } else { 10 };
    let (v, o, x) = (&p.v, &p.o, &p.x);
    format!(
        "<{v}:shape id=\"_x0000_s{id}\" type=\"#_x0000_t202\" style=\"position:absolute;margin-left:{}pt;margin-top:{}pt;width:240pt;height:120pt;z-index:{z};visibility:hidden\" fillcolor=\"#ffffe1\" {o}:insetmode=\"auto\"><{v}:fill color2=\"#ffffe1\"/><{v}:shadow on=\"t\" color=\"black\" obscured=\"t\"/><{v}:path {o}:connecttype=\"none\"/><{v}:textbox style=\"mso-direction-alt:auto\"><div style=\"text-align:left\"></div></{v}:textbox><{x}:ClientData ObjectType=\"Note\"><{x}:MoveWithCells/><{x}:SizeWithCells/><{x}:Anchor>{}, 15, {top}, {top_offset}, {}, 15, {}, 16</{x}:Anchor><{x}:AutoFill>False</{x}:AutoFill><{x}:Row>{r}</{x}:Row><{x}:Column>{c}</{x}:Column></{x}:ClientData></{v}:shape>",
        (c + 1) * 54 + 10,
        top * 15 + top_offset,
        c + 1,
        c + 5,
        top + 8
    )
}

fn shapetype(p: &Prefixes) -> String {
    let (v, o) = (&p.v, &p.o);
    format!(
        "<{v}:shapetype id=\"_x0000_t202\" coordsize=\"21600,21600\" {o}:spt=\"202\" path=\"m,l,21600r21600,l21600,xe\"><{v}:stroke joinstyle=\"miter\"/><{v}:path gradientshapeok=\"t\" {o}:connecttype=\"rect\"/></{v}:shapetype>"
    )
}

/// A new VML drawing for notes on `cells`; `sheet_no` keeps shape ids unique per sheet.
pub fn new_vml(cells: &[(u32, u32)], sheet_no: u32) -> String {
    let p = Prefixes {
        v: "v".into(),
        o: "o".into(),
        x: "x".into(),
    };
    let mut s = format!(
        "<xml xmlns:v=\"{VML}\" xmlns:o=\"{OFFICE}\" xmlns:x=\"{EXCEL}\"><o:shapelayout v:ext=\"edit\"><o:idmap v:ext=\"edit\" data=\"{sheet_no}\"/></o:shapelayout>{}",
        shapetype(&p)
    );
    for (i, (r, c)) in cells.iter().enumerate() {
        s.push_str(&shape(
            &p,
            sheet_no * 1024 + 1 + i as u32,
            *r,
            *c,
            i as u32 + 1,
        ));
    }
    s.push_str("</xml>");
    s
}

/// A user's VML drawing with shapes added for notes on `cells` (ids after the highest there),
/// written with the prefixes the drawing uses (and declaring ours where it lacks one).
pub fn add_to_vml(existing: &str, cells: &[(u32, u32)], sheet_no: u32) -> String {
    let max_id = existing
        .match_indices("_x0000_s")
        .filter_map(|(i, m)| {
            let rest = &existing[i + m.len()..];
            let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            digits.parse::<u32>().ok()
        })
        .max()
        .unwrap_or(sheet_no * 1024);
    let (v, o, x) = Prefixes::of(existing);
    let mut declare = String::new();
    let mut pick = |found: Option<String>, ours: &str, ns: &str| {
        found.unwrap_or_else(|| {
            declare.push_str(&format!(" xmlns:jx{ours}=\"{ns}\""));
            format!("jx{ours}")
        })
    };
    let p = Prefixes {
        v: pick(v, "v", VML),
        o: pick(o, "o", OFFICE),
        x: pick(x, "x", EXCEL),
    };
    let mut shapes = String::new();
    // A drawing whose note shape type is missing gets one (it is what the shapes refer to).
    if !existing.contains("_x0000_t202") {
        shapes.push_str(&shapetype(&p));
    }
    for (i, (r, c)) in cells.iter().enumerate() {
        shapes.push_str(&shape(&p, max_id + 1 + i as u32, *r, *c, 100 + i as u32));
    }
    let mut out = existing.to_string();
    let start = root_start(&out);
    if !declare.is_empty()
        && let Some(end) = out[start..].find('>').map(|e| start + e)
    {
        let at = if out[..end].ends_with('/') {
            end - 1
        } else {
            end
        };
        out.insert_str(at, &declare);
    }
    match out.rfind("</xml>") {
        Some(at) => out.insert_str(at, &shapes),
        None => out.push_str(&shapes),
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_added_to_a_users_comments() {
        let user = r#"<?xml version="1.0"?><comments xmlns="m"><authors><author>张三</author></authors><commentList><comment ref="B2" authorId="0"><text><r><t>请核对</t></r></text></comment></commentList></comments>"#;
        let notes: BTreeMap<(u32, u32), String> = [
            ((1, 1), "错误[E303] x".to_string()),
            ((3, 0), "警告 y".to_string()),
        ]
        .into();
        let (out, new) = add_to_comments(user, &notes);
        assert_eq!(new, vec![(3, 0)]);
        assert!(out.contains("<t>请核对</t></r><r>"), "{out}");
        assert!(out.contains(&format!("{APPENDED}错误[E303] x")), "{out}");
        assert!(
            out.contains("<author>张三</author><author>jixiao</author></authors>"),
            "{out}"
        );
        assert!(out.contains("<comment ref=\"A4\" authorId=\"1\">"), "{out}");
        let vml = new_vml(&[(0, 0)], 1);
        assert!(vml.contains("_x0000_s1025") && vml.contains("<x:Row>0</x:Row>"));
        let more = add_to_vml(&vml, &[(5, 2)], 1);
        assert!(more.contains("_x0000_s1026") && more.contains("<x:Column>2</x:Column>"));
    }
}
