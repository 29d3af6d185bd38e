"""The batch node of an env_group: one round trip for a step of all its envs.

Over DDS and over its same-host socket. The group runs in its own process;
the clients are the agent's VecEnv, plain rclpy clients and raw sockets in
this test process.
"""

import json
import socket

import numpy as np
import pytest

from rl_env_client.batch_client import BatchClient
from rl_env_client.errors import RemoteEnvError
from rl_env_client.ros_vec_env import RosVecEnv
from rl_interfaces.srv import ResetBatch, StepBatch
from rl_ros.batch_wire import HEADER, STEP, frame, socket_address
from rl_ros.contract import RESET_BATCH, STEP_BATCH
from rl_testing import NodeProcess, stop_all
from rl_testing.ros import call, wait_for_service

GROUPED = ['env_0', 'env_1', 'env_2']
SEPARATE = ['env_3', 'env_4', 'env_5']


@pytest.fixture(scope='module')
def nodes(ros_domain, tmp_path_factory):
    logs = tmp_path_factory.mktemp('batch_logs')
    processes = [NodeProcess.python_module('group', 'rl_env_node.env_group', GROUPED,
                                           logs).start()]
    processes += [NodeProcess.python_module(
        ns, 'rl_env_node.env_node', ['--ros-args', '-r', f'__ns:=/{ns}'], logs).start()
        for ns in SEPARATE]
    try:
        processes[0].wait_for_output('batch ready', timeout=60)
        for process in processes[1:]:
            process.wait_for_output('env ready', timeout=60)
        yield processes
    finally:
        stop_all(processes)


def rollout(namespaces, steps, seed=11, same_host_socket=True):
    """Observations, rewards, dones and terminal observations of a seeded random rollout."""
    vec = RosVecEnv(namespaces, timeout=20.0, same_host_socket=same_host_socket)
    try:
        vec.seed(seed)
        record = [vec.reset()]
        rng = np.random.default_rng(0)
        for _ in range(steps):
            vec.step_async(rng.uniform(-1.0, 1.0, (len(namespaces), 3)).astype(np.float32))
            observations, rewards, dones, infos = vec.step_wait()
            finals = [info.get('terminal_observation') for info in infos]
            record.append((observations, rewards, dones, finals))
        return vec, record
    finally:
        vec.close()


@pytest.mark.parametrize('same_host_socket', [True, False], ids=['socket', 'dds'])
def test_a_batched_rollout_equals_the_same_rollout_over_separate_env_nodes(
        nodes, same_host_socket):
    batched_env, batched = rollout(GROUPED, 450, same_host_socket=same_host_socket)
    separate_env, separate = rollout(SEPARATE, 450)
    assert [len(i) for i in batched_env._batches.values()] == [3]
    assert [batch.batch_socket is not None for batch in batched_env._batches] == [
        same_host_socket]
    assert separate_env._batches == {}
    assert episodes_ended_alike(batched, separate) >= 3   # each env ended one at least


def episodes_ended_alike(record, expected):
    """Assert two rollout records equal, step by step; the number of episodes ended."""
    np.testing.assert_array_equal(record[0], expected[0])
    ends = 0
    for (obs, rewards, dones, finals), (obs_e, rewards_e, dones_e, finals_e) in zip(
            record[1:], expected[1:], strict=True):
        np.testing.assert_array_equal(obs, obs_e)
        np.testing.assert_array_equal(rewards, rewards_e)
        np.testing.assert_array_equal(dones, dones_e)
        for final, final_e in zip(finals, finals_e, strict=True):
            assert (final is None) == (final_e is None)
            if final is not None:
                ends += 1
                np.testing.assert_array_equal(final, final_e)
    return ends


def rollout_in_parts(namespaces, parts, steps, seed=11, same_host_socket=True):
    """:func:`rollout`'s record, each part's next step sent as soon as its answer came."""
    vec = RosVecEnv(namespaces, timeout=20.0, same_host_socket=same_host_socket)
    count = len(namespaces)
    try:
        vec.seed(seed)
        record = [vec.reset()]
        rng = np.random.default_rng(0)
        actions = rng.uniform(-1.0, 1.0, (count, 3)).astype(np.float32)
        for part in parts:
            vec.step_part_async(actions[part], part)
        for t in range(steps):
            following = rng.uniform(-1.0, 1.0, (count, 3)).astype(np.float32) \
                if t + 1 < steps else None
            observations, rewards = np.zeros((count, record[0].shape[1])), np.zeros(count)
            dones, finals = np.zeros(count, dtype=bool), [None] * count
            for expected in parts:
                part, (obs, rew, done, infos) = vec.step_part_wait()
                assert part == expected
                observations[part], rewards[part], dones[part] = obs, rew, done
                finals[part] = [info.get('terminal_observation') for info in infos]
                if following is not None:
                    vec.step_part_async(following[part], part)
            record.append((observations, rewards, dones, finals))
        return record
    finally:
        vec.close()


@pytest.mark.parametrize(('stepped', 'lockstep', 'same_host_socket'), [
    (GROUPED, SEPARATE, True), (GROUPED, SEPARATE, False), (SEPARATE, GROUPED, True)],
    ids=['batch-socket', 'batch-dds', 'separate-nodes'])
def test_parts_stepped_in_turn_give_the_rollout_of_all_envs_stepped_at_once(
        nodes, stepped, lockstep, same_host_socket):
    in_parts = rollout_in_parts(stepped, (slice(0, 1), slice(1, 3)), 450,
                                same_host_socket=same_host_socket)
    _, at_once = rollout(lockstep, 450)
    assert episodes_ended_alike(in_parts, at_once) >= 3


def test_get_spec_names_the_batch_namespace_and_its_socket(nodes):
    vec = RosVecEnv(['env_1'], timeout=20.0)
    try:
        spec = json.loads(vec.specs[0].spec_json)
        assert spec['batch'] == '/env_0'
        assert spec['batch_socket'].startswith('@rl_env_batch/')
        assert isinstance(next(iter(vec._batches)), BatchClient)
    finally:
        vec.close()


def announced_socket():
    vec = RosVecEnv(['env_0'], timeout=20.0, same_host_socket=False)
    try:
        return json.loads(vec.specs[0].spec_json)['batch_socket']
    finally:
        vec.close()


@pytest.mark.parametrize('garbage', [
    frame(b'x', b'\0' * 8),                            # a kind the socket does not serve
    frame(STEP, b'\xff' * 3),                          # not a StepBatch
    HEADER.pack(STEP, 1 << 30),                        # a gigabyte announced
], ids=['unknown_kind', 'unreadable_request', 'oversized'])
def test_a_hostile_socket_client_is_cut_off_and_the_group_keeps_serving(nodes, garbage):
    hostile = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    hostile.settimeout(10.0)
    try:
        hostile.connect(socket_address(announced_socket()))
        hostile.sendall(garbage)
        assert hostile.recv(64) == b''     # closed without an answer
    finally:
        hostile.close()
    vec, record = rollout(GROUPED, 5)
    assert len(record) == 6
    assert all(batch.batch_socket is not None for batch in vec._batches)


def test_a_socket_client_hears_at_once_that_its_group_stopped(ros_domain, tmp_path):
    group = NodeProcess.python_module('lone_group', 'rl_env_node.env_group',
                                      ['env_8', 'env_9'], tmp_path).start()
    try:
        group.wait_for_output('batch ready', timeout=60)
        vec = RosVecEnv(['env_8', 'env_9'], timeout=20.0)
        try:
            vec.reset()
            group.stop()
            with pytest.raises(RemoteEnvError, match='batch socket'):
                vec.step_async(np.zeros((2, 3), dtype=np.float32))
                vec.step_wait()
        finally:
            vec.close()
    finally:
        stop_all([group])


@pytest.mark.parametrize('namespaces,actions,refusal', [
    (['env_0', 'env_9'], [0.0] * 6, 'at most once'),
    (['env_0', 'env_0'], [0.0] * 6, 'at most once'),
    (['env_0', 'env_1'], [0.0] * 5, 'must hold 6 values'),
    (['env_0', 'env_1'], [0.0, 0.0, 0.0, 0.0, float('nan'), 0.0], 'env_1: action has NaN'),
])
def test_a_malformed_batch_is_refused_whole_and_the_node_keeps_serving(
        nodes, ros_node, namespaces, actions, refusal):
    reset = ros_node.create_client(ResetBatch, f'/env_0/{RESET_BATCH.name}')
    step = ros_node.create_client(StepBatch, f'/env_0/{STEP_BATCH.name}')
    wait_for_service(step, 20.0)
    wait_for_service(reset, 20.0)
    answer = call(ros_node, reset, ResetBatch.Request(namespaces=['env_0', 'env_1'],
                                                      seeds=[1, 2]))
    assert answer.success, answer.message
    first = call(ros_node, step, StepBatch.Request(namespaces=['env_0', 'env_1'],
                                                   actions=[0.1] * 6))
    assert first.success, first.message
    refused = call(ros_node, step, StepBatch.Request(namespaces=namespaces, actions=actions))
    assert not refused.success and refusal in refused.message, refused.message
    after = call(ros_node, step, StepBatch.Request(namespaces=['env_0', 'env_1'],
                                                   actions=[0.1] * 6))
    assert after.success, after.message
    # Nothing was stepped by the refused batch: each env is at its second step.
    assert [json.loads(info)['step_index'] for info in after.infos_json] == [1, 1]


def test_a_second_client_driving_a_batched_env_is_noticed_by_the_first(nodes):
    first = RosVecEnv(GROUPED, timeout=20.0)
    second = RosVecEnv(['env_1'], timeout=20.0)
    try:
        first.reset()
        actions = np.zeros((len(GROUPED), 3), dtype=np.float32)
        first.step_async(actions)
        first.step_wait()
        second.reset()   # env_1's episode is now the second client's
        first.step_async(actions)
        with pytest.raises(RemoteEnvError, match='env_1: another client is driving'):
            first.step_wait()
    finally:
        first.close()
        second.close()
