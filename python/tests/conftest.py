import os
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def example(*parts):
    return os.path.join(ROOT, "examples", *parts)


@pytest.fixture(scope="session")
def aq():
    import aqueduct
    return aqueduct


@pytest.fixture(scope="session")
def quickstart(aq):
    return aq.load_experiment(example("quickstart", "experiment.yaml"))
