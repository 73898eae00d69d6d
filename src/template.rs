//! The blank form of an edition (`jixiao template`): the form laid out from the edition's labels
//! (title, year, header fields, tasks, budget, indicator columns with their stars), the common
//! 投入管理 rows prefilled, dropdowns from a hidden 代码表 sheet (一级, 二级 depending on the
//! chosen 一级 through defined names and INDIRECT, 指标值类型, 度量单位), input messages in the
//! reviewer's words (the rules' hints), a 填表说明 sheet generated from the edition and the rule
//! registry, and the form's sheet protected so labels stay as they are while staff type, insert
//! and delete rows. Everything comes from the edition data the checks use, so the template and
//! the checks cannot disagree. Same edition, same bytes.

use crate::edition::{Edition, LabeledField};
use crate::form::{CellRef, Column, Kind, col_name};
use crate::rules::{self, RULES};
use indexmap::IndexMap;
use rust_decimal::Decimal;
use rust_xlsxwriter::{
    Color, DataValidation, DataValidationErrorStyle, DataValidationRule, DocProperties,
    ExcelDateTime, Format, FormatAlign, FormatBorder, Formula, ProtectionOptions, Workbook,
    Worksheet, XlsxError, utility::row_col_to_cell,
};
use unicode_width::UnicodeWidthStr;

/// The blank form and where its input cells are.
pub struct Template {
    pub bytes: Vec<u8>,
    pub layout: Layout,
}

/// Where each input of the blank form is (0-based rows and columns of the form's sheet).
#[derive(Debug, Clone)]
pub struct Layout {
    pub sheet: String,
    pub year: CellRef,
    pub department: CellRef,
    /// The edition's further header fields (部门（单位）职责 …), by key.
    pub header: IndexMap<String, CellRef>,
    pub goal: CellRef,
    /// The blank task rows.
    pub task_rows: Vec<u32>,
    pub task_name_col: u32,
    pub task_content_col: u32,
    /// Task amount columns, by the edition's key.
    pub task_amounts: IndexMap<String, u32>,
    /// Budget figure cells, by the edition's key.
    pub budget: IndexMap<String, CellRef>,
    /// 占比 cells, by budget key (editions with a share column).
    pub shares: IndexMap<String, CellRef>,
    /// The indicator header row and each indicator column.
    pub header_row: u32,
    pub columns: IndexMap<Column, u32>,
    /// The indicator rows: the catalogue's first (prefilled), then blank rows with their 一级.
    pub rows: Vec<IndicatorRow>,
    pub style: KindStyle,
}

/// One indicator row of the blank form.
#[derive(Debug, Clone)]
pub struct IndicatorRow {
    pub row: u32,
    pub level1: String,
    /// The catalogue entry's 三级 when the row is prefilled.
    pub catalogue: Option<String>,
}

/// How the edition writes a comparator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KindStyle {
    /// In the 指标值类型 column (≥), the value a number.
    Symbol,
    /// 指标值类型 is 定量 and the comparator leads the value ("≥90"), as in the 湖南式 edition.
    InValue,
}

impl KindStyle {
    pub fn of(ed: &Edition) -> KindStyle {
        if ed.kinds.iter().any(|k| k.from_value && !k.noted) {
            KindStyle::InValue
        } else {
            KindStyle::Symbol
        }
    }
}

/// The kinds the 指标值类型 list offers: the edition's own way of writing them.
pub fn kind_list(ed: &Edition) -> Vec<&'static str> {
    let style = KindStyle::of(ed);
    let mut out: Vec<&'static str> = Vec::new();
    for k in ed.kinds.iter().filter(|k| !k.noted) {
        let keep = match style {
            KindStyle::InValue => matches!(k.kind, Kind::Qualitative | Kind::Quantitative),
            KindStyle::Symbol => k.kind != Kind::Quantitative,
        };
        if keep && !out.contains(&k.kind.as_str()) {
            out.push(k.kind.as_str());
        }
    }
    out
}

/// The units the 度量单位 list offers: the edition's, else the catalogue's and "-".
pub fn unit_list(ed: &Edition) -> Vec<String> {
    if !ed.template.units.is_empty() {
        return ed.template.units.clone();
    }
    let mut out: Vec<String> = Vec::new();
    for u in ed
        .catalogue
        .iter()
        .map(|c| c.unit.clone())
        .chain(["-".into()])
    {
        if !u.is_empty() && !out.contains(&u) {
            out.push(u);
        }
    }
    out
}

/// `<版本>申报表模板.xlsx`, with characters no file name may hold replaced.
pub fn file_name(ed: &Edition) -> String {
    format!(
        "{}申报表模板.xlsx",
        crate::pipeline::file_safe(&ed.edition.id)
    )
}

/// The form's title: the edition's name without its trailing note in brackets.
pub fn title(ed: &Edition) -> String {
    let name = ed.edition.name.trim();
    match name
        .strip_suffix('）')
        .and_then(|s| s.rfind('（').map(|i| &s[..i]))
    {
        Some(t) if !t.trim().is_empty() => t.trim().to_string(),
        _ => name.to_string(),
    }
}

/// The sheet names besides the form's.
pub const GUIDE_SHEET: &str = "填表说明";
pub const CODE_SHEET: &str = "代码表";
/// Defined names of the lists on the 代码表 sheet.
pub const LEVEL1_NAME: &str = "一级指标";
pub const LEVEL2_PREFIX: &str = "二级_";
pub const KIND_NAME: &str = "指标值类型";
pub const UNIT_NAME: &str = "度量单位";

struct Styles {
    title: Format,
    label: Format,
    head: Format,
    input: Format,
    input_text: Format,
    money: Format,
    year: Format,
    fixed: Format,
    fixed_number: Format,
    fixed_centre: Format,
    level: Format,
    note: Format,
}

impl Styles {
    fn new(ed: &Edition) -> Styles {
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_text_wrap()
            .set_align(FormatAlign::VerticalCenter);
        let label = cell
            .clone()
            .set_bold()
            .set_align(FormatAlign::Center)
            .set_background_color(Color::RGB(0xF2F2F2));
        let input = cell.clone().set_unlocked();
        let fixed = cell.clone().set_background_color(Color::RGB(0xF7F7F7));
        let decimals = ed.edition.money_decimals as usize;
        // Two decimals shown, up to the edition's when typed (0.00#### for six).
        let money_fmt = match decimals {
            0 => "0".to_string(),
            d => format!(
                "0.{}{}",
                "0".repeat(d.min(2)),
                "#".repeat(d.saturating_sub(2))
            ),
        };
        Styles {
            title: Format::new()
                .set_bold()
                .set_font_size(16)
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            head: label.clone().set_background_color(Color::RGB(0xDDEBF7)),
            label,
            input_text: input.clone().set_num_format("@"),
            money: input.clone().set_num_format(money_fmt),
            year: input
                .clone()
                .set_num_format("0")
                .set_align(FormatAlign::Center),
            level: input.clone().set_num_format("@"),
            input,
            fixed_number: fixed
                .clone()
                .set_num_format("General")
                .set_align(FormatAlign::Center),
            fixed_centre: fixed.clone().set_align(FormatAlign::Center),
            fixed,
            note: Format::new()
                .set_text_wrap()
                .set_align(FormatAlign::Top)
                .set_font_color(Color::RGB(0x595959)),
        }
    }
}

/// A rule's hint, by code.
fn hint(code: &str) -> &'static str {
    RULES
        .iter()
        .find(|r| r.code == code)
        .map(|r| r.hint)
        .unwrap_or("")
}

/// An input message of at most Excel's 255 UTF-16 units: the lead, then the hints that fit.
fn message(lead: &str, codes: &[&str]) -> String {
    let mut out = cut(lead, 255);
    for h in codes.iter().map(|c| hint(c)).filter(|h| !h.is_empty()) {
        let sep = if out.is_empty() { "" } else { "\n" };
        let next = format!("{out}{sep}{h}。");
        if next.encode_utf16().count() > 255 {
            break;
        }
        out = next;
    }
    out
}

/// An input title of at most Excel's 32 UTF-16 units.
fn short(title: &str) -> String {
    cut(title, 32)
}

/// The longest start of `text` within `units` UTF-16 units.
fn cut(text: &str, units: usize) -> String {
    let mut used = 0;
    text.chars()
        .take_while(|c| {
            used += c.len_utf16();
            used <= units
        })
        .collect()
}

/// A validation that only shows what to write.
fn prompt(title: &str, text: &str) -> Result<DataValidation, XlsxError> {
    DataValidation::new()
        .allow_any_value()
        .set_input_title(short(title))?
        .set_input_message(text)
}

/// The A1 reference of a cell, absolute column and relative row ($D19).
fn col_abs(row: u32, col: u32) -> String {
    format!("${}{}", col_name(col), row + 1)
}

/// The height of one line of wrapped text (points; CJK fonts run taller than Latin ones).
const LINE: f64 = 16.0;

/// Rows a text needs in a column this wide (Excel character units).
fn lines(text: &str, width: f64) -> f64 {
    let per = (width - 1.0).max(4.0);
    text.lines()
        .map(|l| ((UnicodeWidthStr::width(l) as f64) / per).ceil().max(1.0))
        .sum::<f64>()
        .max(1.0)
}

/// The width of each indicator column (and of the form's columns under them).
fn width_of(col: Option<Column>) -> f64 {
    match col {
        Some(Column::Level1) => 11.0,
        Some(Column::Level2) => 13.0,
        Some(Column::Level3) => 20.0,
        Some(Column::Kind) => 9.0,
        Some(Column::Value) => 9.0,
        Some(Column::Unit) => 8.0,
        Some(Column::Criteria) => 22.0,
        Some(Column::Description) => 44.0,
        None => 12.0,
    }
}

/// The label a field is written with: its first accepted text, starred when required.
fn field_label(f: &LabeledField) -> String {
    let text = f.labels.first().cloned().unwrap_or_else(|| f.title.clone());
    if f.required { format!("*{text}") } else { text }
}

/// Writes the blank form of `ed`.
pub fn build(ed: &Edition) -> Result<Template, XlsxError> {
    let mut wb = Workbook::new();
    let props = DocProperties::new()
        .set_title(format!("{}（模板）", ed.edition.name))
        .set_author("jixiao")
        .set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?);
    wb.set_properties(&props);
    let st = Styles::new(ed);
    let layout = {
        let ws = wb.add_worksheet();
        ws.set_name(&ed.template.sheet)?;
        ws.set_active(true);
        form_sheet(ws, ed, &st)?
    };
    guide_sheet(wb.add_worksheet(), ed, &layout)?;
    let lists = code_sheet(wb.add_worksheet(), ed)?;
    for (name, range) in lists {
        wb.define_name(name, &range)?;
    }
    let bytes = wb.save_to_buffer()?;
    Ok(Template { bytes, layout })
}

/// The form's sheet: labels locked, inputs unlocked, validations and print setup.
fn form_sheet(ws: &mut Worksheet, ed: &Edition, st: &Styles) -> Result<Layout, XlsxError> {
    let mut cols: Vec<Option<Column>> = ed.template.columns.iter().copied().map(Some).collect();
    cols.extend(ed.template.extra_columns.iter().map(|_| None));
    let last = (cols.len() - 1) as u16;
    // Cells off the form take typing too, so whole rows of blank input can be deleted.
    ws.set_column_range_format(last + 1, 16_383, &Format::new().set_unlocked())?;
    for (i, c) in cols.iter().enumerate() {
        ws.set_column_width(i as u16, width_of(*c))?;
    }
    let col_of = |c: Column| cols.iter().position(|x| *x == Some(c)).unwrap_or(0) as u32;
    // The width of a span of columns, for row heights.
    let span_width = |a: u16, b: u16| (a..=b).map(|i| width_of(cols[i as usize])).sum::<f64>();

    ws.merge_range(0, 0, 0, last, &title(ed), &st.title)?;
    ws.set_row_height(0, 32)?;
    let mut r = 1u32;

    // Year, department, the edition's header fields, the annual goal.
    ws.merge_range(r, 0, r, 1, first(&ed.labels.year_line, "年度"), &st.label)?;
    ws.merge_range(r, 2, r, 3.min(last), "", &st.year)?;
    let year = CellRef::new(r, 2);
    ws.add_data_validation(
        r,
        2,
        r,
        2,
        &DataValidation::new()
            .allow_whole_number(DataValidationRule::Between(1990, 2100))
            .set_input_title("年度")?
            .set_input_message("填写四位数字的预算年度，如 2027。")?
            .set_error_title("年度")?
            .set_error_message("年度填写四位数字，如 2027。")?,
    )?;
    r += 1;
    let text_row = |ws: &mut Worksheet,
                    r: u32,
                    label: &str,
                    height: Option<f64>,
                    lead: &str,
                    codes: &[&str]|
     -> Result<CellRef, XlsxError> {
        ws.merge_range(r, 0, r, 1, label, &st.label)?;
        ws.merge_range(r, 2, r, last, "", &st.input)?;
        if let Some(h) = height {
            ws.set_row_height(r, h)?;
        }
        ws.add_data_validation(
            r,
            2,
            r,
            2,
            &prompt(label.trim_start_matches('*'), &message(lead, codes))?,
        )?;
        Ok(CellRef::new(r, 2))
    };
    let department = text_row(
        ws,
        r,
        first(&ed.labels.department, "部门（单位）名称"),
        Some(24.0),
        "",
        &["E101"],
    )?;
    r += 1;
    let mut header = IndexMap::new();
    for (key, f) in &ed.header {
        let at = text_row(ws, r, &field_label(f), Some(48.0), "", &["E104"])?;
        header.insert(key.clone(), at);
        r += 1;
    }
    let goal = text_row(
        ws,
        r,
        first(&ed.labels.annual_goal, "年度履职目标"),
        Some(64.0),
        "",
        &["E103"],
    )?;
    r += 1;

    // 年度主要任务: a header row, then blank task rows.
    let amounts: Vec<(&String, &LabeledField)> = if ed.template.task_amounts {
        ed.task_amounts.iter().collect()
    } else {
        Vec::new()
    };
    let k = amounts.len() as u16;
    let (name_cols, content_cols) = if k > 0 {
        ((1u16, 1u16), (2u16, last - k))
    } else {
        ((1, 2), (3, last))
    };
    let n = ed.template.task_rows.max(1);
    ws.merge_range(
        r,
        0,
        r + n,
        0,
        first(&ed.labels.tasks, "年度主要任务"),
        &st.label,
    )?;
    let star = |s: &str| format!("*{s}");
    merge_or_write(
        ws,
        r,
        name_cols,
        &star(first(&ed.labels.task_name, "任务名称")),
        &st.head,
    )?;
    merge_or_write(
        ws,
        r,
        content_cols,
        &star(first(&ed.labels.task_content, "主要内容")),
        &st.head,
    )?;
    let mut task_amounts = IndexMap::new();
    for (i, (key, f)) in amounts.iter().enumerate() {
        let c = last - k + 1 + i as u16;
        ws.write_string_with_format(r, c, &f.title, &st.head)?;
        task_amounts.insert((*key).clone(), c as u32);
    }
    let first_task = r + 1;
    let task_rows: Vec<u32> = (first_task..first_task + n).collect();
    for &tr in &task_rows {
        merge_or_write(ws, tr, name_cols, "", &st.input)?;
        merge_or_write(ws, tr, content_cols, "", &st.input)?;
        for &c in task_amounts.values() {
            ws.write_blank(tr, c as u16, &st.money)?;
        }
    }
    let last_task = first_task + n - 1;
    let task_msg = message("", &["E201", "E202"]);
    ws.add_data_validation(
        first_task,
        name_cols.0,
        last_task,
        name_cols.0,
        &prompt("任务名称（必填）", &task_msg)?,
    )?;
    ws.add_data_validation(
        first_task,
        content_cols.0,
        last_task,
        content_cols.0,
        &prompt("主要内容（必填）", &task_msg)?,
    )?;
    if let (Some(&c0), Some(&c1)) = (task_amounts.values().next(), task_amounts.values().last()) {
        ws.add_data_validation(
            first_task,
            c0 as u16,
            last_task,
            c1 as u16,
            &money_validation(
                ed,
                first_task,
                c0,
                "任务金额（万元）",
                &message(&money_lead(ed), &["E311", "E308"]),
            )?,
        )?;
    }
    r = last_task + 1;

    // 预算情况.
    let (budget, shares, next) = budget_block(ws, ed, st, r, last)?;
    r = next;

    // The indicator table: header, the catalogue's rows, blank rows under each other 一级.
    let header_row = r;
    for (i, c) in cols.iter().enumerate() {
        let text = match c {
            Some(c) => {
                let f = &ed.columns[c];
                let t = f.labels.first().cloned().unwrap_or_else(|| f.title.clone());
                if f.required { star(&t) } else { t }
            }
            None => ed.template.extra_columns[i - ed.template.columns.len()].clone(),
        };
        ws.write_string_with_format(header_row, i as u16, &text, &st.head)?;
    }
    ws.set_row_height(header_row, 30)?;
    let style = KindStyle::of(ed);
    let mut rows = Vec::new();
    r = header_row + 1;
    let catalogue_level = |level2: &str| {
        ed.levels
            .iter()
            .find(|l| l.has_child(level2))
            .map(|l| l.name.clone())
            .unwrap_or_default()
    };
    let description_width = width_of(Some(Column::Description));
    for e in &ed.catalogue {
        let level1 = catalogue_level(&e.level2);
        let (kind, value) = catalogue_kind_value(style, e.kind, &e.value);
        let criteria = if !e.criteria.is_empty() {
            e.criteria.clone()
        } else if ed.dash_allowed(Column::Criteria, &level1) {
            "-".to_string()
        } else {
            String::new()
        };
        let description = if e.description.is_empty() {
            e.formula.clone()
        } else {
            e.description.clone()
        };
        for (i, c) in cols.iter().enumerate() {
            let i = i as u16;
            match c {
                Some(Column::Level1) => ws.write_string_with_format(r, i, &level1, &st.fixed)?,
                Some(Column::Level2) => ws.write_string_with_format(r, i, &e.level2, &st.fixed)?,
                Some(Column::Level3) => ws.write_string_with_format(r, i, &e.level3, &st.fixed)?,
                Some(Column::Kind) => ws.write_string_with_format(r, i, kind, &st.fixed_centre)?,
                Some(Column::Value) => match &value {
                    Cell::Number(n) => ws.write_number_with_format(r, i, *n, &st.fixed_number)?,
                    Cell::Text(t) => ws.write_string_with_format(r, i, t, &st.fixed_centre)?,
                },
                Some(Column::Unit) => {
                    ws.write_string_with_format(r, i, &e.unit, &st.fixed_centre)?
                }
                Some(Column::Criteria) => {
                    ws.write_string_with_format(r, i, &criteria, &st.input)?
                }
                Some(Column::Description) => {
                    ws.write_string_with_format(r, i, &description, &st.input)?
                }
                None => ws.write_blank(r, i, &st.input)?,
            };
        }
        let h = lines(&description, description_width).max(lines(&e.level3, 20.0));
        ws.set_row_height(r, (h * LINE + 4.0).max(20.0))?;
        rows.push(IndicatorRow {
            row: r,
            level1,
            catalogue: Some(e.level3.clone()),
        });
        r += 1;
    }
    let covered: Vec<String> = rows.iter().map(|x| x.level1.clone()).collect();
    for l in ed.levels.iter().filter(|l| !covered.contains(&l.name)) {
        for _ in 0..ed.template.rows_per_level.max(1) {
            for (i, c) in cols.iter().enumerate() {
                let i = i as u16;
                match c {
                    Some(Column::Level1) => {
                        ws.write_string_with_format(r, i, &l.name, &st.level)?
                    }
                    Some(Column::Kind | Column::Unit | Column::Level2) => {
                        ws.write_blank(r, i, &st.input_text)?
                    }
                    _ => ws.write_blank(r, i, &st.input)?,
                };
            }
            rows.push(IndicatorRow {
                row: r,
                level1: l.name.clone(),
                catalogue: None,
            });
            r += 1;
        }
    }
    let (r0, r1) = (header_row + 1, r.saturating_sub(1).max(header_row + 1));
    let columns: IndexMap<Column, u32> = ed
        .template
        .columns
        .iter()
        .map(|&c| (c, col_of(c)))
        .collect();
    indicator_validations(ws, ed, &columns, r0, r1)?;

    // Under the table: a pointer to the instructions (not a label the reader stops at).
    ws.merge_range(
        r + 1,
        0,
        r + 1,
        last,
        "说明：带 * 的栏目必填；灰底单元格为栏目名称和通用的投入管理指标，已锁定。可插入或删除行；详细要求见“填表说明”工作表。",
        &st.note,
    )?;
    ws.set_row_height(r + 1, (lines("说明：带 * 的栏目必填；灰底单元格为栏目名称和通用的投入管理指标，已锁定。可插入或删除行；详细要求见“填表说明”工作表。", span_width(0, last)) * LINE + 4.0).max(20.0))?;

    // Printing: A4 landscape, one page wide, the indicator header on every page.
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_margins(0.4, 0.4, 0.5, 0.5, 0.3, 0.3);
    ws.set_print_center_horizontally(true);
    ws.set_repeat_rows(header_row, header_row)?;
    ws.set_footer("&C第 &P 页，共 &N 页");
    ws.protect_with_options(&ProtectionOptions {
        select_locked_cells: true,
        select_unlocked_cells: true,
        format_columns: true,
        format_rows: true,
        insert_rows: true,
        delete_rows: true,
        ..ProtectionOptions::default()
    });
    Ok(Layout {
        sheet: ed.template.sheet.clone(),
        year,
        department,
        header,
        goal,
        task_rows,
        task_name_col: name_cols.0 as u32,
        task_content_col: content_cols.0 as u32,
        task_amounts,
        budget,
        shares,
        header_row,
        columns,
        rows,
        style,
    })
}

/// The first accepted text of a label, or a fallback.
fn first<'a>(labels: &'a [String], fallback: &'a str) -> &'a str {
    labels.first().map(String::as_str).unwrap_or(fallback)
}

/// Writes a text over columns `cols` of row `r`, merged when they are more than one.
fn merge_or_write(
    ws: &mut Worksheet,
    r: u32,
    cols: (u16, u16),
    text: &str,
    fmt: &Format,
) -> Result<(), XlsxError> {
    if cols.0 == cols.1 {
        ws.write_string_with_format(r, cols.0, text, fmt)?;
    } else {
        ws.merge_range(r, cols.0, r, cols.1, text, fmt)?;
    }
    Ok(())
}

enum Cell {
    Number(f64),
    Text(String),
}

/// A catalogue entry's type and value as the edition writes them.
fn catalogue_kind_value(style: KindStyle, kind: Kind, value: &str) -> (&'static str, Cell) {
    let number = value
        .parse::<Decimal>()
        .ok()
        .and_then(|d| d.to_string().parse::<f64>().ok());
    match (style, kind.is_comparator(), number) {
        (KindStyle::InValue, true, _) => ("定量", Cell::Text(format!("{}{value}", kind.as_str()))),
        (_, true, Some(n)) => (kind.as_str(), Cell::Number(n)),
        _ => (kind.as_str(), Cell::Text(value.to_string())),
    }
}

/// A money cell's validation: a number ≥ 0 with at most the edition's decimals.
fn money_validation(
    ed: &Edition,
    row: u32,
    col: u32,
    title: &str,
    text: &str,
) -> Result<DataValidation, XlsxError> {
    let at = row_col_to_cell(row, col as u16);
    let d = ed.edition.money_decimals;
    DataValidation::new()
        .allow_custom(Formula::new(format!(
            "=AND(ISNUMBER({at}),{at}>=0,ROUND({at},{d})={at})"
        )))
        .set_input_title(short(title))?
        .set_input_message(text)?
        .set_error_title("金额")?
        .set_error_message(format!(
            "金额以万元为单位，只填不小于 0 的数字，最多 {d} 位小数。"
        ))
}

/// What every money cell's message starts with.
fn money_lead(ed: &Edition) -> String {
    format!(
        "以万元为单位，只填数字，最多 {} 位小数。",
        ed.edition.money_decimals
    )
}

/// A budget figure's amount cell over columns `cols` of `row`, with the money rule and a message
/// from E301, the reconciliation rule of a total (`total_code`, or "") and E307.
fn money_cell(
    ws: &mut Worksheet,
    ed: &Edition,
    st: &Styles,
    row: u32,
    cols: (u16, u16),
    f: &LabeledField,
    total_code: &str,
) -> Result<CellRef, XlsxError> {
    merge_or_write(ws, row, cols, "", &st.money)?;
    let codes: Vec<&str> = ["E301", total_code, "E307"]
        .into_iter()
        .filter(|c| !c.is_empty())
        .collect();
    let title = format!("{}（万元）", f.title);
    let text = message(&money_lead(ed), &codes);
    let at = CellRef::new(row, cols.0 as u32);
    let dv = money_validation(ed, at.row, at.col, &title, &text)?;
    ws.add_data_validation(row, cols.0, row, cols.0, &dv)?;
    Ok(at)
}

type Cells = IndexMap<String, CellRef>;

/// The 预算情况 block: a label per figure and its amount cell (grouped under 收入构成 / 支出构成
/// with a 占比 column where the edition has them). Returns the figures, the shares and the
/// next free row.
fn budget_block(
    ws: &mut Worksheet,
    ed: &Edition,
    st: &Styles,
    r: u32,
    last: u16,
) -> Result<(Cells, Cells, u32), XlsxError> {
    let mut budget = IndexMap::new();
    let mut shares = IndexMap::new();
    let label = first(&ed.labels.budget, "预算情况");
    let grouped = ed.budget.values().any(|f| !f.within.is_empty());
    if !grouped {
        let n = ed.budget.len() as u32;
        ws.merge_range(r, 0, r + n - 1, 0, label, &st.label)?;
        for (i, (key, f)) in ed.budget.iter().enumerate() {
            let rr = r + i as u32;
            ws.merge_range(rr, 1, rr, 2, first(&f.labels, &f.title), &st.label)?;
            let total = key == crate::form::budget_key::TOTAL;
            let at = money_cell(
                ws,
                ed,
                st,
                rr,
                (3, last),
                f,
                if total { "E303" } else { "" },
            )?;
            budget.insert(key.clone(), at);
        }
        return Ok((budget, shares, r + n));
    }
    // Grouped: 类别 | 项目 | amount | 占比, each group's total last.
    let share_label = ed
        .budget_share
        .iter()
        .find(|s| s.contains('%'))
        .or(ed.budget_share.first())
        .cloned();
    let mut groups: IndexMap<String, Vec<(&String, &LabeledField)>> = IndexMap::new();
    for (key, f) in &ed.budget {
        let g = f.within.first().cloned().unwrap_or_default();
        groups.entry(g).or_default().push((key, f));
    }
    for items in groups.values_mut() {
        items.sort_by_key(|(key, f)| f.share_of.as_deref() == Some(key.as_str()));
    }
    let n: u32 = groups.values().map(|v| v.len() as u32).sum();
    ws.merge_range(r, 0, r + n, 0, label, &st.label)?;
    ws.write_string_with_format(r, 1, "类别", &st.head)?;
    ws.write_string_with_format(r, 2, "项目", &st.head)?;
    // The amount over D and the columns after it, the share over the last two.
    let share_col = share_label
        .as_ref()
        .map(|_| last.saturating_sub(1).max(4).min(last));
    let amount_end = share_col.map_or(last, |c| c - 1).max(3);
    merge_or_write(ws, r, (3, amount_end), "预算数（万元）", &st.head)?;
    if let (Some(c), Some(s)) = (share_col, &share_label) {
        merge_or_write(ws, r, (c, last), s, &st.head)?;
    }
    let mut rr = r + 1;
    for (g, items) in &groups {
        let m = items.len() as u32;
        if m > 1 {
            ws.merge_range(rr, 1, rr + m - 1, 1, g, &st.label)?;
        } else {
            ws.write_string_with_format(rr, 1, g, &st.label)?;
        }
        for (key, f) in items {
            ws.write_string_with_format(rr, 2, first(&f.labels, &f.title), &st.label)?;
            let total = f.share_of.as_deref() == Some(key.as_str());
            let at = money_cell(
                ws,
                ed,
                st,
                rr,
                (3, amount_end),
                f,
                if total { "E309" } else { "" },
            )?;
            budget.insert((*key).clone(), at);
            if let Some(c) = share_col {
                let fmt = st.money.clone().set_num_format("0.00");
                merge_or_write(ws, rr, (c, last), "", &fmt)?;
                ws.add_data_validation(
                    rr,
                    c,
                    rr,
                    c,
                    &DataValidation::new()
                        .allow_decimal_number(DataValidationRule::Between(0.0, 100.0))
                        .set_input_title("占比（%）")?
                        .set_input_message(message("填百分数的数字，如 90 表示 90%。", &["E310"]))?
                        .set_error_title("占比")?
                        .set_error_message("占比填 0 到 100 之间的数字。")?,
                )?;
                shares.insert((*key).clone(), CellRef::new(rr, c as u32));
            }
            rr += 1;
        }
    }
    Ok((budget, shares, rr))
}

/// The indicator columns' lists and input messages, over rows `r0..=r1`.
fn indicator_validations(
    ws: &mut Worksheet,
    ed: &Edition,
    columns: &IndexMap<Column, u32>,
    r0: u32,
    r1: u32,
) -> Result<(), XlsxError> {
    let style = KindStyle::of(ed);
    let kinds = kind_list(ed).join("、");
    for (&c, &col) in columns {
        let f = &ed.columns[&c];
        let title = if f.required {
            format!("{}（必填）", f.title)
        } else {
            f.title.clone()
        };
        let dash = match &f.dash_allowed {
            Some(crate::edition::DashAllowed::All(_)) => "不适用的填“-”。".to_string(),
            Some(crate::edition::DashAllowed::Under(names)) => {
                format!("{}的行可填“-”。", names.join("、"))
            }
            None => String::new(),
        };
        let (lead, codes): (String, &[&str]) = match (c, style) {
            (Column::Level1, _) => ("从下拉列表选择一级指标。".into(), &["E441", "E411"]),
            (Column::Level2, _) => (
                "先选本行的一级指标，再从下拉列表选择它下面的二级指标。".into(),
                &["E412"],
            ),
            (Column::Level3, _) => ("每行填写一个三级指标的名称。".into(), &["E442"]),
            (Column::Kind, KindStyle::Symbol) => {
                (format!("从下拉列表选择：{kinds}。"), &["E402", "E431"])
            }
            (Column::Kind, KindStyle::InValue) => (
                format!("从下拉列表选择：{kinds}；定量指标把比较符写在指标值前，如“≥90”。"),
                &["E431"],
            ),
            (Column::Value, KindStyle::Symbol) => (
                "定性指标填文字（如“相关”）；定量指标只填数字。".into(),
                &["E403", "E423", "E424"],
            ),
            (Column::Value, KindStyle::InValue) => (
                "定量指标填比较符和数字，如“≥90”；定性指标填文字。".into(),
                &["E425", "E423", "E424"],
            ),
            (Column::Unit, _) => (
                format!("从下拉列表选择，也可直接输入其他单位。{dash}"),
                &["E421", "E425"],
            ),
            (Column::Criteria, _) => (dash.clone(), &["E451"]),
            (Column::Description, _) => (String::new(), &["E404"]),
        };
        let lead = if f.required {
            format!("必填。{lead}")
        } else {
            lead
        };
        let text = message(&lead, codes);
        let at = |col: u32| col_abs(r0, col);
        let dv = match c {
            Column::Level1 => DataValidation::new()
                .allow_list_formula(Formula::new(format!("={LEVEL1_NAME}")))
                .set_error_title("一级指标")?
                .set_error_message("请从下拉列表选择本版申报表的一级指标。")?,
            Column::Level2 => {
                let l1 = at(columns[&Column::Level1]);
                DataValidation::new()
                    .allow_list_formula(Formula::new(format!(
                        "=INDIRECT(\"{LEVEL2_PREFIX}\"&MATCH({l1},{LEVEL1_NAME},0))"
                    )))
                    .set_error_title("二级指标")?
                    .set_error_message("请先选一级指标，再从下拉列表选择它下面的二级指标。")?
            }
            Column::Kind => DataValidation::new()
                .allow_list_formula(Formula::new(format!("={KIND_NAME}")))
                .set_error_title("指标值类型")?
                .set_error_message(format!("指标值类型请从下拉列表选择：{kinds}。"))?,
            Column::Unit => DataValidation::new()
                .allow_list_formula(Formula::new(format!("={UNIT_NAME}")))
                .set_error_style(DataValidationErrorStyle::Warning)
                .set_error_title("度量单位")?
                .set_error_message("这个单位不在常用单位列表中。确认无误请点“是”保留。")?,
            Column::Value if style == KindStyle::Symbol => {
                let k = at(columns[&Column::Kind]);
                let v = at(col);
                DataValidation::new()
                    .allow_custom(Formula::new(format!(
                        "=OR({k}=\"{q}\",{k}=\"\",ISNUMBER({v}))",
                        q = Kind::Qualitative.as_str()
                    )))
                    .set_error_style(DataValidationErrorStyle::Warning)
                    .set_error_title("指标值")?
                    .set_error_message(format!("{}。确认无误请点“是”保留。", hint("E403")))?
            }
            _ => DataValidation::new().allow_any_value(),
        };
        let dv = dv.set_input_title(short(&title))?.set_input_message(text)?;
        ws.add_data_validation(r0, col as u16, r1, col as u16, &dv)?;
    }
    Ok(())
}

/// The hidden 代码表 sheet: one column per list. Returns the defined names and their ranges.
fn code_sheet(ws: &mut Worksheet, ed: &Edition) -> Result<Vec<(String, String)>, XlsxError> {
    ws.set_name(CODE_SHEET)?;
    ws.set_hidden(true);
    let head = Format::new().set_bold();
    let mut names = Vec::new();
    let mut col = 0u16;
    let mut list = |ws: &mut Worksheet,
                    name: String,
                    title: &str,
                    items: &[String]|
     -> Result<(), XlsxError> {
        ws.write_string_with_format(0, col, title, &head)?;
        for (i, it) in items.iter().enumerate() {
            ws.write_string(1 + i as u32, col, it)?;
        }
        ws.set_column_width(col, 16)?;
        let letters = col_name(col as u32);
        let end = items.len().max(1) + 1;
        names.push((name, format!("={CODE_SHEET}!${letters}$2:${letters}${end}")));
        col += 1;
        Ok(())
    };
    let level1: Vec<String> = ed.levels.iter().map(|l| l.name.clone()).collect();
    list(ws, LEVEL1_NAME.to_string(), "一级指标", &level1)?;
    for (i, l) in ed.levels.iter().enumerate() {
        list(
            ws,
            format!("{LEVEL2_PREFIX}{}", i + 1),
            &l.name,
            &l.children,
        )?;
    }
    let kinds: Vec<String> = kind_list(ed).iter().map(|s| s.to_string()).collect();
    list(ws, KIND_NAME.to_string(), "指标值类型", &kinds)?;
    list(ws, UNIT_NAME.to_string(), "度量单位", &unit_list(ed))?;
    ws.protect();
    Ok(names)
}

/// The 填表说明 sheet: what each section needs, from the edition, and every check jixiao
/// applies, from the rule registry.
fn guide_sheet(ws: &mut Worksheet, ed: &Edition, layout: &Layout) -> Result<(), XlsxError> {
    ws.set_name(GUIDE_SHEET)?;
    let widths = [12.0, 8.0, 34.0, 70.0];
    for (i, w) in widths.iter().enumerate() {
        ws.set_column_width(i as u16, *w)?;
    }
    let text_width: f64 = widths[1..].iter().sum();
    let cell = Format::new()
        .set_border(FormatBorder::Thin)
        .set_text_wrap()
        .set_align(FormatAlign::Top);
    let bold = cell
        .clone()
        .set_bold()
        .set_background_color(Color::RGB(0xF2F2F2));
    let head = bold.clone().set_background_color(Color::RGB(0xDDEBF7));
    let heading = Format::new().set_bold().set_font_size(12);
    ws.merge_range(
        0,
        0,
        0,
        3,
        &format!("填表说明：{}", ed.edition.name),
        &Format::new().set_bold().set_font_size(14),
    )?;
    ws.set_row_height(0, 24)?;
    let mut r = 1u32;
    let para =
        |ws: &mut Worksheet, r: &mut u32, topic: &str, text: &str| -> Result<(), XlsxError> {
            ws.write_string_with_format(*r, 0, topic, &bold)?;
            ws.merge_range(*r, 1, *r, 3, text, &cell)?;
            ws.set_row_height(*r, lines(text, text_width) * LINE + 6.0)?;
            *r += 1;
            Ok(())
        };
    let sheet = &layout.sheet;
    para(
        ws,
        &mut r,
        "使用方法",
        &format!(
            "在“{sheet}”工作表中填写白色单元格；带 * 的栏目必填。灰底单元格是栏目名称和通用的投入管理指标，已锁定，防止误改。选中单元格会显示填写要求；一级指标、二级指标、指标值类型和度量单位可从下拉列表选择。工作表已保护（没有密码）：可以插入、删除行（在行号上点右键），调整行高和列宽；确需改动锁定的单元格时，在“审阅”中撤消工作表保护。填好后可用 jixiao 检查，问题会标在对应的单元格上。"
        ),
    )?;
    let money = format!(
        "金额以万元为单位，只填数字，最多 {} 位小数；没有的填 0。",
        ed.edition.money_decimals
    );
    let mut header_items = vec![
        format!(
            "{}：{}",
            first(&ed.labels.year_line, "年度"),
            "填写四位数字的预算年度，如 2027。"
        ),
        format!(
            "{}：{}。",
            first(&ed.labels.department, "部门（单位）名称"),
            hint("E101")
        ),
    ];
    for f in ed.header.values() {
        header_items.push(format!(
            "{}：{}{}。",
            f.title,
            if f.required { "必填，" } else { "" },
            hint("E104")
        ));
    }
    header_items.push(format!(
        "{}：{}。",
        first(&ed.labels.annual_goal, "年度履职目标"),
        hint("E103")
    ));
    para(ws, &mut r, "表头", &header_items.join("\n"))?;
    let mut tasks = format!("{}。{}。", hint("E201"), hint("E202"));
    if !layout.task_amounts.is_empty() {
        let names: Vec<&str> = ed.task_amounts.values().map(|f| f.title.as_str()).collect();
        tasks.push_str(&format!(
            "\n每项任务填写{}（{money}）；{}；{}。",
            names.join("、"),
            hint("E311"),
            hint("E308")
        ));
    }
    tasks.push_str("\n任务多于空行时，在任务行中插入行。");
    para(ws, &mut r, first(&ed.labels.tasks, "年度主要任务"), &tasks)?;
    let figures: Vec<String> = ed
        .budget
        .values()
        .map(|f| {
            let g = f
                .within
                .first()
                .map(|g| format!("{g}·"))
                .unwrap_or_default();
            format!("{g}{}{}", f.title, if f.required { "（必填）" } else { "" })
        })
        .collect();
    let mut budget = format!("{}。{money}", figures.join("、"));
    let keys: Vec<&str> = ed.budget.keys().map(String::as_str).collect();
    for (code, needs) in [
        ("E303", vec!["total", "fiscal", "other"]),
        ("E304", vec!["total", "basic", "project"]),
        ("E309", vec!["total", "expense_total"]),
    ] {
        if needs.iter().all(|k| keys.contains(k)) {
            budget.push_str(&format!("\n{}。", hint(code)));
        }
    }
    if !layout.shares.is_empty() {
        budget.push_str(&format!("\n{}。", hint("E310")));
    }
    budget.push_str(&format!("\n{}。", hint("E307")));
    para(ws, &mut r, first(&ed.labels.budget, "预算情况"), &budget)?;
    let mut cols = Vec::new();
    for c in &ed.template.columns {
        let f = &ed.columns[c];
        let need = if f.required { "必填" } else { "选填" };
        let how = match c {
            Column::Level1 => "从下拉列表选择".to_string(),
            Column::Level2 => "选好一级后从下拉列表选择".to_string(),
            Column::Level3 => "指标名称，同一二级指标下不重复".to_string(),
            Column::Kind => format!("从下拉列表选择：{}", kind_list(ed).join("、")),
            Column::Value => match KindStyle::of(ed) {
                KindStyle::Symbol => "定性指标填文字，定量指标只填数字".to_string(),
                KindStyle::InValue => {
                    "定量指标填比较符和数字（如“≥90”），定性指标填文字".to_string()
                }
            },
            Column::Unit => format!("常用单位可从下拉列表选择：{}", unit_list(ed).join("、")),
            Column::Criteria => "写明达到或未达到指标值时如何计分".to_string(),
            Column::Description => "写明指标含义，定量指标写出计算公式".to_string(),
        };
        cols.push(format!("{}（{need}）：{how}。", f.title));
    }
    for x in &ed.template.extra_columns {
        cols.push(format!("{x}（选填）：不检查。"));
    }
    para(ws, &mut r, "绩效指标", &cols.join("\n"))?;
    let tree: Vec<String> = ed
        .levels
        .iter()
        .map(|l| format!("{}：{}", l.name, l.children.join("、")))
        .collect();
    para(
        ws,
        &mut r,
        "一级和二级指标",
        &format!("{}\n{}。{}。", tree.join("\n"), hint("E441"), hint("E412")),
    )?;
    if !ed.catalogue.is_empty() {
        let names: Vec<&str> = ed.catalogue.iter().map(|c| c.level3.as_str()).collect();
        para(
            ws,
            &mut r,
            "通用指标",
            &format!(
                "以下 {} 个通用的投入管理指标已按标准填好指标值类型、指标值和单位（已锁定），各部门相同：{}。{}。",
                names.len(),
                names.join("、"),
                hint("E444")
            ),
        )?;
    }
    r += 1;
    ws.merge_range(
        r,
        0,
        r,
        3,
        "jixiao 检查时适用的审核规则（与本模板来自同一份版本数据）",
        &heading,
    )?;
    r += 1;
    for (i, h) in ["代码", "级别", "检查内容", "修改建议"].iter().enumerate() {
        ws.write_string_with_format(r, i as u16, *h, &head)?;
    }
    let header_row = r;
    r += 1;
    for rule in RULES {
        let Some(sev) = rules::effective_severity(rule, ed) else {
            continue;
        };
        ws.write_string_with_format(r, 0, rule.code, &cell)?;
        ws.write_string_with_format(r, 1, sev.zh(), &cell)?;
        ws.write_string_with_format(r, 2, rule.title, &cell)?;
        ws.write_string_with_format(r, 3, rule.hint, &cell)?;
        let h = lines(rule.hint, widths[3]).max(lines(rule.title, widths[2]));
        ws.set_row_height(r, h * LINE + 6.0)?;
        r += 1;
    }
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_repeat_rows(header_row, header_row)?;
    ws.set_footer("&C第 &P 页，共 &N 页");
    ws.protect();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_names_and_lists() {
        let eds = Edition::embedded();
        assert_eq!(title(&eds[0]), "省级部门（单位）整体绩效目标申报表");
        assert_eq!(title(&eds[1]), "部门整体支出绩效目标申报表");
        assert_eq!(file_name(&eds[0]), "2022申报表模板.xlsx");
        assert_eq!(kind_list(&eds[0]), ["定性", "≥", "≤", "=", ">", "<"]);
        assert_eq!(kind_list(&eds[1]), ["定性", "定量"]);
        assert!(unit_list(&eds[0]).contains(&"%".to_string()));
        for m in [
            message("", &["E401", "E451", "E404", "E442", "E443"]),
            message(&"很长".repeat(200), &["E401"]),
        ] {
            assert!(m.encode_utf16().count() <= 255);
        }
        assert_eq!(short(&"一".repeat(40)).chars().count(), 32);
    }

    #[test]
    fn same_edition_same_bytes() {
        for ed in Edition::embedded() {
            let a = build(&ed).unwrap().bytes;
            let b = build(&ed).unwrap().bytes;
            assert_eq!(a, b, "{}", ed.edition.id);
        }
    }
}
