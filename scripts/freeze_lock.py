"""Write requirements.lock: every distribution pip installed into the venv, pinned.

Not plain ``pip freeze``: the ROS wheels ship egg-info folders of their own
Python packages (``std_msgs-5.5.1-py3.11.egg-info``, ...), which freeze lists
as if they were installable; they are not on any index. Only distributions
with pip's INSTALLER record are pinned.
"""

from __future__ import annotations

import argparse
import re
import sys
from importlib import metadata
from pathlib import Path

HEADER = "# Exact versions installed by 'make setup' (scripts/setup.sh). Regenerate: 'make lock'."
UNLOCKED = {'pip'}


def pinned_requirements() -> list[str]:
    """``name==version`` for each pip-installed distribution, local version labels dropped.

    torch's CPU wheel carries ``+cpu``; pinning the public version keeps pip
    on the local CPU file rather than a CUDA build from the index.
    """
    pins = {}
    for dist in metadata.distributions():
        name = dist.metadata['Name']
        if not name or name.lower() in UNLOCKED or dist.read_text('INSTALLER') is None:
            continue
        pins[name.lower()] = f"{name}=={re.sub(r'[+].*$', '', dist.version)}"
    return [pins[key] for key in sorted(pins)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('output', type=Path, help='the lock file to write')
    args = parser.parse_args()
    lines = [HEADER, *pinned_requirements()]
    args.output.write_text('\n'.join(lines) + '\n')
    print(f'{args.output}: {len(lines) - 1} pinned distributions')
    return 0


if __name__ == '__main__':
    sys.exit(main())
