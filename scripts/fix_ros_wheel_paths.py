"""Point the ROS 2 wheels' CMake exports at this interpreter.

The PyPI wheels of ROS 2 Kilted were built under ``/opt/python/cp311-cp311``
and their CMake exports and ament index still name that prefix: the Python
include dir, numpy's include dir and the install prefix itself. ``colcon
build`` of an interface package fails until those paths name this venv.
Running it twice changes nothing the second time.
"""

from __future__ import annotations

import argparse
import sys
import sysconfig
from pathlib import Path

import numpy

BUILD_PREFIX = '/opt/python/cp311-cp311'


def replacements(venv: Path) -> list[tuple[str, str]]:
    """Longest build path first, so a prefix never clobbers a longer match."""
    version = f'python{sys.version_info.major}.{sys.version_info.minor}'
    site = f'lib/{version}/site-packages'
    return [
        (f'{BUILD_PREFIX}/{site}/numpy/_core/include', numpy.get_include()),
        (f'{BUILD_PREFIX}/{site}', str(venv / site)),
        (f'{BUILD_PREFIX}/include/{version}', sysconfig.get_paths()['include']),
        (BUILD_PREFIX, str(venv)),
    ]


def candidate_files(venv: Path) -> list[Path]:
    """CMake exports and ament index entries: the only files that carry the prefix."""
    share = venv / 'share'
    files = [p for p in share.rglob('*.cmake') if p.is_file()]
    files += [p for p in (share / 'ament_index').rglob('*') if p.is_file()]
    return files


def rewrite(venv: Path) -> int:
    """Rewrite every candidate file that still names the build prefix; return how many."""
    pairs = replacements(venv)
    changed = 0
    for path in candidate_files(venv):
        text = path.read_text(encoding='utf-8', errors='surrogateescape')
        if BUILD_PREFIX not in text:
            continue
        for old, new in pairs:
            text = text.replace(old, new)
        path.write_text(text, encoding='utf-8', errors='surrogateescape')
        changed += 1
    return changed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('venv', type=Path, help='the virtual environment holding the wheels')
    args = parser.parse_args()
    changed = rewrite(args.venv.resolve())
    print(f'ros wheel paths: rewrote {changed} file(s) under {args.venv}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
