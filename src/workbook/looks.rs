//! How the cells and the sheet of an xls or ods file look, read beside calamine (which reads the
//! values but not these): number formats (the 0.00% of a 占比), fonts, fills, borders, alignment
//! and wrap; column widths, row heights, merges (ods) and the print setup. The re-created copy of
//! such a file is drawn from this, and the reader uses the number formats as it does an xlsx's.

use std::collections::BTreeMap;

/// A border edge's line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EdgeStyle {
    Thin,
    Medium,
    Thick,
    Double,
    Dashed,
    Dotted,
    Hair,
}

/// One border edge: its line and colour (RGB; `None` for automatic).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edge {
    pub style: EdgeStyle,
    pub color: Option<u32>,
}

/// Horizontal alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HAlign {
    Left,
    Center,
    Right,
    Justify,
    Fill,
}

/// Vertical alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VAlign {
    Top,
    Center,
    Bottom,
    Justify,
}

/// How a cell looks: what xlsx calls a cell format.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Look {
    /// The number format code (`None`: General).
    pub num_format: Option<String>,
    pub font_name: Option<String>,
    /// Points.
    pub font_size: Option<f64>,
    pub bold: bool,
    pub italic: bool,
    pub underline: bool,
    pub strike: bool,
    /// RGB; `None` for automatic.
    pub font_color: Option<u32>,
    /// A solid fill's RGB.
    pub fill: Option<u32>,
    /// Left, right, top, bottom.
    pub borders: [Option<Edge>; 4],
    pub h_align: Option<HAlign>,
    pub v_align: Option<VAlign>,
    pub wrap: bool,
}

/// A sheet's layout: widths, heights and print setup.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layout {
    /// Column widths as an xlsx stores them (characters of the default font, padding
    /// included), for runs of columns (first, last, width, hidden).
    pub columns: Vec<(u32, u32, f64, bool)>,
    /// Row heights: in points, whether set by hand (a row that is not is fitted to its text by
    /// the program that shows it), and whether the row is hidden.
    pub rows: BTreeMap<u32, RowLook>,
    /// The width of columns not listed, in characters.
    pub default_width: Option<f64>,
    /// The height of rows not listed, in points.
    pub default_height: Option<f64>,
    /// Landscape (`Some(true)`) or portrait.
    pub landscape: Option<bool>,
    /// Excel's paper size number (9 = A4).
    pub paper: Option<u16>,
    /// Fit to so many pages wide and tall (0 = as many as needed).
    pub fit_to: Option<(u16, u16)>,
    /// The print area: first row, first column, last row, last column (0-based).
    pub print_area: Option<(u32, u32, u32, u32)>,
}

/// One row's height.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowLook {
    pub height: f64,
    pub custom: bool,
    pub hidden: bool,
}

/// The looks of one sheet's cells: a table of distinct looks and each cell's entry in it.
#[derive(Debug, Clone, Default)]
pub struct Looks {
    pub table: Vec<Look>,
    pub cells: BTreeMap<(u32, u32), u32>,
}

impl Looks {
    /// The look of a cell, if it has one of its own.
    pub fn at(&self, row: u32, col: u32) -> Option<&Look> {
        self.cells
            .get(&(row, col))
            .and_then(|&i| self.table.get(i as usize))
    }
}

/// Excel's built-in number formats (BIFF and xlsx numFmtId below 164), for the ones forms use.
pub fn builtin_format(id: u16) -> Option<&'static str> {
    Some(match id {
        0 => return None,
        1 => "0",
        2 => "0.00",
        3 => "#,##0",
        4 => "#,##0.00",
        9 => "0%",
        10 => "0.00%",
        11 => "0.00E+00",
        12 => "# ?/?",
        13 => "# ??/??",
        14 => "yyyy/m/d",
        15 => "d-mmm-yy",
        16 => "d-mmm",
        17 => "mmm-yy",
        18 => "h:mm AM/PM",
        19 => "h:mm:ss AM/PM",
        20 => "h:mm",
        21 => "h:mm:ss",
        22 => "yyyy/m/d h:mm",
        27 | 28 | 29 | 30 | 36 | 50 | 51 | 52 | 53 | 54 | 57 | 58 => "yyyy\"年\"m\"月\"d\"日\"",
        31 => "yyyy\"年\"m\"月\"d\"日\"",
        32 | 33 | 34 | 35 | 55 | 56 => "h:mm:ss",
        37 => "#,##0 ;(#,##0)",
        38 => "#,##0 ;[Red](#,##0)",
        39 => "#,##0.00;(#,##0.00)",
        40 => "#,##0.00;[Red](#,##0.00)",
        45 => "mm:ss",
        46 => "[h]:mm:ss",
        47 => "mm:ss.0",
        48 => "##0.0E+0",
        49 => "@",
        _ => return None,
    })
}
