//! The floor a batch is measured against: calamine reads every cell and merge of every sheet,
//! rust_xlsxwriter writes them to one new workbook per input, no checks at all; on as many
//! threads as `jixiao --jobs`. scripts/bench-batch.sh reports convert and check as ratios to it.
//!
//!     floor JOBS OUT_DIR FILE…

use calamine::{Data, Reader, open_workbook_auto};
use rust_xlsxwriter::Workbook;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

fn copy(input: &Path, out: &Path) -> Result<(), Box<dyn std::error::Error>> {
    let mut book = open_workbook_auto(input)?;
    let mut new = Workbook::new();
    for name in book.sheet_names() {
        let range = book.worksheet_range(&name)?;
        let merges = match &mut book {
            calamine::Sheets::Xlsx(x) => x
                .merge_cells_by_sheet_name(&name)?
                .into_iter()
                .map(|d| (d.start, d.end))
                .collect(),
            _ => Vec::new(),
        };
        let sheet = new.add_worksheet();
        sheet.set_name(&name)?;
        let (r0, c0) = range.start().unwrap_or((0, 0));
        for (r, row) in range.rows().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (r0 + r as u32, (c0 as usize + c) as u16);
                match cell {
                    Data::Empty => {}
                    Data::String(s) => {
                        sheet.write_string(r, c, s)?;
                    }
                    Data::Float(f) => {
                        sheet.write_number(r, c, *f)?;
                    }
                    Data::Int(i) => {
                        sheet.write_number(r, c, *i as f64)?;
                    }
                    Data::Bool(b) => {
                        sheet.write_boolean(r, c, *b)?;
                    }
                    other => {
                        sheet.write_string(r, c, other.to_string())?;
                    }
                }
            }
        }
        for (s, e) in merges {
            if s != e {
                let _ =
                    sheet.merge_range(s.0, s.1 as u16, e.0, e.1 as u16, "", &Default::default());
            }
        }
    }
    new.save(out)?;
    Ok(())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let jobs: usize = args[0].parse().expect("JOBS");
    let out = PathBuf::from(&args[1]);
    std::fs::create_dir_all(&out).unwrap();
    let inputs: Vec<PathBuf> = args[2..].iter().map(PathBuf::from).collect();
    let next = AtomicUsize::new(0);
    let failed = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(input) = inputs.get(i) else { break };
                    let target = out.join(format!("{i}.xlsx"));
                    if let Err(e) = copy(input, &target) {
                        eprintln!("{}: {e}", input.display());
                        failed.fetch_add(1, Ordering::SeqCst);
                    }
                }
            });
        }
    });
    println!(
        "{} files, {} failed",
        inputs.len(),
        failed.load(Ordering::SeqCst)
    );
}
