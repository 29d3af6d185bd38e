"""Which bag folder holds an episode: the recorder's names, read back.

The episode recorder writes ``<env or 'root'>_s<start>_ep<episode_id:06d>``
(``start`` counts the env node's starts over the run, since its episode ids
restart with each; a taken name gets a ``_2`` suffix). The monitor cannot
know ``start``, so it links an episode to the folder of the newest start
with its env and id: the one just written, for an episode just ended.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

_NAME = re.compile(r'(?P<env>.+)_s(?P<start>\d+)_ep(?P<episode>\d{6})(?:_\d+)?')
#: The recorder's folder name for the env in the root namespace.
ROOT_ENV = 'root'


def bag_index(bag_dir: Path) -> dict[tuple[str, int], str]:
    """Bag folders of ``bag_dir`` by (env namespace, episode id), the newest start winning.

    The root env's folders (``root_...``) are keyed by ''. A missing folder
    (nothing recorded yet) has none.
    """
    found: dict[tuple[str, int], tuple[int, str]] = {}
    try:
        entries = list(os.scandir(bag_dir))
    except OSError:
        return {}
    for entry in entries:
        match = _NAME.fullmatch(entry.name)
        if match is None or not entry.is_dir(follow_symlinks=False):
            continue
        env = '' if match['env'] == ROOT_ENV else match['env']
        key = (env, int(match['episode']))
        start = int(match['start'])
        if key not in found or start >= found[key][0]:
            found[key] = (start, entry.name)
    return {key: name for key, (_, name) in found.items()}
