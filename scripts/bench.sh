#!/usr/bin/env bash
# Benchmarks that print figures (wall time and peak memory of the release binary), not tests:
#   scripts/bench.sh
# Hostile files (zip bombs, a huge dimension, a dense .xls) must end fast in bounded memory;
# real forms (the seed, and one with 20,000 extra indicator rows) show the normal cost.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
cargo build --release --quiet --examples
target/release/examples/make_samples big 20000 target/bench-big.xlsx >/dev/null
target/release/examples/make_samples media 1 target/bench-media-1.xlsx >/dev/null
target/release/examples/make_samples media 40 target/bench-media-40.xlsx >/dev/null
bin=target/release/jixiao
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

measure() { # label, then the command
  local label=$1; shift
  /usr/bin/time -o "$out/time" -f "%e %M" "$@" >/dev/null 2>&1 || true
  local t
  t=$(tail -n 1 "$out/time")
  printf '%-44s %8s s %10s KB peak\n' "$label" "${t% *}" "${t#* }"
}

printf '%-44s %10s %15s\n' "run" "wall" "memory"
measure "check seed-2022.xlsx"                      $bin check samples/seed-2022.xlsx
measure "convert seed-2022.xlsx"                    $bin convert samples/seed-2022.xlsx -o "$out"
measure "check seed-2022-corrected.xls"             $bin check samples/seed-2022-corrected.xls
measure "check seed-2022-corrected.ods"             $bin check samples/seed-2022-corrected.ods
measure "check 20,023 indicator rows"               $bin check target/bench-big.xlsx
measure "convert 20,023 indicator rows"             $bin convert target/bench-big.xlsx -o "$out"
measure "zip bomb: 1 GiB sharedStrings (1.5 MB)"    $bin check tests/corpus/bomb-shared-strings.xlsx
measure "zip bomb: 50M cells, 1.3 GiB XML (2.6 MB)" $bin check tests/corpus/bomb-cells.xlsx
measure "zip bomb, limit raised to 2000 MB"         $bin check tests/corpus/bomb-cells.xlsx --max-unzipped-mb 2000
measure "huge dimension A1:XFD1048576"              $bin check tests/corpus/huge-dimension.xlsx
measure "ods repeat bomb: 96M cells in 0.8 KB"      $bin check tests/corpus/repeat-bomb.ods
measure "xls with far-apart cells (fuzz find)"      $bin check tests/corpus/fuzz-xls-dense-alloc.xls

# The annotated copy (the patch of the user's xlsx): its cost against checking alone, on the
# 20,000-row form, and with an untouched 1 MB and 40 MB part (copied as it is, never inflated:
# peak memory is the input and the output, whatever the part holds).
echo
bench=target/release/examples/bench_annotate
for f in target/bench-big.xlsx target/bench-media-1.xlsx target/bench-media-40.xlsx; do
  c=$($bench "$f" check 3 | awk '{print $2}')
  a=$($bench "$f" annotate 3 | awk '{print $2}')
  printf '%-34s check %6s s  check+annotate %6s s  ratio %s\n' "$(basename "$f")" "$c" "$a" \
    "$(awk -v a="$a" -v c="$c" 'BEGIN { printf "%.2f", a / c }')"
  measure "  peak memory, check"    $bench "$f" check 1
  measure "  peak memory, annotate" $bench "$f" annotate 1
done
