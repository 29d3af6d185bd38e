"""rl_ros.conversions: times and durations split into whole seconds and nanoseconds."""

from __future__ import annotations

import pytest

from rl_ros.conversions import duration_from_seconds, seconds_from_time, time_from_seconds


@pytest.mark.parametrize('seconds,sec,nanosec', [
    (0.0, 0, 0), (2.5, 2, 500_000_000), (0.1, 0, 100_000_000), (1.9999999999, 2, 0)])
def test_durations_and_times_split_the_same_way(seconds, sec, nanosec):
    duration, stamp = duration_from_seconds(seconds), time_from_seconds(seconds)
    assert (duration.sec, duration.nanosec) == (stamp.sec, stamp.nanosec) == (sec, nanosec)
    assert seconds_from_time(stamp) == pytest.approx(seconds)
