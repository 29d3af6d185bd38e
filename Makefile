# The workspace's entry points. `make test` and `make train` set up on their own.
.PHONY: setup build test train lint lock clean help

help:  ## list the targets
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/'

setup:  ## create .venv from requirements.lock, fix the ROS wheels' paths, colcon build
	@scripts/setup.sh

build: setup  ## colcon build again, even when nothing changed
	@bash -c 'set +u; . scripts/env.sh && colcon build'

test:  ## build if needed, colcon test every package, ruff check
	@scripts/test.sh

train:  ## the main job: train the default config on MuJoCo with 4 envs, recording every 10th episode
	@./rl train

lint: setup  ## ruff check only
	@.venv/bin/ruff check .

lock: setup  ## re-resolve requirements.in into requirements.lock
	@.venv/bin/pip install --quiet -r requirements.in
	@.venv/bin/python scripts/freeze_lock.py requirements.lock
	@scripts/setup.sh

clean:  ## remove build, install and log (keeps .venv)
	rm -rf build install log
