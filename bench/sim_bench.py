"""How fast the embedded MuJoCo simulator runs, on this machine.

Each measurement is a function returning a dict; :func:`main` runs them,
prints a table and writes JSON (default ``bench/results/sim_bench.json``)::

    ./rl bench --only sim        # or, in a sourced shell:
    python bench/sim_bench.py [--seconds 3] [--out PATH] [--only physics control]

- ``physics``: raw ``mj_step`` on the robot's model in a filled arena: one
  call per step with the 9 rangefinders on (a plain loop), and batches of
  one control period with sensors off (how the simulator steps).
- ``control``: ``RobotinoSimulator.advance(1, random twist)`` at the default
  10 Hz control with 20 physics steps each, 9 IR sensors, odometry, bumper.
- ``reset``: ``reset(seed)`` of a generated arena, and of the corridor layout.
- ``ros_advance``: ``sim/advance`` calls per second over ROS from this
  process to a sim node in another process.
"""

from __future__ import annotations

import mujoco
import numpy as np
import rclpy
from report import Measurement, run_benchmarks, timed
from ros_nodes import node_processes

from rl_interfaces.srv import Advance
from rl_ros.contract import ADVANCE
from rl_testing import private_domain
from robotino_mujoco import RobotinoSimulator


def bench_physics(seconds: float) -> dict:
    """Raw physics steps per second, with and without the simulator's batching."""
    sim = RobotinoSimulator()
    sim.reset(0)
    model, data = sim.mj_model, sim.mj_data
    period = sim.config.steps_per_period
    data.ctrl[:] = (2.0, -1.0, 1.0)
    sensor_off = int(mujoco.mjtDisableBit.mjDSBL_SENSOR)
    model.opt.disableflags &= ~sensor_off

    def single() -> int:
        for _ in range(100):
            mujoco.mj_step(model, data)
        return 100

    loop_steps, loop_time = timed(seconds / 2.0, single)
    model.opt.disableflags |= sensor_off

    def batched() -> int:
        mujoco.mj_step(model, data, nstep=period)
        return period

    batch_steps, batch_time = timed(seconds / 2.0, batched)
    return {
        'loop_steps_per_s': loop_steps / loop_time,
        'batched_steps_per_s': batch_steps / batch_time,
        'geoms': int(model.ngeom),
        'rangefinders': int(model.nsensor),
    }


def bench_control(seconds: float) -> dict:
    """Control periods per second of ``advance(1, twist)`` with random twists."""
    sim = RobotinoSimulator()
    sim.reset(0)
    rng = np.random.default_rng(0)
    twists = rng.uniform(-1.0, 1.0, size=(4096, 3))
    index = 0

    def periods() -> int:
        nonlocal index
        for _ in range(50):
            sim.advance(1, twists[index % len(twists)])
            index += 1
        return 50

    count, elapsed = timed(seconds, periods)
    config = sim.config
    return {
        'control_steps_per_s': count / elapsed,
        'physics_steps_per_s': count * config.steps_per_period / elapsed,
        'real_time_factor': count * config.control_period / elapsed,
        'control_period_s': config.control_period,
        'physics_steps_per_period': config.steps_per_period,
        'ir_sensors': config.description.ir.count,
    }


def bench_reset(seconds: float) -> dict:
    """World resets per second: a generated arena, and the corridor layout."""
    sim = RobotinoSimulator()
    seed = 0

    def generated() -> int:
        nonlocal seed
        sim.reset(seed)
        seed += 1
        return 1

    def corridor() -> int:
        nonlocal seed
        sim.reset(seed, 'corridor')
        seed += 1
        return 1

    generated_count, generated_time = timed(seconds / 2.0, generated)
    corridor_count, corridor_time = timed(seconds / 2.0, corridor)
    return {
        'generated_resets_per_s': generated_count / generated_time,
        'corridor_resets_per_s': corridor_count / corridor_time,
    }


def bench_ros_advance(seconds: float) -> dict:
    """``sim/advance`` calls per second from this process to a sim node process."""
    with private_domain(), node_processes(
        [('sim', 'robotino_mujoco.sim_node', ['--ros-args', '-p', 'mode:=pause'],
          'robotino sim ready')]):
        context = rclpy.Context()
        rclpy.init(context=context)
        node = rclpy.create_node('sim_bench', context=context)
        executor = rclpy.executors.SingleThreadedExecutor(context=context)
        executor.add_node(node)
        client = node.create_client(Advance, ADVANCE.name)
        client.wait_for_service(timeout_sec=30.0)
        request = Advance.Request(periods=1)
        request.command.linear.x = 0.2

        def one_call() -> int:
            future = client.call_async(request)
            executor.spin_until_future_complete(future, timeout_sec=10.0)
            return 1

        count, elapsed = timed(seconds, one_call)
        executor.shutdown()
        node.destroy_node()
        context.try_shutdown()
    return {'advance_calls_per_s': count / elapsed}


MEASUREMENTS: dict[str, Measurement] = {
    'physics': bench_physics,
    'control': bench_control,
    'reset': bench_reset,
    'ros_advance': bench_ros_advance,
}


def main(args: list[str] | None = None) -> int:
    """Run the measurements, print the table, write bench/results/sim_bench.json."""
    return run_benchmarks('MuJoCo Robotino simulator', 'sim_bench', MEASUREMENTS, 3.0, args)


if __name__ == '__main__':
    raise SystemExit(main())
