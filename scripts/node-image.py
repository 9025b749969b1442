#!/usr/bin/env python3
"""Builds a container image without a registry or a container engine: a
single-layer image in `docker save` format (manifest.json + config + layer),
which `ctr images import` reads. The layer holds the given files, each
executable's shared libraries (from ldd, at their own paths) and, with
--busybox, a static busybox with all its applets in /bin.

usage: node-image.py --name REF --out TAR [--entrypoint PATH] [--busybox]
                     [--file DEST=SRC ...] [--with-libs DEST=SRC ...] [--layer-only]

With --layer-only, TAR is the layer alone (the image's root file system as a
tar), for a container engine to build on (scripts/image-build.sh).

Same inputs give the same bytes (fixed modification times and ownership).
"""
import argparse
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile


def fail(msg):
    sys.exit(f"node-image: error: {msg}")


def shared_libraries(path):
    """The absolute paths ldd names for `path` (none for a static binary)."""
    out = subprocess.run(["ldd", path], capture_output=True, text=True)
    libs = []
    for line in out.stdout.splitlines():
        parts = line.split()
        for p in parts:
            if p.startswith("/") and os.path.exists(p):
                libs.append(p)
    return libs


class Layer:
    def __init__(self):
        self.buf = io.BytesIO()
        self.tar = tarfile.open(fileobj=self.buf, mode="w", format=tarfile.PAX_FORMAT)
        self.names = set()

    def _info(self, name, kind, mode):
        ti = tarfile.TarInfo(name.lstrip("/"))
        ti.type, ti.mode, ti.mtime, ti.uid, ti.gid = kind, mode, 0, 0, 0
        ti.uname = ti.gname = "root"
        return ti

    def dirs(self, path):
        parts = path.strip("/").split("/")[:-1]
        for i in range(len(parts)):
            d = "/".join(parts[: i + 1])
            if d not in self.names:
                self.names.add(d)
                self.tar.addfile(self._info(d, tarfile.DIRTYPE, 0o755))

    def dir(self, path, mode=0o755):
        self.dirs(path + "/x")

    def file(self, dest, src):
        dest = dest.lstrip("/")
        if dest in self.names:
            return
        if not os.path.isfile(src):
            fail(f"{src}: no such file (for {dest} in the image)")
        self.dirs(dest)
        self.names.add(dest)
        data = open(src, "rb").read()
        ti = self._info(dest, tarfile.REGTYPE, os.stat(src).st_mode & 0o7777)
        ti.size = len(data)
        self.tar.addfile(ti, io.BytesIO(data))

    def text(self, dest, content, mode=0o644):
        dest = dest.lstrip("/")
        self.dirs(dest)
        self.names.add(dest)
        data = content.encode()
        ti = self._info(dest, tarfile.REGTYPE, mode)
        ti.size = len(data)
        self.tar.addfile(ti, io.BytesIO(data))

    def symlink(self, dest, target):
        dest = dest.lstrip("/")
        if dest in self.names:
            return
        self.dirs(dest)
        self.names.add(dest)
        ti = self._info(dest, tarfile.SYMTYPE, 0o777)
        ti.linkname = target
        self.tar.addfile(ti)

    def bytes(self):
        self.tar.close()
        return self.buf.getvalue()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--name", required=True, help="image reference, e.g. aqueduct.local/pause:3.4.1")
    ap.add_argument("--out", required=True)
    ap.add_argument("--entrypoint", action="append", default=[])
    ap.add_argument("--busybox", action="store_true")
    ap.add_argument("--file", action="append", default=[], metavar="DEST=SRC")
    ap.add_argument("--with-libs", action="append", default=[], metavar="DEST=SRC")
    ap.add_argument("--layer-only", action="store_true", help="write the layer's tar only")
    a = ap.parse_args()

    layer = Layer()
    for d in ["tmp", "etc", "dev", "proc", "sys", "run", "var/run"]:
        layer.dir(d)
    layer.text("/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n")
    layer.text("/etc/group", "root:x:0:\nnogroup:x:65534:\n")
    layer.text("/etc/nsswitch.conf", "hosts: files dns\npasswd: files\ngroup: files\n")
    libs = []
    for spec in a.file + a.with_libs:
        if "=" not in spec:
            fail(f"--file/--with-libs {spec!r}: expected DEST=SRC")
    for spec in a.file:
        dest, src = spec.split("=", 1)
        layer.file(dest, src)
    for spec in a.with_libs:
        dest, src = spec.split("=", 1)
        layer.file(dest, src)
        libs += shared_libraries(src)
    if a.busybox:
        bb = "/bin/busybox"
        if not os.path.isfile(bb) or shared_libraries(bb):
            fail("--busybox needs Debian's busybox-static at /bin/busybox")
        layer.file("/bin/busybox", bb)
        applets = subprocess.run([bb, "--list"], capture_output=True, text=True).stdout.split()
        for applet in sorted(applets):
            if applet != "busybox":
                layer.symlink(f"/bin/{applet}", "busybox")
    for lib in sorted(set(libs)):
        real = os.path.realpath(lib)
        layer.file(real, real)
        if real != lib:
            layer.symlink(lib, os.path.relpath(real, os.path.dirname(lib)))

    blob = layer.bytes()
    if a.layer_only:
        with open(a.out, "wb") as f:
            f.write(blob)
        return
    diff_id = "sha256:" + hashlib.sha256(blob).hexdigest()
    config = {
        "architecture": {"x86_64": "amd64", "aarch64": "arm64"}.get(os.uname().machine, os.uname().machine),
        "os": "linux",
        "created": "1970-01-01T00:00:00Z",
        "config": {"Entrypoint": a.entrypoint or None,
                   "Env": ["PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin"]},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created": "1970-01-01T00:00:00Z", "created_by": "scripts/node-image.py"}],
    }
    cfg = json.dumps(config, sort_keys=True).encode()
    cfg_name = hashlib.sha256(cfg).hexdigest() + ".json"
    manifest = json.dumps([{"Config": cfg_name, "RepoTags": [a.name], "Layers": ["layer.tar"]}]).encode()

    with tarfile.open(a.out, "w", format=tarfile.PAX_FORMAT) as out:
        for name, data in [("layer.tar", blob), (cfg_name, cfg), ("manifest.json", manifest)]:
            ti = tarfile.TarInfo(name)
            ti.size, ti.mtime, ti.mode = len(data), 0, 0o644
            out.addfile(ti, io.BytesIO(data))
    print(f"node-image: {a.name}: {len(blob) / 1e6:.1f} MB layer -> {a.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
