//! The 年度主要任务 section: task names and contents, the amount columns some editions add
//! (under a one- or two-row header), and a 合计 row.

use super::cells::Reader;
use super::index::{Index, LabelCell, Match, Rows, all_rows};
use crate::edition::label_is;
use crate::form::{CellRef, Field, Task};
use crate::workbook::is_blank;
use calamine::Dimensions;
use indexmap::IndexMap;
use rust_decimal::Decimal;

/// The task block: its anchor, the task rows, and the amounts of a 合计 row if any.
pub(super) struct TaskBlock {
    pub(super) anchor: Option<CellRef>,
    pub(super) tasks: Vec<Task>,
    pub(super) total: IndexMap<String, Field<Decimal>>,
}

/// Reads the 年度主要任务 block: one task per row under the 任务名称 / 主要内容 header (and the
/// amount columns the edition names, under a one- or two-row header), a 合计 row kept apart.
pub(super) fn read(rd: &mut Reader, idx: &Index) -> TaskBlock {
    let (sheet, ed) = (rd.sheet, rd.ed);
    let label = idx.find(&ed.labels.tasks, Match::Exact, all_rows());
    let name_hdr = idx.find(&ed.labels.task_name, Match::Exact, all_rows());
    let content_hdr = idx.find(&ed.labels.task_content, Match::Exact, all_rows());
    let anchor = label.or(name_hdr).map(|c| CellRef::new(c.row, c.col));
    let mut block = TaskBlock {
        anchor,
        tasks: Vec::new(),
        total: IndexMap::new(),
    };
    let (Some(nh), Some(ch)) = (name_hdr, content_hdr) else {
        return block;
    };
    // The header may span two rows: "预算金额（万元）" over 总额 / 财政拨款 / 其他资金, with
    // 任务名称 and 主要内容 merged down over both. Its last row is where the merges of the
    // name and content headers end, or the row below when that row holds amount labels
    // and no task name.
    let merge_end = |c: &LabelCell| sheet.merge_at(c.row, c.col).map_or(c.row, |m| m.end.0);
    let mut header_end = merge_end(nh).max(merge_end(ch));
    let amount_in = |rows: Rows| -> Vec<(&String, &str, u32)> {
        ed.task_amounts
            .iter()
            .filter_map(|(k, spec)| {
                idx.find_in(&spec.labels, Match::Exact, rows.clone(), nh.col + 1)
                    .map(|c| (k, spec.title.as_str(), c.col))
            })
            .collect()
    };
    let mut amount_cols = amount_in(nh.row..=header_end);
    let next = header_end + 1;
    if amount_cols.is_empty() && is_blank(sheet.get(next, nh.col)) {
        amount_cols = amount_in(next..=next);
        if !amount_cols.is_empty() {
            header_end = next;
        }
    }
    let first_row = header_end.max(ch.row) + 1;
    let last_row = sheet.end().map(|e| e.0).unwrap_or(first_row);
    // The block ends at its label's merge, or at the next row holding another section's label.
    let label_merge = label.and_then(|l| sheet.merge_at(l.row, l.col)).copied();
    let mut last = label_merge
        .map(|m| m.end.0)
        .filter(|&e| e >= first_row)
        .unwrap_or(last_row);
    for r in sheet.used_rows(first_row, last) {
        let row_has_label = sheet.row(r).any(|(c, v)| {
            let in_label = label_merge.is_some_and(|m: Dimensions| m.contains(r, c));
            !in_label && rd.known.is_label(v)
        });
        if row_has_label {
            last = r.saturating_sub(1);
            break;
        }
    }
    for r in sheet.used_rows(first_row, last) {
        let name = rd.text_at(CellRef::new(r, nh.col), "任务名称");
        let content = rd.text_at(CellRef::new(r, ch.col), "主要内容");
        let mut amounts = IndexMap::new();
        for (key, title, c) in &amount_cols {
            let at = CellRef::new(r, *c);
            amounts.insert((*key).clone(), rd.money_at(at, title));
        }
        let totals = &ed.labels.total_rows;
        if label_is(&name.raw, totals) || (name.is_blank() && label_is(&content.raw, totals)) {
            block.total = amounts;
            continue;
        }
        if name.is_blank() && content.is_blank() && amounts.values().all(|a| a.is_blank()) {
            continue;
        }
        block.tasks.push(Task {
            name,
            content,
            amounts,
        });
    }
    block
}
