"""Property-based tests of what a request may carry: anything in, a value or a clear refusal out.

Plain functions, no ROS: the node maps these refusals to ``success: false``,
so any other exception here would be an internal error in the node.
"""

import dataclasses
import json
import math

from hypothesis import given, settings
from hypothesis import strategies as st

from rl_env_node.env_core import parse_options_json
from rl_env_node.errors import RequestError, TaskOptionError
from rl_env_node.tasks import GoalReachingOptions, WallFollowingOptions
from rl_env_node.tasks.options import replace_options
from robotino_world.options import MAX_OPTIONS_DEPTH, MAX_STRING, QUOTE_LIMIT

#: A refusal's length: the message text plus at most a short quote of the input.
MESSAGE_LIMIT = 400 + QUOTE_LIMIT

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=300),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                  max_size=4),
    max_leaves=12)
option_names = st.sampled_from([f.name for f in dataclasses.fields(GoalReachingOptions)])


def assert_options_or_a_short_refusal(text):
    try:
        options = parse_options_json(text)
    except RequestError as error:
        assert len(str(error)) < MESSAGE_LIMIT
    else:
        assert isinstance(options, dict)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=2000))
def test_any_text_is_options_or_a_short_refusal(text):
    assert_options_or_a_short_refusal(text)


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_any_json_document_is_options_or_a_short_refusal(value):
    assert_options_or_a_short_refusal(json.dumps(value))


def test_nesting_past_the_limit_is_refused():
    nested = {}
    for _ in range(MAX_OPTIONS_DEPTH):
        nested = {'a': nested}
    try:
        parse_options_json(json.dumps(nested))
    except RequestError as error:
        assert 'nests deeper' in str(error)
    else:
        raise AssertionError('nesting past the limit was accepted')


@settings(max_examples=500, deadline=None)
@given(st.dictionaries(option_names, json_values, min_size=1, max_size=3))
def test_any_option_values_give_valid_options_or_a_refusal_naming_one(overrides):
    base = GoalReachingOptions()
    try:
        options = replace_options(base, overrides)
    except TaskOptionError as error:
        message = str(error)
        assert len(message) < MESSAGE_LIMIT
        assert any(repr(name) in message for name in overrides) or 'mapping' in message
        return
    for field in dataclasses.fields(options):
        value = getattr(options, field.name)
        assert type(value) is type(getattr(base, field.name))
        if isinstance(value, float):
            assert math.isfinite(value)
        if isinstance(value, str):
            assert len(value) <= MAX_STRING and '\0' not in value


def within(number, low, high, above):
    """What the option checks say of a number: finite and in its range."""
    try:
        value = float(number)
    except OverflowError:
        return False
    return math.isfinite(value) and (value > low if above else value >= low) and value <= high


@settings(max_examples=200, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True)
       | st.integers(min_value=-10**500, max_value=10**500))
def test_numbers_outside_the_documented_range_are_refused(number):
    for options_type, name in ((GoalReachingOptions, 'goal_tolerance'),
                               (GoalReachingOptions, 'progress_reward'),
                               (WallFollowingOptions, 'follow_length')):
        low, high, above = next(f for f in dataclasses.fields(options_type)
                                if f.name == name).metadata['range']
        try:
            replace_options(options_type(), {name: number})
        except TaskOptionError as error:
            assert not within(number, low, high, above) and name in str(error)
        else:
            assert within(number, low, high, above)
