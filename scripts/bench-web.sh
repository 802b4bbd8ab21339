#!/usr/bin/env bash
# Load benchmark of the observatory on the whole country: imports every
# municipality into a SQLite file with its earlier quarters, publishes two
# more indices over 18 quarters, serves the 3 indices side by side, and runs wrk (Debian's package)
# on loopback with 200 connections for 30 s on a municipality card and on
# the ranking page. Prints requests/s, p50, p99 and errors.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >&2
cargo build --release --locked --bin cantiere
BIN="${CARGO_TARGET_DIR:-target}/release/cantiere"
DB=$(mktemp -d)/bench.sqlite
# The ITD with every earlier quarter (the backfill, timed as the user runs
# it), then two more indices of every comune over the same 18 quarters
# (published from the ITD's own iData/iMeta under other codes): 3 indices x
# 18 periods served side by side.
/usr/bin/time -f "== import --backfill quarterly: %e s, %M KB peak" \
  "$BIN" import --database "sqlite://$DB" --runs 100 --backfill quarterly
COIN=$(mktemp -d)
"$BIN" territory build --out "$COIN" >/dev/null 2>&1
QUARTERS=$(for y in 2022 2023 2024 2025 2026; do for q in 1 2 3 4; do echo "$y-Q$q"; done; done | sed -n '2,19p')
start=$(date +%s%N)
for code in BENCH_A BENCH_B; do
  for period in $QUARTERS; do
    "$BIN" index publish --database "sqlite://$DB" --data "$COIN/iData.csv" --meta "$COIN/iMeta.csv" \
      --pipeline indices/itd/v1/pipeline.toml --code "$code" --name "Indice di carico $code" --period "$period" 2>/dev/null
  done
done
echo "== 36 publications of every comune: $(( ($(date +%s%N) - start) / 1000000 )) ms"
PORT=${BENCH_PORT:-18090}
"$BIN" serve --database "sqlite://$DB" --addr "127.0.0.1:$PORT" &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.2; done
DURATION=${BENCH_SECONDS:-30}
# Every municipality's card in both languages, in random order: the first
# request of each renders it (cold), later ones are served from the cache.
PATHS=$(mktemp)
curl -sf "http://127.0.0.1:$PORT/api/v1/municipalities.csv" | tail -n +2 | cut -d, -f1 \
  | awk '{print "/it/comuni/" $1; print "/en/comuni/" $1}' > "$PATHS"
echo "== GET random card of $(wc -l < "$PATHS") (both languages; 200 connections, ${DURATION} s)"
PATHS="$PATHS" wrk -t2 -c200 -d"${DURATION}s" --latency -s scripts/bench-paths.lua "http://127.0.0.1:$PORT" \
  | grep -E "Requests/sec|^\s+(50|99)%|Non-2xx|Socket errors|requests in"
for path in /it/comuni/058091 "/it/indice?region=Lombardia&sort=innovation" /it/indice "/it/indice?index=BENCH_A" \
  /api/v1/municipalities/058091 "/api/v1/municipalities/058091/series?index=BENCH_B"; do
  echo "== GET $path (200 connections, ${DURATION} s)"
  wrk -t2 -c200 -d"${DURATION}s" --latency "http://127.0.0.1:$PORT$path" | grep -E "Requests/sec|^\s+(50|99)%|Non-2xx|Socket errors|requests in"
done
