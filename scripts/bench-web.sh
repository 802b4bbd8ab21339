#!/usr/bin/env bash
# Load benchmark of the observatory on the whole country: imports every
# municipality into a SQLite file, serves it, and runs wrk (Debian's package)
# on loopback with 200 connections for 30 s on a municipality card and on
# the ranking page. Prints requests/s, p50, p99 and errors.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >&2
cargo build --release --locked --bin cantiere
BIN="${CARGO_TARGET_DIR:-target}/release/cantiere"
DB=$(mktemp -d)/bench.sqlite
"$BIN" import --database "sqlite://$DB" --runs 100
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
for path in /it/comuni/058091 "/it/indice?region=Lombardia&sort=innovation" /it/indice /api/v1/municipalities/058091; do
  echo "== GET $path (200 connections, ${DURATION} s)"
  wrk -t2 -c200 -d"${DURATION}s" --latency "http://127.0.0.1:$PORT$path" | grep -E "Requests/sec|^\s+(50|99)%|Non-2xx|Socket errors|requests in"
done
