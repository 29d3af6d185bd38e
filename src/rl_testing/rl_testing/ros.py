"""Small blocking helpers for a test's own rclpy node.

Every wait has a finite timeout and fails with a message naming what it waited
for, so a broken node fails a test instead of hanging the suite.
"""

from __future__ import annotations

import time
from typing import Any

from rclpy.client import Client
from rclpy.executors import SingleThreadedExecutor
from rclpy.node import Node


def wait_for_service(client: Client, timeout: float) -> None:
    """Block until the service has a server; AssertionError after ``timeout`` s."""
    if not client.wait_for_service(timeout_sec=timeout):
        raise AssertionError(f'service {client.srv_name} did not appear within {timeout} s')


def call(node: Node, client: Client, request: Any, timeout: float = 10.0) -> Any:
    """Call a service and spin ``node`` until the answer; AssertionError on timeout."""
    executor = SingleThreadedExecutor(context=node.context)
    executor.add_node(node)
    try:
        future = client.call_async(request)
        executor.spin_until_future_complete(future, timeout_sec=timeout)
        if not future.done():
            client.remove_pending_request(future)
            raise AssertionError(f'service {client.srv_name} gave no answer within {timeout} s')
        return future.result()
    finally:
        executor.remove_node(node)
        executor.shutdown()


def spin_until(node: Node, predicate: Any, timeout: float, what: str) -> None:
    """Spin ``node`` until ``predicate()`` is true; AssertionError naming ``what`` on timeout."""
    executor = SingleThreadedExecutor(context=node.context)
    executor.add_node(node)
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate():
                return
            executor.spin_once(timeout_sec=0.05)
        if not predicate():
            raise AssertionError(f'timed out after {timeout} s waiting for {what}')
    finally:
        executor.remove_node(node)
        executor.shutdown()
