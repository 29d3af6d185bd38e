"""`rl call`: what `ros2 service call` does, for machines without ros2cli.

A short-lived node calls one env service in a namespace and prints the
response as YAML, so a user can poke an env node from a terminal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import rclpy
import yaml
from rclpy.node import Node

from rl_interfaces.srv import GetSpec, Reset, Step
from rl_ros.contract import GET_SPEC, RESET, STEP

SERVICES = {'reset': Reset, 'step': Step, 'spec': GetSpec}
SERVICE_NAMES = {'reset': RESET.name, 'step': STEP.name, 'spec': GET_SPEC.name}


class ServiceCallError(RuntimeError):
    """The service was absent, silent, or refused the request."""


@dataclass(frozen=True)
class CallRequest:
    """One `rl call` invocation.

    :param service: 'reset', 'step' or 'spec'.
    :param namespace: env namespace, '' or '/' for the root one, else e.g. 'env_0'.
    :param seed: Reset seed; < 0 keeps the current random stream.
    :param options_json: Reset options as a JSON object, '' for none.
    :param action: Step action values.
    :param timeout: seconds to wait for the service and for the answer.
    """

    service: str
    namespace: str = ''
    seed: int = -1
    options_json: str = ''
    action: tuple[float, ...] = ()
    timeout: float = 10.0

    @property
    def service_name(self) -> str:
        """Fully qualified service name, e.g. '/env_0/reset'."""
        namespace = self.namespace.strip('/')
        base = SERVICE_NAMES[self.service]
        return f'/{namespace}/{base}' if namespace else f'/{base}'


def _request_message(request: CallRequest) -> object:
    if request.service == 'reset':
        return Reset.Request(seed=request.seed, options_json=request.options_json)
    if request.service == 'step':
        return Step.Request(action=list(request.action))
    return GetSpec.Request()


def response_to_dict(response: object) -> dict:
    """Message fields as plain Python values, in declaration order."""
    result = {}
    for field in response.get_fields_and_field_types():
        value = getattr(response, field)
        if hasattr(value, 'tolist'):
            value = value.tolist()
        elif isinstance(value, list | tuple):
            value = list(value)
        if isinstance(value, list):
            value = [round(v, 6) if isinstance(v, float) and math.isfinite(v) else v
                     for v in value]
        result[field] = value
    return result


def call_service(request: CallRequest) -> dict:
    """Call the service once and return its response fields.

    :raises ServiceCallError: no server within the timeout, or no answer.
    """
    srv_type = SERVICES[request.service]
    context = rclpy.Context()
    rclpy.init(context=context, args=[])
    node = Node('rl_call', context=context)
    try:
        client = node.create_client(srv_type, request.service_name)
        if not client.wait_for_service(timeout_sec=request.timeout):
            raise ServiceCallError(
                f'no service {request.service_name} within {request.timeout:g} s: '
                "is an env node running there? Start one with './rl sim', or pass "
                '--namespace env_k for one of several envs'
            )
        future = client.call_async(_request_message(request))
        executor = rclpy.executors.SingleThreadedExecutor(context=context)
        executor.add_node(node)
        executor.spin_until_future_complete(future, timeout_sec=request.timeout)
        if not future.done():
            raise ServiceCallError(
                f'{request.service_name} gave no answer within {request.timeout:g} s'
            )
        return response_to_dict(future.result())
    finally:
        node.destroy_node()
        context.try_shutdown()


def format_response(fields: dict) -> str:
    """YAML, the way `ros2 service call` shows a response."""
    return yaml.safe_dump(fields, sort_keys=False, default_flow_style=None, width=99)
