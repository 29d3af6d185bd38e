"""The env node in real mode, with the MuJoCo sim node standing in for the robot.

The sim node in realtime mode speaks the real Robotino driver's topics, so
the env node cannot tell it from the robot: it runs on the wall clock, reads
odom, distance_sensors and bumper, and commands cmd_vel. The test watches
cmd_vel to see the safety stops.
"""

import time

import pytest
from geometry_msgs.msg import Twist
from nav_msgs.msg import Odometry

from rl_interfaces.srv import Reset, Step
from rl_ros.contract import CMD_VEL, ODOM, RESET, STEP
from rl_testing import NodeProcess, stop_all
from rl_testing.ros import call, spin_until, wait_for_service
from robotino_description import ROBOTINO3


def start(logs, name, module, params):
    args = ['--ros-args', '-r', '__ns:=/robot']
    for param in params:
        args += ['-p', param]
    process = NodeProcess.python_module(name, module, args, logs).start()
    process.wait_for_output('ready', timeout=60)
    return process


@pytest.fixture
def robot(node_logs):
    def bring_up(scenario):
        processes.append(start(node_logs, 'robot', 'robotino_mujoco.sim_node',
                               ['mode:=realtime', f'scenario:={scenario}']))
        processes.append(start(node_logs, 'env', 'rl_env_node.env_node',
                               ['mode:=real', 'timeout:=5.0']))

    processes = []
    yield bring_up
    stop_all(processes)


def watch_cmd_vel(node):
    commands = []
    node.create_subscription(Twist, f'/robot/{CMD_VEL.name}', commands.append, 100)
    return commands


def test_watchdog_stops_the_base_when_steps_stop(robot, ros_node):
    robot('empty_room')
    commands = watch_cmd_vel(ros_node)
    reset = ros_node.create_client(Reset, f'/robot/{RESET.name}')
    step = ros_node.create_client(Step, f'/robot/{STEP.name}')
    wait_for_service(step, 30)
    # The first reset waits for the robot's topics: discovery, as long as the services'.
    assert call(ros_node, reset, Reset.Request(), timeout=30.0).success
    for _ in range(3):
        assert call(ros_node, step, Step.Request(action=[1.0, 0.0, 0.0])).success
    spin_until(ros_node, lambda: any(c.linear.x > 0.0 for c in commands), 10, 'a forward command')
    moving = next(k for k, c in enumerate(commands) if c.linear.x > 0.0)
    time.sleep(0.5)  # five control periods without a step
    spin_until(ros_node, lambda: commands[-1].linear.x == 0.0 and len(commands) > moving + 3,
               10, 'the watchdog zero command')
    assert commands[-1] == Twist()


def test_bumper_stops_the_base_and_ends_the_episode(robot, ros_node):
    robot('wall_test')
    commands = watch_cmd_vel(ros_node)
    reset = ros_node.create_client(Reset, f'/robot/{RESET.name}')
    step = ros_node.create_client(Step, f'/robot/{STEP.name}')
    wait_for_service(step, 30)
    # The first reset waits for the robot's topics: discovery, as long as the services'.
    assert call(ros_node, reset, Reset.Request(), timeout=30.0).success
    for _ in range(100):
        answer = call(ros_node, step, Step.Request(action=[1.0, 0.0, 0.0]))
        assert answer.success, answer.message
        if answer.terminated:
            break
    assert answer.terminated and '"collision": true' in answer.info_json
    spin_until(ros_node, lambda: commands and commands[-1] == Twist(), 10, 'a zero command')


def test_the_stand_in_clamps_cmd_vel_to_the_real_drivers_limits(robot, ros_node):
    """A runaway command is cut to the driver's per-axis 1.0 m/s and the wheels' speed."""
    robot('empty_room')
    speeds = []
    ros_node.create_subscription(
        Odometry, f'/robot/{ODOM.name}', lambda msg: speeds.append(msg.twist.twist.linear.x), 50)
    command = ros_node.create_publisher(Twist, f'/robot/{CMD_VEL.name}', 10)
    spin_until(ros_node, lambda: speeds and command.get_subscription_count() > 0, 30,
               'odometry, and the stand-in listening')
    runaway = Twist()
    runaway.linear.x = 5.0
    for _ in range(40):   # 2 s at 20 Hz, each command within the stand-in's timeout
        command.publish(runaway)
        tick = time.monotonic() + 0.05
        spin_until(ros_node, lambda due=tick: time.monotonic() >= due, 1.0, 'the next command')
    assert len(speeds) > 10
    limits = ROBOTINO3.limits
    assert max(speeds) > 0.5   # it did drive
    assert max(speeds) <= limits.max_linear_speed + 0.02
