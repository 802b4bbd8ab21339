#!/usr/bin/env bash
# Load benchmark of the communities: imports Emilia-Romagna's index and the
# demo communities (fixtures/communities) into a throwaway SQLite file,
# serves it, runs wrk (Debian's package) with 200 connections on the
# community and coverage pages and their API, then holds registration and
# sign-in at 50 requests/s (scripts/bench-accounts.py).
#
#   scripts/bench-communities.sh [DURATION_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q wrk >&2
DURATION=${1:-15}
BIN="${CARGO_TARGET_DIR:-target}/release/cantiere"
cargo build --release --locked --bin cantiere
DIR=$(mktemp -d)
DB="sqlite://$DIR/bench.sqlite"
"$BIN" import --database "$DB" --region Emilia-Romagna --runs 20 2>/dev/null
"$BIN" community import --database "$DB" --areas fixtures/communities/areas.csv \
  --communities fixtures/communities/communities.csv --registrations fixtures/communities/registrations.csv
PORT=${BENCH_PORT:-18181}
# One client address for every simulated person: the limits are scaled up.
"$BIN" serve --database "$DB" --addr "127.0.0.1:$PORT" --mail-dir "$DIR/mail" --rate-limit-scale 10000 2>/dev/null &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.5; done
for path in /it/comunita /it/comunita/open-data "/it/copertura?regione=08" /it/copertura /api/v1/coverage; do
  echo "== $path"
  wrk -t2 -c200 -d"${DURATION}s" --latency "http://127.0.0.1:$PORT$path" | grep -E "Requests/sec|^\s+(50|90|99)%|Non-2xx|Socket errors|requests in"
done
# A burst of 20 connections on ever new community URLs (pages of threads and
# resources of every community: each one is rendered, none waits for another)
# while /api/v1/coverage is measured beside it (target: p99 < 50 ms).
PATHS_FILE="$DIR/community-paths.txt"
for slug in $(cut -d, -f1 fixtures/communities/communities.csv | tail -n +2); do
  for n in $(seq 1 300); do echo "/it/comunita/$slug?discussioni=$n"; echo "/en/comunita/$slug?risorse=$n"; done
done > "$PATHS_FILE"
echo "== burst: 20 connections on $(wc -l < "$PATHS_FILE") community URLs, with /api/v1/coverage beside it"
PATHS="$PATHS_FILE" wrk -t1 -c20 -d"${DURATION}s" --latency -s scripts/bench-paths.lua "http://127.0.0.1:$PORT" \
  | grep -E "Requests/sec|^\s+(50|90|99)%|Non-2xx|Socket errors|requests in" | sed 's/^/burst: /' &
BURST=$!
wrk -t1 -c20 -d"${DURATION}s" --latency "http://127.0.0.1:$PORT/api/v1/coverage" \
  | grep -E "Requests/sec|^\s+(50|90|99)%|Non-2xx|Socket errors|requests in" | sed 's/^/coverage: /'
wait $BURST
python3 scripts/bench-accounts.py "http://127.0.0.1:$PORT" 50 20
