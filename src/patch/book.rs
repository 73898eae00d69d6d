//! Edits to the small XML parts that tie the package together — workbook.xml (the sheet list, the
//! active tab, sheet-local names), `[Content_Types].xml` and relationship parts — done on the
//! text by tag positions, so every byte not edited stays as it was and `clean` can undo exactly.

use super::PatchError;
use super::xml;
use quick_xml::events::Event;

/// A tag of a part: its local name, raw content, whether it is empty, and where it is.
pub struct Tag {
    pub local: String,
    pub content: String,
    pub empty: bool,
    pub end: bool,
    pub prefix: String,
}

/// What to do at a tag.
pub enum Edit {
    /// Put this text in place of the tag.
    Replace(String),
    /// Take the tag (and, for a start tag, everything up to its end tag) away.
    Remove,
    /// Put this text right after the tag.
    After(String),
    /// Put this text right before the tag.
    Before(String),
}

/// Rewrites a part's text, tag by tag: `f` says what to do at each tag; everything else is kept
/// byte for byte.
pub fn rewrite(text: &str, mut f: impl FnMut(&Tag) -> Option<Edit>) -> Result<String, PatchError> {
    let mut reader = quick_xml::Reader::from_str(text);
    let mut out = String::with_capacity(text.len() + 256);
    let mut copied = 0usize;
    // While removing an element: the depth inside it.
    let mut removing: Option<usize> = None;
    loop {
        let start = reader.buffer_position() as usize;
        let ev = reader
            .read_event()
            .map_err(|e| PatchError::corrupt(format!("XML：{e}")))?;
        let end = reader.buffer_position() as usize;
        let (tag, is_end) = match &ev {
            Event::Start(e) => (
                Some((e.name().as_ref().to_string(), xml::content(e), false)),
                false,
            ),
            Event::Empty(e) => (
                Some((e.name().as_ref().to_string(), xml::content(e), true)),
                false,
            ),
            Event::End(e) => (
                Some((e.name().as_ref().to_string(), String::new(), false)),
                true,
            ),
            Event::Eof => break,
            _ => (None, false),
        };
        if let Some(depth) = removing.as_mut() {
            match &ev {
                Event::Start(_) => *depth += 1,
                Event::End(_) => {
                    if *depth == 0 {
                        removing = None;
                        copied = end;
                        continue;
                    }
                    *depth -= 1;
                }
                _ => {}
            }
            copied = end;
            continue;
        }
        let Some((name, content, empty)) = tag else {
            continue;
        };
        let t = Tag {
            local: xml::local(&name).to_string(),
            prefix: xml::prefix_of(&name),
            content,
            empty,
            end: is_end,
        };
        match f(&t) {
            None => {}
            Some(Edit::Replace(s)) => {
                out.push_str(&text[copied..start]);
                out.push_str(&s);
                copied = end;
            }
            Some(Edit::Remove) => {
                out.push_str(&text[copied..start]);
                copied = end;
                if !t.empty && !t.end {
                    removing = Some(0);
                }
            }
            Some(Edit::After(s)) => {
                out.push_str(&text[copied..end]);
                out.push_str(&s);
                copied = end;
            }
            Some(Edit::Before(s)) => {
                out.push_str(&text[copied..start]);
                out.push_str(&s);
                copied = start;
            }
        }
    }
    out.push_str(&text[copied..]);
    Ok(out)
}

/// A start or empty tag written back from its content.
pub fn write_tag(content: &str, empty: bool) -> String {
    if empty {
        format!("<{content}/>")
    } else {
        format!("<{content}>")
    }
}

/// The prefix a tag's content binds to a namespace, if it declares it ("r" for xmlns:r="…").
pub fn prefix_for(content: &str, namespace: &str) -> Option<String> {
    content.split_whitespace().find_map(|tok| {
        let (name, _) = tok.split_once('=')?;
        let p = name.strip_prefix("xmlns:")?;
        (xml::get(content, name)? == namespace).then(|| p.to_string())
    })
}

const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

/// workbook.xml with the report sheet listed first and made the active tab; sheet-local names
/// follow their sheets. Returns the text and the active tab it had (`None` when not set).
pub fn add_report(
    text: &str,
    name: &str,
    sheet_id: u32,
    rid: &str,
) -> Result<(String, Option<u32>), PatchError> {
    let mut rel_prefix: Option<String> = None;
    let mut active = None;
    let mut first_view = true;
    let out = rewrite(text, |t| {
        if t.end {
            return None;
        }
        match t.local.as_str() {
            "workbook" => {
                rel_prefix = prefix_for(&t.content, REL_NS);
                None
            }
            "sheets" if !t.empty => {
                let id_attr = match &rel_prefix {
                    Some(p) => format!("{p}:id=\"{rid}\""),
                    None => format!("xmlns:r=\"{REL_NS}\" r:id=\"{rid}\""),
                };
                Some(Edit::After(format!(
                    "<{}sheet name=\"{}\" sheetId=\"{sheet_id}\" {id_attr}/>",
                    t.prefix,
                    xml::escape(name)
                )))
            }
            "workbookView" if first_view => {
                first_view = false;
                let at = xml::get(&t.content, "activeTab")?;
                active = at.parse::<u32>().ok();
                Some(Edit::Replace(write_tag(
                    &xml::set(&t.content, "activeTab", "0"),
                    t.empty,
                )))
            }
            "definedName" => {
                let n: u32 = xml::get(&t.content, "localSheetId")?.parse().ok()?;
                Some(Edit::Replace(write_tag(
                    &xml::set(&t.content, "localSheetId", &(n + 1).to_string()),
                    t.empty,
                )))
            }
            _ => None,
        }
    })?;
    Ok((out, active))
}

/// workbook.xml without the report sheet (the `<sheet>` with relationship `rid`): the active tab
/// back to `active` while the report was the active one (one to the left otherwise), sheet-local
/// names back to their sheets.
pub fn remove_report(text: &str, rid: &str, active: Option<u32>) -> Result<String, PatchError> {
    let mut first_view = true;
    rewrite(text, |t| {
        if t.end {
            return None;
        }
        match t.local.as_str() {
            "sheet" if super::package::rid_of(&t.content).as_deref() == Some(rid) => {
                Some(Edit::Remove)
            }
            "workbookView" if first_view => {
                first_view = false;
                let now: u32 = xml::get(&t.content, "activeTab")?.parse().ok()?;
                let back = match (now, active) {
                    (0, Some(a)) => a,
                    (0, None) => 0,
                    (n, _) => n - 1,
                };
                Some(Edit::Replace(write_tag(
                    &xml::set(&t.content, "activeTab", &back.to_string()),
                    t.empty,
                )))
            }
            "definedName" => {
                let n: u32 = xml::get(&t.content, "localSheetId")?.parse().ok()?;
                (n > 0).then(|| {
                    Edit::Replace(write_tag(
                        &xml::set(&t.content, "localSheetId", &(n - 1).to_string()),
                        t.empty,
                    ))
                })
            }
            _ => None,
        }
    })
}

/// A part with `markup` put just before its root's end tag (a new Override, Relationship …).
pub fn append_child(text: &str, markup: &str) -> Result<String, PatchError> {
    let mut depth = 0usize;
    rewrite(text, |t| {
        if t.end {
            depth = depth.saturating_sub(1);
            return (depth == 0)
                .then(|| Edit::Before(super::styles::with_prefix(markup, &t.prefix)));
        }
        if !t.empty {
            depth += 1;
        }
        None
    })
}

/// A part without the child elements `pick` chooses (by their tag).
pub fn remove_children(
    text: &str,
    mut pick: impl FnMut(&Tag) -> bool,
) -> Result<String, PatchError> {
    rewrite(text, |t| (!t.end && pick(t)).then_some(Edit::Remove))
}

/// The content-types part with an Override for `part` (of `content_type`), unless one is there.
pub fn add_override(ct: &str, part: &str, content_type: &str) -> Result<String, PatchError> {
    if ct.contains(&format!("PartName=\"/{part}\"")) {
        return Ok(ct.to_string());
    }
    append_child(
        ct,
        &format!("<Override PartName=\"/{part}\" ContentType=\"{content_type}\"/>"),
    )
}

/// The content-types part with a Default for `extension`; false when one was there already.
pub fn add_default(
    ct: &str,
    extension: &str,
    content_type: &str,
) -> Result<(String, bool), PatchError> {
    let has = ct.contains(&format!("Extension=\"{extension}\""))
        || ct.contains(&format!("Extension=\"{}\"", extension.to_uppercase()));
    if has {
        return Ok((ct.to_string(), false));
    }
    Ok((
        append_child(
            ct,
            &format!("<Default Extension=\"{extension}\" ContentType=\"{content_type}\"/>"),
        )?,
        true,
    ))
}

/// A relationships part with one more relationship.
pub fn add_rel(rels: &str, id: &str, typ: &str, target: &str) -> Result<String, PatchError> {
    append_child(
        rels,
        &format!(
            "<Relationship Id=\"{id}\" Type=\"{typ}\" Target=\"{}\"/>",
            xml::escape(target)
        ),
    )
}

/// A new relationships part.
pub fn new_rels(items: &[(String, &str, String)]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
    );
    for (id, typ, target) in items {
        s.push_str(&format!(
            "<Relationship Id=\"{id}\" Type=\"{typ}\" Target=\"{}\"/>",
            xml::escape(target)
        ));
    }
    s.push_str("</Relationships>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    const WB: &str = r#"<?xml version="1.0"?><workbook xmlns="m" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><bookViews><workbookView xWindow="0" activeTab="1"/></bookViews><sheets><sheet name="说明" sheetId="1" r:id="rId1"/><sheet name="申报表" sheetId="2" r:id="rId2"/></sheets><definedNames><definedName name="_xlnm.Print_Area" localSheetId="1">申报表!$A$1:$H$40</definedName></definedNames></workbook>"#;

    #[test]
    fn report_sheet_added_and_removed_exactly() {
        let (added, active) = add_report(WB, "校验报告", 3, "rIdJx1").unwrap();
        assert_eq!(active, Some(1));
        assert!(added.contains("<sheets><sheet name=\"校验报告\" sheetId=\"3\" r:id=\"rIdJx1\"/><sheet name=\"说明\""), "{added}");
        assert!(added.contains("activeTab=\"0\""));
        assert!(added.contains("localSheetId=\"2\""));
        assert_eq!(remove_report(&added, "rIdJx1", active).unwrap(), WB);
        let ct = r#"<Types xmlns="t"><Default Extension="xml" ContentType="a"/></Types>"#;
        let ct2 = add_override(ct, "xl/worksheets/sheet9.xml", "w").unwrap();
        assert_eq!(
            ct2,
            r#"<Types xmlns="t"><Default Extension="xml" ContentType="a"/><Override PartName="/xl/worksheets/sheet9.xml" ContentType="w"/></Types>"#
        );
        let back = remove_children(&ct2, |t| {
            xml::get(&t.content, "PartName") == Some("/xl/worksheets/sheet9.xml")
        })
        .unwrap();
        assert_eq!(back, ct);
    }
}

/// workbook.xml asking to be recalculated when opened (`calcPr fullCalcOnLoad="1"`), set on
/// its `calcPr` or on a new one in its place among the workbook's elements.
pub fn recalculate_on_load(wb_xml: &str) -> String {
    if let Some(at) = wb_xml.find("<calcPr") {
        let end = wb_xml[at..]
            .find('>')
            .map(|e| e + at)
            .unwrap_or(wb_xml.len());
        let self_closing = wb_xml[..end].ends_with('/');
        let content_end = if self_closing { end - 1 } else { end };
        let content = &wb_xml[at + 1..content_end];
        let set = super::xml::set(content.trim_end(), "fullCalcOnLoad", "1");
        return format!(
            "{}<{set}{}{}",
            &wb_xml[..at],
            if self_closing { "/" } else { "" },
            &wb_xml[end..]
        );
    }
    // calcPr comes after definedNames and before these (CT_Workbook's order).
    const AFTER: [&str; 10] = [
        "<oleSize",
        "<customWorkbookViews",
        "<pivotCaches",
        "<smartTagPr",
        "<smartTagTypes",
        "<webPublishing",
        "<fileRecoveryPr",
        "<webPublishObjects",
        "<extLst",
        "</workbook>",
    ];
    match AFTER.iter().filter_map(|t| wb_xml.find(t)).min() {
        Some(at) => format!(
            "{}<calcPr fullCalcOnLoad=\"1\"/>{}",
            &wb_xml[..at],
            &wb_xml[at..]
        ),
        None => wb_xml.to_string(),
    }
}

#[cfg(test)]
mod recalc_tests {
    use super::recalculate_on_load;

    #[test]
    fn calc_pr_set_or_added() {
        assert_eq!(
            recalculate_on_load("<workbook><sheets/><calcPr calcId=\"191029\"/></workbook>"),
            "<workbook><sheets/><calcPr calcId=\"191029\" fullCalcOnLoad=\"1\"/></workbook>"
        );
        assert_eq!(
            recalculate_on_load("<workbook><sheets/><extLst/></workbook>"),
            "<workbook><sheets/><calcPr fullCalcOnLoad=\"1\"/><extLst/></workbook>"
        );
    }
}
