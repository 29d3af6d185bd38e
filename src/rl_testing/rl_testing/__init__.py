"""Support for multi-process ROS 2 tests: private domains, node processes, waits."""

from rl_testing.domain import DomainReservation, private_domain, reserve_domain_id
from rl_testing.processes import NodeProcess, domain_pids, env_groups, stop_all
from rl_testing.ros2_cli import Ros2Cli, Ros2CliUnavailable, find_ros2_cli

__all__ = ['DomainReservation', 'NodeProcess', 'Ros2Cli', 'Ros2CliUnavailable', 'domain_pids',
           'env_groups', 'find_ros2_cli', 'private_domain', 'reserve_domain_id', 'stop_all']
