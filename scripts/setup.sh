#!/usr/bin/env bash
# From a fresh clone to a built workspace: Debian packages, .venv from
# requirements.lock, the ROS wheels' CMake paths rewritten, colcon build.
# Each stage runs only when its inputs changed, so a second run is quick
# and changes nothing.
#
# Usage: scripts/setup.sh [--quiet]
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${ROOT}/.venv"
LOCK="${ROOT}/requirements.lock"
QUIET=0
[ "${1:-}" = "--quiet" ] && QUIET=1

say() { [ "${QUIET}" = 1 ] || printf 'setup: %s\n' "$*"; }
die() { printf 'setup: error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root to run: $*"
  fi
}

find_python() {
  local candidate
  for candidate in "${PYTHON:-}" python3.11 python3; do
    [ -n "${candidate}" ] || continue
    if command -v "${candidate}" >/dev/null \
      && "${candidate}" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null
    then
      command -v "${candidate}"; return 0
    fi
  done
  return 1
}

ensure_debian_packages() {
  local missing=()
  command -v cmake >/dev/null || missing+=(cmake)
  command -v g++ >/dev/null || missing+=(g++)
  command -v make >/dev/null || missing+=(make)
  find_python >/dev/null || missing+=(python3.11 python3.11-venv python3.11-dev)
  # MuJoCo's optional onboard camera renders headless through EGL (Mesa).
  ldconfig -p | grep -q 'libEGL.so.1 ' || missing+=(libegl1 libgl1-mesa-dri)
  # The monitor page's browser test drives Debian's Chromium (playwright never downloads one).
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  [ "${#missing[@]}" = 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends \
    "${missing[@]}"
}

stamp_of() { cat "$@" | sha256sum | cut -d' ' -f1; }

ensure_venv() {
  local python
  python="$(find_python)" || die "Python 3.11 not found; set PYTHON=/path/to/python3.11"
  if [ -x "${VENV}/bin/python" ] \
    && ! "${VENV}/bin/python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'
  then
    say "removing ${VENV}: it is not a Python 3.11 environment"
    rm -rf "${VENV}"
  fi
  if [ ! -x "${VENV}/bin/python" ]; then
    say "creating ${VENV} with ${python}"
    "${python}" -m venv "${VENV}"
  fi
}

install_lock() {
  local stamp_file="${VENV}/.rl-lock.sha256" stamp
  stamp="$(stamp_of "${LOCK}" "${ROOT}/scripts/fix_ros_wheel_paths.py")"
  [ -f "${stamp_file}" ] && [ "$(cat "${stamp_file}")" = "${stamp}" ] && return 0
  say "installing requirements.lock into ${VENV} (first time: about 2 GB, a few minutes)"
  "${VENV}/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps \
    -r "${LOCK}"
  "${VENV}/bin/python" -m pip check >/dev/null || die "pip check failed: run '${VENV}/bin/pip check'"
  "${VENV}/bin/python" "${ROOT}/scripts/fix_ros_wheel_paths.py" "${VENV}"
  echo "${stamp}" > "${stamp_file}"
}

source_tree_stamp() {
  (cd "${ROOT}" && find src colcon.meta -type f -not -path '*/__pycache__/*' \
    -not -name '*.pyc' -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -d' ' -f1)
}

all_packages_installed() {
  local manifest name
  for manifest in "${ROOT}"/src/*/package.xml; do
    name="$(basename "$(dirname "${manifest}")")"
    [ -f "${ROOT}/install/${name}/share/${name}/package.xml" ] || return 1
  done
}

# colcon copies a Python package's modules into build/ and install/ and never
# deletes one that src/ no longer has, so a module moved to another package
# would stay importable from its old place. Each build therefore starts the
# Python packages' copies afresh, and drops packages that left src/.
remove_stale_copies() {
  local dir name
  for dir in "${ROOT}"/install/*/; do
    name="$(basename "${dir}")"
    [ -f "${ROOT}/src/${name}/package.xml" ] || rm -rf "${ROOT}/install/${name}" "${ROOT}/build/${name}"
  done
  for dir in "${ROOT}"/src/*/setup.py; do
    name="$(basename "$(dirname "${dir}")")"
    rm -rf "${ROOT}/build/${name}/build" "${ROOT}/install/${name}/lib/python3.11/site-packages/${name}"
  done
}

build_workspace() {
  local stamp_file="${ROOT}/install/.rl-build.sha256" stamp
  stamp="$(source_tree_stamp)-$(cat "${VENV}/.rl-lock.sha256")"
  [ -f "${stamp_file}" ] && [ "$(cat "${stamp_file}")" = "${stamp}" ] && all_packages_installed \
    && return 0
  say "colcon build"
  remove_stale_copies
  (
    cd "${ROOT}"
    set +u  # colcon's generated setup scripts read unset variables
    # shellcheck disable=SC1091
    . "${ROOT}/scripts/env.sh"
    if [ "${QUIET}" = 1 ]; then
      colcon --log-level error build --event-handlers console_stderr- status- summary- >/dev/null \
        || die "colcon build failed: run 'make build' to see why"
    else
      colcon build
    fi
  )
  echo "${stamp}" > "${stamp_file}"
}

# Two commands started at once ('./rl train' in one terminal, 'make test' in
# another) would otherwise both install or colcon build into the same
# folders; the second waits here and then finds the work done.
exec 9>"${ROOT}/.rl-setup.lock"
flock 9
ensure_debian_packages
ensure_venv
install_lock
build_workspace
say "workspace ready: 'source scripts/env.sh' for a shell, './rl --help' for the CLI"
