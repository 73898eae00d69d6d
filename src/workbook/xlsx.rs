//! The xlsx sheet reader: cells streamed one by one into a sparse sheet (never calamine's dense
//! range), with formulas noted where their result was never saved or is only a typed number.

use super::guards::Budget;
use super::sheet::constant_formula;
use super::{Format, ReadError, Sheet, corrupt};
use calamine::{Data, DataRef, StyleRange, Xlsx};
use std::collections::BTreeMap;
use std::io::Cursor;

fn owned(v: DataRef<'_>) -> Data {
    match v {
        DataRef::Int(i) => Data::Int(i),
        DataRef::Float(f) => Data::Float(f),
        DataRef::String(s) => Data::String(s),
        DataRef::SharedString(s) => Data::String(s.to_string()),
        DataRef::Bool(b) => Data::Bool(b),
        DataRef::DateTime(d) => Data::DateTime(d),
        DataRef::DateTimeIso(s) => Data::DateTimeIso(s),
        DataRef::DurationIso(s) => Data::DurationIso(s),
        DataRef::Error(e) => Data::Error(e),
        DataRef::Empty => Data::Empty,
    }
}

/// Reads one xlsx sheet by streaming its cells (never a dense range).
pub(super) fn read_xlsx_sheet(
    wb: &mut Xlsx<Cursor<&[u8]>>,
    name: &str,
    visible: bool,
    budget: &mut Budget,
    recalc_on_load: bool,
) -> Result<Sheet, ReadError> {
    let format = Format::Xlsx;
    let mut cells = Vec::new();
    let mut no_value = Vec::new();
    let mut constants = BTreeMap::new();
    {
        let mut reader = wb
            .worksheet_cells_reader(name)
            .map_err(|e| corrupt(format, e))?;
        while let Some(cell) = reader
            .next_cell_with_formula()
            .map_err(|e| corrupt(format, e))?
        {
            let empty = matches!(cell.value, DataRef::Empty);
            let zero = matches!(cell.value, DataRef::Float(f) if f == 0.0)
                || matches!(cell.value, DataRef::Int(0));
            // No cached result, or a program's placeholder 0 in a file never calculated.
            if (empty || (zero && recalc_on_load))
                && cell.formula.as_deref().is_some_and(|f| !f.is_empty())
            {
                no_value.push(cell.pos);
            }
            if let Some(f) = cell.formula.as_deref().and_then(constant_formula) {
                constants.insert(cell.pos, f);
            }
            if !empty {
                budget.take(1)?;
                cells.push((cell.pos, owned(cell.value)));
            }
        }
    }
    let merges = wb
        .merge_cells_by_sheet_name(name)
        .map_err(|e| corrupt(format, e))?;
    let styles = wb
        .worksheet_style(name)
        .unwrap_or_else(|_| StyleRange::empty());
    let mut sheet = Sheet::new(name.to_string(), visible, cells, merges)?;
    sheet.styles = styles;
    sheet.has_number_formats = true;
    sheet.formulas_without_value = no_value;
    sheet.constant_formulas = constants;
    Ok(sheet)
}
