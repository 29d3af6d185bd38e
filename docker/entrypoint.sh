#!/usr/bin/env bash
# Entry point of the images: source the ROS workspace, then run the command
# given, e.g. `python /opt/rl/docker/rl_container.py env`.
#
# trainer and mujoco images: ROS 2 Kilted from the PyPI wheels in /opt/rl/.venv,
# sourced by the repository's own scripts/env.sh (the order it needs).
# webots image: ROS 2 from the distribution's debs, then the workspace overlay.
set -eo pipefail
if [ -x /opt/rl/.venv/bin/python ]; then
  # shellcheck disable=SC1091
  . /opt/rl/scripts/env.sh
else
  # shellcheck disable=SC1090
  . "/opt/ros/${ROS_DISTRO:?ROS_DISTRO is not set}/setup.bash"
  # shellcheck disable=SC1091
  . /opt/rl/install/setup.bash
fi
exec "$@"
