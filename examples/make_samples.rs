//! Writes the bundled samples from the seed data in tests/common/formspec.rs:
//!   samples/seed-2022.xlsx            the seed form as filed (spec §5), with its slips
//!   samples/seed-2022-corrected.xlsx  the same form with the slips corrected
//! Run: `cargo run --example make_samples`. The .xls and .ods copies of the corrected sample are
//! made from the xlsx with LibreOffice (see samples/README.md).

#[path = "../tests/common/formspec.rs"]
mod formspec;

fn main() -> Result<(), Box<dyn std::error::Error>> {
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
