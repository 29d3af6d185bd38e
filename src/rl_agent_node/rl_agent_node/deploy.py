"""Running a trained policy: evaluation on given seeds, and deployment on the robot.

Both load the policy with :func:`rl_agent_node.policies.load_policy` (SB3
model or TorchScript export, on the CPU) and step an env with it.
Deployment talks to an env node in real mode through ``RosEnv``: it resets
(on the robot that only stops the base and places the goal relative to it),
then steps as fast as the env node answers, and the env node keeps the
control rate, the watchdog and the bumper stop. Neither function imports
stable-baselines3 for a TorchScript policy, so a robot needs only torch.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rl_agent_node.evaluation import (
    INPROCESS,
    EpisodeResult,
    EvaluationSummary,
    held_out_seeds,
    run_episodes,
    write_json,
)
from rl_agent_node.policies import LoadedPolicy, load_policy

_LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class EvalRequest:
    """An evaluation of a saved policy.

    :param model: run directory, model folder, ``model.zip`` or exported ``.pt``.
    :param where: 'inprocess', or the env node's namespace ('' for the root one).
    :param episodes: how many episodes.
    :param first_seed: episode k resets with ``first_seed + k``; the default is
        neither the training envs' seeds nor the periodic evaluation's.
    :param task: task to evaluate on; the model's own when None.
    :param output: JSON file; ``evaluation_<where>.json`` next to the model when None.
    :param timeout: seconds to wait for the env node and each answer.
    :param torch_threads: torch threads for inference.
    """

    model: Path
    where: str = INPROCESS
    episodes: int = 100
    first_seed: int = 2_000_000
    task: str | None = None
    output: Path | None = None
    timeout: float = 10.0
    torch_threads: int = 1


def _task_of(policy: LoadedPolicy, task: str | None) -> str:
    known = policy.meta.get('task')
    if task is None and known is None:
        raise ValueError(f'{policy.source} does not say its task; give one')
    return task or known


def evaluate_model(request: EvalRequest,
                   stop: threading.Event | None = None) -> tuple[EvaluationSummary, Path]:
    """Run the episodes and write the JSON; returns the summary and the JSON's path."""
    if request.episodes < 1:
        raise ValueError(f'episodes must be >= 1, got {request.episodes}')
    from rl_agent_node.envs import make_eval_env

    policy = load_policy(request.model, request.torch_threads)
    task = _task_of(policy, request.task)
    env = make_eval_env(task, request.where, timeout=request.timeout)
    seeds = held_out_seeds(request.first_seed, request.episodes)
    try:
        summary = run_episodes(env, policy.act, seeds, stop)
    finally:
        env.close()
    name = 'inprocess' if request.where == INPROCESS else (request.where.strip('/') or 'root')
    output = request.output or policy.source.parent / f'evaluation_{name}.json'
    write_json(summary, output, {'model': str(policy.source), 'task': task,
                                 'env': request.where, 'seeds': [seeds[0], seeds[-1]],
                                 'model_meta': policy.meta})
    return summary, output


@dataclass(frozen=True)
class DeployRequest:
    """A deployment of a saved policy against an env node (real mode on the robot).

    :param model: run directory, model folder, ``model.zip`` or exported ``.pt``.
    :param namespace: the env node's namespace ('' for the root one).
    :param episodes: episodes to run; 0 runs until stopped.
    :param timeout: seconds to wait for the env node and each answer.
    :param max_failures: consecutive failed episodes (env refused or silent) before giving up.
    :param torch_threads: torch threads for inference.
    """

    model: Path
    namespace: str = ''
    episodes: int = 0
    timeout: float = 10.0
    max_failures: int = 5
    torch_threads: int = 1


def deploy(request: DeployRequest, stop: threading.Event,
           on_episode: Callable[[int, EpisodeResult], None] | None = None) -> list[EpisodeResult]:
    """Run the policy episode after episode until ``episodes`` are done or ``stop`` is set.

    When the node stops, commands simply stop: the env node's watchdog halts
    the base within its watchdog period.

    :param request: what to run where.
    :param stop: set by SIGINT/SIGTERM; ends the deployment at once, also
        while connecting or when the env node went down with the agent.
    :param on_episode: called with the episode index and result after each episode.
    :raises EnvClientError: after ``max_failures`` consecutive failed episodes.
    """
    from rl_env_client.errors import EnvTimeoutError, RemoteEnvError
    from rl_env_client.ros_env import RosEnv

    policy = load_policy(request.model, request.torch_threads)
    try:
        env = RosEnv(request.namespace, timeout=request.timeout, stop=stop)
    except EnvTimeoutError:
        if stop.is_set():
            return []
        raise
    expected = policy.meta.get('task')
    if expected is not None and env.task != expected:
        env.close()
        raise ValueError(f'the env node serves {env.task!r} but the policy was trained for '
                         f'{expected!r}')
    results: list[EpisodeResult] = []
    failures = 0
    try:
        while not stop.is_set() and (request.episodes == 0 or len(results) < request.episodes):
            try:
                episode = run_episodes(env, policy.act, [None], stop).episodes
            except (EnvTimeoutError, RemoteEnvError) as error:
                if stop.is_set():
                    break  # the env node stops with us (Ctrl-C reaches the process group)
                failures += 1
                _LOG.error('episode failed (%d in a row): %s', failures, error)
                if failures >= request.max_failures:
                    raise
                stop.wait(min(2.0 ** failures, 30.0))
                continue
            failures = 0
            if episode:
                results.append(episode[0])
                if on_episode is not None:
                    on_episode(len(results) - 1, episode[0])
    finally:
        env.close()
    return results

