"""Launch files and the launcher start the same executables: those of the graph description.

Checked without importing ``launch`` (not installable here): the launch files
are parsed, and must build their nodes from :mod:`rl_bringup.graph` through
:func:`rl_bringup.launch_nodes.launch_node` without naming an executable of
their own; every executable the graph names must be a console script of its
package whose target is the module the launcher runs.
"""

import argparse
import ast
import itertools
from pathlib import Path

import pytest

from rl_agent_node.agent_node import PARAMETERS as AGENT_PARAMETERS
from rl_bringup.agent_commands import eval_parameters, evaluation_plan, training_plan
from rl_bringup.graph import GraphOptions, bringup_graph

SRC = Path(__file__).resolve().parents[2]
LAUNCH_FILES = sorted((SRC / 'rl_bringup' / 'launch').glob('*.launch.py'))


def console_scripts(package):
    """``name -> module`` from a package's setup.py entry points."""
    tree = ast.parse((SRC / package / 'setup.py').read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Dict):
            for key, value in zip(node.keys, node.values, strict=True):
                if isinstance(key, ast.Constant) and key.value == 'console_scripts':
                    entries = ast.literal_eval(value)
                    return {e.split('=')[0].strip(): e.split('=')[1].split(':')[0].strip()
                            for e in entries}
    return {}


def test_there_are_the_four_launch_files():
    assert {f.name for f in LAUNCH_FILES} == {
        'train.launch.py', 'sim.launch.py', 'eval.launch.py', 'deploy.launch.py'}


@pytest.mark.parametrize('path', LAUNCH_FILES, ids=lambda p: p.name)
def test_launch_file_builds_its_nodes_from_the_graph(path):
    tree = ast.parse(path.read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                for alias in node.names}
    assert {'bringup_graph', 'GraphOptions', 'describe'} <= imported
    calls = {node.func.id for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert 'Node' not in calls and 'bringup_graph' in calls
    keywords = {kw.arg for node in ast.walk(tree) if isinstance(node, ast.Call)
                for kw in node.keywords}
    assert not keywords & {'executable', 'package'}


def test_launch_nodes_passes_the_specs_executable():
    tree = ast.parse((SRC / 'rl_bringup' / 'rl_bringup' / 'launch_nodes.py').read_text())
    node_calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
                  and isinstance(node.func, ast.Name) and node.func.id == 'Node']
    assert len(node_calls) == 1
    keywords = {kw.arg: ast.unparse(kw.value) for kw in node_calls[0].keywords}
    assert keywords['executable'] == 'spec.executable'
    assert keywords['package'] == 'spec.package'


@pytest.mark.parametrize('sim,num_envs,record,agent', itertools.product(
    ('mujoco', 'mujoco_separate'), (1, 3), ('none', 'all'), (None, {'mode': 'train'})))
def test_every_graph_executable_is_installed_from_the_module_the_launcher_runs(
        sim, num_envs, record, agent):
    specs = bringup_graph(GraphOptions(num_envs=num_envs, sim=sim, record=record, agent=agent))
    for spec in specs:
        scripts = console_scripts(spec.package)
        assert spec.executable in scripts, f'{spec.package} installs no {spec.executable}'
        assert scripts[spec.executable] == spec.module


def test_real_robot_graph_has_no_simulator():
    specs = bringup_graph(GraphOptions(real_robot=True, agent={'mode': 'deploy'}))
    assert [s.role for s in specs] == ['env', 'agent']
    assert specs[0].parameters['mode'] == 'real'


def test_webots_is_refused_with_advice():
    with pytest.raises(ValueError, match='robotino_webots'):
        GraphOptions(sim='webots')


def agent_parameters_in(path):
    """The keys of the ``agent={...}`` dict a launch file gives its graph ({} if none)."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == 'agent':
            if isinstance(node.value, ast.Dict):
                return {key.value for key in node.value.keys}
            return set(eval_parameters('model.zip', '1-2'))
    return set()


@pytest.mark.parametrize('path', LAUNCH_FILES, ids=lambda p: p.name)
def test_launch_files_give_the_agent_only_parameters_it_declares(path):
    # rclpy ignores an undeclared parameter without a word: a misspelt one is lost.
    declared = {spec.name for spec in AGENT_PARAMETERS}
    assert agent_parameters_in(path) <= declared


def test_the_cli_plans_give_the_agent_only_parameters_it_declares(tmp_path):
    declared = {spec.name for spec in AGENT_PARAMETERS}
    train = argparse.Namespace(
        config=None, algo='ppo', task='goal_reaching', resume=None, run_dir=tmp_path / 'run',
        seed=-1, total_steps=0, success_target=0.95, num_envs=2, record='none')
    _, specs = training_plan(train)
    evaluation = argparse.Namespace(model=tmp_path, seeds='5-9', num_envs=1, task='')
    for spec in (*specs, *evaluation_plan(evaluation, tmp_path / 'out.json')):
        if spec.role == 'agent':
            assert set(spec.parameters) <= declared
