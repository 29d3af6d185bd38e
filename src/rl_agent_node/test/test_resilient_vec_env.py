"""ResilientVecEnv against a scripted VecEnv: plain unit tests, no ROS.

The DDS test in test_agent_ros.py kills and restarts a real env node; these
pin down what the wrapper hands SB3 around an outage.
"""

import threading

import numpy as np
import pytest
from gymnasium import spaces
from stable_baselines3.common.vec_env import VecEnv

from rl_agent_node.errors import EnvUnavailableError
from rl_agent_node.resilient_vec_env import ResilientVecEnv
from rl_env_client.errors import EnvTimeoutError, RemoteEnvError

FAST = (0.001, 0.002)


class ScriptedVecEnv(VecEnv):
    """Two envs whose observation is (generation, step); fails when told to."""

    def __init__(self, generation, fail_step_at=None):
        super().__init__(2, spaces.Box(-1e6, 1e6, (2,)), spaces.Box(-1, 1, (1,)))
        self.generation = generation
        self.fail_step_at = fail_step_at
        self.steps = 0
        self.seeds_used = None
        self.closed = False
        self.parts_sent = []

    def _obs(self):
        return np.array([[self.generation, self.steps]] * 2, dtype=np.float32)

    def reset(self):
        self.seeds_used = list(self._seeds)
        self._reset_seeds()
        return self._obs()

    def step_async(self, actions):
        self.actions = actions

    def step_wait(self):
        self.steps += 1
        if self.steps == self.fail_step_at:
            raise EnvTimeoutError('step of env_1: no answer within 1 s')
        return self._obs(), np.ones(2, dtype=np.float32), np.zeros(2, dtype=bool), [{}, {}]

    steps_in_parts = True

    def step_part_async(self, actions, part):
        self.parts_sent.append(part)

    def step_part_wait(self):
        part = self.parts_sent.pop(0)
        self.steps += 1
        if self.steps == self.fail_step_at:
            raise EnvTimeoutError('step of env_1: no answer within 1 s')
        return part, (self._obs()[part], np.ones(1, dtype=np.float32), np.zeros(1, dtype=bool),
                      [{}])

    def close(self):
        self.closed = True

    def get_attr(self, name, indices=None):
        return [None, None]

    def set_attr(self, name, value, indices=None):
        raise AttributeError(name)

    def env_method(self, name, *args, indices=None, **kwargs):
        raise AttributeError(name)

    def env_is_wrapped(self, wrapper_class, indices=None):
        return [False, False]


class Factory:
    """Builds ScriptedVecEnvs; the first may fail mid-run, some later builds fail outright."""

    def __init__(self, fail_step_at=None, failing_builds=(), error=EnvTimeoutError):
        self.built = []
        self.calls = 0
        self.fail_step_at = fail_step_at
        self.failing_builds = set(failing_builds)
        self.error = error

    def __call__(self):
        self.calls += 1
        if self.calls in self.failing_builds:
            raise self.error(f'no env node serves /env_1/reset (build {self.calls})')
        env = ScriptedVecEnv(len(self.built), self.fail_step_at if not self.built else None)
        self.built.append(env)
        return env


def make(factory, **kwargs):
    return ResilientVecEnv(factory, (EnvTimeoutError, RemoteEnvError),
                           kwargs.pop('recovery_timeout', 5.0), backoff=FAST, **kwargs)


def step(venv):
    venv.step_async(np.zeros((2, 1), dtype=np.float32))
    return venv.step_wait()


def test_a_failed_step_ends_every_episode_by_truncation_and_training_goes_on():
    factory = Factory(fail_step_at=3, failing_builds={2, 3})
    venv = make(factory, seed_for=lambda n: 100 * n)
    venv.reset()
    step(venv)
    before, *_ = step(venv)
    obs, rewards, dones, infos = step(venv)
    assert venv.recoveries == 1 and factory.calls == 4
    assert factory.built[0].closed
    assert dones.all() and not rewards.any()
    for k, info in enumerate(infos):
        assert info['TimeLimit.truncated'] and info['env_recovered']
        np.testing.assert_array_equal(info['terminal_observation'], before[k])
    assert obs[0][0] == 1, 'observations come from the new env, just reset'
    assert factory.built[1].seeds_used == [100, 101]
    obs, _, dones, _ = step(venv)
    assert not dones.any() and obs[0].tolist() == [1, 1]


def test_a_failed_part_ends_it_and_the_part_under_way_with_it_by_truncation():
    factory = Factory(fail_step_at=3)
    venv = make(factory)
    first, second = slice(0, 1), slice(1, 2)
    action = np.zeros((1, 1), dtype=np.float32)
    venv.reset()
    venv.step_part_async(action, first)
    venv.step_part_async(action, second)
    for part in (first, second):   # the old env's first step, part by part
        assert venv.step_part_wait()[0] == part
        venv.step_part_async(action, part)
    before = venv._last_obs.copy()
    for part in (first, second):   # the first fails; the second was sent to the same env
        answered, (obs, rewards, dones, infos) = venv.step_part_wait()
        assert answered == part and dones.all() and not rewards.any()
        assert infos[0]['env_recovered'] and infos[0]['TimeLimit.truncated']
        np.testing.assert_array_equal(infos[0]['terminal_observation'], before[part][0])
        assert obs[0].tolist() == [1, 0], 'observations of the new env, just reset'
        venv.step_part_async(action, part)
    assert venv.recoveries == 1 and factory.built[0].closed
    assert venv.step_part_wait()[1][0][0].tolist() == [1, 1]
    assert venv.step_part_wait()[1][0][0].tolist() == [1, 2]


def test_a_refusal_is_recovered_from_like_a_silence():
    factory = Factory(failing_builds={2}, error=RemoteEnvError)
    venv = make(factory)
    venv.reset()
    factory.built[0].fail_step_at = 1
    _, _, dones, _ = step(venv)
    assert dones.all() and venv.recoveries == 1


def test_env_nodes_that_are_late_at_start_are_waited_for():
    factory = Factory(failing_builds={1, 2})
    venv = make(factory)
    assert factory.calls == 3 and venv.recoveries == 0
    assert venv.reset().shape == (2, 2)


def test_it_gives_up_after_the_recovery_timeout():
    factory = Factory(fail_step_at=1, failing_builds=set(range(2, 10_000)))
    venv = make(factory, recovery_timeout=0.05)
    venv.reset()
    with pytest.raises(EnvUnavailableError, match='unreachable'):
        step(venv)


def test_a_stop_request_ends_the_wait_without_reconnecting():
    # Env nodes failing while a stop was asked have stopped with the agent (Ctrl-C reaches
    # the whole process group): the checkpoint needs none of them, so none is waited for.
    stop = threading.Event()
    stop.set()
    factory = Factory(fail_step_at=1, failing_builds=set(range(2, 10_000)))
    venv = make(factory, stop=stop)
    venv.reset()
    with pytest.raises(EnvUnavailableError, match='stopped while the env nodes failed'):
        step(venv)
    assert factory.calls == 1


def test_a_stop_request_during_an_outage_ends_the_wait():
    stop = threading.Event()
    factory = Factory(fail_step_at=1, failing_builds=set(range(2, 10_000)))
    venv = make(factory, stop=stop)
    venv.reset()
    threading.Timer(0.3, stop.set).start()
    with pytest.raises(EnvUnavailableError, match='stopped while waiting'):
        step(venv)
    assert factory.calls >= 2


def test_other_errors_are_not_swallowed():
    def broken():
        raise KeyError('a bug, not an outage')

    with pytest.raises(KeyError):
        make(broken)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match='recovery_timeout'):
        ResilientVecEnv(Factory(), (EnvTimeoutError,), 0.0)
    with pytest.raises(ValueError, match='backoff'):
        ResilientVecEnv(Factory(), (EnvTimeoutError,), 1.0, backoff=(2.0, 1.0))
