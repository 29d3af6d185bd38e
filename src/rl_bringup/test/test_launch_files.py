"""Launch files and the launcher start the same executables: those of the graph description.

Checked without importing ``launch`` (not installable here): the launch files
are parsed, and must build their nodes from :mod:`rl_bringup.graph` through
:func:`rl_bringup.launch_nodes.launch_node` without naming an executable of
their own; every executable the graph names must be a console script of its
package whose target is the module the launcher runs, and every launch file
the graph includes (Webots' bring-up) must exist in its package and declare
every argument the graph passes it.
"""

import argparse
import ast
import io
import itertools
from pathlib import Path

import pytest
from launch_arguments import declared_arguments, tuple_names

from rl_agent_node.agent_node import PARAMETERS as AGENT_PARAMETERS
from rl_agent_node.config import load_config
from rl_agent_node.knobs import knob_fields
from rl_agent_node.run_dir import RunDir
from rl_agent_node.train_settings import TrainSettings
from rl_bringup.agent_commands import (
    add_eval_arguments,
    add_train_arguments,
    eval_parameters,
    evaluation_plan,
    rl_train_plan,
    training_report,
)
from rl_bringup.deploy_graph import DeployOptions, deploy_graph
from rl_bringup.graph import (
    MONITOR_PORT,
    WEBOTS_PORT,
    GraphOptions,
    LaunchInclude,
    MonitorKnobs,
    NodeSpec,
    auto_envs_per_process,
    bringup_graph,
    env_nodes,
    monitor_node,
    usable_cores,
    with_monitor,
)
from rl_bringup.training_run import TrainingRun, training_plan
from rl_env_node.env_node import PARAMETERS as ENV_PARAMETERS
from rl_ros.contract import CLOCK
from robotino_mujoco.sim_node import PARAMETERS as SIM_PARAMETERS

SRC = Path(__file__).resolve().parents[2]
LAUNCH_FILES = sorted((SRC / 'rl_bringup' / 'launch').glob('*.launch.py'))
LAUNCH_NODES = SRC / 'rl_bringup' / 'rl_bringup' / 'launch_nodes.py'


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


def test_there_are_the_five_launch_files():
    assert {f.name for f in LAUNCH_FILES} == {
        'train.launch.py', 'sim.launch.py', 'eval.launch.py', 'deploy.launch.py',
        'monitor.launch.py'}


@pytest.mark.parametrize('path', LAUNCH_FILES, ids=lambda p: p.name)
def test_launch_file_builds_its_nodes_from_the_graph(path):
    tree = ast.parse(path.read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
                for alias in node.names}
    # The graph comes from bringup_graph, directly or through training_plan (train), or
    # from deploy_graph (deploy), or is the monitor alone (monitor).
    builder = next((name for name in ('training_plan', 'deploy_graph', 'monitor_node')
                    if name in imported), 'bringup_graph')
    assert {builder, 'describe'} <= imported
    calls = {node.func.id for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)}
    assert 'Node' not in calls and builder in calls
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


def test_launch_nodes_includes_the_named_file_from_its_package_share():
    tree = ast.parse(LAUNCH_NODES.read_text())
    [function] = [node for node in tree.body
                  if isinstance(node, ast.FunctionDef) and node.name == 'launch_include']
    source = ast.unparse(function)
    assert "get_package_share_directory(include.package), 'launch'" in source
    assert 'include.launch_file' in source
    assert 'launch_arguments=list(include.arguments)' in source
    assert 'PythonLaunchDescriptionSource' in source


GRAPHS = [GraphOptions(num_envs=n, sim=sim, record=record, agent=agent)
          for sim, n, record, agent in itertools.product(
              ('mujoco', 'mujoco_separate', 'webots'), (1, 3), ('none', 'all'),
              (None, {'mode': 'train'}))]
GRAPHS += [GraphOptions(external_envs=('env_0', 'robot_1/env'), record='all', agent={})]


@pytest.mark.parametrize('options', GRAPHS, ids=lambda o: f'{o.sim}-{o.num_envs}-{o.record}-'
                         f"{'agent' if o.agent is not None else 'no_agent'}-{o.external_envs}")
def test_every_graph_executable_and_launch_file_exists_as_the_launchers_run_them(options):
    for entry in bringup_graph(options):
        if isinstance(entry, LaunchInclude):
            path = SRC / entry.package / 'launch' / entry.launch_file
            assert path.is_file(), f'{entry.package} has no launch/{entry.launch_file}'
            passed = {name for name, _ in entry.arguments}
            assert passed <= declared_arguments(path), passed - declared_arguments(path)
            continue
        scripts = console_scripts(entry.package)
        assert entry.executable in scripts, f'{entry.package} installs no {entry.executable}'
        assert scripts[entry.executable] == entry.module


def test_the_webots_launch_file_declares_its_arguments_from_launch_config():
    # Guards the parser above: robotino_webots declares them in a comprehension.
    declared = declared_arguments(SRC / 'robotino_webots' / 'launch' /
                                  'robotino_webots.launch.py')
    assert {'namespace', 'mode', 'seed', 'headless', 'port', 'world', 'scenario'} <= declared


@pytest.mark.parametrize('robot,roles', [('real', ['env', 'agent']),
                                         ('sim', ['simulator', 'env', 'agent'])])
def test_a_deployment_runs_the_env_node_in_real_mode_beside_the_robot_or_its_stand_in(
        robot, roles):
    specs = deploy_graph(DeployOptions(model='run', robot=robot, namespace='/robotino',
                                       realism='ideal', seed=3, goals=2))
    assert [s.role for s in specs] == roles
    assert {s.namespace for s in specs} == {'robotino'}
    env, agent = specs[-2:]
    assert env.parameters['mode'] == 'real' and env.respawn
    assert agent.parameters == {'mode': 'deploy', 'model': 'run', 'env': 'robotino',
                                'episodes': 2}
    if robot == 'sim':
        assert specs[0].parameters == {'mode': 'realtime', 'seed': 3, 'scenario': '',
                                       'realism': 'ideal'}
    declared = {'simulator': SIM_PARAMETERS, 'env': ENV_PARAMETERS, 'agent': AGENT_PARAMETERS}
    for spec in specs:   # rclpy drops an undeclared parameter without a word
        assert set(spec.parameters) <= {p.name for p in declared[spec.role]}, spec.label
        assert console_scripts(spec.package)[spec.executable] == spec.module


@pytest.mark.parametrize('options,message', [
    ({'model': ''}, 'needs the model'), ({'model': 'm', 'robot': 'gazebo'}, "got 'gazebo'"),
    ({'model': 'm', 'goals': -1}, 'goals must be >= 0')])
def test_impossible_deployments_are_refused_naming_the_value(options, message):
    with pytest.raises(ValueError, match=message):
        DeployOptions(**options)


def test_webots_graph_includes_one_lockstep_webots_per_env_on_its_own_port():
    graph = bringup_graph(GraphOptions(num_envs=3, sim='webots', seed=10, headless=True,
                                       agent={'mode': 'train'}))
    includes = [e for e in graph if isinstance(e, LaunchInclude)]
    assert [i.namespace for i in includes] == ['env_0', 'env_1', 'env_2']
    arguments = [dict(i.arguments) for i in includes]
    assert [a['namespace'] for a in arguments] == ['env_0', 'env_1', 'env_2']
    assert [a['port'] for a in arguments] == [str(WEBOTS_PORT + k) for k in range(3)]
    assert [a['seed'] for a in arguments] == ['10', '11', '12']
    assert all(a['mode'] == 'pause' and a['headless'] == 'true' for a in arguments)
    assert all(a['respawn'] == 'true' for a in arguments)   # one crash must not end the run
    assert all(i.package == 'robotino_webots' and i.role == 'simulator' for i in includes)
    envs = [e for e in graph if isinstance(e, NodeSpec) and e.role == 'env']
    assert [e.namespace for e in envs] == ['env_0', 'env_1', 'env_2']
    for k, env in enumerate(envs):
        assert env.parameters['simulator'] == 'service' and env.parameters['use_sim_time']
        assert env.parameters['seed'] == 10 + k
        assert env.remappings == (('/' + CLOCK.name, f'/env_{k}/{CLOCK.name}'),)
    assert [e.role for e in graph if isinstance(e, NodeSpec)][-1] == 'agent'


def test_a_lone_webots_env_sits_in_the_root_namespace_with_a_window():
    include, env = bringup_graph(GraphOptions(sim='webots'))
    assert dict(include.arguments) == {
        'namespace': '', 'mode': 'pause', 'seed': '0', 'headless': 'false',
        'port': str(WEBOTS_PORT), 'respawn': 'true'}
    assert env.namespace == '' and env.remappings == ()


def test_external_envs_graph_starts_only_recorder_and_agent_on_them():
    graph = bringup_graph(GraphOptions(external_envs=('env_3', 'env_5'), record='all',
                                       agent={'mode': 'train'}))
    assert [s.role for s in graph] == ['recorder', 'agent']
    recorder, agent = graph
    assert recorder.parameters['namespaces'] == ['env_3', 'env_5']
    assert (agent.parameters['envs'], agent.parameters['env']) == ('env_3,env_5', 'env_3')


@pytest.mark.parametrize('options,message', [
    ({'sim': 'gazebo'}, "got 'gazebo'"),
    ({'external_envs': ('/env_0',), 'agent': {}}, "'/env_0' is not a ROS namespace"),
    ({'external_envs': ('env_0', 'env_0'), 'agent': {}}, 'repeat'),
    ({'external_envs': ('env_0',)}, 'would be empty'),
    ({'envs_per_process': -1}, 'envs_per_process must be >= 0'),
])
def test_impossible_graphs_are_refused_naming_the_value(options, message):
    with pytest.raises(ValueError, match=message):
        GraphOptions(**options)


HAND_WRITTEN = [path for path in LAUNCH_FILES if path.name != 'train.launch.py']


def test_train_launch_declares_the_training_run_knobs_and_reads_them_all():
    # Its arguments and their reading are generated from TrainingRun and MonitorKnobs
    # (test_knobs checks both).
    source = (SRC / 'rl_bringup' / 'launch' / 'train.launch.py').read_text()
    assert 'ARGUMENTS = launch_arguments(TrainingRun) + launch_arguments(MonitorKnobs)' in source
    assert 'from_strings(TrainingRun, value)' in source
    assert 'from_strings(MonitorKnobs, value)' in source


@pytest.mark.parametrize('path', HAND_WRITTEN, ids=lambda p: p.name)
def test_every_declared_launch_argument_is_described_and_used(path):
    tree = ast.parse(path.read_text())
    [describe] = [node for node in ast.walk(tree) if isinstance(node, ast.Call)
                  and getattr(node.func, 'id', '') == 'describe']
    declared = tuple_names(path, describe.args[0].id)
    assert len(declared) == len(set(declared))
    read = {node.args[0].value for node in ast.walk(tree) if isinstance(node, ast.Call)
            and getattr(node.func, 'id', '') == 'value'}
    if 'common_options' in ast.unparse(tree):
        read |= set(tuple_names(LAUNCH_NODES, 'COMMON_ARGUMENTS'))
    assert read == set(declared)


def test_common_options_reads_every_common_argument():
    tree = ast.parse(LAUNCH_NODES.read_text())
    [function] = [node for node in tree.body
                  if isinstance(node, ast.FunctionDef) and node.name == 'common_options']
    read = {node.args[0].value for node in ast.walk(function) if isinstance(node, ast.Call)
            and getattr(node.func, 'id', '') == 'value'}
    assert read == set(tuple_names(LAUNCH_NODES, 'COMMON_ARGUMENTS'))
    [common] = [node.value for node in tree.body if isinstance(node, ast.Assign)
                and node.targets[0].id == 'COMMON_ARGUMENTS']
    assert all(len(entry.elts) == 3 and ast.unparse(entry.elts[2]).strip("'")
               for entry in common.elts)


def agent_parameters_in(path):
    """The keys of the ``agent={...}`` dict a launch file gives its graph ({} if none)."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == 'agent':
            if isinstance(node.value, ast.Dict):
                return {key.value for key in node.value.keys}
            return set(eval_parameters('model.zip', '1-2'))
    return set()


@pytest.mark.parametrize('path', HAND_WRITTEN, ids=lambda p: p.name)
def test_launch_files_give_the_agent_only_parameters_it_declares(path):
    # rclpy ignores an undeclared parameter without a word: a misspelt one is lost.
    declared = {spec.name for spec in AGENT_PARAMETERS}
    assert agent_parameters_in(path) <= declared


def parsed(add_arguments, *argv):
    parser = argparse.ArgumentParser()
    add_arguments(parser)
    return parser.parse_args(argv)


def test_the_cli_plans_give_the_agent_only_parameters_it_declares(tmp_path):
    declared = {spec.name for spec in AGENT_PARAMETERS}
    _, specs = rl_train_plan(parsed(add_train_arguments, '--num-envs', '2', '--record', 'none',
                                    '--run-dir', str(tmp_path / 'run')))
    evaluation = parsed(add_eval_arguments, str(tmp_path), '--seeds', '5-9')
    for spec in (*specs, *evaluation_plan(evaluation, tmp_path / 'out.json')):
        if spec.role == 'agent':
            assert set(spec.parameters) <= declared


def test_rl_train_envs_trains_on_them_and_starts_no_env_node(tmp_path):
    run_dir, graph = rl_train_plan(parsed(add_train_arguments, '--envs', '/env_0, env_1',
                                          '--run-dir', str(tmp_path / 'run')))
    assert [s.role for s in graph] == ['recorder', 'agent']
    recorder, agent = graph
    assert agent.parameters['envs'] == 'env_0,env_1'
    assert recorder.parameters['namespaces'] == ['env_0', 'env_1']
    assert recorder.parameters['bag_dir'] == str(run_dir)


@pytest.mark.parametrize('flags', [('--num-envs', '4'), ('--sim', 'mujoco'),
                                   ('--envs-per-process', '2')])
def test_rl_train_envs_refuses_flags_for_env_nodes_it_would_start(tmp_path, flags):
    args = parsed(add_train_arguments, '--envs', 'env_0', *flags,
                  '--run-dir', str(tmp_path / 'run'))
    with pytest.raises(ValueError, match='--envs trains on env nodes running elsewhere'):
        rl_train_plan(args)


class Terminal(io.StringIO):
    def isatty(self):
        return True


@pytest.mark.parametrize('stdout,progress_bar', [(Terminal, True), (io.StringIO, False)])
def test_rl_train_draws_a_progress_bar_only_on_a_terminal(tmp_path, monkeypatch, stdout,
                                                          progress_bar):
    # A container's or a file's log gets lines instead of a bar redrawn in place.
    monkeypatch.setattr('sys.stdout', stdout())
    _, graph = rl_train_plan(parsed(add_train_arguments, '--run-dir', str(tmp_path / 'run')))
    assert graph[-1].parameters['progress_bar'] is progress_bar


def env_parameters(graph):
    """Each env node's parameters by namespace, whether alone in a process or in a group."""
    found = {}
    for spec in graph:
        if spec.role == 'env':
            for name, parameters in spec.parameter_sets().items():
                found[name.removesuffix('/rl_env').strip('/')] = parameters
    return found


def test_rl_train_without_envs_starts_four_mujoco_envs_grouped_for_the_cores(tmp_path):
    _, graph = rl_train_plan(parsed(add_train_arguments, '--run-dir', str(tmp_path / 'run')))
    envs = env_parameters(graph)
    assert list(envs) == [f'env_{k}' for k in range(4)]
    assert {p['simulator'] for p in envs.values()} == {'inprocess'}
    assert [p['seed'] for p in envs.values()] == [0, 1, 2, 3]
    size = auto_envs_per_process(4, usable_cores())
    groups = [spec for spec in graph if spec.role == 'env']
    assert [len(spec.arguments) for spec in groups] == [size] * (4 // size)
    assert {spec.executable for spec in groups} == {'env_group' if size > 1 else 'env_node'}


@pytest.mark.parametrize('cores,sizes', [(1, [4]), (2, [4]), (3, [2, 2]), (5, [1, 1, 1, 1]),
                                         (64, [1, 1, 1, 1])])
def test_envs_are_grouped_one_batched_process_per_core_left_beside_the_agent(cores, sizes):
    size = auto_envs_per_process(4, cores)
    options = GraphOptions(num_envs=4, agent={}, envs_per_process=size)
    assert [max(1, len(spec.arguments)) for spec in env_nodes(options)] == sizes


@pytest.mark.parametrize('size,groups', [
    (1, [['env_0'], ['env_1'], ['env_2']]), (2, [['env_0', 'env_1'], ['env_2']]),
    (3, [['env_0', 'env_1', 'env_2']]), (8, [['env_0', 'env_1', 'env_2']])])
def test_envs_per_process_splits_the_envs_keeping_each_ones_name_and_seed(size, groups):
    options = GraphOptions(num_envs=3, seed=10, task='wall_following', agent={},
                           envs_per_process=size)
    specs = env_nodes(options)
    if size == 1:
        assert [[spec.namespace] for spec in specs] == groups
        assert {spec.executable for spec in specs} == {'env_node'}
    else:
        assert [list(spec.arguments) for spec in specs] == groups
        assert all(spec.respawn and spec.executable == 'env_group' and not spec.parameters
                   for spec in specs)
        assert specs[0].label == f'env_group[{",".join(groups[0])}]'
    assert {name: p['seed'] for name, p in env_parameters(specs).items()} == {
        'env_0': 10, 'env_1': 11, 'env_2': 12}
    assert {p['task'] for p in env_parameters(specs).values()} == {'wall_following'}


@pytest.mark.parametrize('options', [
    GraphOptions(num_envs=4, sim='mujoco_separate', agent={}, envs_per_process=2),
    GraphOptions(num_envs=1, envs_per_process=2)], ids=['sim_nodes', 'lone_env'])
def test_only_named_mujoco_envs_in_process_are_grouped(options):
    # Envs over sim/ wait inside their callbacks and are not batched; a lone env
    # sits in the root namespace for interactive use.
    assert {spec.executable for spec in env_nodes(options)
            if spec.role == 'env'} == {'env_node'}


def test_every_graph_knob_of_a_training_run_reaches_its_nodes(tmp_path):
    graph_knobs = {f.name for f in knob_fields(TrainingRun)} - {
        f.name for f in knob_fields(TrainSettings)}
    run = TrainingRun(num_envs=2, sim='mujoco_separate', task='wall_following', seed=4,
                      task_options='{"obstacle_count": 1}', record='failures',
                      run_dir=str(tmp_path / 'run'))
    assert graph_knobs == {'num_envs', 'sim', 'headless', 'task_options', 'record', 'envs',
                           'envs_per_process'}
    run_dir, graph = training_plan(run, progress_bar=False)
    envs = [e for e in graph if e.role == 'env']
    assert [e.namespace for e in envs] == ['env_0', 'env_1']
    assert [e.parameters['seed'] for e in envs] == [4, 5]
    assert {(e.parameters['task'], e.parameters['task_options'], e.parameters['simulator'])
            for e in envs} == {('wall_following', '{"obstacle_count": 1}', 'service')}
    assert [e.role for e in graph].count('simulator') == 2
    [recorder] = [e for e in graph if e.role == 'recorder']
    assert (recorder.parameters['policy'], recorder.parameters['bag_dir']) == (
        'failures', str(run_dir))
    webots = training_plan(TrainingRun(sim='webots', headless=True, num_envs=1,
                                       run_dir=str(tmp_path / 'w')), progress_bar=False)[1]
    assert dict(webots[0].arguments)['headless'] == 'true'
    external = training_plan(TrainingRun(envs='env_7', run_dir=str(tmp_path / 'e')),
                             progress_bar=False)[1]
    assert external[-1].parameters['envs'] == 'env_7'


def test_a_resume_plans_the_runs_own_task_and_env_count(tmp_path):
    run_dir = tmp_path / 'run'
    RunDir.create(tmp_path, load_config('ppo', 'wall_following', overrides={'n_envs': 3}),
                  path=run_dir)
    _, graph = training_plan(TrainingRun(resume=str(run_dir)), progress_bar=False)
    envs = env_parameters(graph)
    assert len(envs) == 3 and {p['task'] for p in envs.values()} == {'wall_following'}
    assert graph[-1].parameters['resume'] == str(run_dir) and graph[-1].parameters['run_dir'] == ''


def test_the_report_after_rl_train_names_only_files_that_exist(tmp_path):
    report = training_report(tmp_path)   # the agent died before writing anything
    assert 'summary.json' not in report and 'best model' not in report
    assert f'./rl train --resume {tmp_path}' in report
    (tmp_path / 'summary.json').write_text('{}')
    (tmp_path / 'best').mkdir()
    report = training_report(tmp_path)
    assert f"summary:         {tmp_path / 'summary.json'}" in report
    assert 'best model:' in report and './rl eval' in report


@pytest.mark.parametrize('knobs,message', [
    ({'record': 'sometimes'}, "record: policy must be 'all', 'none', 'failures' or 'every:K'"),
    ({'envs': 'env_0,,env_1'}, 'envs must be namespaces separated by commas'),
    ({'algo': 'dqn'}, 'algo must be one of'),
])
def test_a_training_run_that_makes_no_sense_is_refused_naming_the_knob(knobs, message):
    with pytest.raises(ValueError, match=message):
        TrainingRun(**knobs)


# ---- the monitor ------------------------------------------------------------------------------

def test_rl_train_adds_the_monitor_of_its_envs_and_bags_last_and_respawning(tmp_path):
    args = parsed(add_train_arguments, '--num-envs', '2', '--run-dir', str(tmp_path / 'run'))
    run_dir, graph = rl_train_plan(args)
    [*rest, monitor] = with_monitor(graph, MonitorKnobs(monitor_port=8123))
    assert rest == graph and monitor.role == 'monitor' and monitor.respawn
    assert monitor.parameters == {'port': 8123, 'host': '0.0.0.0', 'namespaces': 'env_0,env_1',
                                  'bag_dir': str(run_dir / 'bags')}
    assert with_monitor(graph, MonitorKnobs(monitor=False)) == graph
    scripts = console_scripts(monitor.package)
    assert scripts[monitor.executable] == monitor.module


def test_the_cli_turns_the_monitor_off_and_moves_it():
    from rl_agent_node.knobs import from_flags
    from rl_bringup.cli import build_parser

    parser = build_parser()
    assert from_flags(MonitorKnobs, parser.parse_args(['train'])) == MonitorKnobs()
    assert MonitorKnobs().monitor and MonitorKnobs().monitor_port == MONITOR_PORT
    off = from_flags(MonitorKnobs, parser.parse_args(['train', '--no-monitor',
                                                      '--monitor-port', '9000']))
    assert off == MonitorKnobs(monitor=False, monitor_port=9000)
    alone = parser.parse_args(['monitor', '--port', '8081', '--namespaces', 'env_0', 'env_1',
                               '--bag-dir', 'runs/r/bags'])
    assert (alone.port, alone.namespaces, str(alone.bag_dir)) == (
        8081, ['env_0', 'env_1'], 'runs/r/bags')


@pytest.mark.parametrize('options,namespaces', [
    (GraphOptions(num_envs=1), '/'),
    (GraphOptions(num_envs=3, envs_per_process=2), 'env_0,env_1,env_2'),
    (GraphOptions(num_envs=2, sim='mujoco_separate'), 'env_0,env_1'),
    (GraphOptions(external_envs=('env_4', 'robot/env'), agent={}), 'env_4,robot/env'),
])
def test_the_monitor_watches_the_envs_of_any_graph(options, namespaces):
    *_, monitor = with_monitor(bringup_graph(options), MonitorKnobs())
    assert monitor.parameters['namespaces'] == namespaces
    assert monitor.parameters['bag_dir'] == ''   # no recorder, no bags


def test_a_monitor_port_out_of_range_is_refused_naming_it():
    with pytest.raises(ValueError, match=r'monitor_port must be 0\.\.65535'):
        MonitorKnobs(monitor_port=70000)
    assert monitor_node([]).parameters['namespaces'] == ''   # none: it discovers them
