"""The memory guard: runs that would not fit are refused before anything is allocated."""

import resource
import subprocess
import sys

import pytest

from poisontui.engine import memory
from poisontui.engine.datasets import DATASETS
from poisontui.engine.errors import InputError
from poisontui.engine.experiment import Config

BIG = {"dataset": {"name": "synthetic", "params": {"n_samples": 200_000, "n_features": 500}}}


def test_every_dataset_knows_its_shape_before_loading():
    for cls in DATASETS.values():
        dataset = cls()
        assert dataset.shape() == dataset.load(0).X.shape, cls.name


def test_the_limit_is_read_from_this_machine():
    limit = memory.available()
    assert limit is not None and limit.bytes > 0 and limit.source


def test_a_run_too_big_for_the_memory_is_refused_before_loading(monkeypatch):
    monkeypatch.setattr(memory, "available", lambda: memory.Limit(2**30, "available on this machine"))
    monkeypatch.setattr(DATASETS["synthetic"], "load", lambda *a: pytest.fail("data was generated"))
    config = Config.from_dict(BIG)
    with pytest.raises(InputError) as caught:
        config.load_data()
    assert str(caught.value) == (
        "this run on 200,000 rows x 500 features needs an estimated 2.4 GiB of memory, more than the 1.0 GiB "
        "available on this machine; use fewer rows or features")


def test_components_add_their_copies_to_the_estimate():
    plain = Config.from_dict(BIG).memory_estimate(1000, 100)
    assert plain == memory.BASE_BYTES + 1000 * 100 * 8 * memory.RUN_COPIES
    filtered = Config.from_dict({**BIG, "mitigations": [{"name": "zscore-filter"}, {"name": "lof"}]})
    assert filtered.memory_estimate(1000, 100) == plain + 1000 * 100 * 8 * 2.75
    injected = Config.from_dict({**BIG, "attack": {"name": "injection", "params": {"ratio": 2.0}}})
    assert injected.memory_estimate(1000, 100) == plain + 1000 * 100 * 8 * 2.5


def test_parallel_sweep_jobs_count_once_each(monkeypatch):
    from poisontui.engine.sweep import SweepConfig, run_sweep

    config = Config.from_dict({"dataset": {"name": "iris"}})
    one = config.memory_estimate(150, 4)
    monkeypatch.setattr(memory, "available", lambda: memory.Limit(int(one * 1.5), "available on this machine"))
    config.load_data()  # one run fits
    sweep = SweepConfig(config, [0.1, 0.2], seeds=1, jobs=2)
    with pytest.raises(InputError, match="a sweep of 2 parallel jobs on 150 rows x 4 features needs .*; use fewer jobs"):
        next(run_sweep(sweep))


def _limit_address_space(limit: int):
    def apply():
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    return apply


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_cli_under_an_address_space_limit():
    # 1.5 GiB of address space: room for a small run, not for 200,000 x 500 (an estimated 2.4 GiB).
    limit = 3 * 2**29
    command = [sys.executable, "-m", "poisontui", "run", "--dataset"]
    big = subprocess.run(command + ["synthetic:n_samples=200000,n_features=500", "--mitigation", "none"],
                         capture_output=True, text=True,
                         preexec_fn=_limit_address_space(limit), timeout=120)
    assert big.returncode == 2 and big.stdout == ""
    assert big.stderr.startswith("error: this run on 200,000 rows x 500 features needs an estimated 2.4 GiB of "
                                 "memory, more than the ")
    assert big.stderr.endswith("left under the address-space limit (ulimit -v); use fewer rows or features\n")
    small = subprocess.run(command + ["iris"], capture_output=True, text=True,
                           preexec_fn=_limit_address_space(limit), timeout=120)
    assert small.returncode == 0, small.stderr
