#!/usr/bin/env bash
# Browser tests: imports the index of one region into a throwaway SQLite
# file, serves it, and runs web/e2e/observatory.mjs in headless Chromium.
# Installs Debian's chromium and the npm packages if they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium >&2
fi
(cd web && npm ci --no-audit --no-fund --silent)
# The debug build the test suite has already made (dependencies, engine
# and importer optimised: see Cargo.toml): a release build would compile
# everything a second time, in minutes and gigabytes, for one region.
BIN="${CARGO_TARGET_DIR:-target}/debug/cantiere"
cargo build --locked --bin cantiere
DB=$(mktemp -d)/e2e.sqlite
"$BIN" import --database "sqlite://$DB" --region "${E2E_REGION:-Umbria}" --runs 20
# Three invented unions of Umbrian comuni, imported as examples.
"$BIN" units import --unions fixtures/unions/demo-umbria.csv --example --database "sqlite://$DB"
# A second index beside the ITD, published from a demo coin (invented
# numbers) for two periods: a series.
for period in 2024 2025; do
  data=fixtures/indices/demo-umbria/iData.csv
  [ "$period" = 2024 ] && data=fixtures/indices/demo-umbria/iData-2024.csv
  "$BIN" index publish --database "sqlite://$DB" --data "$data" \
    --meta fixtures/indices/demo-umbria/iMeta.csv --pipeline fixtures/indices/demo-umbria/pipeline.toml \
    --code DEMO_UMBRIA --name "Indice dimostrativo dell'Umbria (dati inventati)" --period "$period" --territory Umbria
done
# The real publiccode.yml corpus beside the demo catalog, named from both iPA lists.
SHARED="${CANTIERE_SHARED:-../shared}"
"$BIN" catalog ingest fixtures/catalog "$SHARED/data/publiccode-corpus/files" --database "sqlite://$DB" \
  --ipa-codes "$SHARED/data/padigitale2026" --ipa-codes "$SHARED/data/indicepa-2018/amministrazioni.csv"
"$BIN" catalog adoptions fixtures/catalog/adoptions-demo.csv --database "sqlite://$DB"
"$BIN" community import --database "sqlite://$DB" --areas fixtures/communities/areas.csv \
  --communities fixtures/communities/communities.csv --registrations fixtures/communities/registrations.csv
PORT=${E2E_PORT:-18080}
"$BIN" serve --database "sqlite://$DB" --addr "127.0.0.1:$PORT" --mail-dir "$(dirname "$DB")/mail" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
# Wait for the server (node's fetch: no curl needed on a fresh machine).
for _ in $(seq 1 100); do
  node -e "fetch('http://127.0.0.1:$PORT/health').then(r => process.exit(r.ok ? 0 : 1), () => process.exit(1))" && break
  sleep 0.3
done
CANTIERE_BIN="$BIN" CANTIERE_DB="sqlite://$DB" node web/e2e/observatory.mjs "http://127.0.0.1:$PORT"
