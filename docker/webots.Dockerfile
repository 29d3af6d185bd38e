# syntax=docker/dockerfile:1
# Simulator image, Webots: headless Webots R2025a with the Robotino world and
# its webots_ros2_driver plugin, plus the env node stepping it over the sim/
# services (simulator: service), in the namespace env_k that
# docker/rl_container.py derives for this replica (one env per container).
#
#   docker build -f docker/webots.Dockerfile -t robotino-rl/webots .      # from the repo root
#
# NOT BUILT HERE: no Docker engine, and neither Webots nor webots_ros2 installs
# on the development machines. Written to the published packages; build it once
# before relying on it.
#
# ROS distribution: Kilted, from the ROS apt repository (the official
# ros:kilted-ros-base image, Ubuntu 24.04, Python 3.12), because the PyPI
# wheels the other images use carry no webots_ros2. webots_ros2 2025.0.x is
# released for Kilted (rosdistro kilted/distribution.yaml) as for Humble and
# Jazzy; should ros-kilted-webots-ros2-driver be missing from the mirror you
# use, build with --build-arg ROS_DISTRO=jazzy: the env node then talks Jazzy
# to a Kilted trainer, which ROS 2 does not promise to support across
# distributions (it usually works for identical interfaces over Fast DDS).
# Same distribution on both sides is the supported setup.
ARG ROS_DISTRO=kilted
FROM ros:${ROS_DISTRO}-ros-base
ARG ROS_DISTRO

# Webots from Cyberbotics' release .deb (the version webots_ros2 2025.0 targets);
# apt resolves its dependencies. xvfb: Webots needs an X display even headless.
ARG WEBOTS_VERSION=2025a
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# Debian/Ubuntu package versions are not pinned (hadolint DL3008): a point
# release drops the old versions from the mirrors; the base image tag fixes the suite.
# hadolint ignore=DL3008
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends curl ca-certificates \
    && curl -fsSL -o /tmp/webots.deb \
        "https://github.com/cyberbotics/webots/releases/download/R${WEBOTS_VERSION}/webots_${WEBOTS_VERSION}_amd64.deb" \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        /tmp/webots.deb \
        xvfb \
        "ros-${ROS_DISTRO}-webots-ros2-driver" \
        python3-colcon-common-extensions python3-numpy python3-yaml python3-venv python3-pip \
    && rm -rf /tmp/webots.deb /var/lib/apt/lists/*
ENV WEBOTS_HOME=/usr/local/webots \
    WEBOTS_OFFSCREEN=1

# Non-root user with uid 1000 (the Ubuntu image's own user 'ubuntu' goes), as in
# the other images, so volumes and Kubernetes' fsGroup match.
RUN (userdel --remove ubuntu 2>/dev/null || true) \
    && useradd --create-home --uid 1000 --shell /bin/bash rl \
    && install -d -o rl -g rl /opt/rl /claims
WORKDIR /opt/rl
USER 1000:1000

# The env node's Python dependency that the distribution lacks (gymnasium;
# not mujoco: the env node imports it only for simulator:=inprocess), at the
# lock's version, in a venv over the system packages: numpy and PyYAML stay
# the distribution's, which the ROS debs are built against, so the lock's numpy
# pin is left out. Nodes run on the system Python and see the venv by PYTHONPATH.
COPY --chown=rl:rl requirements.lock ./
RUN grep -vE '^(numpy|PyYAML|torch|ros-[a-z-]+)==' requirements.lock > /tmp/constraints.txt \
    && python3 -m venv --system-site-packages /opt/rl/venv \
    && /opt/rl/venv/bin/pip install --no-cache-dir -c /tmp/constraints.txt gymnasium \
    && rm /tmp/constraints.txt
ENV PYTHONPATH=/opt/rl/venv/lib/python3.12/site-packages

# The packages this image runs: robotino_webots (world, URDF, plugin, launch)
# and rl_env_node, with what they depend on (rl_interfaces, rl_ros,
# robotino_description, robotino_world; robotino_mujoco is built as a declared
# dependency of rl_env_node but never imported here).
COPY --chown=rl:rl src/ src/
RUN . "/opt/ros/${ROS_DISTRO}/setup.bash" \
    && colcon build --packages-up-to robotino_webots rl_env_node \
        --event-handlers console_direct- \
    && rm -rf build log
COPY --chown=rl:rl docker/entrypoint.sh docker/rl_container.py docker/
COPY --chown=rl:rl docker/launch/ docker/launch/
COPY --chown=rl:rl docker/fastdds/ docker/fastdds/

ENV RMW_IMPLEMENTATION=rmw_fastrtps_cpp \
    PYTHONUNBUFFERED=1
ENTRYPOINT ["/opt/rl/docker/entrypoint.sh", "python3", "/opt/rl/docker/rl_container.py"]
CMD ["webots"]
