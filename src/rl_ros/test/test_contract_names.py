"""rl_ros.contract: every endpoint named once, every type string importable as written."""

from __future__ import annotations

import importlib
from collections import Counter

import pytest

from rl_ros import contract
from rl_ros.contract import Endpoint

ENDPOINTS = {key: value for key, value in vars(contract).items() if isinstance(value, Endpoint)}


def test_the_contract_has_endpoints():
    assert 'ODOM' in ENDPOINTS and 'RESET' in ENDPOINTS


def test_every_endpoint_has_a_unique_name():
    counts = Counter(endpoint.name for endpoint in ENDPOINTS.values())
    duplicated = {name: [key for key, e in ENDPOINTS.items() if e.name == name]
                  for name, count in counts.items() if count > 1}
    assert duplicated == {}


def test_grouped_endpoints_are_the_module_level_ones():
    listed = set(ENDPOINTS.values())
    for group in (contract.PUBLISHED, contract.SUBSCRIBED, contract.SERVICES,
                  contract.ENV_SERVICES, contract.ENV_TOPICS, contract.BATCH_SERVICES,
                  contract.GOAL_INTERFACES):
        assert set(group) <= listed


@pytest.mark.parametrize('key', sorted(ENDPOINTS))
def test_interface_is_the_class_the_type_names(key):
    endpoint = ENDPOINTS[key]
    package, kind, name = endpoint.type.split('/')
    assert kind in ('msg', 'srv', 'action'), endpoint.type
    interface = endpoint.interface()
    assert interface is getattr(importlib.import_module(f'{package}.{kind}'), name)
    assert interface.__name__ == name
    assert interface.__module__.startswith(f'{package}.{kind}.'), interface.__module__
    is_service = hasattr(interface, 'Request') and hasattr(interface, 'Response')
    assert is_service == (kind == 'srv'), endpoint.type
    is_action = all(hasattr(interface, part) for part in ('Goal', 'Result', 'Feedback'))
    assert is_action == (kind == 'action'), endpoint.type


def test_odom_is_nav_msgs_odometry():
    from nav_msgs.msg import Odometry

    assert contract.ODOM.interface() is Odometry


@pytest.mark.parametrize(('namespace', 'expected'), [
    ('env_0', '/env_0/odom'), ('/env_0/', '/env_0/odom'), ('', '/odom'), ('/', '/odom'),
    ('robots/r1', '/robots/r1/odom')])
def test_absolute_names_an_endpoint_in_a_namespace(namespace, expected):
    assert contract.ODOM.absolute(namespace) == expected
