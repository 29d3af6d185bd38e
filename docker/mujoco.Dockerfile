# syntax=docker/dockerfile:1
# Simulator image, embedded MuJoCo: env nodes with the simulator in their own
# process (simulator: inprocess, the fastest path), in the namespaces that
# docker/rl_container.py derives for this replica: one env node, or with
# RL_ENVS_PER_CONTAINER=K > 1 an env_group process serving K envs in batches.
#
#   docker build -f docker/mujoco.Dockerfile -t robotino-rl/mujoco .      # from the repo root
#   docker run --rm --network host -e RL_NAMESPACE=env_0 robotino-rl/mujoco
#
# Same Python, wheels and build steps as scripts/setup.sh, minus what only
# training needs (torch, stable-baselines3): the env node imports neither.

# ---- build: venv from the lock, ROS wheels' paths rewritten, colcon build ----
FROM python:3.11-slim-bookworm AS build
# Debian/Ubuntu package versions are not pinned (hadolint DL3008): a point
# release drops the old versions from the mirrors; the base image tag fixes the suite.
# hadolint ignore=DL3008
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        cmake g++ make \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/rl
COPY requirements.lock colcon.meta ./
COPY scripts/ scripts/
# The lock without the training-only packages; --no-deps installs exactly the
# pins, as scripts/setup.sh does (its `pip check` would object to the missing
# torch, so these steps are setup.sh's without it).
RUN grep -vE '^(torch|stable_baselines3)==' requirements.lock > /tmp/sim.lock \
    && python3.11 -m venv /opt/rl/.venv \
    && /opt/rl/.venv/bin/pip install --no-cache-dir --no-deps -r /tmp/sim.lock \
    && /opt/rl/.venv/bin/python scripts/fix_ros_wheel_paths.py /opt/rl/.venv
COPY src/ src/
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# colcon's generated setup scripts read unset variables: no `set -u` here.
RUN . scripts/env.sh && colcon build --event-handlers console_direct- \
    && rm -rf build log

# ---- runtime: the venv and the install space, no compilers ----
FROM python:3.11-slim-bookworm
# Mesa's EGL (with its software rasteriser) for the optional onboard camera,
# rendered headless with MUJOCO_GL=egl; no GPU needed.
# hadolint ignore=DL3008
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libegl1 libgl1-mesa-dri \
    && rm -rf /var/lib/apt/lists/*
# /claims: where compose replicas claim their index (a shared volume, see compose.yaml).
RUN useradd --create-home --uid 1000 --shell /bin/bash rl \
    && install -d -o rl -g rl /claims
WORKDIR /opt/rl
COPY --from=build /opt/rl/.venv .venv/
COPY --from=build /opt/rl/install install/
COPY --from=build /opt/rl/scripts/env.sh scripts/env.sh
COPY docker/entrypoint.sh docker/rl_container.py docker/
COPY docker/fastdds/ docker/fastdds/
USER 1000:1000
ENV MUJOCO_GL=egl \
    RMW_IMPLEMENTATION=rmw_fastrtps_cpp \
    PYTHONUNBUFFERED=1
ENTRYPOINT ["/opt/rl/docker/entrypoint.sh", "python", "/opt/rl/docker/rl_container.py"]
CMD ["env"]
