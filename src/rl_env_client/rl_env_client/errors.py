"""Errors a client of the env services raises: the env node refused, or did not answer.

Apart from the env node's own errors (:mod:`rl_env_node.errors`), so that an
agent that only talks to env nodes over ROS never imports the server.
"""

from __future__ import annotations


class EnvClientError(Exception):
    """Base of every error this package raises on purpose."""


class RemoteEnvError(EnvClientError):
    """An env node refused a request (``success=False``); the message is the node's."""


class EnvTimeoutError(EnvClientError, TimeoutError):
    """An env node did not serve or answer within the client's timeout."""
