"""Training: build the envs and the algorithm, learn with the callbacks, resume, finish.

:func:`train` is the one entry point (the CLI and the node both call it).
It never returns with work lost: when ``stop`` is set (SIGINT, SIGTERM), or
the env nodes stay away past the recovery timeout, it saves a checkpoint
before returning, and ``resume`` continues from the newest checkpoint with
the step counter, the learning-rate schedules (their progress is
``num_timesteps / total_steps``), the TensorBoard folder, the CSV, the
RNG states and the replay buffer as they were.
"""

from __future__ import annotations

import enum
import importlib
import json
import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from stable_baselines3.common.base_class import BaseAlgorithm
from stable_baselines3.common.callbacks import CallbackList
from stable_baselines3.common.logger import configure
from stable_baselines3.common.off_policy_algorithm import OffPolicyAlgorithm
from stable_baselines3.common.vec_env import VecEnv

from rl_agent_node.callbacks import (
    EpisodeMetrics,
    HeldOutEvaluation,
    PeriodicCheckpoint,
    StopOnEvent,
)
from rl_agent_node.checkpoint import (
    MODEL,
    REPLAY_BUFFER,
    VECNORMALIZE,
    latest_checkpoint,
    load_rng,
    read_meta,
    save_model_dir,
)
from rl_agent_node.config import (
    OFF_POLICY,
    TrainingConfig,
    algorithm_class,
    load_config,
    sb3_kwargs,
)
from rl_agent_node.envs import (
    INPROCESS,
    is_inprocess,
    make_eval_env,
    make_training_env,
    normalized,
    parse_envs,
)
from rl_agent_node.errors import EnvUnavailableError
from rl_agent_node.evaluation import IN_PROCESS_EVAL_ENVS, held_out_seeds
from rl_agent_node.metrics import RunMetrics
from rl_agent_node.plot import plot_learning_curve
from rl_agent_node.progress import ProgressBar
from rl_agent_node.progress_report import (
    FINISHED,
    INTERRUPTED,
    ProgressHook,
    ProgressReporter,
    RunIdentity,
)
from rl_agent_node.run_dir import RunDir
from rl_agent_node.seeding import derive_seed, restore_rng_state, seed_everything
from rl_agent_node.train_settings import TrainSettings

_LOG = logging.getLogger(__name__)
_ENV_SEEDS, _RECOVERY_SEEDS = 1, 2
#: Success rate reported as "steps to" when the config sets no success_target.
REPORTED_SUCCESS = 0.9


class Outcome(enum.Enum):
    """How a training run ended."""

    COMPLETED = 'completed'
    TARGET_REACHED = 'target_reached'
    INTERRUPTED = 'interrupted'
    ENV_UNAVAILABLE = 'env_unavailable'


@dataclass(frozen=True)
class TrainRequest:
    """What to train: the run's knobs, and where the agent finds its envs.

    :param settings: the run's knobs (algorithm, task, config, budget, seed,
        target, overrides, run directory or resume); on resume the algorithm,
        task and config are the run's own, and the knobs given change it.
    :param envs: namespaces or ``('inprocess',)``; empty for the config's
        ``env_0`` .. ``env_{n_envs-1}`` (or, on resume, the run's own).
    :param eval_env: where to evaluate: 'inprocess' or a namespace; None for
        in process (or, on resume, the run's own).
    :param runs_root: parent folder of new run directories.
    :param progress_bar: show the rich progress bar.
    :param argv: the command line to record; the interpreter's when None.
    :param progress_hook: receives a :class:`~rl_agent_node.progress_report.ProgressRecord`
        about twice a second and at the end (the agent node publishes them); None for none.
    """

    settings: TrainSettings = field(default_factory=TrainSettings)
    envs: tuple[str, ...] = ()
    eval_env: str | None = None
    runs_root: Path = Path('runs')
    progress_bar: bool = True
    argv: Sequence[str] | None = None
    progress_hook: ProgressHook | None = None


@dataclass(frozen=True)
class TrainResult:
    """What :func:`train` hands back.

    :param run_dir: the run directory.
    :param outcome: how it ended.
    :param summary: the contents of ``summary.json``.
    """

    run_dir: Path
    outcome: Outcome
    summary: dict[str, Any]

    @property
    def exit_code(self) -> int:
        """0 unless the env nodes were lost (the run is resumable either way)."""
        return 1 if self.outcome is Outcome.ENV_UNAVAILABLE else 0


@dataclass
class _Session:
    """Everything one start of training holds."""

    run: RunDir
    config: TrainingConfig
    envs: tuple[str, ...]
    eval_env: str
    checkpoint: Path | None
    metrics: RunMetrics
    env: VecEnv | None = None
    model: BaseAlgorithm | None = None


def _prepare(request: TrainRequest) -> _Session:
    """Open or create the run directory and resolve config and envs."""
    settings = request.settings
    overrides = settings.config_overrides()
    if settings.resume:
        run = RunDir.open(Path(settings.resume))
        config = run.load_config()
        saved = run.load_placement()
        if overrides:
            _LOG.info('resuming with changes: %s', overrides)
            config = config.with_overrides(overrides)
        envs = parse_envs(request.envs or saved.get('envs'), config.agent.n_envs)
        eval_env = request.eval_env or saved.get('eval_env', INPROCESS)
    else:
        config = load_config(settings.algo, settings.task, settings.config_path, overrides)
        envs = parse_envs(request.envs, config.agent.n_envs)
        eval_env = request.eval_env or INPROCESS
        run = RunDir.create(request.runs_root, config,
                            path=Path(settings.run_dir) if settings.run_dir else None)
    if not is_inprocess(envs) and config.agent.n_envs != len(envs):
        config = config.with_overrides({'n_envs': len(envs)})
    run.save_config(config, {'envs': list(envs), 'eval_env': eval_env})
    run.record_start(request.argv)
    checkpoint = latest_checkpoint(run.checkpoints) if settings.resume else None
    if settings.resume and checkpoint is None:
        _LOG.warning('%s has no checkpoint (the run stopped before its first): starting it '
                     'again from step 0 with its config', run.path)
    meta = read_meta(checkpoint) if checkpoint else {}
    metrics = RunMetrics(run.metrics, meta.get('step', 0), meta.get('metrics'))
    return _Session(run, config, envs, eval_env, checkpoint, metrics)


def _build(session: _Session, stop: threading.Event) -> None:
    """Envs, normalisation, seeds and the algorithm, new or from the checkpoint."""
    config, agent = session.config, session.config.agent
    starts = session.metrics.counters.starts
    env = make_training_env(
        config, session.envs, stop,
        seed_for=lambda n: derive_seed(agent.seed, _RECOVERY_SEEDS, starts * 100_000 + n),
        on_recovery=session.metrics.count_recovery)
    stats = session.checkpoint / VECNORMALIZE if session.checkpoint else None
    session.env = env = normalized(env, config, stats)
    env_seed = agent.seed if starts == 1 else derive_seed(agent.seed, _ENV_SEEDS, starts)
    seed_everything(agent.seed, env.action_space, env, env_seed)
    kwargs = sb3_kwargs(config, int(env.action_space.shape[0]))
    algo_class = algorithm_class(config)
    if session.checkpoint is None:
        session.model = algo_class(env=env, device='cpu', verbose=0, **kwargs)
    else:
        keep = ('learning_rate', 'clip_range', 'clip_range_vf', 'action_noise')
        session.model = algo_class.load(
            session.checkpoint / MODEL, env=env, device='cpu',
            custom_objects={k: kwargs[k] for k in keep if k in kwargs})
        if isinstance(session.model, OffPolicyAlgorithm):
            session.model.load_replay_buffer(session.checkpoint / REPLAY_BUFFER)
        state = load_rng(session.checkpoint)
        if state is not None:
            restore_rng_state(state)
        _LOG.info('resuming %s from step %d (%s)', session.run.path,
                  session.model.num_timesteps, session.checkpoint.name)
    session.model.set_logger(configure(str(session.run.tensorboard / config.algo.upper()),
                                       ['tensorboard']))


@dataclass(frozen=True)
class _Callbacks:
    """The callbacks of one ``learn``, and those the end of training calls again."""

    all: CallbackList
    checkpoints: PeriodicCheckpoint
    evaluation: HeldOutEvaluation | None
    reporter: ProgressReporter | None


def _callbacks(session: _Session, stop: threading.Event, progress_bar: bool,
               progress_hook: ProgressHook | None) -> _Callbacks:
    config, agent, run = session.config, session.config.agent, session.run
    meta = {'algo': config.algo, 'task': config.task}
    checkpoints = PeriodicCheckpoint(run.checkpoints, agent.checkpoint_freq,
                                     agent.keep_checkpoints, meta, session.metrics,
                                     agent.checkpoint_interval_s)
    callbacks = [StopOnEvent(stop), EpisodeMetrics(session.metrics, agent.log_freq), checkpoints]
    evaluation = None
    if agent.eval_freq > 0:
        task_options = _served_task_options(session)
        count = IN_PROCESS_EVAL_ENVS if session.eval_env == INPROCESS else 1
        evaluation = HeldOutEvaluation(
            lambda: [make_eval_env(config.task, session.eval_env, task_options,
                                   agent.env_timeout, agent.realism, agent.randomise)
                     for _ in range(count)],
            session.metrics, agent.eval_freq,
            held_out_seeds(agent.eval_seed, agent.n_eval_episodes), run.best, meta,
            agent.success_target, stop)
    reporter = None
    if progress_hook is not None:
        identity = RunIdentity(run.path.name, config.algo, config.task, agent.total_steps,
                               agent.success_target)
        reporter = ProgressReporter(progress_hook, session.metrics, identity, evaluation)
        callbacks.append(reporter)   # before the evaluation, to say when one starts
    if evaluation is not None:
        callbacks.append(evaluation)
    callbacks.append(ProgressBar(session.metrics, agent.total_steps, progress_bar))
    return _Callbacks(CallbackList(callbacks), checkpoints, evaluation, reporter)


def _served_task_options(session: _Session) -> Mapping[str, Any]:
    """The task options of the training envs, which held-out evaluations must run too.

    Env nodes take theirs as node parameters (a launch argument), not from
    the agent's config, so they are read from what the env nodes serve.
    """
    if is_inprocess(session.envs):
        return session.config.agent.task_options
    options = session.env.get_attr('task_options', 0)[0]
    _LOG.info('held-out evaluations run the task options the env nodes serve: %s',
              json.dumps(options))
    return options


def _learn(session: _Session, stop: threading.Event, progress_bar: bool,
           progress_hook: ProgressHook | None = None) -> Outcome:
    model, agent = session.model, session.config.agent
    chosen = _callbacks(session, stop, progress_bar, progress_hook)
    callbacks, checkpoints, evaluation = chosen.all, chosen.checkpoints, chosen.evaluation
    remaining = agent.total_steps - model.num_timesteps
    outcome = Outcome.COMPLETED
    try:
        if remaining > 0:
            model.learn(remaining, callback=callbacks,
                        reset_num_timesteps=session.checkpoint is None,
                        tb_log_name=session.config.algo.upper())
        else:
            _LOG.info('the run has its %d steps already: finishing it', model.num_timesteps)
            callbacks.init_callback(model)
    except EnvUnavailableError as error:
        if stop.is_set():   # Ctrl-C reached the env nodes too: a stop, not a failure
            _LOG.info('stopping: the env nodes stopped with the run (%s)', error)
        else:
            _LOG.error('giving up on the env nodes: %s', error)
        outcome = Outcome.ENV_UNAVAILABLE
    if stop.is_set():
        outcome = Outcome.INTERRUPTED
    elif evaluation is not None and evaluation.target_reached:
        outcome = Outcome.TARGET_REACHED
    if outcome is not Outcome.COMPLETED and session.config.algo not in OFF_POLICY:
        # Stopped inside a rollout (a signal, lost env nodes, the target met at its start):
        # its steps were never trained on, so the run ends where the rollout began.
        model.num_timesteps = checkpoints.consistent_step
    checkpoints.save()
    finished = outcome in (Outcome.COMPLETED, Outcome.TARGET_REACHED)
    if finished:
        _finish(session, evaluation)
    if chosen.reporter is not None:
        chosen.reporter.report(FINISHED if finished else INTERRUPTED)
    return outcome


def _finish(session: _Session, evaluation: HeldOutEvaluation | None) -> None:
    """Final model, a last evaluation if the newest is older, the learning curve."""
    model, config = session.model, session.config
    step = int(model.num_timesteps)
    save_model_dir(session.run.final, model,
                   {'algo': config.algo, 'task': config.task, 'step': step})
    evaluations = session.metrics.counters.evaluations
    if evaluation is not None and (not evaluations or evaluations[-1][0] < step):
        evaluation.evaluate()
    if evaluation is not None:
        evaluation.on_training_end()
    session.metrics.write_row(step)


def _summary(session: _Session, outcome: Outcome) -> dict[str, Any]:
    metrics, agent = session.metrics, session.config.agent
    counters = metrics.counters
    train_return, train_success, _ = metrics.train_stats()
    wall = metrics.wall_time()
    steps = int(session.model.num_timesteps)
    target = agent.success_target or REPORTED_SUCCESS
    last = counters.evaluations[-1] if counters.evaluations else None
    return {
        'run_dir': str(session.run.path), 'algo': session.config.algo,
        'task': session.config.task, 'envs': list(session.envs), 'outcome': outcome.value,
        'steps': steps, 'total_steps': agent.total_steps, 'episodes': counters.episodes,
        'wall_time_s': round(wall, 1), 'steps_per_s': round(steps / wall, 1) if wall else None,
        'train_return_100': train_return, 'train_success_rate_100': train_success,
        'best_eval_success_rate': counters.best_success if counters.best_step >= 0 else None,
        'best_eval_step': counters.best_step if counters.best_step >= 0 else None,
        'last_eval': {'step': last[0], 'success_rate': last[1], 'mean_return': last[2]}
        if last else None,
        'success_threshold': target, 'steps_to_threshold': metrics.first_step_reaching(target),
        'starts': counters.starts, 'env_recoveries': counters.recoveries,
    }


def format_summary(summary: dict[str, Any]) -> str:
    """The summary as aligned ``key: value`` lines for the console."""
    width = max(len(key) for key in summary)
    lines = []
    for key, value in summary.items():
        text = f'{value:.3f}' if isinstance(value, float) else json.dumps(value) \
            if isinstance(value, dict | list) else str(value)
        lines.append(f'{key.ljust(width)}  {text}')
    return '\n'.join(lines)


def _import_compiler_meanwhile() -> None:
    """Import torch's compiler stack on a thread while the envs are found and built.

    The first optimizer imports ``torch._dynamo`` (1.2 s here); the main
    thread meanwhile mostly waits for DDS to discover the env nodes (0.07 to
    2.5 s), so the two overlap. The optimizer's own import then finds the
    module loaded, or waits for this one to finish.
    """
    threading.Thread(target=importlib.import_module, args=('torch._dynamo',),
                     name='import_torch_dynamo', daemon=True).start()


def train(request: TrainRequest, stop: threading.Event | None = None) -> TrainResult:
    """Train (or resume) one run; returns when done, interrupted or the envs are lost.

    :param request: what to train.
    :param stop: set by signal handlers to end training with a checkpoint.
    :raises ConfigError: for a config that makes no run.
    :raises RunDirError: for a resume folder that is not a run directory.
    """
    stop = stop or threading.Event()
    _import_compiler_meanwhile()
    session = _prepare(request)
    torch.set_num_threads(session.config.agent.torch_threads)
    # torch.distributions checks every distribution's arguments and samples; SB3's are
    # well formed by construction, and the checks were a tenth of a policy call on the
    # handful of observations a pipelined rollout acts on. A NaN action still fails,
    # in the env's action check.
    torch.distributions.Distribution.set_default_validate_args(False)
    try:
        _build(session, stop)
        outcome = _learn(session, stop, request.progress_bar, request.progress_hook)
    finally:
        if session.env is not None:
            session.env.close()
        if session.model is not None:
            session.model.logger.close()   # TensorBoard's writer: its events on disk now
    summary = _summary(session, outcome)
    session.run.summary.write_text(json.dumps(summary, indent=2))
    if session.run.metrics.is_file():
        plot_learning_curve(session.run.metrics, session.run.curve, session.run.path.name)
    _LOG.info('run %s: %s at step %d', session.run.path, outcome.value, summary['steps'])
    return TrainResult(session.run.path, outcome, summary)
