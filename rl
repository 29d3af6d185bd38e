#!/usr/bin/env bash
# The project's command line: sets the workspace up if needed, sources it in
# the right order (scripts/env.sh), and runs the rl CLI. Try './rl --help'.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"${ROOT}/scripts/setup.sh" --quiet
set +u  # colcon's generated setup scripts read unset variables
# shellcheck disable=SC1091
. "${ROOT}/scripts/env.sh"
set -u
exec python -m rl_bringup.cli "$@"
