"""Every `aqueduct` command shown in README.md, docs/ and the folders' READMEs
still works: its subcommand exists, every flag it names is one the command
accepts, every repository file it names exists; the quick ones run exactly as
written (from a temporary folder), shown outputs are compared with what the
command prints, and long experiments are at least validated."""
import glob
import os
import re
import shlex
import subprocess

import pytest

from conftest import ROOT

AQUEDUCT = os.path.join(ROOT, "build", "cli", "aqueduct")
DOCS = ["README.md"] + sorted(os.path.relpath(p, ROOT) for p in
                              glob.glob(os.path.join(ROOT, "docs", "*.md")) +
                              glob.glob(os.path.join(ROOT, "*", "README.md")))

# Run exactly as written (each takes seconds); every other command is checked
# without running (services, clusters, mounts, runs of minutes).
RUN = [r"calibrate$", r"valdiate", r"--seeed", r"-o jsn", r"cache-sim --shuffled-epochs",
       r"cache-sim -f data/", r"sim run examples/serverless/",
       r"sim run examples/scheduling/alibaba", r"sim run examples/elasticity/diurnal"]


def _code_lines(text):
    """(line number, text) of lines in fenced or indented code blocks, with
    `\\` continuations joined."""
    out, fenced = [], False
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip().startswith("```"):
            fenced = not fenced
            out.append((i + 1, None))  # a block boundary
        elif fenced or line.startswith("    "):
            start, full = i + 1, line.strip()
            while full.endswith("\\") and i + 1 < len(lines):
                i += 1
                full = full[:-1].rstrip() + " " + lines[i].strip()
            out.append((start, full))
        else:
            out.append((i + 1, None))
        i += 1
    return out


def documented_commands():
    """(where, command, shown output lines or None, is a synopsis)."""
    found = []
    for doc in DOCS:
        with open(os.path.join(ROOT, doc), encoding="utf-8") as f:
            text = f.read()
        code = _code_lines(text)
        for k, (n, line) in enumerate(code):
            m = line and re.match(r"^(\$ )?(build/cli/)?aqueduct\s+(.*)$", line)
            if not m:
                continue
            shown = None
            if m.group(1):  # a prompt: the lines after it are its output
                shown = []
                for _, nxt in code[k + 1:]:
                    if nxt is None or nxt.startswith("$ "):
                        break
                    shown.append(nxt)
            found.append((f"{doc}:{n}", "aqueduct " + m.group(3), shown))
        for m in re.finditer(r"`((?:build/cli/)?aqueduct [^`]+)`", text.replace("\n", " ")):
            cmd = re.sub(r"^build/cli/", "", m.group(1))
            found.append((doc, cmd, None))
    return found


def is_synopsis(cmd):
    words = cmd.split()[1:]
    return any(c in cmd for c in "[|<") or "..." in cmd or any(
        re.fullmatch(r"[A-Z][A-Z_0-9.]*(\.yaml)?", w) or re.match(r"^[A-Z]+/", w) for w in words)


_HELP = {}


def help_of(path):
    if path not in _HELP:
        out = subprocess.run([AQUEDUCT, *path, "--help"], capture_output=True, text=True)
        assert out.returncode == 0, f"aqueduct {' '.join(path)} --help: {out.stderr}"
        text = out.stdout
        subs = set()
        if "Subcommands:" in text:
            for line in text.split("Subcommands:", 1)[1].splitlines():
                m = re.match(r"^\s{2}(\S+)", line)
                if m:
                    subs.add(m.group(1))
        opts = set(re.findall(r"(?<![\w-])(--?[A-Za-z][\w-]*)", text.split("Subcommands:")[0]))
        _HELP[path] = (subs, opts)
    return _HELP[path]


def check_command(where, cmd):
    """Subcommand, flags and repository paths of one command line."""
    words = cmd.split()[1:]
    path = ()
    subs, _ = help_of(())
    while words and not words[0].startswith("-") and subs:
        assert words[0] in subs, f"{where}: `{cmd}`: no subcommand {path + (words[0],)}"
        path += (words.pop(0),)
        subs, _ = help_of(path)
    _, opts = help_of(path)
    opts = opts | {"--help", "-h"} | (help_of(())[1] if not path else set())
    for w in words:
        for flag in re.findall(r"(?:^|\[)(--?[A-Za-z][\w*-]*)", w):
            if flag.endswith("*"):
                assert any(o.startswith(flag[:-1]) for o in opts), f"{where}: `{cmd}`: {flag}"
            else:
                assert flag in opts, (f"{where}: `{cmd}`: aqueduct {' '.join(path)} has no "
                                      f"option {flag}")
        for p in re.findall(r"^((?:examples|data|docs|tests|python)/[\w./-]+)", w):
            assert os.path.exists(os.path.join(ROOT, p)), f"{where}: `{cmd}`: no file {p}"
    return path


COMMANDS = documented_commands()


def test_the_docs_show_commands():
    assert len(COMMANDS) > 30
    assert any("sim run" in c for _, c, _ in COMMANDS)


@pytest.mark.parametrize("where,cmd,shown", COMMANDS,
                         ids=[f"{w}:{c[:60]}" for w, c, _ in COMMANDS])
def test_documented_command(where, cmd, shown, tmp_path):
    expect_usage_error = shown and shown[0].startswith("error:")
    path = () if expect_usage_error else check_command(where, cmd)
    if is_synopsis(cmd) or not any(re.search(r, cmd) for r in RUN):
        if not is_synopsis(cmd) and path[:2] == ("sim", "run") and len(cmd.split()) > 3:
            experiment = cmd.split()[3]
            out = subprocess.run([AQUEDUCT, "validate", "-q", experiment], cwd=ROOT,
                                 capture_output=True, text=True)
            assert out.returncode == 0, f"{where}: {experiment}: {out.stderr}"
        return
    # From the repository's root, as the docs mean, with what it writes sent
    # to a scratch folder.
    args = shlex.split(cmd)[1:]
    for i, a in enumerate(args[:-1]):
        if a in ("--out", "--mrc"):
            args[i + 1] = str(tmp_path / os.path.basename(args[i + 1]))
    if args[:2] == ["sim", "run"]:
        if "--out" not in args:
            args += ["--out", str(tmp_path / "out")]
        args += ["--no-progress", "--no-plots"]
    proc = subprocess.run([AQUEDUCT, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300)
    if expect_usage_error:
        assert proc.returncode == 2, f"{where}: `{cmd}` exit {proc.returncode}"
        assert proc.stderr.splitlines()[0] == shown[0], f"{where}: the docs show {shown[0]!r}"
        return
    assert proc.returncode == 0, f"{where}: `{cmd}` exit {proc.returncode}: {proc.stderr[-2000:]}"
    for line in shown or []:
        if line != "...":
            assert line in proc.stdout.splitlines(), f"{where}: the docs show {line!r}, " \
                                                     f"which `{cmd}` no longer prints"
