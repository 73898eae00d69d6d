//! The batch's summary workbook (汇总.xlsx), so a finance office sees every unit's form at once:
//! a sheet 文件 (one row per form: a link that opens its annotated copy, sheet, department, year,
//! edition, status, counts, 部门预算总额), a sheet 问题 (every finding, its 位置 a link to the cell
//! in the annotated copy) and a sheet 规则统计 (forms and findings per rule, most frequent first).
//! Rows are streamed into the zip as forms are added, so the cost stays flat however many files
//! the batch holds; only one short row per form and a counter per rule are kept.

use crate::finding::Severity;
use crate::patch::PatchError;
use crate::patch::meta::{self, CUSTOM_PART, State};
use crate::patch::package::ZipOut;
use crate::patch::xml::escape;
use crate::pipeline::{FileResult, Status};
use crate::text::fixed;
use std::collections::BTreeMap;
use std::io::{Cursor, Read, Seek, Write};

/// Cell formats of the summary (indices into its styles part).
const HEADER: u32 = 1;
const TEXT: u32 = 2;
const LINK: u32 = 3;
const NUMBER: u32 = 4;
const MONEY: u32 = 5;
const SEVERITY: [u32; 3] = [6, 7, 8];

const STYLES: &str = concat!(
    "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n",
    "<styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">",
    "<numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"0.00\"/></numFmts>",
    "<fonts count=\"6\">",
    "<font><sz val=\"11\"/><name val=\"等线\"/><charset val=\"134\"/></font>",
    "<font><b/><sz val=\"11\"/><name val=\"等线\"/><charset val=\"134\"/></font>",
    "<font><u/><sz val=\"11\"/><color rgb=\"FF0563C1\"/><name val=\"等线\"/><charset val=\"134\"/></font>",
    "<font><b/><sz val=\"11\"/><color rgb=\"FFC00000\"/><name val=\"等线\"/><charset val=\"134\"/></font>",
    "<font><b/><sz val=\"11\"/><color rgb=\"FFB8860B\"/><name val=\"等线\"/><charset val=\"134\"/></font>",
    "<font><b/><sz val=\"11\"/><color rgb=\"FF2F75B5\"/><name val=\"等线\"/><charset val=\"134\"/></font>",
    "</fonts>",
    "<fills count=\"3\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill patternType=\"gray125\"/></fill>",
    "<fill><patternFill patternType=\"solid\"><fgColor rgb=\"FFDDEBF7\"/><bgColor indexed=\"64\"/></patternFill></fill></fills>",
    "<borders count=\"2\"><border><left/><right/><top/><bottom/><diagonal/></border>",
    "<border><left style=\"thin\"><color auto=\"1\"/></left><right style=\"thin\"><color auto=\"1\"/></right><top style=\"thin\"><color auto=\"1\"/></top><bottom style=\"thin\"><color auto=\"1\"/></bottom><diagonal/></border></borders>",
    "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>",
    "<cellXfs count=\"9\">",
    "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>",
    "<xf numFmtId=\"0\" fontId=\"1\" fillId=\"2\" borderId=\"1\" xfId=\"0\" applyFont=\"1\" applyFill=\"1\" applyBorder=\"1\" applyAlignment=\"1\"><alignment horizontal=\"center\" vertical=\"center\" wrapText=\"1\"/></xf>",
    "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"1\" xfId=\"0\" applyBorder=\"1\" applyAlignment=\"1\"><alignment vertical=\"top\" wrapText=\"1\"/></xf>",
    "<xf numFmtId=\"0\" fontId=\"2\" fillId=\"0\" borderId=\"1\" xfId=\"0\" applyFont=\"1\" applyBorder=\"1\" applyAlignment=\"1\"><alignment vertical=\"top\" wrapText=\"1\"/></xf>",
    "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"1\" xfId=\"0\" applyBorder=\"1\" applyAlignment=\"1\"><alignment vertical=\"top\"/></xf>",
    "<xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"1\" xfId=\"0\" applyNumberFormat=\"1\" applyBorder=\"1\" applyAlignment=\"1\"><alignment vertical=\"top\"/></xf>",
    "<xf numFmtId=\"0\" fontId=\"3\" fillId=\"0\" borderId=\"1\" xfId=\"0\" applyFont=\"1\" applyBorder=\"1\" applyAlignment=\"1\"><alignment vertical=\"top\"/></xf>",
    "<xf numFmtId=\"0\" fontId=\"4\" fillId=\"0\" borderId=\"1\" xfId=\"0\" applyFont=\"1\" applyBorder=\"1\" applyAlignment=\"1\"><alignment vertical=\"top\"/></xf>",
    "<xf numFmtId=\"0\" fontId=\"5\" fillId=\"0\" borderId=\"1\" xfId=\"0\" applyFont=\"1\" applyBorder=\"1\" applyAlignment=\"1\"><alignment vertical=\"top\"/></xf>",
    "</cellXfs><cellStyles count=\"1\"><cellStyle name=\"常规\" xfId=\"0\" builtinId=\"0\"/></cellStyles></styleSheet>",
);

/// The sheets' headers and column widths.
const FILES_HEADER: [&str; 11] = [
    "文件",
    "工作表",
    "部门（单位）",
    "年度",
    "版本",
    "结果",
    "错误",
    "警告",
    "提示",
    "部门预算总额（万元）",
    "来源",
];
const FILES_WIDTHS: [f64; 11] = [40.0, 16.0, 28.0, 8.0, 22.0, 10.0, 7.0, 7.0, 7.0, 14.0, 40.0];
const FINDINGS_HEADER: [&str; 8] = [
    "文件",
    "位置",
    "级别",
    "代码",
    "字段",
    "原值",
    "问题",
    "修改建议",
];
const FINDINGS_WIDTHS: [f64; 8] = [40.0, 22.0, 7.0, 7.0, 14.0, 20.0, 60.0, 50.0];
const RULES_HEADER: [&str; 5] = ["代码", "级别", "问题", "申报表数", "问题数"];
const RULES_WIDTHS: [f64; 5] = [8.0, 7.0, 40.0, 10.0, 10.0];

/// One cell of a row being written.
enum V<'a> {
    Text(&'a str, u32),
    Num(f64, u32),
    /// Text that is a link: the text, the relationship (by index into the link targets), and
    /// the place inside the target.
    Link(&'a str, usize, Option<String>),
    Empty,
}

/// A rule's tally.
#[derive(Default)]
struct Tally {
    forms: usize,
    findings: usize,
}

/// A hyperlink: cell (column × 2^20 + row), target (index into the link targets), location.
type Link = (u32, usize, Option<Box<str>>);

/// What the summary keeps until the end, outside memory (`S`: a temporary file, or a buffer):
/// the 文件 sheet's rows, the two sheets' hyperlinks and the link targets, each as the XML it
/// becomes.
struct Spills<S> {
    files_rows: S,
    files_links: S,
    findings_links: S,
    targets: S,
}

/// The summary workbook being written, into memory or into a file (`W`). Everything that grows
/// with the batch goes into the zip or into the spills as it comes, so a batch of 10,000 forms
/// holds no more memory than one of ten.
pub struct Summary<
    W: Read + Write + Seek = Cursor<Vec<u8>>,
    S: Read + Write + Seek = Cursor<Vec<u8>>,
> {
    out: ZipOut<W>,
    spills: Spills<S>,
    findings_rows: u32,
    forms: u32,
    /// Link targets so far, and the last one (the forms of one file share it).
    targets: usize,
    last_target: Option<(String, usize)>,
    rules: BTreeMap<&'static str, Tally>,
    /// The first write error; the summary is then not written.
    failed: Option<std::io::Error>,
}

fn col(c: usize) -> String {
    crate::form::col_name(c as u32)
}

fn row_xml(r: u32, cells: &[V]) -> (String, Vec<Link>) {
    let mut s = format!("<row r=\"{}\">", r + 1);
    let mut links = Vec::new();
    for (i, v) in cells.iter().enumerate() {
        let at = format!("{}{}", col(i), r + 1);
        match v {
            V::Text(t, _) | V::Link(t, _, _) if !t.is_empty() => {
                let st = match v {
                    V::Text(_, st) => *st,
                    _ => LINK,
                };
                let t = crate::text::excel_cut(t).unwrap_or(t);
                s.push_str(&format!(
                    "<c r=\"{at}\" s=\"{st}\" t=\"inlineStr\"><is><t xml:space=\"preserve\">{}</t></is></c>",
                    escape(t)
                ));
                if let V::Link(_, target, location) = v {
                    let location = location.as_deref().map(Box::from);
                    links.push((i as u32 * 1_048_576 + r, *target, location));
                }
            }
            V::Num(n, st) => s.push_str(&format!("<c r=\"{at}\" s=\"{st}\"><v>{n}</v></c>")),
            _ => s.push_str(&format!("<c r=\"{at}\" s=\"{TEXT}\"/>")),
        }
    }
    s.push_str("</row>");
    (s, links)
}

fn sheet_start(widths: &[f64]) -> String {
    let cols = crate::patch::xml::cols(widths);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\"><sheetViews><sheetView workbookViewId=\"0\"><pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/><selection pane=\"bottomLeft\" activeCell=\"A2\" sqref=\"A2\"/></sheetView></sheetViews><sheetFormatPr defaultRowHeight=\"15\"/><cols>{cols}</cols><sheetData>"
    )
}

fn hyperlinks_xml(links: &[Link]) -> String {
    let mut s = String::new();
    for (at, target, location) in links {
        let (c, r) = ((at / 1_048_576) as usize, at % 1_048_576);
        let loc = location
            .as_ref()
            .map(|l| format!(" location=\"{}\"", escape(l)))
            .unwrap_or_default();
        s.push_str(&format!(
            "<hyperlink ref=\"{}{}\" r:id=\"rId{}\"{loc}/>",
            col(c),
            r + 1,
            target + 1
        ));
    }
    s
}

/// The end of a sheet: its autofilter, its hyperlinks (copied from their spill), its page setup.
fn sheet_end(
    w: &mut impl Write,
    rows: u32,
    last_col: usize,
    links: Option<&mut (impl Read + Seek)>,
) -> std::io::Result<()> {
    write!(
        w,
        "</sheetData><autoFilter ref=\"A1:{}{}\"/>",
        col(last_col),
        rows.max(1)
    )?;
    if let Some(links) = links
        && links.seek(std::io::SeekFrom::End(0))? > 0
    {
        w.write_all(b"<hyperlinks>")?;
        links.rewind()?;
        std::io::copy(links, w)?;
        w.write_all(b"</hyperlinks>")?;
    }
    w.write_all(b"<pageMargins left=\"0.5\" right=\"0.5\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/><pageSetup paperSize=\"9\" orientation=\"landscape\"/></worksheet>")
}

impl Default for Summary {
    fn default() -> Self {
        Summary::new()
    }
}

impl Summary {
    /// A summary written in memory.
    pub fn new() -> Summary {
        Summary::to(Cursor::new(Vec::new()), Default::default())
    }
}

impl<W: Read + Write + Seek, S: Read + Write + Seek> Summary<W, S> {
    /// A summary written into `w` as it grows (a temporary file for a batch of any size), with
    /// four places (`spills`, empty) for what must wait until the end.
    pub fn to(w: W, spills: [S; 4]) -> Summary<W, S> {
        let [files_rows, files_links, findings_links, targets] = spills;
        let mut out = ZipOut::to(w);
        // The 问题 sheet is written as the forms come: its part is opened first.
        let failed = out
            .start("xl/worksheets/sheet2.xml")
            .err()
            .map(std::io::Error::other);
        let mut s = Summary {
            out,
            spills: Spills {
                files_rows,
                files_links,
                findings_links,
                targets,
            },
            findings_rows: 1,
            forms: 0,
            targets: 0,
            last_target: None,
            rules: BTreeMap::new(),
            failed,
        };
        let header: Vec<V> = FINDINGS_HEADER.iter().map(|h| V::Text(h, HEADER)).collect();
        let head = sheet_start(&FINDINGS_WIDTHS) + &row_xml(0, &header).0;
        s.write(|s| s.out.writer().write_all(head.as_bytes()));
        s
    }

    /// Runs a write, keeping the first error.
    fn write(&mut self, f: impl FnOnce(&mut Self) -> std::io::Result<()>) {
        if self.failed.is_none()
            && let Err(e) = f(self)
        {
            self.failed = Some(e);
        }
    }

    fn target(&mut self, link: &str) -> usize {
        if let Some((last, i)) = &self.last_target
            && last == link
        {
            return *i;
        }
        let i = self.targets;
        self.targets += 1;
        self.last_target = Some((link.to_string(), i));
        let rel = format!(
            "<Relationship Id=\"rId{}\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink\" Target=\"{}\" TargetMode=\"External\"/>",
            i + 1,
            escape(&link.replace('\\', "/"))
        );
        self.write(|s| s.spills.targets.write_all(rel.as_bytes()));
        i
    }

    /// Adds one file's forms and findings. `link` is where the row's links lead (the annotated
    /// copy, relative to the summary; or the input itself when no copy is written).
    pub fn add(&mut self, result: &FileResult, link: &str) {
        let target = self.target(link);
        for o in &result.outcomes {
            let summary = o.summary();
            let form = o.form.as_ref();
            self.forms += 1;
            let status = match o.status {
                Status::Ok => "通过",
                Status::Warnings => "有警告",
                Status::Errors => "有错误",
                Status::Unreadable => "无法检查",
            };
            let department = form.map(|f| f.department.as_str()).unwrap_or_default();
            let year = form.and_then(|f| f.year.value).map(f64::from);
            let edition = if form.is_some() {
                o.edition_name.as_str()
            } else {
                ""
            };
            let total = form
                .and_then(|f| f.amount(crate::form::budget_key::TOTAL))
                .and_then(|d| fixed(d, 2).parse::<f64>().ok());
            let cells = [
                V::Link(&o.file, target, None),
                V::Text(o.sheet.as_deref().unwrap_or_default(), TEXT),
                V::Text(department, TEXT),
                year.map_or(V::Empty, |y| V::Num(y, NUMBER)),
                V::Text(edition, TEXT),
                V::Text(
                    status,
                    SEVERITY[match o.status {
                        Status::Errors | Status::Unreadable => 0,
                        Status::Warnings => 1,
                        Status::Ok => 2,
                    }],
                ),
                V::Num(summary.errors as f64, NUMBER),
                V::Num(summary.warnings as f64, NUMBER),
                V::Num(summary.infos as f64, NUMBER),
                total.map_or(V::Empty, |t| V::Num(t, MONEY)),
                V::Text(&o.file, TEXT),
            ];
            let (row, links) = row_xml(self.forms, &cells);
            let links = hyperlinks_xml(&links);
            self.write(|s| {
                s.spills.files_rows.write_all(row.as_bytes())?;
                s.spills.files_links.write_all(links.as_bytes())
            });
            let mut codes_here: Vec<&'static str> = Vec::new();
            for f in &o.findings {
                let t = self.rules.entry(f.code).or_default();
                t.findings += 1;
                if !codes_here.contains(&f.code) {
                    codes_here.push(f.code);
                    t.forms += 1;
                }
                let r = self.findings_rows;
                self.findings_rows += 1;
                let location = f
                    .cell
                    .filter(|_| !f.sheet.is_empty())
                    .map(|c| format!("'{}'!{c}", f.sheet.replace('\'', "''")));
                let place = f.location();
                let cells = [
                    V::Link(&o.file, target, None),
                    if location.is_some() {
                        V::Link(&place, target, location.clone())
                    } else {
                        V::Text(&place, TEXT)
                    },
                    V::Text(f.severity.zh(), SEVERITY[f.severity.rank()]),
                    V::Text(f.code, TEXT),
                    V::Text(&f.field, TEXT),
                    V::Text(&f.original, TEXT),
                    V::Text(&f.message, TEXT),
                    V::Text(&f.hint, TEXT),
                ];
                let (xml, links) = row_xml(r, &cells);
                let links = hyperlinks_xml(&links);
                self.write(|s| {
                    s.out.writer().write_all(xml.as_bytes())?;
                    s.spills.findings_links.write_all(links.as_bytes())
                });
            }
        }
    }

    /// How many forms were added.
    pub fn forms(&self) -> usize {
        self.forms as usize
    }

    /// The finished workbook, in the writer it was written into.
    pub fn finish(mut self) -> Result<W, PatchError> {
        if let Some(e) = self.failed.take() {
            return Err(PatchError::corrupt(e));
        }
        let io = PatchError::corrupt;
        let sp = &mut self.spills;
        sheet_end(
            self.out.writer(),
            self.findings_rows,
            FINDINGS_HEADER.len() - 1,
            Some(&mut sp.findings_links),
        )
        .map_err(io)?;
        // 文件: its rows and links, from their spills.
        self.out.start("xl/worksheets/sheet1.xml")?;
        let w = self.out.writer();
        let header: Vec<V> = FILES_HEADER.iter().map(|h| V::Text(h, HEADER)).collect();
        let head = sheet_start(&FILES_WIDTHS) + &row_xml(0, &header).0;
        w.write_all(head.as_bytes()).map_err(io)?;
        sp.files_rows.rewind().map_err(io)?;
        std::io::copy(&mut sp.files_rows, w).map_err(io)?;
        sheet_end(
            w,
            self.forms + 1,
            FILES_HEADER.len() - 1,
            Some(&mut sp.files_links),
        )
        .map_err(io)?;
        // 规则统计
        let mut rules: Vec<(&&'static str, &Tally)> = self.rules.iter().collect();
        rules.sort_by(|a, b| {
            b.1.findings
                .cmp(&a.1.findings)
                .then(b.1.forms.cmp(&a.1.forms))
                .then(a.0.cmp(b.0))
        });
        let mut xml = sheet_start(&RULES_WIDTHS);
        let header: Vec<V> = RULES_HEADER.iter().map(|h| V::Text(h, HEADER)).collect();
        xml.push_str(&row_xml(0, &header).0);
        for (i, (code, t)) in rules.iter().enumerate() {
            let rule = crate::rules::rule(code);
            let sev = rule.map(|r| r.severity).unwrap_or(Severity::Info);
            let cells = [
                V::Text(code, TEXT),
                V::Text(sev.zh(), SEVERITY[sev.rank()]),
                V::Text(rule.map(|r| r.title).unwrap_or_default(), TEXT),
                V::Num(t.forms as f64, NUMBER),
                V::Num(t.findings as f64, NUMBER),
            ];
            xml.push_str(&row_xml(i as u32 + 1, &cells).0);
        }
        let mut xml = xml.into_bytes();
        sheet_end(
            &mut xml,
            rules.len() as u32 + 1,
            RULES_HEADER.len() - 1,
            None::<&mut Cursor<Vec<u8>>>,
        )
        .map_err(io)?;
        self.out.put("xl/worksheets/sheet3.xml", &xml)?;
        // Links of the two sheets with links: one relationship per target.
        for sheet in [1, 2] {
            self.out
                .start(&format!("xl/worksheets/_rels/sheet{sheet}.xml.rels"))?;
            let w = self.out.writer();
            w.write_all(b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">").map_err(io)?;
            sp.targets.rewind().map_err(io)?;
            std::io::copy(&mut sp.targets, w).map_err(io)?;
            w.write_all(b"</Relationships>").map_err(io)?;
        }
        self.out.put("xl/styles.xml", STYLES.as_bytes())?;
        self.out.put(
            "xl/workbook.xml",
            concat!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n",
                "<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">",
                "<bookViews><workbookView activeTab=\"0\"/></bookViews><sheets>",
                "<sheet name=\"文件\" sheetId=\"1\" r:id=\"rId1\"/><sheet name=\"问题\" sheetId=\"2\" r:id=\"rId2\"/><sheet name=\"规则统计\" sheetId=\"3\" r:id=\"rId3\"/>",
                "</sheets><definedNames>",
                "<definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"0\" hidden=\"1\">文件!$A$1:$K$1</definedName>",
                "<definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"1\" hidden=\"1\">问题!$A$1:$H$1</definedName>",
                "<definedName name=\"_xlnm._FilterDatabase\" localSheetId=\"2\" hidden=\"1\">规则统计!$A$1:$E$1</definedName>",
                "</definedNames></workbook>",
            )
            .as_bytes(),
        )?;
        self.out.put(
            "xl/_rels/workbook.xml.rels",
            concat!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n",
                "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
                "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet1.xml\"/>",
                "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet2.xml\"/>",
                "<Relationship Id=\"rId3\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" Target=\"worksheets/sheet3.xml\"/>",
                "<Relationship Id=\"rId4\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles\" Target=\"styles.xml\"/>",
                "</Relationships>",
            )
            .as_bytes(),
        )?;
        self.out.put(
            "_rels/.rels",
            concat!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n",
                "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
                "<Relationship Id=\"rId1\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" Target=\"xl/workbook.xml\"/>",
                "<Relationship Id=\"rId2\" Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/custom-properties\" Target=\"docProps/custom.xml\"/>",
                "</Relationships>",
            )
            .as_bytes(),
        )?;
        self.out.put(
            "[Content_Types].xml",
            concat!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\r\n",
                "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">",
                "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>",
                "<Default Extension=\"xml\" ContentType=\"application/xml\"/>",
                "<Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>",
                "<Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>",
                "<Override PartName=\"/xl/worksheets/sheet2.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>",
                "<Override PartName=\"/xl/worksheets/sheet3.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>",
                "<Override PartName=\"/xl/styles.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>",
                "<Override PartName=\"/docProps/custom.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.custom-properties+xml\"/>",
                "</Types>",
            )
            .as_bytes(),
        )?;
        // Fingerprinted like every output, so an edited summary is kept, not replaced unseen.
        let state = State {
            v: 1,
            c: true,
            ..State::default()
        };
        meta::seal_into(self.out.into_inner()?, CUSTOM_PART, &state, None)
    }
}
