"""The static model reader: real scikit-learn pickles (made here), AutoML's pickles naming classes that are
not installed (written opcode by opcode), hostile pickles that must never run, truncated and garbage files,
and ``python -m core.automl model``."""

import json
import pickle
import subprocess
import sys

import numpy as np
import pytest

from core.automl import AutoMLError
from core.automl.modelfile import report as modelfile
from core.automl.modelfile.pickle_reader import MAX_MODEL_BYTES
from core.runtime.i18n import translator
from tests.support.automl_pickles import Call, Make, Ref, automl_model, dumps, hostile

sklearn = pytest.importorskip("sklearn")
from sklearn.ensemble import RandomForestClassifier, VotingClassifier  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.pipeline import Pipeline  # noqa: E402
from sklearn.preprocessing import MinMaxScaler, StandardScaler  # noqa: E402
from sklearn.tree import DecisionTreeClassifier  # noqa: E402

X = np.random.default_rng(0).random((60, 3))
Y = (X[:, 0] > 0.5).astype(int)


def fitted_pipeline():
    return Pipeline([("scaler", StandardScaler()), ("clf", LogisticRegression(C=0.5, max_iter=200))]).fit(
        X, Y
    )


def members(node):
    return [(m.role, m.node.name, m.weight) for m in node.children]


@pytest.mark.parametrize("protocol", [0, 2, 4, 5])
def test_a_fitted_pipeline_of_a_scaler_and_a_classifier(protocol):
    report = modelfile.read_bytes(pickle.dumps(fitted_pipeline(), protocol=protocol), "pipe.pkl")
    root = report.root
    assert (root.cls, members(root)) == (
        "sklearn.pipeline.Pipeline",
        [("scaler", "StandardScaler", None), ("clf", "LogisticRegression", None)],
    )
    clf = root.children[1].node
    assert clf.params["C"] == 0.5 and clf.params["max_iter"] == 200 and clf.params["solver"] == "lbfgs"
    assert not [k for k in clf.params if k.endswith("_")]  # fitted attributes (coef_ …) are not parameters
    assert report.verdict.safe and report.verdict.level == "allow-listed"
    assert ("sklearn.pipeline", "Pipeline") in set(
        zip(report.verdict.imports["module"], report.verdict.imports["name"], strict=True)
    )


def test_a_soft_voting_classifier_of_three_with_weights():
    vote = VotingClassifier(
        [
            ("lr", LogisticRegression()),
            ("tree", DecisionTreeClassifier(max_depth=3)),
            ("forest", RandomForestClassifier(n_estimators=3)),
        ],
        voting="soft",
        weights=[2, 1, 1],
    ).fit(X, Y)
    report = modelfile.read_bytes(pickle.dumps(vote), "vote.pkl")
    assert members(report.root) == [
        ("lr", "LogisticRegression", 2.0),
        ("tree", "DecisionTreeClassifier", 1.0),
        ("forest", "RandomForestClassifier", 1.0),
    ]
    assert report.root.params["voting"] == "soft" and report.root.children[1].node.params["max_depth"] == 3
    lines = modelfile.tree_lines(report.root)
    assert lines[1].startswith("├─ lr · weight 2: LogisticRegression(") and lines[0].startswith(
        "VotingClassifier("
    )


def test_a_nested_pipeline():
    inner = Pipeline(
        [("minmax", MinMaxScaler(feature_range=(-1, 1))), ("scale", StandardScaler(with_mean=False))]
    )
    outer = Pipeline([("prep", inner), ("clf", DecisionTreeClassifier(max_depth=2))]).fit(X, Y)
    root = modelfile.read_bytes(pickle.dumps(outer), "nested.pkl").root
    prep = root.children[0].node
    assert members(root) == [("prep", "Pipeline", None), ("clf", "DecisionTreeClassifier", None)]
    assert members(prep) == [("minmax", "MinMaxScaler", None), ("scale", "StandardScaler", None)]
    assert prep.children[0].node.params["feature_range"] == [-1, 1]
    assert prep.children[1].node.params["with_mean"] is False


def test_automls_pipeline_as_the_course_notebook_prints_it():
    report = modelfile.read_bytes(automl_model(), "model_data")
    lines = modelfile.tree_lines(report.root)
    assert lines[0] == "PipelineWithYTransformations(y_transformer_name='LabelEncoder')"
    text = "\n".join(lines)
    for expected in (
        "├─ pipeline: Pipeline(memory=None, verbose=False)",
        "│  ├─ datatransformer: DataTransformer(enable_dnn=False, enable_feature_sweeping=True,",
        "│  └─ prefittedsoftvotingclassifier: PreFittedSoftVotingClassifier(weights=[0.6, 0.4],",
        "│     ├─ 1 · weight 0.6: Pipeline(",
        "│     │  ├─ standardscalerwrapper: StandardScalerWrapper(class_name='StandardScaler',",
        "│     │  └─ xgboostclassifier: XGBoostClassifier(booster='gbtree', eta=0.4, max_depth=6,",
        "│     │     └─ model: XGBClassifier(max_depth=6, learning_rate=0.4)",
        "│     └─ 0 · weight 0.4: Pipeline(",
        "│        └─ lightgbmclassifier: LightGBMClassifier(boosting_type='gbdt',",
        "└─ y_transformer: LabelEncoder()",
    ):
        assert expected in text, expected
    assert (
        report.verdict.safe and len(report.verdict.imports) == 11
    )  # AutoML, xgboost, lightgbm: allow-listed
    named = set(report.verdict.imports["module"])
    assert not [
        m
        for m in named
        if m.startswith(("azureml.automl", "azureml.training", "xgboost", "lightgbm")) and m in sys.modules
    ]  # nothing the file names was imported


@pytest.mark.parametrize("kind", ["os", "eval", "subprocess"])
def test_a_hostile_pickle_is_reported_and_never_runs(kind, tmp_path):
    canary = tmp_path / "canary"
    blob = hostile(kind, str(canary))
    report = modelfile.read_bytes(blob, f"{kind}.pkl")
    assert not canary.exists()
    named = {"os": "posix.system", "eval": "builtins.eval", "subprocess": "subprocess.check_call"}[kind]
    assert not report.verdict.safe and report.verdict.level == "malicious"
    (warning,) = report.verdict.warnings
    assert (
        warning.startswith(f"{named} is outside the allow-list") and str(canary) in warning
    )  # what it would run
    assert report.verdict.findings  # fickling's own analysis agrees
    assert report.verdict.headline().startswith("MALICIOUS: 1 of 2 globals")
    assert "hook" in [m.role for m in report.root.children]
    text = report.text()
    assert f"!!  {named}" in text and not canary.exists()


def test_the_verdict_of_a_safe_file_in_spanish_keeps_its_machine_fields_english():
    es = translator("es")
    report = modelfile.read_bytes(automl_model(), "model.pkl", _=es)
    headline = report.verdict.headline(_=es)
    assert headline == "en la lista permitida: los 11 globales que importaría están en bibliotecas de ML"
    assert report.verdict.level == "allow-listed" and report.verdict.reasons(_=es) == []
    assert report.to_dict()["headline"] == "allow-listed: all 11 globals it would import are in ML libraries"
    lines = modelfile.tree_lines(report.root, _=es)
    assert any(" · peso 0,6: " in line for line in lines) and lines == [
        line.replace(" · weight 0.6:", " · peso 0,6:").replace(" · weight 0.4:", " · peso 0,4:")
        for line in modelfile.tree_lines(report.root)
    ]
    plain = modelfile.read_bytes(pickle.dumps(1.5, protocol=0), "float.pkl").verdict
    assert plain.headline(_=es) == "en la lista permitida: no importa ningún global (datos simples)"


@pytest.mark.parametrize("kind", ["os", "eval"])
def test_the_verdict_of_a_hostile_file_in_spanish(kind, tmp_path):
    canary = tmp_path / "canary"
    es = translator("es")
    report = modelfile.read_bytes(hostile(kind, str(canary)), f"{kind}.pkl", _=es)
    named = {"os": "posix.system", "eval": "builtins.eval"}[kind]
    assert report.verdict.level == "malicious" and not canary.exists()
    assert report.verdict.headline(_=es) == (
        "MALICIOSO: 1 de 2 globales están fuera de la lista permitida; nunca cargues este archivo"
    )
    (reason,) = report.verdict.reasons(_=es)
    assert reason.startswith(f"{named} está fuera de la lista permitida de bibliotecas de ML: cargar este")
    assert "lo importaría y llamaría a " in reason and str(canary) in reason
    assert report.verdict.reasons() == report.verdict.warnings  # English: the --json warnings
    assert report.verdict.warnings[0].startswith(f"{named} is outside the allow-list")


@pytest.mark.parametrize(
    ("blob", "said"),
    [
        (b"", "model.pkl: el archivo está vacío; se esperaba un pickle (model.pkl, model_data)"),
        (b"ONNX\x08rest", "model.pkl: no es un pickle sino un modelo ONNX"),
        (b"PK\x03\x04rest", "model.pkl: no es un pickle sino un archivo zip (un archivo de PyTorch u ONNX"),
        (b'{"run_1": {"accuracy": [0.9]}}', "model.pkl: no es un pickle sino texto que parece JSON"),
        (automl_model()[:-1], "model.pkl: truncado: el pickle termina antes de su opcode STOP"),
    ],
)
def test_a_refused_file_gets_its_one_line_in_spanish(blob, said):
    with pytest.raises(AutoMLError) as caught:
        modelfile.read_bytes(blob, "model.pkl", _=translator("es"))
    assert str(caught.value).startswith(said) and "\n" not in str(caught.value)


def test_the_terminals_text_in_spanish(tmp_path):
    es = translator("es")
    report = modelfile.read_bytes(hostile("os", str(tmp_path / "canary")), "os.pkl", _=es)
    lines = report.text(_=es).splitlines()
    assert lines[0].startswith("os.pkl: ") and "protocolo de pickle" in lines[0]
    assert lines[0].endswith("leído estáticamente, nunca deserializado")
    assert lines[1].startswith("veredicto: MALICIOSO: 1 de 2 globales")
    assert "globales que importaría (2):" in lines and any(
        line.startswith("  !!  posix.system") for line in lines
    )
    assert any(line.startswith("advertencia: posix.system está fuera") for line in lines)
    assert report.text().splitlines()[1].startswith("verdict: MALICIOUS: 1 of 2 globals")  # English as before


def test_size_limit_and_trailing_bytes_in_spanish():
    es = translator("es")
    with pytest.raises(AutoMLError, match="superan el límite de 0 MB"):
        modelfile.read_bytes(automl_model(), "big.pkl", max_bytes=10, _=es)
    report = modelfile.read_bytes(automl_model() + b"\x00" * 16, "tail.pkl", _=es)
    assert report.notes == ["no se leyeron 16 bytes después del STOP del pickle"]


@pytest.mark.slow
def test_the_hostile_pickle_is_real(tmp_path):
    """The control: the same bytes, unpickled in a child process, do create the canary."""
    canary = tmp_path / "canary"
    code = "import pickle, sys; pickle.loads(sys.stdin.buffer.read())"
    subprocess.run([sys.executable, "-c", code], input=hostile("eval", str(canary)), check=False, timeout=60)
    assert canary.exists()


def test_an_allowed_library_cannot_smuggle_code_in():
    blob = dumps(
        Make(
            Ref("sklearn.linear_model._logistic", "LogisticRegression"),
            {
                "a": Call(Ref("numpy.testing._private.utils", "runstring"), ("print(1)", {})),
                "b": Call(Ref("pandas", "read_pickle"), ("/tmp/x.pkl",)),
            },
        )
    )
    report = modelfile.read_bytes(blob, "smuggle.pkl")
    outside = report.verdict.imports[~report.verdict.imports["allowed"]]
    assert set(outside["name"]) == {"runstring", "read_pickle"} and not report.verdict.safe


@pytest.mark.parametrize(
    ("blob", "said"),
    [
        (b"", "the file is empty"),
        (automl_model()[:-1], "truncated: the pickle ends before its STOP opcode"),
        (automl_model()[:700], "truncated"),
        (b"\x80\x04", "truncated"),
        (b"\x00garbage\xff" * 30, "not a pickle"),
        (b"Hello, this is text.", "not a pickle"),
        (b'{"run_1": {"accuracy": [0.9]}}', "not a pickle but text that looks like JSON"),
        (b"\x1f\x8b\x08\x00rest", "not a pickle but gzip-compressed data"),
        (b"PK\x03\x04rest", "not a pickle but a zip archive"),
    ],
)
def test_truncated_and_garbage_files_get_one_clear_line(blob, said):
    with pytest.raises(AutoMLError) as caught:
        modelfile.read_bytes(blob, "model.pkl")
    message = str(caught.value)
    assert message.startswith("model.pkl: ") and said in message and "\n" not in message


def test_size_limit_and_trailing_bytes():
    with pytest.raises(AutoMLError, match="over the 0 MB limit"):
        modelfile.read_bytes(automl_model(), "big.pkl", max_bytes=10)
    assert MAX_MODEL_BYTES >= 100 * 2**20
    report = modelfile.read_bytes(automl_model() + b"\x00" * 16, "tail.pkl")
    assert report.notes == ["16 bytes after the pickle's STOP were not read"]


def test_small_arrays_are_decoded_and_large_ones_summarised():
    blob = pickle.dumps(
        {
            "small": np.array([1.5, 2.5]),
            "big": np.zeros((100, 3), dtype=np.float32),
            "labels": np.array(["no", "yes"]),
        }
    )
    root = modelfile.read_bytes(blob, "arrays.pkl").root
    assert root.name == "dict" and root.params == {
        "small": "array([1.5, 2.5])",
        "big": "array(shape=(100, 3), dtype=f4)",
        "labels": "array(['no', 'yes'])",
    }
    plain = modelfile.read_bytes(pickle.dumps(1.5, protocol=0), "float.pkl")
    assert (plain.root.name, plain.root.params, plain.verdict.headline()) == (
        "float",
        {"value": 1.5},
        "allow-listed: it imports no globals (plain data)",
    )


def test_model_command_prints_the_tree_and_the_verdict(run, tmp_path):
    path = tmp_path / "model.pkl"
    path.write_bytes(automl_model())
    out = run("model", str(path))
    assert out.returncode == 0, out.stderr
    assert (
        out.stdout.splitlines()[1]
        == "verdict: allow-listed: all 11 globals it would import are in ML libraries"
    )
    assert "XGBoostClassifier(booster='gbtree', eta=0.4, max_depth=6" in out.stdout
    doc = json.loads(run("model", str(path), "--json").stdout)
    assert doc["verdict"] == "allow-listed" and doc["safe"] is True
    assert doc["tree"]["class"].endswith("PipelineWithYTransformations")
    voting = doc["tree"]["members"][0]["members"][1]
    assert [(m["role"], m["weight"]) for m in voting["members"]] == [("1", 0.6), ("0", 0.4)]


def test_model_command_exits_1_on_a_hostile_file_and_2_on_a_bad_one(run, tmp_path):
    canary = tmp_path / "canary"
    evil = tmp_path / "evil.pkl"
    evil.write_bytes(hostile("os", str(canary)))
    out = run("model", str(evil), "--json")
    assert out.returncode == 1 and json.loads(out.stdout)["verdict"] == "malicious" and not canary.exists()
    bad = tmp_path / "cut.pkl"
    bad.write_bytes(automl_model()[:-1])
    for target in (bad, tmp_path / "missing.pkl"):
        out = run("model", str(target))
        assert out.returncode == 2 and out.stdout == "" and out.stderr.count("\n") == 1
        assert out.stderr.startswith("python -m core.automl: error: ")
