"""The built wheel is the product: build it and the sdist, install the wheel into a fresh
virtual environment outside the checkout, and use it from another directory as a user would.

The editable install the tests run in hides missing packages and data files (the checkout is
on sys.path); this test does not: the new environment sees only what the wheel holds, and
pip resolves its dependencies from the index (its cache keeps that quick).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tarfile
import time
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("console", "widgets", "store", "templates")

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("wheel")]  # one worker builds the module fixture


def _shipped_files() -> set[str]:
    """Every file of the four packages in the checkout (bytecode aside), as paths in a wheel."""
    found = set()
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc":
                found.add(path.relative_to(ROOT).as_posix())
    return found


def _run(args: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f"{args} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def _uv() -> str | None:
    try:
        from uv import find_uv_bin
    except ImportError:
        return None
    return find_uv_bin()


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    """The wheel and the sdist, built by `python -m build` (the sdist first, the wheel from it)."""
    dist = tmp_path_factory.mktemp("dist")
    env = {k: v for k, v in os.environ.items() if not k.startswith("SHIFTDESK_")}
    _run([sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)], cwd=dist, env=env, timeout=600)
    wheels, sdists = list(dist.glob("*.whl")), list(dist.glob("*.tar.gz"))
    assert len(wheels) == 1 and len(sdists) == 1, os.listdir(dist)
    return wheels[0], sdists[0]


def test_wheel_holds_every_file_of_the_packages(built):
    wheel, _ = built
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
    missing = sorted(_shipped_files() - names)
    assert not missing, f"not in the wheel: {missing}"
    assert not [n for n in names if n.startswith(("tests/", "bench/"))]
    assert "store/migrations/script.py.mako" in names
    assert any(n.startswith("store/migrations/versions/") and n.endswith(".py") for n in names)
    assert any(n.startswith("templates/") and n.endswith(".toml") for n in names)


def test_sdist_holds_migrations_and_templates(built):
    _, sdist = built
    with tarfile.open(sdist) as tf:
        names = {m.name.split("/", 1)[1] for m in tf.getmembers() if "/" in m.name}
    missing = sorted(_shipped_files() - names)
    assert not missing, f"not in the sdist: {missing}"
    assert {"pyproject.toml", "README.md"} <= names


# Every module of the installed packages, from the venv and not the checkout. Alembic's env.py
# and revision scripts run only inside Alembic (the demo above ran them all).
IMPORT_ALL = """
import importlib, pkgutil, sys
venv = sys.argv[1]
count = 0
for name in ("console", "widgets", "store", "templates"):
    package = importlib.import_module(name)
    assert package.__file__.startswith(venv), (name, package.__file__)
    for info in pkgutil.walk_packages(package.__path__, name + "."):
        if info.name == "store.migrations.env" or info.name.startswith("store.migrations.versions."):
            continue
        module = importlib.import_module(info.name)
        assert (module.__file__ or "").startswith(venv), (info.name, module.__file__)
        count += 1
print(count)
"""


def test_installed_wheel_works_from_another_directory(built, tmp_path):
    wheel, _ = built
    venv, home, work = tmp_path / "venv", tmp_path / "home", tmp_path / "elsewhere"
    home.mkdir()
    work.mkdir()
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("SHIFTDESK_", "PYTHON", "VIRTUAL_ENV", "XDG_"))}
    env |= {"HOME": str(home), "SHIFTDESK_LANG": "en", "NO_COLOR": "1",
            "SHIFTDESK_CONFIG": str(home / "settings.toml"), "SHIFTDESK_LOG": str(home / "shiftdesk.log")}
    # The installer keeps the user's HOME, so its cache of downloaded wheels is reused; the
    # environment is still empty and every dependency is resolved and installed into it. uv
    # (a test dependency) does this in seconds where pip takes 15-45 s on this machine.
    install_env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    python = venv / "bin" / "python"
    started = time.perf_counter()
    uv = _uv()
    if uv:
        _run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], cwd=work, env=install_env)
        _run([uv, "pip", "install", "--quiet", "--python", str(python), str(wheel)], cwd=work, env=install_env,
             timeout=600)
    else:
        _run([sys.executable, "-m", "venv", str(venv)], cwd=work, env=install_env)
        _run([str(python), "-m", "pip", "install", "-q", str(wheel)], cwd=work, env=install_env, timeout=600)
    print(f"fresh venv + {'uv pip' if uv else 'pip'} install of the wheel: {time.perf_counter() - started:.1f} s")
    shiftdesk = str(venv / "bin" / "shiftdesk")

    version = _run([shiftdesk, "--version"], cwd=work, env=env).stdout
    assert version.strip() == "shiftdesk 0.2.0"
    assert "demo" in _run([shiftdesk, "--help"], cwd=work, env=env).stdout
    db = tmp_path / "demo.db"
    demo = _run([shiftdesk, "demo", "--no-open", "--tickets", "200", "--days", "2", "--db", str(db)],
                cwd=work, env=env)
    assert "Done:" in demo.stdout + demo.stderr
    report = json.loads(_run([shiftdesk, "--db", str(db), "report", "--format", "json"], cwd=work, env=env).stdout)
    assert report["schema"] == "shiftdesk.report/2"
    assert report["totals"]["received"] > 0
    count = _run([str(venv / "bin" / "python"), "-c", IMPORT_ALL, str(venv)], cwd=work, env=env).stdout
    assert int(count) > 100
    as_module = _run([str(venv / "bin" / "python"), "-m", "console", "--version"], cwd=work, env=env).stdout
    assert as_module.strip() == "shiftdesk 0.2.0"
