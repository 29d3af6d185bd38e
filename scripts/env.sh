# Source this file for a shell with the workspace ready:  source scripts/env.sh
#
# Order matters: the venv goes on AMENT_PREFIX_PATH before install/setup.bash,
# or get_package_share_directory('std_msgs') fails; LD_LIBRARY_PATH is set here
# so the ROS wheels' bootstrapper does not re-exec every Python process.
# Safe to source more than once.

RL_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RL_VENV="${RL_ROOT}/.venv"
export RL_ROOT

if [ ! -x "${RL_VENV}/bin/python" ]; then
  echo "rl: no virtual environment at ${RL_VENV}; run 'make setup' first" >&2
  return 1 2>/dev/null || exit 1
fi

export VIRTUAL_ENV="${RL_VENV}"
case ":${PATH}:" in
  *":${RL_VENV}/bin:"*) ;;
  *) export PATH="${RL_VENV}/bin:${PATH}" ;;
esac

_rl_site="${RL_VENV}/lib/python3.11/site-packages"
_rl_libs="${RL_VENV}/lib"
for _rl_dir in "${_rl_site}"/ros_*.libs; do
  _rl_libs="${_rl_libs}:${_rl_dir}"
done
case ":${LD_LIBRARY_PATH:-}:" in
  *":${RL_VENV}/lib:"*) ;;
  *) export LD_LIBRARY_PATH="${_rl_libs}${LD_LIBRARY_PATH:+:${LD_LIBRARY_PATH}}" ;;
esac
export _ROS_WHEELS_BOOTSTRAP_COMPLETE=1

case ":${AMENT_PREFIX_PATH:-}:" in
  *":${RL_VENV}:"*) ;;
  *) export AMENT_PREFIX_PATH="${RL_VENV}${AMENT_PREFIX_PATH:+:${AMENT_PREFIX_PATH}}" ;;
esac
export CMAKE_PREFIX_PATH="${AMENT_PREFIX_PATH}"
export RMW_IMPLEMENTATION="${RMW_IMPLEMENTATION:-rmw_fastrtps_cpp}"
export MUJOCO_GL="${MUJOCO_GL:-egl}"

if [ -f "${RL_ROOT}/install/setup.bash" ]; then
  # shellcheck disable=SC1091
  . "${RL_ROOT}/install/setup.bash"
fi
unset _rl_site _rl_libs _rl_dir
