"""Smoke run of benchmarks/simulation.py: 200 seeded trials per scenario."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

SIMULATION_PY = Path(__file__).resolve().parents[1] / "benchmarks" / "simulation.py"

pytestmark = pytest.mark.bench


def _load():
    name = "her2resist_benchmarks_simulation"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, SIMULATION_PY)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def sim():
    return _load()


@pytest.fixture(scope="module")
def result(sim, tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("simulation")
    res = sim.main(["--trials", "200", "--out", str(out)])
    assert (out / "simulation.md").read_text().startswith("# Null simulation")
    assert json.loads((out / "simulation.json").read_text())["null"]["scenario"]["n_trials"] == 200
    return res


def test_type_one_error_within_generous_band(result: dict) -> None:
    # binomial SD at 5 % over 200 trials is 1.5 %; allow small-sample conservatism
    for name, entry in result["null"]["tests"].items():
        assert 0.01 <= entry["rate"] <= 0.10, (name, entry)
        assert entry["lcl"] <= entry["rate"] <= entry["ucl"]


def test_power_exceeds_type_one_error(result: dict) -> None:
    for name in result["null"]["tests"]:
        power = result["alternative"]["tests"][name]["rate"]
        assert power > result["null"]["tests"][name]["rate"] + 0.15, name


def test_scenario_is_as_specified(result: dict) -> None:
    null = result["null"]
    assert 0.15 <= null["censored_fraction"] <= 0.25
    assert 0.30 <= null["observed_prevalence"] <= 0.40


def test_vectorized_analysis_equals_public_api(result: dict) -> None:
    assert result["per_trial_check_max_rel_diff"] < 1e-9


def test_seeded_and_deterministic(sim) -> None:
    s = sim.Scenario(n_trials=50, seed=7)
    a = sim.analyse(*sim.simulate(s), s.min_altered)
    b = sim.analyse(*sim.simulate(s), s.min_altered)
    np.testing.assert_array_equal(a["logrank"], b["logrank"])


def test_monotone_trial_gets_firth_lr(sim) -> None:
    """A trial with no events among the altered: the LR p is Firth's (finite), Wald is blank."""
    rng = np.random.default_rng(3)
    n = 30
    time = rng.exponential(8.0, size=(1, n))
    altered = np.zeros((1, n))
    altered[0, :8] = 1
    event = np.ones((1, n))
    event[0, :8] = 0
    res = sim.analyse(time, event, altered, 3)
    assert res["monotone"][0]
    assert np.isnan(res["cox_wald"][0]) and 0 < res["cox_lr"][0] <= 1
