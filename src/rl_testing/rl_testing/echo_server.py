"""A node that answers every rl_interfaces service from its request alone.

Tests start it as a separate process (`python -m rl_testing.echo_server`): each answer is a known
function of the request, so the test sees that every field crossed the wire
in both directions. Messages published on ``<name>_in`` come back on
``<name>_out``.
"""

import rclpy
from rclpy.executors import ExternalShutdownException
from rclpy.node import Node

from rl_interfaces.msg import EpisodeStats, Transition
from rl_interfaces.srv import (
    Advance,
    GetGroundTruth,
    GetSpec,
    Reset,
    ResetWorld,
    SetSimMode,
    Step,
)
from rl_ros.contract import (
    ADVANCE,
    EPISODE_STATS,
    GET_SPEC,
    GROUND_TRUTH,
    RESET,
    RESET_WORLD,
    SET_MODE,
    STEP,
    TRANSITIONS,
)


class EchoServer(Node):
    """Serves each service so that its response mirrors its request."""

    def __init__(self) -> None:
        super().__init__('echo_server')
        self.create_service(Reset, RESET.name, self.on_reset)
        self.create_service(Step, STEP.name, self.on_step)
        self.create_service(GetSpec, GET_SPEC.name, self.on_get_spec)
        self.create_service(ResetWorld, RESET_WORLD.name, self.on_reset_world)
        self.create_service(Advance, ADVANCE.name, self.on_advance)
        self.create_service(SetSimMode, SET_MODE.name, self.on_set_mode)
        self.create_service(GetGroundTruth, GROUND_TRUTH.name, self.on_ground_truth)
        for msg_type, name in ((Transition, TRANSITIONS.name),
                               (EpisodeStats, EPISODE_STATS.name)):
            publisher = self.create_publisher(msg_type, f'{name}_out', 10)
            self.create_subscription(msg_type, f'{name}_in', publisher.publish, 10)
        self.get_logger().info('echo server ready')

    def on_reset(self, request, response):
        response.success = True
        response.message = request.options_json
        response.observation = [float(request.seed)] * 3
        response.info_json = f'{{"seed": {request.seed}}}'
        return response

    def on_step(self, request, response):
        response.success = True
        response.observation = [2.0 * a for a in request.action]
        response.reward = float(sum(request.action))
        response.terminated = len(request.action) == 2
        response.truncated = len(request.action) == 3
        response.info_json = '{}'
        return response

    def on_get_spec(self, request, response):
        response.task = 'echo'
        response.observation_shape = [4]
        response.observation_low = [-1.0] * 4
        response.observation_high = [1.0] * 4
        response.action_shape = [3]
        response.action_low = [-0.5] * 3
        response.action_high = [0.5] * 3
        response.control_period = 0.1
        response.max_episode_steps = 200
        response.spec_json = '{}'
        return response

    def on_reset_world(self, request, response):
        response.success = request.scenario != 'unknown'
        response.message = '' if response.success else 'no such scenario'
        response.state.ranges = [0.3] * 9
        response.ground_truth.goal_x = float(request.seed)
        response.ground_truth.goal_y = float(len(request.options_json))
        return response

    def on_advance(self, request, response):
        response.success = request.periods > 0
        response.sim_time = 0.1 * request.periods
        response.state.stamp.sec = request.periods
        response.state.vx = request.command.linear.x
        response.state.vy = request.command.linear.y
        response.state.wz = request.command.angular.z
        response.state.ranges = [0.04 * (i + 1) for i in range(9)]
        response.state.bumper = request.command.linear.x > 0.5
        return response

    def on_set_mode(self, request, response):
        response.success = request.mode in (
            SetSimMode.Request.PAUSE, SetSimMode.Request.REALTIME, SetSimMode.Request.FAST)
        response.message = '' if response.success else f'unknown mode {request.mode}'
        return response

    def on_ground_truth(self, request, response):
        response.success = True
        response.ground_truth.in_collision = True
        response.ground_truth.collisions = 7
        return response


def main(args=None) -> None:
    rclpy.init(args=args)
    node = EchoServer()
    try:
        rclpy.spin(node)
    except (KeyboardInterrupt, ExternalShutdownException):
        pass
    finally:
        node.destroy_node()
        rclpy.try_shutdown()


if __name__ == '__main__':
    main()
