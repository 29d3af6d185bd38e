"""The command line of a generated file (URDF, Webots world): write it to ``--out`` or print it.

The files are generated from the one robot description, and committed so
that users can read them; each generator's ``main`` is this, so they all
regenerate the same way.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path


def generated_text_main(description: str, make_text: Callable[[], str],
                        args: Sequence[str] | None = None) -> None:
    """Parse ``--out`` from ``args`` and write ``make_text()`` there, or to stdout.

    :param description: the command's help text.
    :param make_text: builds the file's text.
    :param args: command-line arguments; ``sys.argv[1:]`` when None.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument('--out', type=Path, help='file to write; stdout when omitted')
    options = parser.parse_args(args)
    text = make_text()
    if options.out is None:
        sys.stdout.write(text)
    else:
        options.out.write_text(text)
