"""The launch arguments a launch file declares, read from source (``launch`` is not installable).

Our launch files and robotino_webots' declare theirs in one comprehension
over an ``ARGUMENTS`` tuple of (name, default, description), defined in the
file itself or imported from a module of the package; a file may also call
``DeclareLaunchArgument('name', ...)`` with a literal name.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2]


def _assignment(tree: ast.Module, name: str) -> ast.expr | None:
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
                getattr(target, 'id', None) == name for target in node.targets):
            return node.value
    return None


def _imported_from(tree: ast.Module, name: str) -> Path | None:
    """The source file of ``from package.module import name``, if the tree has one."""
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and any(a.name == name for a in node.names):
            package, *rest = node.module.split('.')
            return SRC / package / package / Path(*rest).with_suffix('.py')
    return None


def tuple_names(path: Path, name: str = 'ARGUMENTS') -> list[str]:
    """First elements of the (name, default, description) tuples of ``name`` in ``path``.

    Follows ``*OTHER`` entries and imports from the same workspace.
    """
    tree = ast.parse(path.read_text())
    value = _assignment(tree, name)
    if value is None:
        source = _imported_from(tree, name)
        assert source is not None, f'{path.name} neither defines nor imports {name}'
        return tuple_names(source, name)
    names: list[str] = []
    for element in value.elts:
        if isinstance(element, ast.Starred):
            names += tuple_names(path, element.value.id)
        else:
            names.append(ast.literal_eval(element.elts[0]))
    return names


def _is_declaration(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and getattr(node.func, 'id', '') == 'DeclareLaunchArgument'


def declared_arguments(path: Path) -> set[str]:
    """Every launch argument ``path`` declares."""
    tree = ast.parse(path.read_text())
    declared: set[str] = set()
    for node in ast.walk(tree):
        if _is_declaration(node) and node.args and isinstance(node.args[0], ast.Constant):
            declared.add(node.args[0].value)
        if isinstance(node, ast.ListComp | ast.GeneratorExp) and _is_declaration(node.elt):
            for generator in node.generators:
                declared.update(tuple_names(path, generator.iter.id))
    return declared
