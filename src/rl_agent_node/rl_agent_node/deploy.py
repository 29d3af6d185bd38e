"""Running a trained policy: evaluation on given seeds, and deployment on the robot.

Both load the policy with :func:`rl_agent_node.policies.load_policy` (SB3
model or TorchScript export, on the CPU) and step an env with it.
Deployment talks to an env node in real mode through ``RosEnv`` and drives
to the goals it is given (:mod:`rl_agent_node.navigation`): each goal is a
reset with the option ``goal`` (on the robot that only stops the base and
places the goal in ``odom``), then steps as fast as the env node answers,
and the env node keeps the control rate, the watchdog and the bumper stop.
Neither imports stable-baselines3 for a TorchScript policy, so a robot
needs only torch.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from rl_agent_node.evaluation import (
    INPROCESS,
    EvaluationSummary,
    held_out_seeds,
    run_episodes,
    write_json,
)
from rl_agent_node.navigation import GoalNavigator
from rl_agent_node.policies import LoadedPolicy, load_policy


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
    :param timeout: seconds to wait for the env node and each answer.
    :param torch_threads: torch threads for inference.
    """

    model: Path
    namespace: str = ''
    timeout: float = 10.0
    torch_threads: int = 1


class Deployment:
    """A loaded policy on a connected env node, ready to be sent to goals.

    :param request: what to run where.
    :param stop: set by SIGINT/SIGTERM: ends the goal under way and the wait
        for the env node.
    :raises EnvTimeoutError: when the env node does not appear (and ``stop`` is not set).
    :raises ValueError: when the env node serves another task than the policy's.
    """

    def __init__(self, request: DeployRequest, stop: threading.Event) -> None:
        from rl_env_client.ros_env import RosEnv

        policy = load_policy(request.model, request.torch_threads)
        self.env = RosEnv(request.namespace, timeout=request.timeout, stop=stop)
        expected = policy.meta.get('task')
        if expected is not None and self.env.task != expected:
            self.env.close()
            raise ValueError(f'the env node serves {self.env.task!r} but the policy was '
                             f'trained for {expected!r}')
        self.navigator = GoalNavigator(self.env, policy.act, stop)

    def close(self) -> None:
        """Release the env client; the env node's watchdog keeps the base still."""
        self.env.close()
