"""Does a trained policy hold up deployed? Goals through the action, on the wall clock.

::

    python bench/deploy_bench.py [--goals 20] [--train-steps 0] [--policy NAME=PATH ...]

By default two goal_reaching PPO policies are trained in process, one after
the other: ``ideal`` (the ideal simulator, no randomisation) and
``randomised`` (``realistic`` imperfections, drawn anew every episode), each
until the config's success target or ``--train-steps``. ``--policy`` skips
the training and deploys the given run directories or ``.pt`` files.

Each policy is then deployed as on the robot: a MuJoCo stand-in (realtime,
``realistic``), the env node in real mode and the agent in deploy mode, in
one namespace on a private ROS domain. For goal k the stand-in's world is
rebuilt for seed ``HELD_OUT + k`` (a range no training or evaluation uses),
its goal is turned into ``odom`` and sent on ``navigate_to_goal``; the
result gives the outcome, time, steps and distance left. Reported per
policy: success and collision rates, time to goal (reached goals only), and
``ratio_randomised_to_ideal`` of the success rates.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

import rclpy
from rclpy.action import ActionClient
from rclpy.executors import SingleThreadedExecutor
from report import RESULTS, print_table, write_report
from ros_nodes import node_processes

from rl_agent_node.navigation import Outcome
from rl_env_node.frames import goal_in_odom
from rl_interfaces.action import NavigateToGoal
from rl_interfaces.srv import ResetWorld
from rl_ros.conversions import ground_truth_from_msg, state_from_msg
from rl_testing import private_domain

#: First arena seed of the goals: clear of training (run seed 0's envs) and of evaluation
#: (1_000_000 periodic, 2_000_000 ``rl eval``), so no policy has seen these arenas.
HELD_OUT = 7_000_000
NAMESPACE = 'robotino'
#: The trainings, as config overrides: without and with the sim-to-real measures.
TRAININGS = {'ideal': '{realism: ideal, randomise: false}',
             'randomised': '{realism: realistic, randomise: true}'}
#: Seconds to wait for a goal's result: far past the env node's 40 s episode limit.
RESULT_TIMEOUT = 60.0
#: Seconds after a world reset before the goal goes out, so that the env node's latest
#: odometry and bumper are the new world's (the stand-in publishes every 0.1 s).
SETTLE = 0.5
TITLE = 'trained policies deployed through the action, realistic stand-in'


def train(name: str, steps: int, runs_root: Path) -> Path:
    """Train one policy in process, its log passed through; the run directory."""
    run_dir = runs_root / f'{name}_{time.strftime("%Y%m%d-%H%M%S")}'
    command = [sys.executable, '-m', 'rl_agent_node.cli', 'train', '--envs', 'inprocess',
               '--run-dir', str(run_dir), '--total-steps', str(steps),
               '--overrides', TRAININGS[name], '--no-progress']
    print(f'[{name}] training into {run_dir}', flush=True)
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True) as process:
        for line in process.stdout:
            print(f'[{name}] {line.rstrip()}', flush=True)
    if process.returncode != 0:
        raise SystemExit(f'training {name} failed with status {process.returncode}')
    return run_dir


class GoalClient:
    """This process as the user: resets the stand-in's world and sends goals to the agent."""

    def __init__(self, namespace: str) -> None:
        self._context = rclpy.Context()
        rclpy.init(context=self._context, args=[])
        self._node = rclpy.create_node('deploy_bench', context=self._context)
        self._executor = SingleThreadedExecutor(context=self._context)
        self._executor.add_node(self._node)
        self._reset = self._node.create_client(ResetWorld, f'/{namespace}/sim/reset_world')
        self._action = ActionClient(self._node, NavigateToGoal,
                                    f'/{namespace}/navigate_to_goal')
        if not (self._reset.wait_for_service(timeout_sec=30.0)
                and self._action.wait_for_server(timeout_sec=30.0)):
            raise RuntimeError(f'no sim/reset_world or navigate_to_goal in /{namespace}')

    def _wait(self, future, timeout: float):
        """Spin until ``future`` is done; its result, or None after ``timeout`` s."""
        self._executor.spin_until_future_complete(future, timeout_sec=timeout)
        return future.result() if future.done() else None

    def _new_world(self, seed: int) -> tuple[float, float, float]:
        """Rebuild the arena for ``seed``; its goal in the (restarted) ``odom`` frame."""
        answer = self._wait(self._reset.call_async(ResetWorld.Request(seed=seed)), 30.0)
        if answer is None or not answer.success:
            raise RuntimeError(f'reset_world({seed}) failed: {answer and answer.message}')
        time.sleep(SETTLE)
        return goal_in_odom(state_from_msg(answer.state),
                            ground_truth_from_msg(answer.ground_truth))

    def drive(self, seed: int) -> dict:
        """One goal in the arena of ``seed``, start to result; what the result says."""
        goal = NavigateToGoal.Goal()
        goal.pose.header.frame_id = 'odom'
        goal.pose.pose.position.x, goal.pose.pose.position.y, _ = self._new_world(seed)
        handle = self._wait(self._action.send_goal_async(goal), 10.0)
        if handle is None or not handle.accepted:
            return {'seed': seed, 'outcome': 'REFUSED'}
        answer = self._wait(handle.get_result_async(), RESULT_TIMEOUT)
        if answer is None:
            self._wait(handle.cancel_goal_async(), 10.0)
            return {'seed': seed, 'outcome': 'NO_RESULT'}
        result = answer.result
        return {'seed': seed, 'outcome': Outcome(result.outcome).name,
                'elapsed_s': round(result.elapsed.sec + result.elapsed.nanosec * 1e-9, 2),
                'steps': result.steps,
                'distance_remaining_m': round(float(result.distance_remaining), 3)}

    def close(self) -> None:
        """Release the node and context before the node processes stop."""
        self._action.destroy()
        self._node.destroy_node()
        self._context.try_shutdown()


def deploy(name: str, model: Path, goals: int) -> list[dict]:
    """The stand-in, env node and agent for ``model``; ``goals`` goals through the action."""
    ros = ['--ros-args', '-r', f'__ns:=/{NAMESPACE}']
    specs = [
        ('stand_in', 'robotino_mujoco.sim_node',
         [*ros, '-p', 'mode:=realtime', '-p', 'realism:=realistic', '-p', f'seed:={HELD_OUT}'],
         'robotino sim ready'),
        ('env', 'rl_env_node.env_node', [*ros, '-p', 'mode:=real'], 'env ready'),
        ('agent', 'rl_agent_node.agent_node',
         [*ros, '-p', 'mode:=deploy', '-p', f'model:={model}', '-p', f'env:={NAMESPACE}'],
         'send goals'),
    ]
    print(f'[{name}] deploying {model}', flush=True)
    with node_processes(specs):
        client = GoalClient(NAMESPACE)
        try:
            records = []
            for k in range(goals):
                records.append(record := client.drive(HELD_OUT + k))
                print(f'[{name}] goal {k + 1}/{goals}: {record}', flush=True)
            return records
        finally:
            client.close()


def summary(model: Path, records: list[dict]) -> dict:
    """Rates and times to goal over the goals (times of reached goals only)."""
    count = len(records)
    outcomes = [record['outcome'] for record in records]
    times = [record['elapsed_s'] for record in records if record['outcome'] == 'REACHED']
    return {'model': str(model), 'goals': count,
            'reached': outcomes.count('REACHED'), 'collisions': outcomes.count('COLLISION'),
            'success_rate': outcomes.count('REACHED') / count,
            'collision_rate': outcomes.count('COLLISION') / count,
            'timed_out': outcomes.count('TIMED_OUT'),
            'other_outcomes': count - sum(outcomes.count(name)
                                          for name in ('REACHED', 'COLLISION', 'TIMED_OUT')),
            'mean_time_to_goal_s': round(statistics.fmean(times), 2) if times else None,
            'median_time_to_goal_s': round(statistics.median(times), 2) if times else None,
            'per_goal': records}


def comparison(results: dict[str, dict], seconds: float) -> dict:
    """The randomised policy's success rate over the ideal one's (None without both), and
    the bench's wall time."""
    ideal, randomised = results.get('ideal'), results.get('randomised')
    ratio = None
    if ideal and randomised and ideal['success_rate']:
        ratio = randomised['success_rate'] / ideal['success_rate']
    return {'ratio_randomised_to_ideal': ratio, 'wall_time_s': round(seconds, 1)}


def policy_argument(text: str) -> tuple[str, Path]:
    """``NAME=PATH`` of ``--policy``."""
    name, sep, path = text.partition('=')
    if not (sep and name and path):
        raise argparse.ArgumentTypeError(f'expected NAME=PATH, got {text!r}')
    return name, Path(path)


def table_rows(results: dict[str, dict]) -> dict[str, dict]:
    """The figures to show: rates to 3 places (the table's own 1 would show 0.15 as 0.1);
    the model paths and per-goal lists stay in the JSON."""
    return {name: {key: f'{value:.3f}' if isinstance(value, float) else value
                   for key, value in values.items() if key not in ('model', 'per_goal')}
            for name, values in results.items()}


def parse(argv: list[str] | None) -> argparse.Namespace:
    """The command line; trained runs go to ``--runs-root`` so that they outlive the bench."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--goals', type=int, default=20, help='goals (arenas) per policy')
    parser.add_argument('--train-steps', type=int, default=0,
                        help="training budget per policy; 0 for the config's (200k steps)")
    parser.add_argument('--policy', type=policy_argument, action='append', metavar='NAME=PATH',
                        help='deploy this run directory or .pt instead of training (repeatable)')
    parser.add_argument('--runs-root', type=Path, default=Path('/tmp/deploy_bench_runs'),
                        help='where the trained run directories are kept')
    parser.add_argument('--out', type=Path, default=RESULTS / 'deploy_bench.json',
                        help='JSON file')
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Train (or take) the policies, deploy each, print the table, write the JSON."""
    options = parse(argv)
    started = time.monotonic()
    with private_domain():
        policies = dict(options.policy or [
            (name, train(name, options.train_steps, options.runs_root)) for name in TRAININGS])
        results = {name: summary(model, deploy(name, model, options.goals))
                   for name, model in policies.items()}
    results['comparison'] = comparison(results, time.monotonic() - started)
    print_table(TITLE, table_rows(results))
    write_report('deploy_bench', sys.argv[1:] if argv is None else argv, results, options.out)
    return 0


if __name__ == '__main__':
    sys.exit(main())
