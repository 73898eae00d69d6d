//! Writes the bundled samples from the seed data in tests/common/formspec.rs:
//!   samples/seed-2022.xlsx            the seed form as filed (spec §5), with its slips
//!   samples/seed-2022-corrected.xlsx  the same form with the slips corrected
//! Run: `cargo run --example make_samples`. The .xls and .ods copies of the corrected sample are
//! made from the xlsx with LibreOffice (see samples/README.md).

#[path = "../tests/common/formspec.rs"]
mod formspec;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `make_samples big N OUT`: the corrected seed with N extra indicator rows, for benchmarks;
    // `make_samples bad N OUT`: the same, each extra row with a finding (a "-" criterion).
    let args: Vec<String> = std::env::args().collect();
    let mode = args.get(1).map(String::as_str);
    if mode == Some("big") || mode == Some("bad") {
        let criterion = if mode == Some("bad") {
            "-"
        } else {
            "每少10人次扣0.5分"
        };
        let n: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(10_000);
        let out = args
            .get(3)
            .cloned()
            .unwrap_or_else(|| "big.xlsx".to_string());
        let mut spec = formspec::corrected_seed();
        for i in 0..n {
            spec.apply(&format!(
                "add ind = 产出指标|数量指标|培训人次{i}|≥|{}|人次|{criterion}|反映培训完成情况，培训人次=实际参训人次",
                100 + i % 900
            ));
        }
        std::fs::write(&out, spec.to_xlsx()?)?;
        println!("wrote {out} ({} indicator rows)", spec.indicators.len());
        return Ok(());
    }
    // `make_samples gbk OUT`: the corrected seed as an old BIFF5 .xls (Excel 95) whose text is
    // GBK while its CODEPAGE record says 1252, as old files from Chinese Windows often do.
    if args.get(1).map(String::as_str) == Some("gbk") {
        let out = args
            .get(2)
            .cloned()
            .unwrap_or_else(|| "gbk.xls".to_string());
        std::fs::write(&out, biff5_gbk(&formspec::corrected_seed().to_xlsx()?)?)?;
        println!("wrote {out}");
        return Ok(());
    }
    // `make_samples media MB OUT`: the faithful seed with an untouched part of MB megabytes
    // (random bytes, as a photo is), to show the annotated copy's cost does not grow with it.
    if args.get(1).map(String::as_str) == Some("media") {
        let mb: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(10);
        let out = args
            .get(3)
            .cloned()
            .unwrap_or_else(|| "media.xlsx".to_string());
        let base = formspec::faithful_seed().to_xlsx()?;
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(base))?;
        let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        for i in 0..zip.len() {
            w.raw_copy_file(zip.by_index_raw(i)?)?;
        }
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored)
            .large_file(true);
        w.start_file("xl/media/photo.bin", stored)?;
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut chunk = vec![0u8; 1 << 20];
        for _ in 0..mb {
            for b in chunk.iter_mut() {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                *b = x as u8;
            }
            std::io::Write::write_all(&mut w, &chunk)?;
        }
        std::fs::write(&out, w.finish()?.into_inner())?;
        println!("wrote {out} (+{mb} MB untouched part)");
        return Ok(());
    }
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("samples");
    std::fs::create_dir_all(&dir)?;
    for (name, spec) in [
        ("seed-2022.xlsx", formspec::faithful_seed()),
        ("seed-2022-corrected.xlsx", formspec::corrected_seed()),
    ] {
        let path = dir.join(name);
        std::fs::write(&path, spec.to_xlsx()?)?;
        println!("wrote {}", path.display());
    }
    Ok(())
}

/// One BIFF record: type, length, data.
fn record(out: &mut Vec<u8>, typ: u16, data: &[u8]) {
    out.extend_from_slice(&typ.to_le_bytes());
    out.extend_from_slice(&(data.len() as u16).to_le_bytes());
    out.extend_from_slice(data);
}

/// A BIFF5 workbook stream ("Book") holding the first sheet of an xlsx, strings in GBK, with a
/// CODEPAGE record claiming Windows-1252.
fn biff5_gbk(xlsx: &[u8]) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    use std::io::Write;
    let wb = jixiao::workbook::read(xlsx).map_err(|e| e.to_string())?;
    let sheet = &wb.sheets[0];
    let gbk = |s: &str| encoding_rs::GBK.encode(s).0.into_owned();
    let bof = |kind: u16| {
        let mut d = vec![];
        d.extend_from_slice(&0x0500u16.to_le_bytes());
        d.extend_from_slice(&kind.to_le_bytes());
        d.extend_from_slice(&[0u8; 4]);
        d
    };
    // Globals: BOF, CODEPAGE 1252 (wrong), BOUNDSHEET (offset patched below), EOF.
    let mut globals = Vec::new();
    record(&mut globals, 0x0809, &bof(0x0005));
    record(&mut globals, 0x0042, &1252u16.to_le_bytes());
    let name = gbk(&sheet.name);
    let mut bs = vec![0u8; 4];
    bs.extend_from_slice(&[0, 0, name.len() as u8]);
    bs.extend_from_slice(&name);
    let bs_at = globals.len() + 4;
    record(&mut globals, 0x0085, &bs);
    record(&mut globals, 0x000A, &[]);
    let sheet_at = globals.len() as u32;
    globals[bs_at..bs_at + 4].copy_from_slice(&sheet_at.to_le_bytes());
    // The sheet: BOF, a LABEL or NUMBER per cell, EOF.
    let mut body = Vec::new();
    record(&mut body, 0x0809, &bof(0x0010));
    for (r, c, v) in sheet.used() {
        let mut d = Vec::new();
        d.extend_from_slice(&(r as u16).to_le_bytes());
        d.extend_from_slice(&(c as u16).to_le_bytes());
        d.extend_from_slice(&0u16.to_le_bytes());
        match v {
            calamine::Data::Float(f) => {
                d.extend_from_slice(&f.to_le_bytes());
                record(&mut body, 0x0203, &d);
            }
            calamine::Data::Int(i) => {
                d.extend_from_slice(&(*i as f64).to_le_bytes());
                record(&mut body, 0x0203, &d);
            }
            other => {
                let text = gbk(&jixiao::workbook::cell_text(other));
                // A BIFF5 LABEL holds at most 255 bytes; longer texts are cut (explanations).
                let text = &text[..text.len().min(255)];
                let text = match encoding_rs::GBK
                    .decode_without_bom_handling_and_without_replacement(text)
                {
                    Some(_) => text.to_vec(),
                    None => text[..text.len() - 1].to_vec(),
                };
                d.extend_from_slice(&(text.len() as u16).to_le_bytes());
                d.extend_from_slice(&text);
                record(&mut body, 0x0204, &d);
            }
        }
    }
    record(&mut body, 0x000A, &[]);
    globals.extend_from_slice(&body);
    let mut cfb =
        cfb::CompoundFile::create_with_version(cfb::Version::V3, std::io::Cursor::new(Vec::new()))?;
    cfb.create_stream("/Book")?.write_all(&globals)?;
    cfb.flush()?;
    Ok(cfb.into_inner().into_inner())
}
