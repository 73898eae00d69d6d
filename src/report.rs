//! The standardized workbook: 基本信息, 年度任务, 预算情况, 绩效指标 and the 校验报告, written
//! from the `Form` and the findings only. Owns layout and formats; never judges.
//! Text is always written as text (never a formula); the creation date is fixed so the same
//! input gives the same bytes.

use crate::edition::Edition;
use crate::finding::Finding;
use crate::form::{CellRef, Column, Form};
use crate::text::fixed;
use rust_decimal::Decimal;
use rust_xlsxwriter::{
    Color, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet,
    XlsxError,
};
use unicode_width::UnicodeWidthStr;

/// Column width limits (in Excel character units): short columns fit their text, long text wraps.
const MIN_WIDTH: f64 = 6.0;
const MAX_WIDTH: f64 = 60.0;

struct Styles {
    header: Format,
    text: Format,
    number: Format,
    money: Format,
    title: Format,
    severity: [Format; 3],
}

impl Styles {
    fn new() -> Styles {
        let base = Format::new()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::Top)
            .set_text_wrap();
        let sev = |c: u32| base.clone().set_font_color(Color::RGB(c)).set_bold();
        Styles {
            header: base
                .clone()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter)
                .set_background_color(Color::RGB(0xDDEBF7)),
            text: base.clone(),
            number: base.clone().set_num_format("General"),
            money: base.clone().set_num_format("0.00"),
            title: Format::new().set_bold().set_font_size(12),
            severity: [sev(0xC00000), sev(0xB8860B), sev(0x2F75B5)],
        }
    }
}

/// A sheet under construction: tracks text widths per column for sizing.
struct Table<'a> {
    ws: &'a mut Worksheet,
    widths: Vec<usize>,
    wrap_at: Vec<f64>,
    /// (row, col, display width) of every text written, to size rows once widths are known.
    cells: Vec<(u32, u16, usize)>,
}

/// Spreadsheet programs draw a double-width glyph a little wider than two '0's.
const GLYPH: f64 = 1.15;

/// Points per line of 11-point text (CJK glyphs are taller than Latin ones).
const LINE_HEIGHT: f64 = 15.0;

impl<'a> Table<'a> {
    fn new(ws: &'a mut Worksheet, wrap_at: &[f64]) -> Table<'a> {
        // Printable as staff expect: A4 landscape, all columns on one page width.
        ws.set_landscape();
        ws.set_paper_size(9);
        ws.set_print_fit_to_pages(1, 0);
        Table {
            ws,
            widths: vec![0; wrap_at.len()],
            wrap_at: wrap_at.to_vec(),
            cells: Vec::new(),
        }
    }

    fn measure(&mut self, col: u16, s: &str) {
        let w = s.lines().map(UnicodeWidthStr::width).max().unwrap_or(0);
        if let Some(slot) = self.widths.get_mut(col as usize) {
            *slot = (*slot).max(w);
        }
    }

    fn text(&mut self, row: u32, col: u16, s: &str, f: &Format) -> Result<(), XlsxError> {
        self.measure(col, s);
        self.cells.push((row, col, UnicodeWidthStr::width(s)));
        // write_string: input text is never interpreted as a formula, whatever it starts with.
        // Text past Excel's cell limit is cut (E013 says so; the JSON keeps it whole).
        let s = crate::text::excel_cut(s).unwrap_or(s);
        self.ws.write_string_with_format(row, col, s, f)?;
        Ok(())
    }

    fn number(
        &mut self,
        row: u32,
        col: u16,
        d: Decimal,
        f: &Format,
        places: Option<u32>,
    ) -> Result<(), XlsxError> {
        let shown = match places {
            Some(p) => fixed(d, p),
            None => d.normalize().to_string(),
        };
        self.measure(col, &shown);
        // Decimals of a form (money to 6 places, targets) round-trip exactly through f64's
        // shortest representation, which is what the file stores.
        let v: f64 = d.normalize().to_string().parse().unwrap_or(0.0);
        self.ws.write_number_with_format(row, col, v, f)?;
        Ok(())
    }

    /// Sizes columns to their text (CJK counted double, via unicode-width; Excel's autofit
    /// counts it wrong) up to a cap, then rows to the lines their wrapped text needs.
    fn finish(self) -> Result<(), XlsxError> {
        let mut widths = Vec::with_capacity(self.widths.len());
        for (i, w) in self.widths.iter().enumerate() {
            let width = (*w as f64 * GLYPH + 2.0).clamp(MIN_WIDTH, self.wrap_at[i].min(MAX_WIDTH));
            self.ws.set_column_width(i as u16, width)?;
            widths.push(width);
        }
        let mut lines: std::collections::BTreeMap<u32, f64> = std::collections::BTreeMap::new();
        for (row, col, w) in self.cells {
            let per_line =
                ((widths.get(col as usize).copied().unwrap_or(MAX_WIDTH) - 2.0) / GLYPH).max(1.0);
            let n = (w as f64 / per_line).ceil().max(1.0);
            let slot = lines.entry(row).or_insert(1.0);
            *slot = slot.max(n);
        }
        for (row, n) in lines {
            if n > 1.0 {
                self.ws.set_row_height(row, n * LINE_HEIGHT)?;
            }
        }
        Ok(())
    }
}

fn source(form: &Form, cell: Option<CellRef>) -> String {
    cell.map(|c| format!("{}!{}", form.sheet, c))
        .unwrap_or_default()
}

/// Builds the standardized workbook for a checked form, as bytes; `file` names the input.
pub fn standard_workbook(
    file: &str,
    form: &Form,
    findings: &[Finding],
    ed: &Edition,
) -> Result<Vec<u8>, XlsxError> {
    let st = Styles::new();
    let mut wb = Workbook::new();
    let props = DocProperties::new()
        .set_title("整体绩效目标申报表（标准化）")
        .set_author("jixiao")
        .set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?);
    wb.set_properties(&props);
    // A light level: outputs are written once and read once.
    wb.set_zip_compression_level(1);

    basic_sheet(wb.add_worksheet(), file, form, ed, &st)?;
    tasks_sheet(wb.add_worksheet(), form, ed, &st)?;
    budget_sheet(wb.add_worksheet(), form, ed, &st)?;
    indicators_sheet(wb.add_worksheet(), form, ed, &st)?;
    report_sheet(wb.add_worksheet(), findings)?;
    wb.save_to_buffer()
}

fn header_row(t: &mut Table, headers: &[&str], row: u32, st: &Styles) -> Result<(), XlsxError> {
    for (i, h) in headers.iter().enumerate() {
        t.text(row, i as u16, h, &st.header)?;
    }
    t.ws.set_freeze_panes(row + 1, 0)?;
    Ok(())
}

fn basic_sheet(
    ws: &mut Worksheet,
    file: &str,
    form: &Form,
    ed: &Edition,
    st: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name("基本信息")?;
    let mut t = Table::new(ws, &[20.0, 80.0, 24.0]);
    header_row(&mut t, &["项目", "内容", "来源单元格"], 0, st)?;
    let year = form.year.value.map(|y| y.to_string()).unwrap_or_default();
    let text = |f: &crate::form::Field<String>| f.as_str().to_string();
    let mut rows: Vec<(&str, String, Option<CellRef>)> = vec![
        ("年度", year, form.year.cell),
        (
            "部门（单位）名称",
            text(&form.department),
            form.department.cell,
        ),
        (
            ed.labels
                .annual_goal
                .first()
                .map(String::as_str)
                .unwrap_or("年度履职目标"),
            text(&form.annual_goal),
            form.annual_goal.cell,
        ),
    ];
    for (key, f) in &form.extra {
        rows.push((ed.title(key), text(f), f.cell));
    }
    rows.push(("申报表版本", ed.edition.name.clone(), None));
    if !form.edition_evidence.is_empty() {
        rows.push(("版本识别依据", form.edition_evidence.join("、"), None));
    }
    rows.push(("源文件", file.to_string(), None));
    rows.push(("源工作表", form.sheet.clone(), None));
    for (i, (k, v, cell)) in rows.iter().enumerate() {
        let r = i as u32 + 1;
        t.text(r, 0, k, &st.text)?;
        t.text(r, 1, v, &st.text)?;
        t.text(r, 2, &source(form, *cell), &st.text)?;
    }
    t.finish()
}

fn tasks_sheet(
    ws: &mut Worksheet,
    form: &Form,
    ed: &Edition,
    st: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name("年度任务")?;
    // Amount columns only for the amounts this form has (editions whose tasks carry amounts).
    let keys: Vec<&String> = ed
        .task_amounts
        .keys()
        .filter(|k| form.tasks.iter().any(|t| t.amounts.contains_key(*k)))
        .collect();
    let mut widths = vec![6.0, 30.0, 80.0];
    widths.extend(keys.iter().map(|_| 14.0));
    widths.push(24.0);
    let mut t = Table::new(ws, &widths);
    let titles: Vec<String> = keys
        .iter()
        .map(|k| format!("{}（万元）", ed.task_amounts[*k].title))
        .collect();
    let mut headers = vec!["序号", "任务名称", "主要内容"];
    headers.extend(titles.iter().map(String::as_str));
    headers.push("来源单元格");
    header_row(&mut t, &headers, 0, st)?;
    let src_col = 3 + keys.len() as u16;
    for (i, task) in form.tasks.iter().enumerate() {
        let r = i as u32 + 1;
        t.number(r, 0, Decimal::from(i + 1), &st.number, None)?;
        t.text(r, 1, task.name.as_str(), &st.text)?;
        t.text(r, 2, task.content.as_str(), &st.text)?;
        for (j, k) in keys.iter().enumerate() {
            let col = 3 + j as u16;
            match task.amounts.get(*k) {
                Some(f) => match f.value {
                    Some(d) => t.number(r, col, d, &st.money, Some(2))?,
                    None => t.text(r, col, &f.raw, &st.text)?,
                },
                None => t.text(r, col, "", &st.text)?,
            }
        }
        t.text(r, src_col, &source(form, task.name.cell), &st.text)?;
    }
    t.finish()
}

fn budget_sheet(
    ws: &mut Worksheet,
    form: &Form,
    ed: &Edition,
    st: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name("预算情况")?;
    let shares = !form.budget_shares.is_empty();
    // Columns: 项目, 金额, [占比], [further columns as found, e.g. prior years], 来源单元格.
    let mut headers: Vec<String> = vec!["项目".into(), "金额（万元）".into()];
    if shares {
        headers.push("占比（%）".into());
    }
    headers.extend(form.budget_extra.iter().map(|c| c.title.clone()));
    headers.push("来源单元格".into());
    let mut widths = vec![20.0, 18.0];
    widths.extend(std::iter::repeat_n(14.0, headers.len() - 3));
    widths.push(24.0);
    let mut t = Table::new(ws, &widths);
    let header_refs: Vec<&str> = headers.iter().map(String::as_str).collect();
    header_row(&mut t, &header_refs, 0, st)?;
    let src_col = headers.len() as u16 - 1;
    let mut r = 1;
    for (key, spec) in &ed.budget {
        let Some(f) = form.budget.get(key) else {
            continue;
        };
        t.text(r, 0, &spec.title, &st.text)?;
        let mut cells: Vec<Option<&crate::form::Field<Decimal>>> = vec![Some(f)];
        if shares {
            cells.push(form.budget_shares.get(key));
        }
        cells.extend(form.budget_extra.iter().map(|c| c.values.get(key)));
        for (i, cell) in cells.into_iter().enumerate() {
            let col = 1 + i as u16;
            match cell {
                Some(x) => match x.value {
                    Some(d) => t.number(r, col, d, &st.money, Some(2))?,
                    None => t.text(r, col, &x.raw, &st.text)?,
                },
                None => t.text(r, col, "", &st.text)?,
            }
        }
        t.text(r, src_col, &source(form, f.cell), &st.text)?;
        r += 1;
    }
    t.finish()
}

fn indicators_sheet(
    ws: &mut Worksheet,
    form: &Form,
    ed: &Edition,
    st: &Styles,
) -> Result<(), XlsxError> {
    ws.set_name("绩效指标")?;
    let mut t = Table::new(
        ws,
        &[6.0, 14.0, 16.0, 26.0, 10.0, 10.0, 10.0, 40.0, 50.0, 24.0],
    );
    let titles: Vec<&str> = Column::ALL.iter().map(|c| ed.column_title(*c)).collect();
    let mut headers = vec!["序号"];
    headers.extend(titles);
    headers.push("来源单元格");
    header_row(&mut t, &headers, 0, st)?;
    for (i, ind) in form.indicators.iter().enumerate() {
        let r = i as u32 + 1;
        t.number(r, 0, Decimal::from(i + 1), &st.number, None)?;
        t.text(r, 1, ind.level1.as_str(), &st.text)?;
        t.text(r, 2, ind.level2.as_str(), &st.text)?;
        t.text(r, 3, ind.level3.as_str(), &st.text)?;
        t.text(r, 4, ind.kind_text(), &st.text)?;
        match (ind.kind.value, ind.value.value) {
            (Some(k), Some(n)) if k.is_quantitative() => t.number(r, 5, n, &st.number, None)?,
            _ => t.text(r, 5, &ind.value.raw, &st.text)?,
        }
        t.text(r, 6, ind.effective_unit(), &st.text)?;
        t.text(r, 7, ind.criteria.as_str(), &st.text)?;
        t.text(r, 8, ind.description.as_str(), &st.text)?;
        t.text(
            r,
            9,
            &source(form, ind.level3.cell.or(Some(CellRef::new(ind.row, 0)))),
            &st.text,
        )?;
    }
    if !form.indicators.is_empty() {
        t.ws.autofilter(0, 0, form.indicators.len() as u32, 9)?;
    }
    t.finish()
}

/// Writes the 校验报告 sheet (also the first sheet of the annotated copy).
pub(crate) fn report_sheet(ws: &mut Worksheet, findings: &[Finding]) -> Result<(), XlsxError> {
    let st = &Styles::new();
    ws.set_name("校验报告")?;
    ws.set_active(true);
    let mut t = Table::new(ws, &[6.0, 8.0, 8.0, 24.0, 14.0, 24.0, 60.0, 50.0, 16.0]);
    let summary = crate::finding::Summary::of(findings);
    t.ws.write_string_with_format(0, 0, summary.line(), &st.title)?;
    header_row(
        &mut t,
        &[
            "序号",
            "级别",
            "代码",
            "位置",
            "字段",
            "原值",
            "问题",
            "修改建议",
            "自动修正",
        ],
        1,
        st,
    )?;
    for (i, f) in findings.iter().enumerate() {
        let r = i as u32 + 2;
        let sev = f.severity.rank();
        t.number(r, 0, Decimal::from(i + 1), &st.number, None)?;
        t.text(r, 1, f.severity.zh(), &st.severity[sev])?;
        t.text(r, 2, f.code, &st.text)?;
        t.text(r, 3, &f.location(), &st.text)?;
        t.text(r, 4, &f.field, &st.text)?;
        t.text(r, 5, &f.original, &st.text)?;
        t.text(r, 6, &f.message, &st.text)?;
        t.text(r, 7, &f.hint, &st.text)?;
        t.text(r, 8, &crate::patch::report_fix_words(f), &st.text)?;
    }
    t.ws.autofilter(1, 0, findings.len() as u32 + 1, 8)?;
    t.finish()
}
