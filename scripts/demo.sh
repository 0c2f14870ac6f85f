#!/usr/bin/env bash
# The main job on the bundled sample scans: ingest into a local SQLite archive, then look at it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
DB="${SOHOA_DB:-archive.sqlite}"
set +e
.venv/bin/sohoa ingest corpus/samples --db "$DB" --out out/records
status=$?
set -e
if [ "$status" -gt 1 ]; then exit "$status"; fi
echo
echo "== search: dang vien (typed without tone marks) =="
.venv/bin/sohoa search "dang vien" --db "$DB" --limit 5
