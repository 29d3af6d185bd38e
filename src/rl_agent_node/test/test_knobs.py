"""Knobs: one dataclass field is a flag, a launch argument and a parameter, read back alike."""

import argparse
import signal
import threading

import pytest

from rl_agent_node import knobs
from rl_agent_node.agent_node import PARAMETERS, AgentNodeSettings
from rl_agent_node.errors import ConfigError
from rl_agent_node.signals import stop_on_signals
from rl_agent_node.train_settings import TrainSettings

#: A value other than the default for every knob; resume excludes run_dir, so it has its own.
CHANGED = {'algo': 'td3', 'task': 'wall_following', 'config': 'my/td3.yaml', 'total_steps': 50,
           'seed': 9, 'success_target': 0.0, 'overrides': '{gamma: 0.9}', 'run_dir': 'runs/x'}


def parse(*argv):
    parser = argparse.ArgumentParser()
    knobs.add_flags(parser, TrainSettings)
    return parser.parse_args(argv)


def test_every_knob_is_changed_by_the_test():
    names = {f.name for f in knobs.knob_fields(TrainSettings)}
    assert names == set(CHANGED) | {'resume'}
    assert all(getattr(TrainSettings(), name) != value for name, value in CHANGED.items())


def test_flags_launch_strings_and_parameters_give_the_same_settings():
    flags = [item for name, value in CHANGED.items()
             for item in (knobs.flag_name(name), str(value))]
    from_flags = knobs.from_flags(TrainSettings, parse(*flags))
    strings = {**{name: str(value) for name, value in CHANGED.items()}, 'resume': ''}
    from_launch = knobs.from_strings(TrainSettings, strings.__getitem__)
    defaults = {spec.name: spec.default for spec in PARAMETERS}
    from_node = AgentNodeSettings.from_values({**defaults, **knobs.values(from_flags)}).train
    assert from_flags == from_launch == from_node == TrainSettings(**CHANGED)


def test_a_flag_not_given_is_absent_so_a_resume_changes_only_what_was_typed():
    args = parse('--resume', 'runs/r', '--total-steps', '9000')
    assert knobs.given(args, TrainSettings) == {'resume': 'runs/r', 'total_steps': 9000}
    settings = knobs.from_flags(TrainSettings, args)
    assert settings.config_overrides() == {'total_steps': 9000}


def test_launch_arguments_carry_the_defaults_as_strings_and_the_descriptions():
    arguments = {name: (default, text) for name, default, text
                 in knobs.launch_arguments(TrainSettings)}
    assert arguments['total_steps'][0] == '0' and arguments['success_target'][0] == '-1.0'
    assert all(text for _, text in arguments.values())


@pytest.mark.parametrize('name,text,message', [
    ('total_steps', 'many', "total_steps must be an integer, got 'many'"),
    ('success_target', 'high', "success_target must be a number, got 'high'"),
])
def test_a_launch_value_of_the_wrong_type_is_refused_naming_it(name, text, message):
    values = {name: default for name, default, _ in knobs.launch_arguments(TrainSettings)}
    values[name] = text
    with pytest.raises(ValueError, match=message):
        knobs.from_strings(TrainSettings, values.__getitem__)


@pytest.mark.parametrize('changes,message', [
    ({'algo': 'dqn'}, 'algo must be one of'),
    ({'success_target': 1.5}, 'success_target must be a success rate'),
    ({'total_steps': -1}, 'total_steps must be >= 0'),
    ({'overrides': '[1, 2]'}, 'overrides must be a YAML mapping'),
    ({'overrides': '{a: [1'}, 'overrides is not YAML'),
    ({'resume': 'r', 'run_dir': 'd'}, 'give resume or run_dir, not both'),
])
def test_settings_that_make_no_run_are_refused(changes, message):
    with pytest.raises(ConfigError, match=message):
        TrainSettings(**changes)


def test_sentinels_change_nothing_and_given_knobs_become_config_keys():
    assert TrainSettings().config_overrides() == {}
    assert TrainSettings(total_steps=10, seed=0, success_target=0.0,
                         overrides='{n_steps: 8}').config_overrides() == {
        'n_steps': 8, 'total_steps': 10, 'seed': 0, 'success_target': None}


def test_a_repeated_signal_within_the_window_is_the_same_request(monkeypatch):
    # A terminal's Ctrl-C reaches the group and ros2 launch forwards SIGINT once more.
    with stop_on_signals(threading.Event()) as stop:
        signal.raise_signal(signal.SIGINT)
        signal.raise_signal(signal.SIGINT)
        assert stop.is_set()
        monkeypatch.setattr('rl_agent_node.signals.DUPLICATE_WINDOW', 0.0)
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
