"""Support for multi-process ROS 2 tests: private domains, node processes, waits."""

from rl_testing.domain import DomainReservation, private_domain, reserve_domain_id
from rl_testing.processes import NodeProcess, stop_all

__all__ = ['DomainReservation', 'NodeProcess', 'private_domain', 'reserve_domain_id',
           'stop_all']
