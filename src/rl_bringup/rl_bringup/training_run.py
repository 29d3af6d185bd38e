"""A training run as a user describes it, once: the `rl train` flags and train.launch.py arguments.

:class:`TrainingRun` is the agent's :class:`~rl_agent_node.train_settings.TrainSettings`
plus the knobs of the node graph around it (env nodes, simulator,
recording). Both front doors are generated from it and both hand it to
:func:`training_plan`, which decides the run directory up front (so the
bags land in it) and builds the graph; the agent's parameters are the
``TrainSettings`` part, unchanged. So ``rl train --total-steps 4096`` and
``ros2 launch rl_bringup train.launch.py total_steps:=4096`` start the same
processes with the same parameters.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from rl_agent_node import knobs
from rl_agent_node.config_file import AgentConfig, read_section, split_section
from rl_agent_node.knobs import knob
from rl_agent_node.run_dir import RunDir, new_run_path
from rl_agent_node.train_settings import TrainSettings
from rl_bringup.graph import SIMULATORS, GraphEntry, GraphOptions, bringup_graph
from rl_bringup.recording_policy import RecordingPolicy

#: Parent folder of new run directories, relative to where the run is started.
RUNS_ROOT = Path('runs')


@dataclass(frozen=True)
class TrainingRun(TrainSettings):
    """The agent's knobs and the graph's: every knob of a training run."""

    num_envs: int = knob(0, "env nodes to start, in env_0 .. env_{N-1}; 0 for the config's "
                            'n_envs (4), or on resume the run\'s own')
    sim: str = knob('mujoco', 'simulator behind each env node: ' + '; '.join(
        f'{name}: {meaning}' for name, meaning in SIMULATORS.items()), choices=tuple(SIMULATORS))
    headless: bool = knob(False, 'sim webots: without window and rendering (servers, '
                                 'containers, faster); other sims ignore it')
    task_options: str = knob('', 'task options of the env nodes as a JSON object, e.g. '
                                 '\'{"obstacle_count": 2}\'')
    record: str = knob('every:10', "episodes to record as rosbag2 in the run directory: "
                                   "'every:K', 'failures', 'all' or 'none'")
    envs_per_process: int = knob(0, 'sim mujoco: envs that one env_group process holds and '
                                    'serves in batches (one round trip per step); 0 chooses '
                                    "from the machine's cores, 1 starts a process per env")
    envs: str = knob('', 'train on env nodes already running elsewhere (docker compose, '
                         'Kubernetes, other hosts) in these namespaces, e.g. env_0,env_1: '
                         'starts only the recorder and the agent, and num_envs and sim do not '
                         'apply')

    def __post_init__(self) -> None:
        """Refuse impossible values early, naming the knob (then the agent's checks)."""
        super().__post_init__()
        try:
            RecordingPolicy.parse(self.record)
        except ValueError as error:
            raise ValueError(f'record: {error}') from None
        if not all(self.external_envs) and self.envs:
            raise ValueError(f'envs must be namespaces separated by commas, like env_0,env_1; '
                             f'got {self.envs!r}')

    @property
    def external_envs(self) -> tuple[str, ...]:
        """The namespaces of ``envs`` (leading '/' and blanks allowed), or () for none."""
        if not self.envs.strip():
            return ()
        return tuple(part.strip().strip('/') for part in self.envs.split(','))


def _config_section(run: TrainingRun) -> AgentConfig:
    """Our keys of the run's config section, read without the learning library."""
    return split_section(read_section(run.algo, run.task, run.config_path,
                                      run.config_overrides()))[0]


def resolved(run: TrainingRun) -> TrainingRun:
    """The run with what shapes the graph filled in: on resume the run's own task and env count.

    The agent continues a resumed run with its own algorithm and task, so
    the env nodes must serve that task; ``num_envs`` 0 means the run's own
    count on resume, and the config's ``n_envs`` on a new run. Read from the
    files only: planning a run imports no stable-baselines3 or torch (the
    launcher and ``ros2 launch`` would hold them for the whole run).

    :raises RunDirError: when ``resume`` is not a run directory.
    """
    if not run.resume:
        return dataclasses.replace(run, num_envs=run.num_envs or _config_section(run).n_envs)
    saved = RunDir.open(Path(run.resume)).read()
    envs = [name for name in (saved.get('run') or {}).get('envs') or () if name != 'inprocess']
    count = run.num_envs or len(envs) or saved['agent']['n_envs']
    return dataclasses.replace(run, algo=saved['algo'], task=saved['task'], num_envs=count)


def _simulators(run: TrainingRun) -> tuple[str, bool]:
    """The config's ``realism`` and ``randomise``; on resume the run's own, as it trained."""
    if run.resume:
        agent = RunDir.open(Path(run.resume)).read().get('agent') or {}
        defaults = AgentConfig()
        return (agent.get('realism', defaults.realism),
                agent.get('randomise', defaults.randomise))
    section = _config_section(run)
    return section.realism, section.randomise


def run_path(run: TrainingRun) -> Path:
    """The run directory: the one resumed, the one asked for, or a new one under runs/.

    A new one is named as the agent names it (task, algo, seed, time), the
    seed being the config's when the run gives none.
    """
    if run.resume:
        return Path(run.resume)
    if run.run_dir:
        return Path(run.run_dir)
    seed = run.seed if run.seed >= 0 else _config_section(run).seed
    return new_run_path(RUNS_ROOT, run.task, run.algo, seed)


def training_plan(run: TrainingRun, progress_bar: bool) -> tuple[Path, list[GraphEntry]]:
    """The run directory and the graph of a training run, for ``rl train`` and the launch file.

    :param run: the run's knobs.
    :param progress_bar: the agent draws a bar (on a terminal) or logs a line every 30 s.
    :raises ValueError: for knobs that make no run, naming the knob.
    :raises RunDirError: when ``resume`` is not a run directory.
    """
    run = resolved(run)
    run_dir = run_path(run)
    realism, randomise = _simulators(run)
    agent = {'mode': 'train', **knobs.values(run, TrainSettings),
             'run_dir': '' if run.resume else str(run_dir), 'progress_bar': progress_bar}
    options = GraphOptions(num_envs=run.num_envs, sim=run.sim, task=run.task,
                           task_options=run.task_options, seed=max(run.seed, 0),
                           record=run.record, bag_dir=str(run_dir), run_name='bags',
                           agent=agent, headless=run.headless, external_envs=run.external_envs,
                           realism=realism, randomise=randomise,
                           envs_per_process=run.envs_per_process)
    return run_dir, bringup_graph(options)
