"""`aqueduct completion bash|zsh`: the generated script completes subcommands
and flags at each level, and files where neither applies."""
import os
import shutil
import subprocess

import pytest

from conftest import ROOT

AQUEDUCT = os.path.join(ROOT, "build", "cli", "aqueduct")


def complete(*words):
    script = subprocess.run([AQUEDUCT, "completion", "bash"], capture_output=True, text=True,
                            check=True).stdout
    line = " ".join(f"'{w}'" for w in ("aqueduct",) + words)
    probe = (f"{script}\nCOMP_WORDS=({line}); COMP_CWORD={len(words)}; _aqueduct; "
             'printf "%s\\n" "${COMPREPLY[@]}"')
    out = subprocess.run(["bash", "-c", probe], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def test_subcommands_and_flags_at_each_level():
    assert complete("val") == ["validate"]
    assert complete("sim", "r") == ["run"]
    assert complete("sim", "run", "--se") == ["--seed"]
    assert complete("sim", "run", "examples/quickstart/experiment.yaml", "--no-p") == \
        ["--no-progress", "--no-plots"]
    assert complete("fuse", "mount", "--work") == [
        "--workers", "--worker-token-file", "--worker-tls-ca", "--worker-tls-cert",
        "--worker-tls-key", "--worker-tls-server-name"]
    assert "--log-format" in complete("worker", "--log")


def test_files_where_no_word_applies():
    assert complete("validate", "examples/quickstart/exp") == ["examples/quickstart/experiment.yaml"]


def test_zsh_script_and_bad_shell():
    z = subprocess.run([AQUEDUCT, "completion", "zsh"], capture_output=True, text=True, check=True)
    assert z.stdout.startswith("autoload -U +X bashcompinit && bashcompinit\n")
    if shutil.which("zsh"):
        r = subprocess.run(["zsh", "-c", z.stdout], capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
    bad = subprocess.run([AQUEDUCT, "completion", "fish"], capture_output=True, text=True)
    assert bad.returncode == 2 and '"fish" is not one of bash, zsh' in bad.stderr
