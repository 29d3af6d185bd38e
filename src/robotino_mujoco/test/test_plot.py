"""The top-view PNG is written, by the function and by the command line."""

from pathlib import Path

from robotino_mujoco import RobotinoSimulator
from robotino_mujoco.plot import main, save_top_view

PNG_SIGNATURE = b'\x89PNG\r\n\x1a\n'


def test_save_top_view_writes_a_png(tmp_path: Path) -> None:
    sim = RobotinoSimulator()
    sim.reset(3)
    sim.advance(5, (0.3, 0.0, 0.2))
    path = save_top_view(sim, tmp_path / 'arena.png', title='seed 3')
    assert path.read_bytes().startswith(PNG_SIGNATURE)


def test_command_line_writes_the_png(tmp_path: Path) -> None:
    out = tmp_path / 'corridor.png'
    main(['--scenario', 'corridor', '--periods', '5', '--out', str(out)])
    assert out.read_bytes().startswith(PNG_SIGNATURE)
    assert out.stat().st_size > 10_000
