"""`pip install .` into a fresh virtual environment (with Debian's packages
visible) gives a working `aqueduct` outside the source tree."""
import os
import subprocess
import sys
import textwrap

import pytest

from conftest import ROOT, example


def test_pip_install_into_a_fresh_venv(tmp_path):
    venv = tmp_path / "venv"
    subprocess.run(["/usr/bin/python3", "-m", "venv", "--system-site-packages", str(venv)],
                   check=True)
    pip = subprocess.run([str(venv / "bin" / "pip"), "install", "--no-input", "--quiet", ROOT],
                         capture_output=True, text=True, cwd=tmp_path,
                         env={**os.environ, "AQUEDUCT_BUILD_DIR": os.path.join(ROOT, "build"),
                              "PIP_NO_INDEX": "1"})
    assert pip.returncode == 0, pip.stdout + pip.stderr
    script = textwrap.dedent(f"""
        import os, aqueduct
        assert aqueduct.__file__.startswith({str(venv)!r}), aqueduct.__file__
        print(aqueduct.__version__)
        exp = aqueduct.load_experiment({example("quickstart", "experiment.yaml")!r})
        res = exp.run("cache")
        assert len(res.jobs) == 160 and res.jobs["jct_s"].notna().all()
        import aqueduct.plots as ap
        ap.save(ap.overview(res), "overview", ("png",))
        assert os.path.getsize("overview.png") > 5000
    """)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    run = subprocess.run([str(venv / "bin" / "python"), "-c", script], capture_output=True,
                         text=True, cwd=tmp_path, env={**env, "MPLBACKEND": "Agg"})
    assert run.returncode == 0, run.stdout + run.stderr
    with open(os.path.join(ROOT, "CMakeLists.txt")) as f:
        assert f"VERSION {run.stdout.strip()} " in f.read()
