#!/usr/bin/env bash
# make test: build if needed, run every package's tests through colcon, lint.
# Ends with one line 'tests: N passed, N failed, N skipped' and exits non-zero
# on any failure, error or lint finding.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
"${ROOT}/scripts/setup.sh" --quiet
cd "${ROOT}"
set +u  # colcon's generated setup scripts read unset variables
# shellcheck disable=SC1091
. "${ROOT}/scripts/env.sh"
set -u

status=0
rm -rf "${ROOT}/build"/*/test_results "${ROOT}/build"/*/pytest.xml
# Sequential: the simulator tests measure motion against sim time and share two cores.
colcon test --executor sequential --return-code-on-test-failure \
  --event-handlers console_cohesion+ summary+ status- \
  --pytest-args -p no:cacheprovider || status=1
summary="$(colcon test-result --all | tail -n 1)"
echo "${summary}"
ruff check . || status=1
# The import contracts of .importlinter, on the source tree: each package's
# folder goes first on PYTHONPATH, so a module deleted from src/ but still in
# install/ is not checked. A broken contract prints its import chain.
src_path="$(printf '%s:' "${ROOT}"/src/*/setup.py | sed 's#/setup\.py:#:#g')"
PYTHONPATH="${src_path}${PYTHONPATH:-}" lint-imports --no-cache --no-logo "${ROOT}/.importlinter" \
  || status=1

# colcon prints 'Summary: T tests, E errors, F failures, S skipped'.
read -r total errors failures skipped <<<"$(echo "${summary}" \
  | sed -E 's/[^0-9]+/ /g; s/^ //')"
passed=$((total - errors - failures - skipped))
[ "${total}" -gt 0 ] || { echo "no tests ran"; status=1; }
echo "tests: ${passed} passed, $((failures + errors)) failed, ${skipped} skipped"
exit "${status}"
