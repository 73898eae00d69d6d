//! The header section: department name, annual goal, the edition's extra header fields, and
//! the year (from the title, a year line, a 填报日期, or a prior-years block, in that order).

use super::cells::Reader;
use super::index::{Index, LabelCell, Match, Rows, all_rows, first};
use crate::edition::label_key;
use crate::form::{CellRef, Field};
use crate::text::norm_label;
use crate::workbook::cell_text;
use indexmap::IndexMap;

/// What the header section holds.
pub(super) struct HeaderBlock {
    pub(super) department: Field<String>,
    pub(super) annual_goal: Field<String>,
    pub(super) extra: IndexMap<String, Field<String>>,
    pub(super) year: YearFound,
}

/// Reads the header; `above_table` is the last row above the indicator table.
pub(super) fn read(rd: &mut Reader, idx: &Index, above_table: u32) -> HeaderBlock {
    let ed = rd.ed;
    let dept_label = idx.find(&ed.labels.department, Match::Exact, all_rows());
    let department = rd.text_near(dept_label, &first(&ed.labels.department));
    let goal_label = idx.find(&ed.labels.annual_goal, Match::Exact, all_rows());
    let annual_goal = rd.text_near(goal_label, &first(&ed.labels.annual_goal));
    let mut extra = IndexMap::new();
    for (key, spec) in &ed.header {
        let label = idx.find(&spec.labels, Match::Exact, all_rows());
        extra.insert(key.clone(), rd.text_near(label, &spec.title));
    }
    let year_rows = 0..=dept_label.map(|c| c.row).unwrap_or(above_table);
    let title = idx
        .find(&ed.labels.title, Match::EndsWith, all_rows())
        .or_else(|| {
            idx.cells.iter().find(|c| {
                ed.labels
                    .title
                    .iter()
                    .any(|t| norm_label(&c.raw).contains(&norm_label(t)))
            })
        });
    let year = find_year(rd, idx, title, year_rows, above_table);
    HeaderBlock {
        department,
        annual_goal,
        extra,
        year,
    }
}

/// A year and, when it was not read from the title or a year line, where it came from.
pub(super) struct YearFound {
    pub(super) field: Field<i32>,
    pub(super) source: Option<String>,
}

/// The year, in this order: the title ("2022年度…", "2023年…申报表"), a year line in the
/// header rows ("（2022 年度）", "年度：2022"), a 填报日期 line, then a prior-years block's
/// years + 1. A year anywhere else (a date in the goal text, a decoy in a note) is never taken.
fn find_year(
    rd: &Reader,
    idx: &Index,
    title: Option<&LabelCell>,
    head_rows: Rows,
    above_table: u32,
) -> YearFound {
    let found = |c: &LabelCell, y: i32, source: Option<String>| YearFound {
        field: Field {
            raw: crate::text::trim(&c.raw).to_string(),
            value: Some(y),
            cell: Some(CellRef::new(c.row, c.col)),
        },
        source,
    };
    // 1. The title itself.
    if let Some(t) = title
        && let Some(y) = year_in(&norm_label(&t.raw)).or_else(|| year_of_title(&norm_label(&t.raw)))
    {
        return found(t, y, None);
    }
    // 2. A year line in the header rows: from the title down first, then above it.
    let title_row = title.map(|t| t.row).unwrap_or(0);
    let header_cells = || idx.cells.iter().filter(|c| head_rows.contains(&c.row));
    let below = header_cells().filter(|c| c.row >= title_row);
    let above = header_cells().filter(|c| c.row < title_row);
    for c in below.chain(above) {
        if let Some(y) = year_in(&norm_label(&c.raw)) {
            return found(c, y, None);
        }
    }
    let ed = rd.ed;
    // A bare 年度 label with nothing beside it: where the year is to be typed.
    let mut blank_line: Option<CellRef> = None;
    for c in idx.cells.iter().filter(|c| c.row <= above_table) {
        if let Some(rest) = after_label(&c.key, &ed.labels.year_line) {
            if rest.is_empty() && rd.value_near(c.row, c.col, u32::MAX).is_none() {
                blank_line = blank_line.or(Some(super::cells::right_of(rd.sheet, c.row, c.col)));
            }
            let y = match rest {
                "" => rd.value_near(c.row, c.col, u32::MAX).and_then(|at| {
                    let v = rd.sheet.get(at.row, at.col);
                    year_anywhere(&cell_text(v)).map(|y| (at, y))
                }),
                r => year_anywhere(r).map(|y| (CellRef::new(c.row, c.col), y)),
            };
            if let Some((at, y)) = y {
                return YearFound {
                    field: Field {
                        raw: rd.sheet.text(at.row, at.col),
                        value: Some(y),
                        cell: Some(at),
                    },
                    source: None,
                };
            }
        }
    }
    // 3. A filing date ("填报日期：2022年1月15日", or the label beside a date cell).
    for c in &idx.cells {
        let Some(rest) = after_label(&c.key, &ed.labels.filing_date) else {
            continue;
        };
        let at_value = match rest {
            "" => rd.value_near(c.row, c.col, u32::MAX),
            _ => Some(CellRef::new(c.row, c.col)),
        };
        let Some(at) = at_value else { continue };
        let shown = match rest {
            "" => cell_text(rd.sheet.get(at.row, at.col)),
            r => r.to_string(),
        };
        if let Some(y) = year_anywhere(&shown) {
            return YearFound {
                field: Field {
                    raw: rd.sheet.text(at.row, at.col),
                    value: Some(y),
                    cell: Some(at),
                },
                source: Some(format!("表头中没有年度，按填报日期“{shown}”取年度 {y}")),
            };
        }
    }
    // 4. A prior-years block ("近两年收支情况" over columns 2021年, 2022年): the year after.
    for c in &idx.cells {
        if !ed
            .labels
            .prior_years
            .iter()
            .any(|l| c.key.contains(label_key(l).as_str()))
        {
            continue;
        }
        let rows = match rd.sheet.merge_at(c.row, c.col) {
            Some(m) => m.start.0..=m.end.0,
            None => c.row..=c.row + 1,
        };
        let years: Vec<(i32, &LabelCell)> = idx
            .cells
            .iter()
            .filter(|h| rows.contains(&h.row))
            .filter_map(|h| year_header(&h.key).map(|y| (y, h)))
            .collect();
        if let Some(&(last, cell)) = years.iter().max_by_key(|(y, _)| *y) {
            let listed: Vec<String> = years.iter().map(|(_, h)| h.raw.clone()).collect();
            let y = last + 1;
            return found(
                cell,
                y,
                Some(format!(
                    "表头中没有年度，按“{}”的年份（{}）推断为 {y} 年度",
                    crate::text::trim(&c.raw),
                    listed.join("、")
                )),
            );
        }
    }
    YearFound {
        field: Field {
            raw: String::new(),
            value: None,
            cell: blank_line.or(title.map(|t| CellRef::new(t.row, t.col))),
        },
        source: None,
    }
}

/// The text after a label at the start of a cell ("年度:2022" → "2022", "年度" → ""), when the
/// cell starts with one of `labels` followed by nothing, a colon or a digit.
fn after_label<'a>(key: &'a str, labels: &[String]) -> Option<&'a str> {
    labels.iter().find_map(|l| {
        let rest = key.strip_prefix(label_key(l).as_str())?;
        let rest = rest.strip_prefix(':').unwrap_or(rest);
        (rest.is_empty() || rest.starts_with(|c: char| c.is_ascii_digit())).then_some(rest)
    })
}

/// A four-digit year directly before "年度".
fn year_in(norm: &str) -> Option<i32> {
    let chars: Vec<char> = norm.chars().collect();
    for (i, _) in norm.match_indices("年度") {
        let at = norm[..i].chars().count();
        if at >= 4 {
            let digits: String = chars[at - 4..at].iter().collect();
            let before_ok = at == 4 || !chars[at - 5].is_ascii_digit();
            if before_ok && digits.chars().all(|c| c.is_ascii_digit()) {
                return digits.parse().ok().filter(|y| (1990..=2100).contains(y));
            }
        }
    }
    None
}

/// A title that starts with its year: "2023年部门整体支出绩效目标申报表".
fn year_of_title(norm: &str) -> Option<i32> {
    let digits: String = norm.chars().take_while(|c| c.is_ascii_digit()).collect();
    (digits.len() == 4 && norm[4..].starts_with('年'))
        .then(|| digits.parse().ok())
        .flatten()
        .filter(|y| (1990..=2100).contains(y))
}

/// The first four-digit run that reads as a year (1990–2100) followed by 年, -, /, . or the
/// end: "2022年1月15日", "2022-01-15", "2022".
fn year_anywhere(s: &str) -> Option<i32> {
    let chars: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        let after_ok = i == chars.len() || matches!(chars[i], '年' | '-' | '/' | '.');
        if i - start == 4 && after_ok {
            let y: i32 = chars[start..i].iter().collect::<String>().parse().ok()?;
            if (1990..=2100).contains(&y) {
                return Some(y);
            }
        }
    }
    None
}

/// A column header naming a year: "2021年", "2021年决算数", "2022年预算数（万元）".
fn year_header(key: &str) -> Option<i32> {
    let digits: String = key.chars().take_while(|c| c.is_ascii_digit()).collect();
    let rest = key.get(digits.len()..)?;
    (digits.len() == 4 && (rest.is_empty() || rest.starts_with('年')) && rest.chars().count() <= 12)
        .then(|| digits.parse().ok())
        .flatten()
        .filter(|y| (1990..=2100).contains(y))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_sources() {
        assert_eq!(
            year_of_title("2023年部门整体支出绩效目标申报表"),
            Some(2023)
        );
        assert_eq!(year_of_title("部门整体支出绩效目标申报表"), None);
        assert_eq!(year_anywhere("2022年1月15日"), Some(2022));
        assert_eq!(year_anywhere("2022-01-15"), Some(2022));
        assert_eq!(year_anywhere("第12345号 2021/10/20"), Some(2021));
        assert_eq!(year_anywhere("3278900"), None);
        assert_eq!(year_header("2021年决算数"), Some(2021));
        assert_eq!(year_header("2021"), Some(2021));
        assert_eq!(year_header("2021年度省级部门整体绩效目标申报表"), None);
        let l = vec!["年度".to_string()];
        assert_eq!(after_label("年度:2022", &l), Some("2022"));
        assert_eq!(after_label("年度", &l), Some(""));
        assert_eq!(after_label("年度履职目标", &l), None);
    }

    #[test]
    fn years() {
        assert_eq!(year_in("(2022年度)"), Some(2022));
        assert_eq!(year_in("2023年度省级部门整体绩效目标申报表"), Some(2023));
        assert_eq!(year_in("12022年度"), None);
        assert_eq!(year_in("年度履职目标"), None);
    }
}
