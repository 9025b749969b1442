"""Policies written in Python: the same results as the C++ ones, errors as exceptions."""
import collections

import pandas as pd
import pytest

from conftest import example


class PyLru:
    def __init__(self):
        self.order = collections.OrderedDict()

    def on_insert(self, key, size):
        self.order[key] = size

    def on_access(self, key):
        self.order.move_to_end(key)

    def on_remove(self, key, evicted):
        del self.order[key]

    def victim(self):
        return next(iter(self.order))


class PyCost:
    """The C++ Cost plugin, in Python: cheaper nodes score higher."""
    calls = 0

    def score(self, pod, node):
        PyCost.calls += 1
        return int(node.price_per_hour * 1000)

    def normalize(self, scores):
        m = max(scores) if scores else 0
        return [100 - (s * 100 // m if m > 0 else 0) for s in scores]


class PyStatic:
    def decide(self, metrics):
        return metrics["replicas"], "keep"


def test_python_lru_equals_cpp_lru(aq, quickstart):
    reg = aq.Registry()
    reg.add_eviction_policy("py-lru", PyLru, "LRU in Python")
    assert "py-lru" in {p["name"] for p in reg.eviction_policies}
    small = quickstart.with_policies()  # same experiment
    cpp = small.with_policies(eviction="lru").run("cache", registry=reg)
    py = small.with_policies(eviction="py-lru").run("cache", registry=reg)
    pd.testing.assert_frame_equal(cpp.jobs, py.jobs)
    pd.testing.assert_frame_equal(cpp.timeseries, py.timeseries)
    assert py.summary_dict["eviction"] == "py-lru"


def test_python_score_plugin_equals_cpp(aq):
    exp = aq.load_experiment(example("serverless", "arm64.yaml"))
    reg = aq.Registry()
    reg.add_score_plugin("PyCost", PyCost)
    PyCost.calls = 0
    cpp = exp.with_policies(score_plugins={"Cost": 3}).run("mixed-juicefs", registry=reg)
    py = exp.with_policies(score_plugins={"PyCost": 3}).run("mixed-juicefs", registry=reg)
    assert PyCost.calls > 100
    pd.testing.assert_frame_equal(cpp.jobs, py.jobs)
    plain = exp.run("mixed-juicefs")
    assert not plain.jobs["nodes"].equals(cpp.jobs["nodes"])  # the plugin does change placements


def test_python_autoscaler(aq):
    exp = aq.load_experiment(example("elasticity", "bursty.yaml"))
    reg = aq.Registry()
    reg.add_autoscaler("py-static", PyStatic)
    a = exp.with_policies(autoscaler="static").run(exp.scenarios[0], registry=reg)
    b = exp.with_policies(autoscaler="py-static").run(exp.scenarios[0], registry=reg)
    pd.testing.assert_frame_equal(a.jobs, b.jobs)

    class Grow:
        def decide(self, m):
            return min(m["replicas"] + 1, 4)

    reg.add_autoscaler("grow", Grow)
    g = exp.with_policies(autoscaler="grow").run(exp.scenarios[0], registry=reg)
    assert len(g.scaling) > 0 and g.scaling["to"].max() == 4


def test_exceptions_in_python_policies(aq, quickstart):
    class Broken(PyLru):
        def victim(self):
            raise ZeroDivisionError("no victim today")

    reg = aq.Registry()
    reg.add_eviction_policy("broken", Broken)
    with pytest.raises(ZeroDivisionError, match="no victim today") as info:
        quickstart.with_policies(eviction="broken").run("cache", registry=reg)
    assert any(tb.name == "victim" for tb in info.traceback)

    class Liar(PyLru):
        def victim(self):
            return (999, 999)

    reg.add_eviction_policy("liar", Liar)
    with pytest.raises(ValueError, match="not cached"):
        quickstart.with_policies(eviction="liar").run("cache", registry=reg)

    class Wordy:
        def score(self, pod, node):
            return "high"

    reg.add_score_plugin("wordy", Wordy)
    with pytest.raises(TypeError, match="must return an int"):
        quickstart.with_policies(score_plugins={"wordy": 1}).run("cache", registry=reg)

    class NoInit:
        def __init__(self):
            raise RuntimeError("cannot build")

        def score(self, pod, node):
            return 0

    reg.add_score_plugin("noinit", NoInit)
    with pytest.raises(RuntimeError, match="cannot build"):
        quickstart.with_policies(score_plugins={"noinit": 1}).run("cache", registry=reg)
    # Still alive, and the registry still works.
    assert quickstart.run("cache", registry=reg).summary_dict["completed"] == 160


def test_registry_checks_the_interface(aq):
    reg = aq.Registry()
    with pytest.raises(TypeError, match="must define victim"):
        reg.add_eviction_policy("half", type("Half", (), {"on_insert": 1, "on_access": 1, "on_remove": 1}))
    with pytest.raises(TypeError, match="must define score"):
        reg.add_score_plugin("none", object)
    with pytest.raises(ValueError, match="name"):
        reg.add_autoscaler("", PyStatic)


def test_base_classes(aq, quickstart):
    class Lazy(aq.EvictionPolicy):
        pass

    reg = aq.Registry()
    reg.add_eviction_policy("lazy", Lazy)
    with pytest.raises(NotImplementedError, match="on_insert"):
        quickstart.with_policies(eviction="lazy").run("cache", registry=reg)
