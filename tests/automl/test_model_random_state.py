"""numpy's RandomState and Generator in a pickle (most models carry one through a ``random_state``): its
pickling helpers are allowed exactly as numpy calls them, and flagged when called any other way."""

import collections
import json
import os
import pickle

import numpy as np
import pytest
from numpy.random import _pickle as numpy_pickle
from sklearn.ensemble import RandomForestClassifier, VotingClassifier
from sklearn.linear_model import LogisticRegression

from core.automl.modelfile import report as modelfile

X = np.random.default_rng(0).normal(size=(80, 3))
Y = (X[:, 0] > 0).astype(int)
RANDOMSTATE_CTOR = getattr(numpy_pickle, "__randomstate_ctor")
BIT_GENERATOR_CTOR = getattr(numpy_pickle, "__bit_generator_ctor")


def verdict_of(obj):
    return modelfile.read_bytes(pickle.dumps(obj), "model.pkl").verdict


def test_a_voting_ensemble_holding_a_forest_with_a_random_state_is_allow_listed():
    forest = RandomForestClassifier(n_estimators=3, random_state=np.random.RandomState(0))
    model = VotingClassifier([("rf", forest), ("lr", LogisticRegression())], voting="soft").fit(X, Y)
    verdict = verdict_of(model)
    names = set(verdict.imports["name"])
    assert {"__randomstate_ctor", "__bit_generator_ctor", "MT19937"} <= names  # really in the file
    assert (verdict.level, verdict.warnings, verdict.findings) == ("allow-listed", [], [])
    assert verdict.headline().startswith("allow-listed: all ")


@pytest.mark.parametrize("bit_generator", ["MT19937", "PCG64", "PCG64DXSM", "Philox", "SFC64"])
def test_a_generator_of_every_bit_generator_is_allow_listed(bit_generator):
    rng = np.random.Generator(getattr(np.random, bit_generator)(7))
    verdict = verdict_of({"rng": rng, "legacy": np.random.RandomState(1), "default": np.random.default_rng()})
    assert "__generator_ctor" in set(verdict.imports["name"])
    assert verdict.safe and verdict.level == "allow-listed", verdict.warnings + verdict.findings


class _Reduce:
    """An object whose pickle calls ``func(*args)``: how a hostile file is made."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


@pytest.mark.parametrize(
    "hostile, flagged",
    [
        (_Reduce(RANDOMSTATE_CTOR, "echo owned", os.system), {"__randomstate_ctor", "system"}),
        (_Reduce(BIT_GENERATOR_CTOR, LogisticRegression), {"__bit_generator_ctor"}),
        (_Reduce(RANDOMSTATE_CTOR, "not-a-bit-generator"), {"__randomstate_ctor"}),
    ],
    ids=["a-second-callable", "another-class", "an-unknown-name"],
)
def test_numpys_helpers_called_any_other_way_are_still_flagged(hostile, flagged):
    verdict = verdict_of(hostile)
    outside = set(verdict.imports.loc[~verdict.imports["allowed"], "name"])
    assert flagged <= outside and not verdict.safe, verdict.imports


def test_the_model_commands_exit_status_says_the_verdict(run, tmp_path):
    forest = RandomForestClassifier(n_estimators=2, random_state=np.random.RandomState(3)).fit(X, Y)
    files = {"forest.pkl": forest, "counter.pkl": collections.Counter(a=1)}
    files["hostile.pkl"] = _Reduce(RANDOMSTATE_CTOR, "echo owned", os.system)
    for name, obj in files.items():
        (tmp_path / name).write_bytes(pickle.dumps(obj))
    said = {name: run("model", str(tmp_path / name), "--json") for name in files}
    assert {name: (out.returncode, json.loads(out.stdout)["verdict"]) for name, out in said.items()} == {
        "forest.pkl": (0, "allow-listed"),
        "counter.pkl": (3, "warning"),  # collections.Counter: outside the allow-list, nothing malicious
        "hostile.pkl": (1, "malicious"),
    }
    assert "exit status: 0 allow-listed" in run("model", "--help").stdout
