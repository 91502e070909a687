"""Animated timelines: GIF frames and size, MP4 container, and the errors a user can meet."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
import yaml
from PIL import Image
from typer.testing import CliRunner

from jobsim import Result
from jobsim.api import animation_problem
from jobsim.cli import app
from jobsim.plot import animate
from tests.helpers import job_manifest, run, scenario

FAIL_AFTER_5S = {"duration": "5s", "failure": {"probability": 1.0, "exitCode": 1}}
runner = CliRunner()


@pytest.fixture(scope="module")
def backoff() -> Result:
    return run(scenario((job_manifest(backoffLimit=2), FAIL_AFTER_5S)))


def test_gif_frames_and_size(backoff: Result, tmp_path: Path) -> None:
    """8 frames at 12 fps: 6 moving, then 2 that hold the whole picture (8 // 4), which GIF
    merges into the last moving one (the same image); each frame lasts int(1000 / 12) = 83 ms,
    which GIF keeps in hundredths of a second: 80 ms, so the file plays 8 x 80 ms."""
    out = animate(backoff, tmp_path / "a.gif", frames=8, fps=12, dpi=50)
    with Image.open(out) as im:
        assert im.format == "GIF"
        n = getattr(im, "n_frames", 1)
        assert n == 6
        durations = []
        for k in range(n):
            im.seek(k)
            durations.append(im.info["duration"])
        assert im.size == (550, 150)  # the 11 x 3 inch timeline at 50 dpi
    assert durations == [80] * 5 + [3 * 80]
    assert out.stat().st_size < 200_000


@pytest.mark.slow
def test_default_gif_is_small_enough_for_slides(backoff: Result, tmp_path: Path) -> None:
    """90 frames at 100 dpi, at most 120 frames and well under a megabyte."""
    out = animate(backoff, tmp_path / "a.gif")
    with Image.open(out) as im:
        assert getattr(im, "n_frames", 1) <= 90
    assert out.stat().st_size < 1_000_000


@pytest.mark.slow
def test_mp4_is_an_iso_media_file(backoff: Result, tmp_path: Path) -> None:
    """An MP4 starts with its ``ftyp`` box: a 4-byte size, then ``ftyp``."""
    out = animate(backoff, tmp_path / "a.mp4", frames=12)
    data = out.read_bytes()
    assert data[4:8] == b"ftyp"
    assert len(data) > 1000


def test_unknown_suffix_and_too_many_frames(backoff: Result, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"a\.avi: an animation must end in \.gif or \.mp4"):
        animate(backoff, tmp_path / "a.avi")
    with pytest.raises(ValueError, match="frames: expected 2 to 120, not 500"):
        animate(backoff, tmp_path / "a.gif", frames=500)


def test_mp4_without_the_extra_names_it(
    backoff: Result, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # import fails as if missing
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'jobsim\[animate\]'"):
        animate(backoff, tmp_path / "a.mp4")
    monkeypatch.setattr("importlib.util.find_spec", lambda name: None)
    problem = animation_problem(tmp_path / "a.mp4")
    assert problem is not None and "pip install 'jobsim[animate]'" in problem
    assert animation_problem(tmp_path / "a.gif") is None


@pytest.fixture
def backoff_file(tmp_path: Path) -> Path:
    path = tmp_path / "backoff.yaml"
    data = scenario((job_manifest("flaky", backoffLimit=2), FAIL_AFTER_5S))
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_cli_needs_an_output_and_checks_the_animation_suffix(
    backoff_file: Path, tmp_path: Path
) -> None:
    res = runner.invoke(app, ["plot", str(backoff_file)])
    assert res.exit_code == 2
    assert "give -o OUT.png|svg|pdf, --animate OUT.gif|mp4, or both" in res.stderr
    res = runner.invoke(app, ["plot", str(backoff_file), "--animate", str(tmp_path / "x.avi")])
    assert res.exit_code == 2
    assert "x.avi: an animation must end in .gif or .mp4" in res.stderr
    assert not (tmp_path / "x.avi").exists()


@pytest.mark.slow
def test_cli_writes_picture_and_animation(backoff_file: Path, tmp_path: Path) -> None:
    png, gif = tmp_path / "t.png", tmp_path / "t.gif"
    res = runner.invoke(
        app, ["plot", str(backoff_file), "-o", str(png), "--animate", str(gif), "--by", "node"]
    )
    assert res.exit_code == 0, res.output
    assert png.read_bytes().startswith(b"\x89PNG")
    assert gif.read_bytes().startswith(b"GIF8")
    assert res.stderr.splitlines() == [f"wrote {png}", f"wrote {gif}"]
