"""A hand-written goal_reaching policy as a TorchScript file, for deployment tests and benches.

It heads straight for the goal at full speed (the goal bearing's cosine and
sine as the action), so that whether a deployed robot reaches its goal does
not depend on a training run. Saved as ``rl_agent_node`` exports policies
(TorchScript with ``meta.json`` inside), so the agent loads it unchanged.
"""

from __future__ import annotations

import json
from pathlib import Path


def save_head_for_goal(path: Path) -> Path:
    """Write the policy to ``path`` (a ``.pt``); returns ``path``."""
    import torch

    from rl_agent_node.policies import EXPORT_META

    class HeadForGoal(torch.nn.Module):
        def forward(self, observation: torch.Tensor) -> torch.Tensor:
            # goal_reaching's observation: goal_cos at index 10, goal_sin at 11.
            cos, sin = observation[:, 10], observation[:, 11]
            return torch.stack((cos, sin, torch.zeros_like(cos)), dim=1)

    meta = {'task': 'goal_reaching', 'algo': 'hand-written: head for the goal'}
    torch.jit.save(torch.jit.script(HeadForGoal()), str(path),
                   _extra_files={EXPORT_META: json.dumps(meta)})
    return path
