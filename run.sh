#!/usr/bin/env bash
# Sets up and runs Cantiere's main job on a fresh machine: builds the
# digital-transition index of every Italian municipality from real open data
# (registry packages from PyPI, PA digitale 2026 applications) into the
# embedded SQLite database ./cantiere.sqlite (with its earlier quarters, a
# time series), writes its tables to ./out/itd,
# builds the reference index (COINr's ASEM example) into ./out/asem,
# validates the publiccode.yml reference suite into ./out/publiccode.json,
# ingests the real publiccode.yml corpus with the demo catalog, imports the
# demo communities, and serves the observatory on
# http://127.0.0.1:8080/ (Ctrl-C stops it).
#
#   ./run.sh [--padigitale DIR]
#
# PA digitale data: --padigitale DIR, else $CANTIERE_PADIGITALE, else
# ../shared/data/padigitale2026, else the publisher's public repository.
set -euo pipefail
cd "$(dirname "$0")"
SHARED="${CANTIERE_SHARED:-../shared}"
PADIGITALE=""
if [ "${1:-}" = "--padigitale" ]; then PADIGITALE="${2:?--padigitale needs a folder}"; fi
if [ -z "$PADIGITALE" ]; then
  for candidate in "${CANTIERE_PADIGITALE:-}" "$SHARED/data/padigitale2026"; do
    if [ -n "$candidate" ] && [ -d "$candidate" ]; then PADIGITALE="$candidate"; break; fi
  done
fi
if [ -z "$PADIGITALE" ]; then
  REPO=https://github.com/italia/padigitale2026-opendata
  if timeout 60 git clone --quiet --depth 1 "$REPO" .cache/padigitale2026-opendata 2>/dev/null; then
    PADIGITALE=.cache/padigitale2026-opendata/data
  else
    echo "error: no PA digitale 2026 data: pass --padigitale DIR, set CANTIERE_PADIGITALE, put it in $SHARED/data/padigitale2026, or allow access to $REPO" >&2
    exit 2
  fi
fi

cargo build --release --locked --bin cantiere
BIN=./target/release/cantiere
./scripts/fetch-registry.sh
(cd web && npm ci --no-audit --no-fund --silent)

# The index of all municipalities, as files and into the database, with
# every earlier quarter since 2022 rebuilt from PA digitale's dates: the
# cards' time series and the ranking's changes.
"$BIN" territory build --padigitale "$PADIGITALE" --runs 100 --out out/itd
"$BIN" import --database sqlite://cantiere.sqlite --padigitale "$PADIGITALE" --runs 100 --backfill quarterly

# The reference index and the publiccode.yml suite.
REF="$SHARED/reference/coinr-asem/input"
if [ -f "$REF/ASEM_iData.csv" ]; then
  "$BIN" index build --data "$REF/ASEM_iData.csv" --meta "$REF/ASEM_iMeta.csv" \
    --pipeline examples/asem/pipeline.toml --out out/asem
  "$BIN" index analyse --data "$REF/ASEM_iData.csv" --meta "$REF/ASEM_iMeta.csv" \
    --pipeline examples/asem/pipeline.toml --out out/asem/analysis --unit GBR
  "$BIN" index uncertainty --data "$REF/ASEM_iData.csv" --meta "$REF/ASEM_iMeta.csv" \
    --pipeline examples/asem/pipeline.toml --uncertain examples/asem/uncertainty.toml \
    --runs 100 --sensitivity --bootstrap 100 --seed 2024 --out out/asem/uncertainty
fi
PUBLICCODE="$SHARED/conformance/publiccode/testdata"
if [ -d "$PUBLICCODE" ]; then
  # Exit status 1 is expected: the suite holds invalid files on purpose.
  "$BIN" publiccode validate --format json "$PUBLICCODE" > out/publiccode.json || [ $? -eq 1 ]
fi
# The reuse catalog: the real publiccode.yml files of public bodies'
# repositories (shared/data/publiccode-corpus: invalid ones stored inactive
# with their diagnostics), beside the demo solutions and adoptions (invented
# examples on example.org, labelled so on every page; see
# fixtures/catalog/README.md). iPA codes and the administrations' names come
# from PA digitale 2026 and IndicePA (2018), the newer first.
CATALOG=(fixtures/catalog)
CORPUS="$SHARED/data/publiccode-corpus/files"
if [ -d "$CORPUS" ]; then CATALOG+=("$CORPUS"); fi
IPA=(--ipa-codes "$PADIGITALE")
INDICEPA="$SHARED/data/indicepa-2018/amministrazioni.csv"
if [ -f "$INDICEPA" ]; then IPA+=(--ipa-codes "$INDICEPA"); fi
"$BIN" catalog ingest "${CATALOG[@]}" --database sqlite://cantiere.sqlite "${IPA[@]}"
"$BIN" catalog adoptions fixtures/catalog/adoptions-demo.csv --database sqlite://cantiere.sqlite
# The demo communities (invented people, see fixtures/communities/README.md);
# importing them again writes nothing new.
"$BIN" community import --database sqlite://cantiere.sqlite --areas fixtures/communities/areas.csv \
  --communities fixtures/communities/communities.csv --registrations fixtures/communities/registrations.csv
echo "Tables of the index: out/itd/ · reference index: out/asem/ · publiccode.yml suite: out/publiccode.json"
exec "$BIN" serve --database sqlite://cantiere.sqlite --addr 127.0.0.1:8080
