"""What the end-to-end scripts share: whether the control plane can run here."""
import os
import shutil
import subprocess


def control_plane_script(src):
    return os.path.join(src, "scripts", "control-plane.sh")


def skip_reason(src):
    """Why the e2e control plane cannot run on this machine, or None."""
    if shutil.which("kubectl") is None:
        return "kubectl is not installed"
    if subprocess.run(["bash", control_plane_script(src), "path"], capture_output=True).returncode != 0:
        return "the control plane is not built; run: bash scripts/control-plane.sh build"
    return None
