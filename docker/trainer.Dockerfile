# syntax=docker/dockerfile:1
# Trainer image: the whole workspace (agent, env nodes, MuJoCo, recorder) on
# ROS 2 Kilted from the PyPI wheels, set up by the repository's own
# scripts/setup.sh, so `./rl` inside behaves as on a developer's machine.
#
#   docker build -f docker/trainer.Dockerfile -t robotino-rl/trainer .   # from the repo root
#   docker run --rm -v rl-runs:/runs robotino-rl/trainer --num-envs 4    # = ./rl train --num-envs 4
#
# The entry point is `./rl train`: env nodes, recorder and agent in this one
# container. docker compose and Kubernetes run the agent and the recorder from
# this image on external env nodes instead (docker/rl_container.py train, which
# runs `rl train --envs env_0,...`).
# Runs (with their bags) go to the volume /runs.
FROM python:3.11-slim-bookworm

# What scripts/setup.sh checks for and would otherwise install with apt as
# root: the C/C++ toolchain and CMake that build rl_interfaces, and Mesa's EGL
# for MuJoCo's optional headless camera (MUJOCO_GL=egl). The toolchain stays,
# because `./rl` runs setup.sh at every start (a no-op while nothing changed,
# a rebuild when src/ is mounted over the image's).
# Debian/Ubuntu package versions are not pinned (hadolint DL3008): a point
# release drops the old versions from the mirrors; the base image tag fixes the suite.
# hadolint ignore=DL3008
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        cmake g++ make libegl1 libgl1-mesa-dri \
    && rm -rf /var/lib/apt/lists/*

# Non-root user; /runs is created here so a new named volume inherits its owner.
RUN useradd --create-home --uid 1000 --shell /bin/bash rl \
    && install -d -o rl -g rl /opt/rl /runs
WORKDIR /opt/rl
USER 1000:1000

# torch first, from PyTorch's CPU index. requirements.lock pins torch==2.13.0,
# which on the developers' machines resolves to a CPU build (2.13.0+cpu) from a
# local wheel folder; from PyPI the same pin is the multi-gigabyte CUDA build.
# PEP 440 ignores the +cpu local label when matching ==2.13.0, so setup.sh's
# `pip install --no-deps -r requirements.lock` below finds torch satisfied and
# leaves it. --no-deps: the lock brings torch's dependencies at their pins.
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
COPY --chown=rl:rl requirements.lock ./
RUN python3.11 -m venv /opt/rl/.venv \
    && /opt/rl/.venv/bin/pip install --no-cache-dir --no-deps --index-url "${TORCH_INDEX}" \
        "$(grep -E '^torch==' requirements.lock)"

# The workspace and its setup: venv from requirements.lock (every package at its
# pin, --no-deps), the ROS wheels' CMake paths rewritten, colcon build.
COPY --chown=rl:rl rl colcon.meta ./
COPY --chown=rl:rl scripts/ scripts/
COPY --chown=rl:rl src/ src/
COPY --chown=rl:rl docker/entrypoint.sh docker/rl_container.py docker/
COPY --chown=rl:rl docker/fastdds/ docker/fastdds/
ENV PIP_NO_CACHE_DIR=1
RUN scripts/setup.sh \
    && /opt/rl/.venv/bin/python -c 'import torch; assert torch.__version__.endswith("+cpu"), torch.__version__' \
    && ln -s /runs /opt/rl/runs

ENV MUJOCO_GL=egl \
    RMW_IMPLEMENTATION=rmw_fastrtps_cpp \
    PYTHONUNBUFFERED=1
VOLUME ["/runs"]
ENTRYPOINT ["/opt/rl/rl", "train"]
CMD []
