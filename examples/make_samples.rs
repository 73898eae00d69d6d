//! Writes the bundled samples from the seed data in tests/common/formspec.rs:
//!   samples/seed-2022.xlsx            the seed form as filed (spec §5), with its slips
//!   samples/seed-2022-corrected.xlsx  the same form with the slips corrected
//! Run: `cargo run --example make_samples`. The .xls and .ods copies of the corrected sample are
//! made from the xlsx with LibreOffice (see samples/README.md).

#[path = "../tests/common/formspec.rs"]
mod formspec;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // `make_samples big N OUT`: the corrected seed with N extra indicator rows, for benchmarks.
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("big") {
        let n: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(10_000);
        let out = args
            .get(3)
            .cloned()
            .unwrap_or_else(|| "big.xlsx".to_string());
        let mut spec = formspec::corrected_seed();
        for i in 0..n {
            spec.apply(&format!(
                "add ind = 产出指标|数量指标|培训人次{i}|≥|{}|人次|每少10人次扣0.5分|反映培训完成情况，培训人次=实际参训人次",
                100 + i % 900
            ));
        }
        std::fs::write(&out, spec.to_xlsx()?)?;
        println!("wrote {out} ({} indicator rows)", spec.indicators.len());
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
