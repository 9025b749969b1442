#!/usr/bin/python3
"""scripts/image-build.sh builds the aqueduct image with buildah: the archive
names the image as the manifests do, its entrypoint is the binary, and the
root file system it holds runs: the binary, its shell tools and bash start
inside it (chroot), so no library is missing.

usage: image_build_test.py SRC_ROOT AQUEDUCT_BINARY
Exit 77 (skipped, the reason printed) without root, which buildah's storage
and chroot need here."""
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile


def main(src, aqueduct):
    if os.geteuid() != 0:
        print("SKIPPED: building the image needs root (buildah's storage, chroot)")
        return 77
    work = tempfile.mkdtemp(prefix="aqueduct-image-test-")
    try:
        archive = os.path.join(work, "image.tar")
        r = subprocess.run(["bash", os.path.join(src, "scripts", "image-build.sh"), "--aqueduct", aqueduct,
                            "--output", f"docker-archive:{archive}"], capture_output=True, text=True)
        if r.returncode != 0:
            raise SystemExit(f"image-build.sh failed:\n{r.stdout}{r.stderr}")
        with tarfile.open(archive) as t:
            manifest = json.load(t.extractfile("manifest.json"))[0]
            config = json.load(t.extractfile(manifest["Config"]))
            assert manifest["RepoTags"] in (["aqueduct/aqueduct:0.1.0"], ["docker.io/aqueduct/aqueduct:0.1.0"]), \
                manifest["RepoTags"]
            assert config["config"]["Entrypoint"] == ["/usr/local/bin/aqueduct"], config["config"]
            assert config["os"] == "linux" and config["architecture"], config
            assert len(manifest["Layers"]) == 1, manifest["Layers"]
            rootfs = os.path.join(work, "rootfs")
            os.makedirs(rootfs)
            with tarfile.open(fileobj=t.extractfile(manifest["Layers"][0])) as layer:
                names = layer.getnames()
                layer.extractall(rootfs)
        for want in ("usr/local/bin/aqueduct", "bin/busybox", "bin/sh", "bin/bash", "etc/passwd"):
            assert want in names, f"{want} is not in the image"
        runs = {
            "aqueduct version": ["/usr/local/bin/aqueduct", "version"],
            "busybox sh": ["/bin/sh", "-c", "echo ok from sh"],
            "bash": ["/bin/bash", "-c", "echo ok from bash"],
        }
        chroot = shutil.which("chroot") or "/usr/sbin/chroot"
        for what, cmd in runs.items():
            r = subprocess.run([chroot, rootfs, *cmd], capture_output=True, text=True,
                               env={"PATH": "/usr/local/bin:/bin"})
            if r.returncode != 0:
                raise SystemExit(f"{what} does not run in the image: {r.stderr.strip()}")
        version = subprocess.run([chroot, rootfs, "/usr/local/bin/aqueduct", "version"], capture_output=True,
                                 text=True).stdout.splitlines()[0]
        size = os.path.getsize(archive) / 2**20
        print(f"image build: aqueduct/aqueduct:0.1.0 ({config['architecture']}, {size:.0f} MiB, one layer of "
              f"{len(names)} entries) built with buildah; '{version}', sh and bash run inside it")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
