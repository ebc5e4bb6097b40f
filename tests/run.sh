#!/usr/bin/env bash
# The whole suite: lint, unit tests, then everything that needs the real stack on SQLite,
# then the same on PostgreSQL (a fresh database created beside TEST_POSTGRES_URL's), then
# once the failure test of the cluster shape (deploy/cluster.py, which needs PostgreSQL).
# TESTS (make test TESTS="tests/unit/test_deploy.py tests/e2e/test_pages.py") narrows both
# passes to those test files or folders (space-separated) and leaves the cluster run out.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
status=0
read -r -a selection <<< "${TESTS:-tests}"

bash deploy/install-browser.sh || status=1

echo "== lint"; $BIN/ruff check . || status=1
$BIN/ruff format --check . || status=1
$BIN/mypy || status=1

echo "== SQLite"
DATABASE_URL= $BIN/python -m pytest "${selection[@]}" -q -p no:cacheprovider --durations=25 -m "not cluster" || status=1

if $BIN/python -c "import sys,psycopg2; psycopg2.connect(sys.argv[1]).close()" "$TEST_POSTGRES_URL" 2>/dev/null; then
  echo "== PostgreSQL"
  $BIN/python -m pytest "${selection[@]}" -q -p no:cacheprovider --durations=15 -m "not unit and not once and not cluster" --postgres || status=1
  if [ -z "${TESTS:-}" ]; then
    echo "== cluster (3 broker nodes, 2 of every process, HAProxy)"
    $BIN/python -m pytest tests/cluster -q -p no:cacheprovider -s -m cluster || status=1
  fi
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL does not answer at TEST_POSTGRES_URL: CI needs it" >&2; status=1
else
  echo "== PostgreSQL: not reachable at TEST_POSTGRES_URL, that run and the cluster run are left out"
fi
exit $status
