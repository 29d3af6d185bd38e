"""The agent node: train, evaluate or deploy a policy against env nodes.

One node for the whole life of a policy, chosen by the ``mode`` parameter:

- ``train``: stable-baselines3 over the env nodes in ``envs`` (or in
  process), into a run directory, resumable (see :mod:`rl_agent_node.training`);
  where it stands goes out on ``training_progress`` about twice a second
  (latched, so a monitor that starts late gets the last report);
- ``eval``: a saved policy for ``episodes`` episodes on held-out seeds,
  logging the table and writing JSON;
- ``deploy``: a saved policy (SB3 or TorchScript) against an env node in real
  mode, driving to the goals it is sent on its ``navigate_to_goal`` action or
  ``goal_pose`` topic (:mod:`rl_agent_node.goal_server`); between goals the
  base stands still.

The work is one long blocking call, so SIGINT and SIGTERM only set a flag
(:mod:`rl_agent_node.signals`) that the work checks at every step; training
then saves a checkpoint, and the node exits 0. The node spins in a
background thread meanwhile, so its parameters stay readable.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import rclpy
from rclpy.exceptions import ParameterException
from rclpy.executors import MultiThreadedExecutor
from rclpy.node import Node
from rclpy.qos import DurabilityPolicy, QoSProfile, ReliabilityPolicy
from rclpy.signals import SignalHandlerOptions

from rl_agent_node import knobs
from rl_agent_node.errors import AgentError, ConfigError
from rl_agent_node.knobs import knob_fields
from rl_agent_node.progress_report import ProgressRecord
from rl_agent_node.signals import stop_on_signals
from rl_agent_node.train_settings import TrainSettings
from rl_env_client.errors import EnvClientError
from rl_env_node.errors import EnvError
from rl_interfaces.msg import TrainingProgress
from rl_ros.contract import TRAINING_PROGRESS
from rl_ros.conversions import time_from_nanoseconds
from rl_ros.parameters import ParameterSpec, declare_parameters

#: What the training knobs also mean in the other modes.
_OTHER_MODES = {'task': "; eval: the task to evaluate on, '' for the model's own"}
#: The training knobs as parameters, named and described as in ``rl train`` and the launch files.
TRAIN_PARAMETERS = tuple(
    ParameterSpec(f.name, f.default,
                  f"train: {f.metadata['help']}{_OTHER_MODES.get(f.name, '')}")
    for f in knob_fields(TrainSettings))
PARAMETERS = (
    ParameterSpec('mode', 'train', "'train', 'eval' or 'deploy'"),
    *TRAIN_PARAMETERS,
    ParameterSpec('envs', '', "train: env node namespaces, comma-separated, or 'inprocess'; "
                              "'' for env_0 .. env_{n_envs-1} of the config"),
    ParameterSpec('env', '', "eval, deploy: the env node's namespace, '' for the root one; "
                             "eval also takes 'inprocess'"),
    ParameterSpec('eval_env', 'inprocess',
                  "train: where periodic evaluations run, 'inprocess' or a namespace"),
    ParameterSpec('runs_root', 'runs', 'train: parent folder of run directories'),
    ParameterSpec('progress_bar', False,
                  'train: draw a progress bar on a terminal; else a log line every 30 s'),
    ParameterSpec('model', '', 'eval, deploy: run directory, model folder, model.zip or .pt'),
    ParameterSpec('episodes', 0, 'eval: episodes, 0 for 100; deploy: goals to serve before '
                              'ending, 0 until stopped', 0, 10**9),
    ParameterSpec('eval_seed', 2_000_000, 'eval: reset seed of the first episode', 0, 2**62),
    ParameterSpec('output', '', "eval: JSON file; '' for evaluation_<env>.json by the model"),
    ParameterSpec('timeout', 10.0, 'eval, deploy: seconds to wait for an env node answer',
                  0.1, 600.0),
    ParameterSpec('torch_threads', 1, 'eval, deploy: torch threads for inference', 1, 256),
)
_MODES = ('train', 'eval', 'deploy')
#: Seconds the goal server stays after its last goal, for clients to fetch the result.
RESULT_GRACE = 2.0
#: ``training_progress``: reliable and latched, so a late subscriber gets the latest
#: reports. Keep the last 10, not 1: with one, a report not yet acknowledged by a busy
#: subscriber is replaced by the next (an ``evaluating`` between two ``training``s was lost).
PROGRESS_QOS = QoSProfile(depth=10, reliability=ReliabilityPolicy.RELIABLE,
                          durability=DurabilityPolicy.TRANSIENT_LOCAL)


def progress_message(record: ProgressRecord) -> TrainingProgress:
    """The record as ``rl_interfaces/TrainingProgress``, stamped with its wall-clock time."""
    msg = TrainingProgress(
        run_name=record.run_name, algorithm=record.algorithm, task=record.task,
        status=record.status, num_timesteps=record.num_timesteps,
        total_timesteps=record.total_timesteps, steps_per_second=record.steps_per_second,
        elapsed=record.elapsed, time_left=record.time_left, episodes=record.episodes,
        train_return_mean=record.train_return_mean,
        train_success_rate=record.train_success_rate, eval_timesteps=record.eval_timesteps,
        eval_return_mean=record.eval_return_mean, eval_success_rate=record.eval_success_rate,
        success_target=record.success_target)
    msg.header.stamp = time_from_nanoseconds(round(record.stamp * 1e9))
    return msg


@dataclass(frozen=True)
class AgentNodeSettings:
    """The node's parameters, read once; see :data:`PARAMETERS` for meanings.

    :param train: the training knobs (mode train).
    """

    mode: str
    train: TrainSettings
    envs: str
    env: str
    eval_env: str
    runs_root: Path
    progress_bar: bool
    model: Path | None
    episodes: int
    eval_seed: int
    output: Path | None
    timeout: float
    torch_threads: int

    @classmethod
    def from_values(cls, values: dict) -> AgentNodeSettings:
        """Checked settings; ConfigError names the bad parameter and its value."""
        if values['mode'] not in _MODES:
            raise ConfigError(f"mode must be one of {_MODES}, got {values['mode']!r}")
        if values['mode'] != 'train' and not values['model']:
            raise ConfigError(f"mode {values['mode']} needs the model parameter")

        def path(name: str) -> Path | None:
            return Path(values[name]) if values[name] else None

        return cls(values['mode'], knobs.from_values(TrainSettings, values), values['envs'],
                   values['env'], values['eval_env'], Path(values['runs_root']),
                   values['progress_bar'], path('model'), values['episodes'],
                   values['eval_seed'], path('output'), values['timeout'],
                   values['torch_threads'])


class _NodeLogHandler(logging.Handler):
    """Sends the plain modules' ``logging`` records to the node's logger."""

    def __init__(self, node: Node) -> None:
        super().__init__()
        self._logger = node.get_logger()

    def emit(self, record: logging.LogRecord) -> None:
        text = self.format(record)
        if record.levelno >= logging.ERROR:
            self._logger.error(text)
        elif record.levelno >= logging.WARNING:
            self._logger.warning(text)
        else:
            self._logger.info(text)


class AgentNode(Node):
    """Holds the parameters and runs the chosen mode in :meth:`run`."""

    def __init__(self, **kwargs) -> None:
        super().__init__('rl_agent', **kwargs)
        self.settings = AgentNodeSettings.from_values(declare_parameters(self, PARAMETERS))
        handler = _NodeLogHandler(self)
        # The ROS logger adds level, time and name; logging's default format would repeat them.
        handler.setFormatter(logging.Formatter('%(message)s'))
        logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
        logging.getLogger('OpenGL').setLevel(logging.WARNING)   # PyOpenGL's import chatter
        self.get_logger().info(f'agent ready: mode {self.settings.mode}')

    def run(self, stop: threading.Event) -> int:
        """Do the mode's work until done or ``stop``; the exit status."""
        mode = self.settings.mode
        if mode == 'train':
            return self._train(stop)
        if mode == 'eval':
            return self._evaluate(stop)
        return self._deploy(stop)

    def _train(self, stop: threading.Event) -> int:
        from rl_agent_node.training import TrainRequest, format_summary, train

        s = self.settings
        publisher = self.create_publisher(TrainingProgress, TRAINING_PROGRESS.name, PROGRESS_QOS)
        request = TrainRequest(
            settings=s.train, envs=tuple(p for p in s.envs.split(',') if p),
            eval_env=s.eval_env, runs_root=s.runs_root, progress_bar=s.progress_bar,
            progress_hook=lambda record: publisher.publish(progress_message(record)))
        result = train(request, stop)
        for line in format_summary(result.summary).splitlines():
            self.get_logger().info(line)
        return result.exit_code

    def _evaluate(self, stop: threading.Event) -> int:
        from rl_agent_node.deploy import EvalRequest, evaluate_model
        from rl_agent_node.evaluation import format_table

        s = self.settings
        request = EvalRequest(model=s.model, where=s.env.strip('/'),
                              episodes=s.episodes or 100, first_seed=s.eval_seed,
                              task=s.train.task or None, output=s.output, timeout=s.timeout,
                              torch_threads=s.torch_threads)
        summary, output = evaluate_model(request, stop)
        for line in format_table(summary, f'{s.model} on {s.env or "/"}').splitlines():
            self.get_logger().info(line)
        self.get_logger().info(f'written: {output}')
        return 0

    def _deploy(self, stop: threading.Event) -> int:
        from rl_agent_node.deploy import Deployment, DeployRequest
        from rl_agent_node.goal_server import ACTION, GOAL_TOPIC, GoalServer
        from rl_env_client.errors import EnvTimeoutError

        s = self.settings
        request = DeployRequest(model=s.model, namespace=s.env.strip('/'), timeout=s.timeout,
                                torch_threads=s.torch_threads)
        try:
            deployment = Deployment(request, stop)
        except EnvTimeoutError:
            if stop.is_set():
                return 0
            raise
        server = GoalServer(self, deployment.navigator, goals=s.episodes)
        action, topic = (self.resolve_topic_name(name) for name in (ACTION, GOAL_TOPIC))
        self.get_logger().info(f'deploying {s.model} on {s.env or "/"}: send goals (odom '
                               f'frame) to the action {action} or the topic {topic}')
        try:
            while not stop.is_set() and not server.done.wait(0.2):
                pass
            # A client asks for a goal's result with a request of its own once the goal has
            # ended: the server stays a moment for it after the last goal.
            stop.wait(RESULT_GRACE)
        finally:
            if not server.wait_idle(s.timeout + RESULT_GRACE):
                self.get_logger().error('the goal under way did not end; the env node\'s '
                                        'watchdog stops the base')
            server.destroy()
            deployment.close()
        self.get_logger().info(f'deploy ended after {server.served} goals')
        return 0


def main(args: list[str] | None = None) -> NoReturn:
    """Start the node, run its mode, shut down cleanly, and exit with the status.

    0 when done or stopped by SIGINT/SIGTERM (after a checkpoint, in training),
    1 when the env nodes failed, 2 for bad parameters. Once the node is
    destroyed and the logs and streams are flushed, the process ends without
    Python's finalization, which takes a second with torch and SB3 loaded and
    has nothing left to do (every file the run writes is closed by then).
    """
    status = _run(args)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(status)


def _run(args: list[str] | None) -> int:
    rclpy.init(args=args, signal_handler_options=SignalHandlerOptions.NO)
    node = None
    # Several threads: in deploy mode a goal's callback drives for seconds while
    # cancels, newer goals and parameter requests must still be served.
    executor = MultiThreadedExecutor(num_threads=4)
    spinner = threading.Thread(target=executor.spin, daemon=True)
    try:
        with stop_on_signals() as stop:
            node = AgentNode()
            executor.add_node(node)
            spinner.start()
            return node.run(stop)
    except (ConfigError, ValueError, ParameterException) as error:
        rclpy.logging.get_logger('rl_agent').fatal(f'cannot run: {error}')
        return 2
    except (AgentError, EnvError, EnvClientError) as error:
        rclpy.logging.get_logger('rl_agent').error(f'failed: {error}')
        return 1
    finally:
        executor.shutdown(timeout_sec=1.0)
        # A spin thread still inside rclpy's wait when the interpreter finalizes
        # aborts the process ("terminate called without an active exception",
        # ros2/rclpy#1484), so the exit waits for it to leave.
        if spinner.is_alive():
            spinner.join(timeout=5.0)
        if node is not None:
            node.destroy_node()
        rclpy.try_shutdown()


if __name__ == '__main__':
    main()
