"""The cached-format parser: the real sample's values, every odd value, hostile files, properties; and the
File path source's confinement to the operator's directory."""

import json
import math
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.automl import AutoMLError, load_bytes, load_path, parse_metrics
from core.automl.catalogue import CATALOGUE, default_primary, direction, infer_task, metric_info
from core.automl.sources import PATH_REFUSED, SAMPLE_PATH, SampleSource, confined_path, parse
from core.automl.sources.parse import MAX_BYTES, META_KEY

RUN = "40b56796-43ac-479b-b4f0-e90715560b60"


@pytest.fixture(scope="module")
def sample():
    return SampleSource().load()


def test_sample_is_the_shared_real_file():
    shared = SAMPLE_PATH.parents[2].parent / "shared" / "automl" / SAMPLE_PATH.name
    if shared.exists():
        assert json.loads(shared.read_text()) == json.loads(SAMPLE_PATH.read_text())


def test_sample_parses_to_20_runs_by_10_metrics_in_numeric_iteration_order(sample):
    assert len(sample.runs) == 20 and len(sample.metrics) == 10 and len(sample.tidy) == 200
    iterations = list(sample.runs["iteration"])
    assert iterations == [0, 2, 4, 7, 8, 9, 10, 11, 12, 13, 17, 19, 22, 36, 40, 42, 43, 45, 47, 51]
    assert sample.run_ids[0] == f"{RUN}_0" and sample.run_ids[-1] == f"{RUN}_51"
    assert list(sample.tidy.columns) == ["run_id", "iteration", "metric", "value"]
    assert sample.skipped == [] and sample.task == "classification"


def test_sample_values_are_the_files_values(sample):
    tidy = sample.tidy.set_index(["run_id", "metric"])["value"]
    assert tidy[(f"{RUN}_45", "AUC_weighted")] == pytest.approx(0.8480731577650704, abs=0)
    assert tidy[(f"{RUN}_11", "log_loss")] == pytest.approx(0.5531773861473892, abs=0)
    assert tidy[(f"{RUN}_45", "matthews_correlation")] == 0.0


def test_values_scalar_list_last_missing_nan_artifact_string_are_handled():
    doc = {
        "p_10": {"accuracy": 0.8, "AUC_weighted": [0.7, 0.75, 0.9], "log_loss": [float("nan")]},
        "p_2": {
            "accuracy": [0.6],
            "confusion_matrix": "aml://artifactId/ExperimentRun/dcid.p_2/confusion_matrix",
            "AUC_weighted": None,
            "f1_score_macro": "0.5",
            "recall_score_micro": "token=abc123",
            "recall_score_macro": [],
            "weighted_accuracy": True,
            "precision_score_macro": [[1, 2]],
        },
    }
    data = parse_metrics(doc, source="t.json")
    assert data.run_ids == ["p_2", "p_10"]  # 2 before 10: numbers, not strings
    values = {(r, m): v for r, _, m, v in data.tidy.itertuples(index=False)}
    assert values == {("p_10", "accuracy"): 0.8, ("p_10", "AUC_weighted"): 0.9, ("p_2", "accuracy"): 0.6}
    reasons = {(s.run_id, s.metric): s.reason for s in data.skipped}
    assert reasons[("p_10", "log_loss")] == "NaN"
    assert reasons[("p_2", "confusion_matrix")].startswith("an artifact (aml://")
    assert reasons[("p_2", "AUC_weighted")] == "missing (null)"
    assert reasons[("p_2", "f1_score_macro")] == "a string ('0.5'), not a number"
    assert reasons[("p_2", "recall_score_micro")] == "a string, not a number"  # other text is not echoed
    assert reasons[("p_2", "recall_score_macro")] == "an empty list"
    assert reasons[("p_2", "weighted_accuracy")] == "a boolean, not a number"
    assert "a list ending in a list" in reasons[("p_2", "precision_score_macro")]
    assert data.skipped_total == 8


def test_runs_without_numbers_keep_file_order_and_metadata_iteration_wins():
    doc = {"zeta": {"accuracy": [0.1]}, "alpha": {"accuracy": [0.2]}}
    assert parse_metrics(doc).run_ids == ["zeta", "alpha"]
    doc[META_KEY] = {"runs": {"zeta": {"iteration": 5, "algorithm": "LightGBM"}, "alpha": {"iteration": "1"}}}
    data = parse_metrics(doc)
    assert data.run_ids == ["alpha", "zeta"]
    assert data.runs.set_index("run_id").loc["zeta", "algorithm"] == "LightGBM"


def test_inline_confusion_matrix_is_kept_as_artifact_and_listed():
    cm = {"schema_type": "confusion_matrix", "data": {"class_labels": ["0", "1"], "matrix": [[5, 1], [2, 3]]}}
    data = parse_metrics({"r_1": {"accuracy": [0.9], "confusion_matrix": cm}})
    assert data.artifacts == {"r_1": {"confusion_matrix": cm}}
    assert data.skipped[0].reason == "a confusion_matrix artifact, not a scalar"


@pytest.mark.parametrize(
    ("payload", "needle"),
    [
        (b'{"r_1": {"accuracy": [0.9]}, "r_2": {"accur', "not valid JSON at line 1, column"),
        (b"[1, 2, 3]", "the top level is a list; expected an object"),
        (b'"just a string"', "the top level is a string"),
        (b"{}", "no runs (an empty object)"),
        (b"", "the file is empty"),
        (b"\xff\xfe\x00garbage", "not UTF-8 text"),
        (
            b'{"r_1": {"accuracy": ["0.9"]}, "r_2": {"accuracy": "high"}}',
            "no numeric metric values in 2 run(s)",
        ),
        (b'{"r_1": [0.9]}', "no numeric metric values in 1 run(s); first skipped: r_1 : a list instead"),
        (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    ],
)
def test_hostile_input_gives_one_clear_message(payload, needle):
    with pytest.raises(AutoMLError) as err:
        load_bytes(payload, name="bad.json")
    message = str(err.value)
    assert message.startswith("bad.json: ") and needle in message and "\n" not in message


def test_truncated_file_says_it_looks_truncated():
    text = SAMPLE_PATH.read_bytes()
    with pytest.raises(AutoMLError, match=r"looks truncated"):
        load_bytes(text[: len(text) // 2], name="half.json")


def test_50_mb_file_is_refused_before_parsing(tmp_path):
    big = tmp_path / "big.json"
    with big.open("wb") as f:
        f.write(b'{"r_1": {"accuracy": [0.5]}, "pad": "')
        f.write(b"x" * (50 * 2**20))
        f.write(b'"}')
    with pytest.raises(AutoMLError, match=r"big.json: 50.0 MB is over the 20.0 MB limit"):
        load_path(big)
    with pytest.raises(AutoMLError, match=r"over the 20.0 MB limit"):
        load_bytes(b" " * (MAX_BYTES + 1), name="up")


def test_missing_path_and_directory(tmp_path):
    with pytest.raises(AutoMLError, match="no such file"):
        load_path(tmp_path / "nope.json")
    with pytest.raises(AutoMLError, match="not a file"):
        load_path(tmp_path)


HUGE = "1" + "0" * 4999  # 5000 digits: past Python's limit for int(str) (4300)


def test_a_5000_digit_integer_is_skipped_without_its_digits():
    text = f'{{"run_1": {{"accuracy": [{HUGE}], "AUC_weighted": [0.9], "log_loss": -{HUGE}}}}}'
    data = load_bytes(text.encode(), name="huge.json")
    assert data.tidy["metric"].tolist() == ["AUC_weighted"]
    reasons = {s.metric: s.reason for s in data.skipped}
    assert reasons == {
        "accuracy": "an integer of 5,000 digits, too large for a float",
        "log_loss": "an integer of 5,000 digits, too large for a float",
    }
    with pytest.raises(AutoMLError) as err:  # nothing else in the file: one line, still no digits
        load_bytes(f'{{"run_1": {{"accuracy": [{HUGE}]}}}}'.encode(), name="huge.json")
    message = str(err.value)
    assert message.startswith("huge.json: no numeric metric values") and "0000000000" not in message


def test_integers_beyond_a_float_are_skipped_from_json_and_from_python():
    too_large = "an integer too large for a float"
    from_json = load_bytes(f'{{"r_1": {{"accuracy": [{10**350}], "AUC_weighted": 0.5}}}}'.encode())
    from_python = parse_metrics({"r_1": {"accuracy": [10**350], "AUC_weighted": 0.5}})
    for data in (from_json, from_python):
        assert [(s.metric, s.reason) for s in data.skipped] == [("accuracy", too_large)]
    assert load_bytes(f'{{"r_1": {{"accuracy": [{10**300}]}}}}'.encode()).tidy["value"][0] == 1e300


def _strings(obj) -> set[str]:
    """Every key and leaf value of a JSON document, as text."""
    if isinstance(obj, dict):
        return set(obj) | {s for v in obj.values() for s in _strings(v)}
    if isinstance(obj, list):
        return {s for v in obj for s in _strings(v)}
    return {str(obj)}


@pytest.mark.parametrize(
    ("doc", "shape"),
    [
        ({"AccessToken": {"secret-account-id-123": {"secret": "tok-abc"}}}, "found objects of objects"),
        ({"Account": {"home-account-id-456": {"username": "me@example.org"}}}, "found objects of objects"),
        ({"config-key": {"nested-key": {"port": 54321}}}, "found objects of objects"),  # numeric leaves
        ({"api-token": 987654321, "refresh-token": [123456789]}, "found lists and numbers"),
        ({"user-name": {"password": ["hunter2-pw"]}}, "found objects of lists"),
        ({"session_7": {"password": "hunter2-pw"}}, "found objects of strings"),  # a run-like id, odd metric
    ],
)
def test_a_file_not_in_the_metrics_format_is_described_by_its_shape_only(doc, shape):
    with pytest.raises(AutoMLError) as err:
        load_bytes(json.dumps(doc).encode(), name="token.json")
    message = str(err.value)
    assert message.startswith("token.json: no numeric metric values") and shape in message
    assert "expected {run_id: {metric: [number]}}" in message
    leaked = [s for s in _strings(doc) if s in message]
    assert not leaked, (leaked, message)


def test_a_document_of_numbers_two_levels_deep_is_metrics_and_names_its_runs():
    """The line: numbers at {key: {key: number}} are the metrics format (bare values are accepted), so the
    file loads and its own names are its table; the skipped list may name its runs and metrics too."""
    data = load_bytes(b'{"a": {"b": 1, "c": "x"}}')
    assert data.tidy[["run_id", "metric", "value"]].values.tolist() == [["a", "b", 1.0]]
    assert [(k.run_id, k.metric, k.reason) for k in data.skipped] == [("a", "c", "a string, not a number")]


def test_too_many_metrics_in_a_run_does_not_name_it(monkeypatch):
    monkeypatch.setattr(parse, "MAX_METRICS_PER_RUN", 2)
    with pytest.raises(AutoMLError) as err:
        parse_metrics({"ok_1": {"accuracy": 1}, "secret-run": {"k1": 1, "k2": 2, "k3": 3}}, source="x")
    assert str(err.value) == "x: run 2 of 2 has 3 entries, over the limit of 2 metrics per run"


def test_a_file_that_cannot_be_read_gives_one_line(tmp_path, monkeypatch):
    path = tmp_path / "m.json"
    path.write_text('{"r_1": {"accuracy": [0.9]}}')

    def refuse(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(type(path), "read_bytes", refuse)
    with pytest.raises(AutoMLError, match=r"^m.json: cannot be read \(Permission denied\)$"):
        load_path(path)


def test_metric_in_no_run_and_unknown_run_are_named(sample):
    with pytest.raises(AutoMLError, match=r"metric 'r2_score' is in no run; present: weighted_accuracy"):
        sample.primary_metric("r2_score")
    with pytest.raises(AutoMLError, match=r"run 'x_99' is not among the 20 runs"):
        sample.require_run("x_99")


# --- catalogue ---------------------------------------------------------------------------------------


def test_catalogue_directions_follow_the_sdk():
    assert direction("log_loss") == "min" and direction("AUC_weighted") == "max"
    assert direction("normalized_root_mean_squared_error") == "min"
    assert direction("spearman_correlation") == "max" and direction("r2_score") == "max"
    errors = [n for n in CATALOGUE if "error" in n]
    assert len(errors) >= 10 and all(CATALOGUE[n].direction == "min" for n in errors)
    assert metric_info("my_custom_loss").direction == "min" and not metric_info("my_custom_loss").known
    assert metric_info("my_custom_score").direction == "max"
    assert metric_info("log_loss").lower_is_better and metric_info("my_custom_loss").lower_is_better
    assert not metric_info("AUC_weighted").lower_is_better
    assert not metric_info("my_custom_score").lower_is_better


def test_task_is_inferred_from_names():
    assert infer_task(["AUC_weighted", "log_loss"]) == "classification"
    assert infer_task(["r2_score", "normalized_root_mean_squared_error"]) == "regression"
    assert infer_task(["normalized_root_mean_squared_error", "symmetric_mean_absolute_percentage_error"]) == (
        "forecasting"
    )
    assert infer_task(["something"]) == "unknown"
    assert default_primary(["r2_score", "normalized_root_mean_squared_error"]) == (
        "normalized_root_mean_squared_error"
    )


# --- properties ----------------------------------------------------------------------------------------

metric_names = st.sampled_from(["AUC_weighted", "log_loss", "accuracy", "r2_score", "custom"])
values = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(-(10**6), 10**6),
    st.none(),
    st.booleans(),
    st.text(max_size=5),
    st.just("aml://artifactId/ExperimentRun/dcid.x/confusion_matrix"),
    st.lists(st.floats(allow_nan=True), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)
run_ids = st.builds(lambda p, i: f"{p}_{i}", st.sampled_from(["a", "b-c", "AutoML_x"]), st.integers(0, 500))
documents = st.dictionaries(run_ids, st.dictionaries(metric_names, values, max_size=5), max_size=8)


def _expected(raw):
    if isinstance(raw, list):
        if not raw:
            return None
        raw = raw[-1]
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    return float(raw) if math.isfinite(raw) else None


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(documents)
def test_parser_never_crashes_and_accounts_for_every_value(doc):
    try:
        data = parse_metrics(doc, source="prop")
    except AutoMLError as exc:
        assert str(exc).startswith("prop: ")
        assert all(_expected(v) is None for ms in doc.values() for v in ms.values())
        return
    kept = {(r, m): v for r, _, m, v in data.tidy.itertuples(index=False)}
    expected = {(r, m): _expected(v) for r, ms in doc.items() for m, v in ms.items()}
    assert kept == {k: v for k, v in expected.items() if v is not None}
    assert data.skipped_total == sum(v is None for v in expected.values())
    iterations = list(data.runs["iteration"])
    assert iterations == sorted(iterations)
    assert data.tidy["value"].map(math.isfinite).all()


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_give_data_or_one_line_error(blob):
    try:
        load_bytes(blob, name="blob")
    except AutoMLError as exc:
        assert str(exc).startswith("blob: ") and "\n" not in str(exc)


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(documents)
def test_json_round_trip_gives_the_same_table(doc):
    try:
        direct = parse_metrics(doc)
    except AutoMLError:
        return
    text = json.dumps(doc).encode()
    again = load_bytes(text)
    assert direct.tidy.equals(again.tidy)


# --- the File path source's confinement -------------------------------------------------------------------


@pytest.fixture
def shared(tmp_path):
    """The operator's directory (with a sub-folder and symlinks) and a secret file beside it."""
    root = tmp_path / "shared"
    (root / "sub").mkdir(parents=True)
    (root / "m.json").write_text('{"r_1": {"accuracy": [0.9]}}')
    (root / "sub" / "n.json").write_text('{"r_1": {"accuracy": [0.8]}}')
    (tmp_path / "secret.json").write_text('{"AccessToken": {"id": {"secret": "tok-abc"}}}')
    (root / "inside-link.json").symlink_to(root / "sub" / "n.json")
    (root / "outside-link.json").symlink_to(tmp_path / "secret.json")
    (root / "outside-dir").symlink_to(tmp_path)
    (root / "loop").symlink_to(root / "loop")
    return root


def test_files_inside_the_directory_are_found_relative_or_absolute(shared):
    assert confined_path(shared, "m.json") == shared / "m.json"
    assert confined_path(str(shared), "  sub/n.json ") == shared / "sub" / "n.json"
    assert confined_path(shared, str(shared / "m.json")) == shared / "m.json"
    assert confined_path(shared, "sub/../m.json") == shared / "m.json"
    assert confined_path(shared, "inside-link.json") == shared / "sub" / "n.json"  # a link that stays inside
    assert load_path(confined_path(shared, "m.json")).tidy["value"][0] == 0.9


@pytest.mark.parametrize(
    "text",
    [
        "../secret.json",  # exists, outside
        "sub/../../secret.json",
        "{tmp}/secret.json",  # absolute, exists, outside
        "outside-link.json",  # a symlink inside pointing outside
        "outside-dir/secret.json",  # through a symlinked folder
        "/etc/passwd",
        "nope.json",  # does not exist
        "../nope.json",
        "sub",  # a directory
        ".",
        "",
        "loop",  # a symlink loop
        "m.json\x00.txt",  # a NUL byte
        "x" * 5000,  # a name too long
    ],
)
def test_everything_else_is_refused_with_one_message(shared, text):
    with pytest.raises(ValueError) as err:
        confined_path(shared, text.replace("{tmp}", str(shared.parent)))
    assert str(err.value) == PATH_REFUSED and isinstance(err.value, AutoMLError)


def test_an_unreadable_file_inside_is_refused_like_a_missing_one(shared, monkeypatch):
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if str(p).endswith("m.json") else real(p, mode))
    messages = set()
    for text in ("m.json", "nope.json", "../secret.json"):
        with pytest.raises(AutoMLError) as err:
            confined_path(shared, text)
        messages.add(str(err.value))
    assert messages == {PATH_REFUSED}


def test_a_missing_directory_refuses_everything(tmp_path):
    with pytest.raises(AutoMLError, match=PATH_REFUSED):
        confined_path(tmp_path / "not-made", "m.json")
