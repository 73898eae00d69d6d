//! Times the core on one workbook: checking only, against checking and building the annotated
//! copy (the patch of the user's xlsx), so scripts/bench.sh can print the ratio. Peak memory is
//! measured around it by /usr/bin/time, one mode per run.
//!   cargo run --release --example bench_annotate -- FILE check|annotate [RUNS]

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (Some(file), Some(mode)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: bench_annotate FILE check|annotate [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = args.get(3).and_then(|r| r.parse().ok()).unwrap_or(3);
    let bytes = std::fs::read(file).expect("the workbook");
    let eds = jixiao::edition::Edition::embedded();
    let outputs = match mode.as_str() {
        "annotate" => jixiao::Outputs {
            standard: false,
            annotated: true,
            fixed: None,
        },
        _ => jixiao::Outputs::default(),
    };
    let opts = jixiao::Options {
        editions: &eds,
        limits: Default::default(),
        outputs,
    };
    let mut best = f64::MAX;
    let mut size = 0;
    for _ in 0..runs {
        let t = std::time::Instant::now();
        let r = jixiao::process(file, &bytes, &opts);
        best = best.min(t.elapsed().as_secs_f64());
        size = r
            .outputs
            .iter()
            .filter_map(|o| o.bytes.as_ref().ok())
            .map(Vec::len)
            .sum();
    }
    println!(
        "{mode} {:.3} s (best of {runs}), outputs {size} bytes",
        best
    );
}
