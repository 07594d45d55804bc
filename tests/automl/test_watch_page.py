"""The explorer watching a running AutoML run under AppTest: a real local MLflow store gets its children one
by one from this test while the page's watch polls it; rows appear, the choices stay, the watch stops when the
parent ends. A student follows the operator's watch through its cached pull; an Azure ML published pipeline
is triggered from the page (the SDK with the service faked at the transport) and watched until it ends."""

import pytest

pytestmark = [  # every test here polls a real MLflow store: slow, out of make check
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:The ``noload`` loader strategy is deprecated"),
]
pytest.importorskip("mlflow")

from core.automl.sources import cache as automl_cache  # noqa: E402
from core.automl.sources import watch as live  # noqa: E402
from core.automl.sources.mlflow_runs import MlflowSource  # noqa: E402
from tests.support.apptest import STUDENT, press, texts, until  # noqa: E402
from tests.support.automl_apptest import cards, explorer, open_tab  # noqa: E402


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch):
    """The page's watch polls every 0.3 s (the running parent is the folder conftest's ``automl_run``); no
    watch outlives its test (one left polling would write into the next test's cache)."""
    monkeypatch.setenv("PILAB_WATCH_EVERY", "0.3")
    assert live.stop_all(), "a watch thread outlived its test"
    yield
    assert live.stop_all()


def table(at):
    return next(d.value for d in at.dataframe if {"run_id", "iteration"} <= set(d.value.columns))


def progress_text(at) -> str:
    """What the Search progress tab says under its best-so-far curve."""
    return " ".join(m.value for m in at.markdown if "iteration" in m.value)


def runs(at) -> int:
    return int(cards(at).get("Runs", 0))


def live_line(at) -> str:
    return " ".join(i.value for i in at.info) + " ".join(s.value for s in at.success)


@pytest.mark.slow
def test_children_appear_as_they_are_logged_and_the_choices_stay(automl_run):
    automl_run.add_child()
    at = explorer({"source": "mlflow"})
    at.text_input(key="automl_mlflow_uri").input(automl_run.uri).run()
    at.button(key="automl_mlflow_list").click().run()
    at.button(key="automl_mlflow_watch").click().run()
    assert not at.exception and not at.error, at.error
    until(at, lambda a: runs(a) == 1)
    assert "Live: parent running" in live_line(at) and "1 completed" in live_line(at)
    assert "next in" in live_line(at) and "last updated" in live_line(at)

    # the user's choices: primary metric, metrics, filter, baseline; then another tab
    at.selectbox(key="automl_primary").set_value("log_loss").run()
    at.multiselect(key="automl_metrics").set_value(["log_loss"]).run()
    at.text_input(key="automl_filter").input("o").run()  # XGBoost…, LogisticRegression, RandomForest
    at.selectbox(key="automl_baseline").set_value(automl_run.children[0]).run()
    for n in (2, 3, 4):
        automl_run.add_child()
        until(at, lambda a, n=n: runs(a) == n)
        assert at.selectbox(key="automl_primary").value == "log_loss"
        assert at.multiselect(key="automl_metrics").value == ["log_loss"]
        assert at.text_input(key="automl_filter").value == "o"
        assert at.selectbox(key="automl_baseline").value == automl_run.children[0]
    shown = table(at)
    assert list(shown["algorithm"]) == ["XGBoostClassifier", "LogisticRegression", "RandomForest"]  # filtered
    assert cards(at)["Best run"] == "#3" and cards(at)["Best value"] == "0.1500"  # log_loss, lower is better

    open_tab(at, "Search progress")
    assert "The best run came at the last iteration (**3**)" in progress_text(at)
    automl_run.add_child()
    until(at, lambda a: runs(a) == 5)
    assert "**1** runs after it" in progress_text(at)  # the best-so-far curve grew by the new child
    assert at.session_state["automl_view"] == "Search progress"  # the open tab stays open
    automl_run.finish()
    until(at, lambda a: "Live watch ended: the job completed" in live_line(a))
    watch = live.find(f"mlflow-{automl_run.parent}")
    assert watch is not None and not watch.alive() and watch.snapshot().state == "completed"
    assert automl_cache.list_cached()[0].name == f"mlflow-{automl_run.parent}.json"  # every poll was cached


def test_pause_holds_the_watch_and_stop_ends_it(automl_run):
    automl_run.add_child()
    at = explorer({"source": "mlflow"})
    at.text_input(key="automl_mlflow_uri").input(automl_run.uri).run()
    at.button(key="automl_mlflow_list").click().run()
    at.button(key="automl_mlflow_watch").click().run()
    until(at, lambda a: runs(a) == 1)
    at.toggle(key="automl_watch_pause").set_value(True).run()
    watch = live.find(f"mlflow-{automl_run.parent}")
    assert watch.snapshot().paused and "Live watch paused" in live_line(at)
    at.toggle(key="automl_watch_pause").set_value(False).run()
    automl_run.add_child()
    until(at, lambda a: runs(a) == 2)
    at.button(key="automl_watch_stop").click().run()
    assert not watch.alive() and "Live watch ended: stopped" in live_line(at)
    assert runs(at) == 2  # what was seen stays on the page


def test_a_student_follows_the_operators_watch_through_its_cached_pull(automl_run):
    automl_run.add_child()
    name = f"mlflow-{automl_run.parent}"
    watch = live.start_watch(MlflowSource(automl_run.uri, automl_run.parent), name, 0.3)
    until(explorer(), lambda a: watch.path.is_file())
    at = explorer({"source": "cached"}, secrets=STUDENT)
    until(at, lambda a: runs(a) == 1 and "Live: parent running" in live_line(a))
    assert all(b.key != "automl_watch_stop" for b in at.button)  # no control over the operator's watch
    automl_run.add_child()
    until(at, lambda a: runs(a) == 2)
    at.toggle(key="automl_watch_pause").set_value(True).run()
    assert not watch.snapshot().paused  # a student's pause holds their page, not the operator's watch
    text = texts(at)
    assert automl_run.uri not in text and "sqlite" not in text
    assert at.caption[0].value.startswith(f"Source: cached pull {name}")


def test_a_published_pipeline_is_triggered_from_the_page_and_watched_until_it_ends(monkeypatch, tmp_path):
    from tests.support.azure_fakes import SECRET, install

    install(monkeypatch, tmp_path)
    monkeypatch.setenv(automl_cache.ENV_CACHE_DIR, str(tmp_path / "cache"))
    monkeypatch.setenv("PILAB_WATCH_EVERY", "0.3")
    for key, value in {
        "AZUREML_SUBSCRIPTION_ID": "sub",
        "AZUREML_RESOURCE_GROUP": "rg",
        "AZUREML_WORKSPACE_NAME": "ws",
        "AZURE_TENANT_ID": "tenant1",
        "AZURE_CLIENT_ID": "cid",
        "AZURE_CLIENT_SECRET": SECRET,
    }.items():
        monkeypatch.setenv(key, value)
    try:
        at = explorer({"source": "azure"})
        press(at, "Connect")
        at.button(key="automl_pp_list").click().run()
        assert not at.exception and not at.error, at.error
        listed = next(d.value for d in at.dataframe if "endpoint" in d.value.columns)
        assert list(listed["version"]) == ["1.0", "2.0"] and set(listed["status"]) == {"Active"}
        pick = at.selectbox(key="automl_pp_pick")
        pick.select_index(1).run()
        assert at.text_input(key="automl_pp_param_experiment_timeout_minutes").value == "15"
        at.text_input(key="automl_pp_experiment").input("bank")  # sent with the form
        press(at, "Trigger the pipeline")
        assert not at.exception and not at.error, [e.value for e in at.error]
        said = " ".join(s.value for s in at.success)
        assert "Submitted: run `pipe_live_2` in experiment `bank`" in said
        assert "/runs/pipe_live_2?wsid=" in said  # the studio link
        until(at, lambda a: "Live watch ended: the job completed" in live_line(a))
        assert runs(at) == 4 and cards(at)["Best value"] == "0.9520"
        assert SECRET not in texts(at)
    finally:
        assert live.stop_all()


@pytest.mark.slow
def test_a_failed_poll_keeps_the_data_on_screen_and_says_why(automl_run, tmp_path):
    automl_run.add_child()
    at = explorer({"source": "mlflow"})
    at.text_input(key="automl_mlflow_uri").input(automl_run.uri).run()
    at.button(key="automl_mlflow_list").click().run()
    at.button(key="automl_mlflow_watch").click().run()
    until(at, lambda a: runs(a) == 1)
    database = tmp_path / "mlflow.db"
    database.rename(tmp_path / "away.db")  # the store is gone: every poll fails until it is back
    try:
        until(at, lambda a: any("The last poll failed" in w.value for w in a.warning))
        said = next(w.value for w in at.warning if "The last poll failed" in w.value)
        assert "must name an existing database file" in said and "the last good pull" in said
        assert runs(at) == 1  # the last good data stays
    finally:
        (tmp_path / "away.db").rename(database)
    automl_run.add_child()
    until(at, lambda a: runs(a) == 2 and not any("The last poll failed" in w.value for w in a.warning))
