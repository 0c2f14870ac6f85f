#!/usr/bin/env bash
# The main job on the bundled sample scans: ingest into a local SQLite archive, then look at it.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
DB="${SOHOA_DB:-archive.sqlite}"
set +e
.venv/bin/sohoa ingest corpus/samples/scans --db "$DB" --out out/records
status=$?
set -e
if [ "$status" -gt 1 ]; then exit "$status"; fi
echo
echo "== search: dang vien (typed without tone marks) =="
.venv/bin/sohoa search "dang vien" --db "$DB" --limit 3
echo
echo "== the legacy TCVN3 text file, repaired (first lines; whole text in out/) =="
.venv/bin/sohoa restore corpus/samples/scans/004-excerpt-tcvn3.txt > out/004-excerpt-restored.txt
head -n 6 out/004-excerpt-restored.txt
echo
echo "== typed without tone marks, restored (first lines; whole text in out/) =="
.venv/bin/sohoa restore corpus/samples/scans/002-excerpt-khong-dau.txt > out/002-excerpt-restored.txt
head -n 6 out/002-excerpt-restored.txt
