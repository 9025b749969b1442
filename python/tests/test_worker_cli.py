"""`aqueduct worker` with mutual TLS and a token, and `aqueduct load` into it,
as a user runs them: certificates from `aqueduct worker-tls`, a worker on
127.0.0.1, loads with and without the credentials. A load that leaves blocks
out of the cache fails and lists no file as done; a load with them stores every
block, as a second load (all cached) shows."""
import os
import subprocess
import time

import pytest

from conftest import ROOT

AQUEDUCT = os.path.join(ROOT, "build", "cli", "aqueduct")


def run(*args, cwd):
    return subprocess.run([AQUEDUCT, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=60)


@pytest.fixture
def tls_worker(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "a").write_bytes(os.urandom(5_000_000))
    (data / "b").write_bytes(os.urandom(100))
    issued = run("worker-tls", "--out", "certs", "--ip", "127.0.0.1", cwd=tmp_path)
    assert issued.returncode == 0, issued.stderr
    assert oct((tmp_path / "certs" / "tls.key").stat().st_mode & 0o777) == "0o600"
    (tmp_path / "tok").write_text("s3cret\n")
    os.chmod(tmp_path / "tok", 0o600)
    worker = subprocess.Popen(
        [AQUEDUCT, "worker", "--listen", "127.0.0.1:0", "--tier", "mem:64Mi",
         "--ready-file", "ready", "--token-file", "tok", "--tls-ca", "certs/ca.crt",
         "--tls-cert", "certs/tls.crt", "--tls-key", "certs/tls.key"],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 20
    while not (tmp_path / "ready").exists() or not (tmp_path / "ready").read_text():
        assert worker.poll() is None, worker.stderr.read()
        assert time.time() < deadline, "the worker did not start"
        time.sleep(0.05)
    yield tmp_path, (tmp_path / "ready").read_text().strip()
    worker.terminate()
    worker.wait(timeout=20)


TLS = ["--worker-tls-ca", "certs/ca.crt", "--worker-tls-cert", "certs/tls.crt",
       "--worker-tls-key", "certs/tls.key"]


def load(cwd, address, *extra):
    return run("load", "--source", f"local://{cwd / 'data'}", "--workers", address,
               "--block-size", "1Mi", *extra, cwd=cwd)


def test_a_load_without_the_credentials_fails_and_marks_nothing_done(tls_worker):
    cwd, address = tls_worker
    for extra in ([], ["--worker-token-file", "tok"], TLS):
        r = load(cwd, address, "--state-file", "state", *extra)
        assert r.returncode == 2, (extra, r.stderr)
        assert "6 of 6 blocks were read but not stored on the workers" in r.stderr, r.stderr
        assert (cwd / "state").read_text() == "", "no file is listed as done"
    wrong = cwd / "wrong"
    wrong.write_text("not-the-token")
    os.chmod(wrong, 0o600)
    r = load(cwd, address, "--worker-token-file", "wrong", *TLS)
    assert r.returncode == 2 and "needs its token" in r.stderr, r.stderr


def test_a_load_with_them_stores_every_block(tls_worker):
    cwd, address = tls_worker
    r = load(cwd, address, "--worker-token-file", "tok", "--state-file", "state", *TLS)
    assert r.returncode == 0, r.stderr
    assert "6 blocks read from the source, 0 already cached" in r.stderr, r.stderr
    assert (cwd / "state").read_text().split() == ["/a", "/b"]
    again = load(cwd, address, "--worker-token-file", "tok", *TLS)
    assert again.returncode == 0, again.stderr
    assert "0 blocks read from the source, 6 already cached" in again.stderr, again.stderr


def test_bad_tls_flags_are_named(tls_worker):
    cwd, address = tls_worker
    r = load(cwd, address, "--worker-tls-ca", "certs/ca.crt")
    assert r.returncode == 2
    assert "--worker-tls-ca, --worker-tls-cert and --worker-tls-key go together" in r.stderr
    r = load(cwd, address, "--worker-tls-server-name", "x")
    assert r.returncode == 2 and "--worker-tls-server-name needs" in r.stderr, r.stderr
    os.chmod(cwd / "certs" / "tls.key", 0o644)
    r = run("worker", "--listen", "127.0.0.1:0", "--tier", "mem:1Mi", "--tls-ca", "certs/ca.crt",
            "--tls-cert", "certs/tls.crt", "--tls-key", "certs/tls.key", cwd=cwd)
    assert r.returncode == 2
    assert "--tls-key certs/tls.key: anyone on this machine can read it" in r.stderr, r.stderr
