"""Support for multi-process ROS 2 tests: private domains, node processes, waits."""

from rl_testing.domain import DomainReservation, reserve_domain_id
from rl_testing.processes import NodeProcess, stop_all

__all__ = ['DomainReservation', 'NodeProcess', 'reserve_domain_id', 'stop_all']
