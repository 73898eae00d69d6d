//! The 校验报告 sheet added to the user's workbook: the counts, then one row per finding with its
//! level, code, place (a link that jumps to the marked cell), field, value as typed, message and
//! hint. Written as worksheet XML with inline strings, so the shared strings stay untouched.

use super::styles::ReportXfs;
use super::xml;
use crate::finding::{Finding, Summary};
use crate::form::col_name;
use unicode_width::UnicodeWidthStr;

/// The report sheet's column headers.
pub const HEADERS: [&str; 9] = [
    "序号",
    "级别",
    "代码",
    "位置",
    "字段",
    "原值",
    "问题",
    "修改建议",
    "自动修正",
];

/// Column widths (characters): short columns fit, long text wraps.
const WIDTHS: [f64; 9] = [6.0, 8.0, 8.0, 24.0, 14.0, 24.0, 60.0, 50.0, 16.0];

/// The 自动修正 column: what `jixiao fix` can do about a finding.
pub fn fix_words(f: &Finding) -> String {
    f.fix
        .as_ref()
        .map(|x| x.kind.zh().to_string())
        .unwrap_or_default()
}

/// A sheet reference in a link: always quoted, which every program reads.
pub fn quote_sheet(name: &str) -> String {
    format!("'{}'", name.replace('\'', "''"))
}

fn cell(r: u32, c: u32, s: u32, text: &str) -> String {
    let text = crate::text::excel_cut(text).unwrap_or(text);
    format!(
        "<c r=\"{}{}\" s=\"{s}\" t=\"inlineStr\"><is><t xml:space=\"preserve\">{}</t></is></c>",
        col_name(c),
        r + 1,
        xml::escape(text)
    )
}

fn number(r: u32, c: u32, s: u32, n: usize) -> String {
    format!("<c r=\"{}{}\" s=\"{s}\"><v>{n}</v></c>", col_name(c), r + 1)
}

/// The lines wrapped text takes in a column of `width` characters (CJK counted double).
fn lines(text: &str, width: f64) -> f64 {
    let per_line = ((width - 2.0) / 1.15).max(1.0);
    text.lines()
        .map(|l| {
            (UnicodeWidthStr::width(l) as f64 / per_line)
                .ceil()
                .max(1.0)
        })
        .sum::<f64>()
        .max(1.0)
}

/// The report sheet's XML; every finding on a cell gets a link to it.
pub fn report_sheet(findings: &[Finding], xfs: &ReportXfs) -> String {
    let summary = Summary::of(findings);
    let mut rows = String::new();
    rows.push_str(&format!(
        "<row r=\"1\" ht=\"20\" customHeight=\"1\">{}</row>",
        cell(0, 0, xfs.title, &summary.line())
    ));
    let header: String = HEADERS
        .iter()
        .enumerate()
        .map(|(i, h)| cell(1, i as u32, xfs.header, h))
        .collect();
    rows.push_str(&format!("<row r=\"2\">{header}</row>"));
    let mut links = String::new();
    for (i, f) in findings.iter().enumerate() {
        let r = i as u32 + 2;
        let texts = [
            f.severity.zh().to_string(),
            f.code.to_string(),
            f.location(),
            f.field.clone(),
            f.original.clone(),
            f.message.clone(),
            f.hint.clone(),
            fix_words(f),
        ];
        let height = texts
            .iter()
            .enumerate()
            .map(|(j, t)| lines(t, WIDTHS[j + 1]))
            .fold(1.0, f64::max);
        let ht = if height > 1.0 {
            format!(" ht=\"{}\" customHeight=\"1\"", height * 15.0)
        } else {
            String::new()
        };
        let mut row = number(r, 0, xfs.number, i + 1);
        for (j, t) in texts.iter().enumerate() {
            let style = match j {
                0 => xfs.severity[f.severity.rank()],
                2 if f.cell.is_some() && !f.sheet.is_empty() => xfs.link,
                _ => xfs.text,
            };
            row.push_str(&cell(r, j as u32 + 1, style, t));
        }
        rows.push_str(&format!("<row r=\"{}\"{ht}>{row}</row>", r + 1));
        if let Some(c) = f.cell.filter(|_| !f.sheet.is_empty()) {
            let location = format!("{}!{}", quote_sheet(&f.sheet), c);
            links.push_str(&format!(
                "<hyperlink ref=\"D{}\" location=\"{}\" display=\"{}\"/>",
                r + 1,
                xml::escape(&location),
                xml::escape(&f.location())
            ));
        }
    }
    let cols = xml::cols(&WIDTHS);
    let last = findings.len() as u32 + 2;
    let hyperlinks = if links.is_empty() {
        String::new()
    } else {
        format!("<hyperlinks>{links}</hyperlinks>")
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheetPr><tabColor rgb=\"FFC00000\"/><pageSetUpPr fitToPage=\"1\"/></sheetPr><dimension ref=\"A1:I{last}\"/><sheetViews><sheetView tabSelected=\"1\" workbookViewId=\"0\"><pane ySplit=\"2\" topLeftCell=\"A3\" activePane=\"bottomLeft\" state=\"frozen\"/><selection pane=\"bottomLeft\" activeCell=\"A3\" sqref=\"A3\"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight=\"15\"/><cols>{cols}</cols><sheetData>{rows}</sheetData>{hyperlinks}<pageMargins left=\"0.5\" right=\"0.5\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/><pageSetup paperSize=\"9\" orientation=\"landscape\" fitToHeight=\"0\"/></worksheet>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_quoted_for_links() {
        assert_eq!(quote_sheet("绩效目标申报表"), "'绩效目标申报表'");
        assert_eq!(quote_sheet("张三's"), "'张三''s'");
    }
}
