#!/usr/bin/env bash
# Fuzzes the publiccode.yml validator for $1 seconds (default 600), seeded with the reference
# suite's files (read from ../shared, copied to a scratch corpus outside the repository).
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-600}"
corpus="${FUZZ_CORPUS:-${TMPDIR:-/tmp}/cantiere-fuzz-corpus}"
mkdir -p "$corpus"
find ../../shared/conformance/publiccode/testdata -name '*.yml' -exec cp -n {} "$corpus/" \; 2>/dev/null || true
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
# cargo fuzz needs nightly features: a nightly toolchain when there is one,
# else the stable compiler with RUSTC_BOOTSTRAP=1 (this machine has only stable).
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
  cargo +nightly fuzz run publiccode "$corpus" -- -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10
  exit
fi
RUSTC_BOOTSTRAP=1 cargo fuzz run publiccode "$corpus" -- -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10
