"""`aqueduct extender --objects`: documents of kinds it does not use are
skipped with a warning that names the file and the kinds (never silently), and
a document that is not a Kubernetes object is an error naming the file and the
document."""
import os
import subprocess
import time

from conftest import ROOT

AQUEDUCT = os.path.join(ROOT, "build", "cli", "aqueduct")

OBJECTS = """\
apiVersion: v1
kind: Node
metadata: {name: n1}
---
apiVersion: v1
kind: Service
metadata: {name: s1}
---
apiVersion: v1
kind: Service
metadata: {name: s2}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: c}
---
"""


def test_unused_kinds_are_skipped_with_a_warning(tmp_path):
    (tmp_path / "objects.yaml").write_text(OBJECTS)
    ext = subprocess.Popen(
        [AQUEDUCT, "extender", "--objects", "objects.yaml", "--listen", "127.0.0.1:0",
         "--ready-file", "ready"], cwd=tmp_path, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.time() + 20
        while not (tmp_path / "ready").exists() or not (tmp_path / "ready").read_text():
            assert ext.poll() is None, ext.stderr.read()
            assert time.time() < deadline, "the extender did not start"
            time.sleep(0.05)
    finally:
        ext.terminate()
        _, err = ext.communicate(timeout=20)
    assert ("--objects objects.yaml: skipped 3 document(s) of kinds the extender does not use"
            in err), err
    assert "ConfigMap, Service x2" in err, err


def test_a_document_that_is_not_an_object_is_an_error(tmp_path):
    (tmp_path / "objects.yaml").write_text(OBJECTS + "just a string\n")
    r = subprocess.run([AQUEDUCT, "extender", "--objects", "objects.yaml", "--listen",
                        "127.0.0.1:0"], cwd=tmp_path, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 2, r.stderr
    assert ("--objects objects.yaml: document 5: expected a Kubernetes object with a string kind"
            in r.stderr), r.stderr
