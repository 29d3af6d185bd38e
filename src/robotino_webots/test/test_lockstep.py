"""The step loop's state machine: jobs counted in basic steps, holding while paused."""

import pytest

from rl_interfaces.srv import SetSimMode
from rl_ros.contract import SimMode
from robotino_webots.lockstep import Action, Job, JobKind, Lockstep


def actions(machine, steps):
    """Run ``steps`` step() calls as the plugin does; the actions seen at each boundary."""
    seen = []
    for _ in range(steps):
        machine.tick()
        while True:
            action, _ = machine.next_action()
            seen.append(action)
            if action is not Action.FINISH:
                break
    return seen


def test_modes_are_the_service_constants():
    request = SetSimMode.Request
    assert (SimMode.PAUSE, SimMode.REALTIME, SimMode.FAST) == (
        request.PAUSE, request.REALTIME, request.FAST)


def test_paused_and_idle_holds_free_running_steps():
    machine = Lockstep(SimMode.PAUSE)
    assert machine.next_action() == (Action.HOLD, None)
    machine.mode = SimMode.FAST
    assert machine.next_action() == (Action.STEP, None)


def test_a_world_settles_one_step_and_an_advance_its_steps():
    machine = Lockstep(SimMode.PAUSE)
    world, advance = Job(JobKind.WORLD, 1), Job(JobKind.ADVANCE, 3)
    machine.submit(world)
    machine.submit(advance)
    assert machine.next_action() == (Action.START, world)
    assert machine.busy and machine.current is world
    assert actions(machine, 1) == [Action.FINISH, Action.START]
    assert machine.current is advance
    assert actions(machine, 3) == [Action.STEP, Action.STEP, Action.FINISH, Action.HOLD]
    assert not machine.busy


def test_a_refused_job_is_dropped_and_the_next_one_starts():
    machine = Lockstep(SimMode.PAUSE)
    first, second = Job(JobKind.ADVANCE, 2), Job(JobKind.ADVANCE, 1)
    machine.submit(first)
    machine.submit(second)
    assert machine.next_action() == (Action.START, first)
    assert machine.drop_current() is first
    assert machine.next_action() == (Action.START, second)


def test_a_job_without_steps_is_refused():
    with pytest.raises(ValueError, match='at least one step'):
        Lockstep(SimMode.PAUSE).submit(Job(JobKind.ADVANCE, 0))
