"""A PEP 517 build backend that builds the `aqueduct` package with the
project's CMake build, so `pip install .` works with nothing from PyPI.

The wheel holds what CMake assembles in <build>/python/aqueduct: the compiled
extension (_aqueduct), the pure-Python modules, the stubs and the result
schema. The build directory is $AQUEDUCT_BUILD_DIR, else the project's own
`build/` when it is configured for this interpreter's ABI (after `make build`
only the extension's target is brought up to date), else
`build/wheel-<python tag>` (a full build of the libraries the extension uses).

Runtime dependencies (numpy, pandas, matplotlib; dask for sweeps) are Debian's
python3-* packages: install into a virtual environment created with
`--system-site-packages` so pip finds them there.
"""
from __future__ import annotations

import base64
import hashlib
import os
import re
import subprocess
import sys
import sysconfig
import zipfile
from typing import Dict, List, Optional, Tuple

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
NAME = "aqueduct"
REQUIRES = ["numpy", "pandas", "matplotlib"]


def _version() -> str:
    with open(os.path.join(ROOT, "CMakeLists.txt"), encoding="utf-8") as f:
        m = re.search(r"project\(aqueduct VERSION ([0-9.]+)", f.read())
    if not m:
        raise RuntimeError("CMakeLists.txt: no `project(aqueduct VERSION x.y.z)` line")
    return m.group(1)


def _tags() -> Tuple[str, str, str]:
    impl = f"cp{sys.version_info.major}{sys.version_info.minor}"
    plat = sysconfig.get_platform().replace("-", "_").replace(".", "_")
    return impl, impl, plat


def _log(msg: str) -> None:
    print(f"aqueduct-build: {msg}", file=sys.stderr, flush=True)


def _cache_value(build: str, key: str) -> Optional[str]:
    try:
        with open(os.path.join(build, "CMakeCache.txt"), encoding="utf-8") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return line.split("=", 1)[1].strip()
    except OSError:
        return None
    return None


def _same_abi(build: str) -> bool:
    """True when `build` makes the extension for this interpreter's ABI."""
    exe = _cache_value(build, "Python3_EXECUTABLE")
    if not exe or not os.path.exists(exe):
        return False
    probe = subprocess.run([exe, "-c", "import sysconfig; print(sysconfig.get_config_var('EXT_SUFFIX'))"],
                           capture_output=True, text=True)
    return probe.returncode == 0 and probe.stdout.strip() == sysconfig.get_config_var("EXT_SUFFIX")


def _build_dir() -> str:
    explicit = os.environ.get("AQUEDUCT_BUILD_DIR")
    if explicit:
        return os.path.abspath(explicit)
    default = os.path.join(ROOT, "build")
    if _same_abi(default):
        return default
    return os.path.join(ROOT, "build", "wheel-" + _tags()[0])


def _run(cmd: List[str]) -> None:
    _log(" ".join(cmd))
    proc = subprocess.run(cmd, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"`{' '.join(cmd)}` failed with exit status {proc.returncode}")


def _build() -> str:
    """Builds the extension; returns the folder holding the package."""
    build = _build_dir()
    if not os.path.exists(os.path.join(build, "CMakeCache.txt")):
        gen = ["-G", "Ninja"] if _which("ninja") else []
        _run(["cmake", "-S", ROOT, "-B", build, *gen, "-DCMAKE_BUILD_TYPE=Release",
              f"-DPython3_EXECUTABLE={_base_interpreter()}"])
    jobs = str(os.cpu_count() or 2)
    _run(["cmake", "--build", build, "--target", "aqueduct_python", "-j", jobs])
    pkg = os.path.join(build, "python", NAME)
    if not any(n.startswith("_aqueduct") and n.endswith(sysconfig.get_config_var("EXT_SUFFIX"))
               for n in os.listdir(pkg)):
        raise RuntimeError(f"{pkg}: no _aqueduct{sysconfig.get_config_var('EXT_SUFFIX')} after the "
                           f"build (is pybind11-dev and python3-dev installed?)")
    return pkg


def _base_interpreter() -> str:
    """The interpreter whose headers CMake builds against (a venv's base)."""
    base = getattr(sys, "_base_executable", None) or sys.executable
    return os.path.realpath(base)


def _which(tool: str) -> bool:
    return any(os.access(os.path.join(p, tool), os.X_OK)
               for p in os.environ.get("PATH", "").split(os.pathsep))


def _metadata() -> str:
    lines = ["Metadata-Version: 2.1", f"Name: {NAME}", f"Version: {_version()}",
             "Summary: Data-aware scheduling and caching of data-intensive jobs on Kubernetes: "
             "the simulator and its policies from Python",
             "Requires-Python: >=3.9"]
    lines += [f"Requires-Dist: {r}" for r in REQUIRES]
    lines += ["Provides-Extra: sweep", 'Requires-Dist: dask; extra == "sweep"',
              'Requires-Dist: distributed; extra == "sweep"']
    return "\n".join(lines) + "\n"


def _wheel_file() -> str:
    impl, abi, plat = _tags()
    return ("Wheel-Version: 1.0\nGenerator: aqueduct-build\nRoot-Is-Purelib: false\n"
            f"Tag: {impl}-{abi}-{plat}\n")


def _dist_info() -> str:
    return f"{NAME}-{_version()}.dist-info"


def _read(path: str) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def _stripped(so: str) -> bytes:
    """The extension without its debug sections (a tenth of the size), when
    `strip` is there; the build tree keeps its symbols."""
    import shutil
    import tempfile
    if not shutil.which("strip"):
        return _read(so)
    with tempfile.TemporaryDirectory() as tmp:
        copy = os.path.join(tmp, os.path.basename(so))
        shutil.copyfile(so, copy)
        if subprocess.run(["strip", "--strip-debug", copy]).returncode != 0:
            return _read(so)
        return _read(copy)


def _record_line(arcname: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{arcname},sha256={digest},{len(data)}"


# ---- PEP 517 hooks ---------------------------------------------------------

def get_requires_for_build_wheel(config_settings: Optional[Dict] = None) -> List[str]:
    return []


def prepare_metadata_for_build_wheel(metadata_directory: str,
                                     config_settings: Optional[Dict] = None) -> str:
    d = os.path.join(metadata_directory, _dist_info())
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "METADATA"), "w", encoding="utf-8") as f:
        f.write(_metadata())
    with open(os.path.join(d, "WHEEL"), "w", encoding="utf-8") as f:
        f.write(_wheel_file())
    return _dist_info()


def build_wheel(wheel_directory: str, config_settings: Optional[Dict] = None,
                metadata_directory: Optional[str] = None) -> str:
    pkg = _build()
    impl, abi, plat = _tags()
    name = f"{NAME}-{_version()}-{impl}-{abi}-{plat}.whl"
    records: List[str] = []
    path = os.path.join(wheel_directory, name)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for fname in sorted(os.listdir(pkg)):
            full = os.path.join(pkg, fname)
            if not os.path.isfile(full) or fname.endswith(".pyc"):
                continue
            data = _stripped(full) if fname.endswith(".so") else _read(full)
            arc = f"{NAME}/{fname}"
            z.writestr(arc, data)
            records.append(_record_line(arc, data))
        di = _dist_info()
        for fname, text in (("METADATA", _metadata()), ("WHEEL", _wheel_file())):
            data = text.encode()
            z.writestr(f"{di}/{fname}", data)
            records.append(_record_line(f"{di}/{fname}", data))
        records.append(f"{di}/RECORD,,")
        z.writestr(f"{di}/RECORD", "\n".join(records) + "\n")
    _log(f"wrote {path}")
    return name
