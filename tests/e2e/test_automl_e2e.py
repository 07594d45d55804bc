"""The AutoML explorer in headless Chromium: the sample loads, log_loss changes the best run, a bad upload
is a message, and nothing raises. Screenshots go to .pytest_cache/screens/; load times are printed."""

import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from core.automl.sources import SampleSource
from core.automl.sources import cache as automl_cache
from tests.support.browser import no_exception, open_page, screenshot, serve_app, wait_for_app

RUN = "40b56796-43ac-479b-b4f0-e90715560b60"
SCREENS = Path(".pytest_cache") / "screens"


def card(page, label: str) -> str:
    metric = page.get_by_test_id("stMetric").filter(has=page.get_by_text(label, exact=True))
    return metric.get_by_test_id("stMetricValue").inner_text().strip()


def open_explorer(page, url: str) -> float:
    """Go to the page; seconds until the script finished, the cards are filled and the table is drawn.

    The app's home is opened first, so the time counts this page alone, not the server's first run.
    """
    open_page(page, url.split("/automl")[0])
    t0 = time.monotonic()
    open_page(page, url)
    page.get_by_test_id("stMetric").first.wait_for()
    page.get_by_test_id("stDataFrame").first.wait_for()
    return time.monotonic() - t0


def test_sample_then_log_loss_then_bad_upload(app_url, page, tmp_path):
    SCREENS.mkdir(parents=True, exist_ok=True)
    cold = open_explorer(page, f"{app_url}/automl")
    warm = open_explorer(page, f"{app_url}/automl")
    print(f"\nAutoML explorer interactive after {cold:.2f} s (first visit), {warm:.2f} s (again)")
    assert card(page, "Runs") == "20" and card(page, "Metrics") == "10"
    assert card(page, "Primary metric") == "AUC_weighted" and card(page, "Best run") == "#51"
    assert card(page, "Best value") == "0.9477"
    assert page.locator('[data-testid="stException"]').count() == 0
    assert "source=sample" in page.url and "metric=AUC_weighted" in page.url
    screenshot(page, SCREENS / "automl-sample.png")

    page.get_by_test_id("stSelectbox").filter(has_text="Primary metric").click()
    page.get_by_role("option", name="log_loss (↓)").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stMetricValue]')].some(e => e.innerText === '#0')"
    )
    wait_for_app(page)
    assert card(page, "Best run") == "#0" and card(page, "Best value") == "0.1785"
    assert f"{RUN}_0" in page.get_by_test_id("stMain").get_by_test_id("stCaptionContainer").first.inner_text()
    assert "metric=log_loss" in page.url
    page.get_by_role("tab", name="Search progress").click()
    page.get_by_text("Last improvement at iteration 0").wait_for()
    screenshot(page, SCREENS / "automl-log-loss.png")

    bad = tmp_path / "metrics_data"
    bad.write_text('{"run_1": {"accuracy": [0.9]}, "run_2": {"accur')
    page.get_by_test_id("stRadio").get_by_text("Upload a file").click()
    wait_for_app(page)
    page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(bad))
    alert = page.get_by_test_id("stAlertContentError")
    alert.wait_for()
    assert "metrics_data: not valid JSON at line 1" in alert.inner_text()
    assert "looks truncated" in alert.inner_text()
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, SCREENS / "automl-bad-upload.png")

    # the page keeps working: back to the sample, the chosen metric survives
    page.get_by_test_id("stRadio").get_by_text("Bundled sample").click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stMetricValue]')].some(e => e.innerText === '#0')"
    )
    assert page.locator('[data-testid="stException"]').count() == 0
    assert cold < 30 and warm < 15


@pytest.mark.parametrize("tab", ["Ranking", "Compare", "Correlation", "Algorithms", "Export"])
def test_every_tab_draws_without_an_exception(app_url, page, tab):
    open_explorer(page, f"{app_url}/automl?source=sample&metric=AUC_weighted")
    page.get_by_role("tab", name=tab).click()
    panel = page.get_by_role("tabpanel", name=tab)
    page.wait_for_url(f"**automl_view={tab}*")  # the open tab is in the URL, to bookmark
    if tab == "Export":
        expect(panel.get_by_test_id("stDownloadButton")).to_have_count(3, timeout=30_000)  # each in its turn
    else:
        panel.get_by_test_id("stPlotlyChart").first.wait_for()
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, SCREENS / f"automl-tab-{tab.lower()}.png")


def test_a_link_to_a_tab_opens_it_and_keeps_it_when_the_view_changes(app_url, page):
    open_page(page, f"{app_url}/automl?automl_view=Correlation")  # the page adds source and metrics
    page.get_by_role("tabpanel", name="Correlation").get_by_test_id("stPlotlyChart").wait_for()
    assert "automl_view=Correlation" in page.url and "source=sample" in page.url
    page.get_by_test_id("stSelectbox").first.click()
    page.get_by_role("option", name="log_loss").first.click()
    page.wait_for_url("**metric=log_loss*")
    assert "automl_view=Correlation" in page.url


def test_a_bookmarked_view_of_a_cached_pull_on_a_fresh_server(page, tmp_path):
    """A shared link straight to the page: the app's navigation, the view from the URL, artifacts drawn."""
    doc = automl_cache.to_document(SampleSource().load())
    meta = doc["__pilab__"]
    for k, rid in enumerate(sorted(r for r in doc if r != "__pilab__")):
        meta["runs"][rid]["algorithm"] = ["LightGBM", "XGBoostClassifier", "RandomForest"][k % 3]
    best = f"{RUN}_0"
    meta["artifacts"] = {
        best: {
            "confusion_matrix": {
                "schema_type": "confusion_matrix",
                "data": {"class_labels": ["no", "yes"], "matrix": [[2850, 80], [210, 160]]},
            }
        }
    }
    automl_cache.write(doc, "bank-pull", tmp_path)
    with serve_app({automl_cache.ENV_CACHE_DIR: str(tmp_path)}) as (url, _pid):
        t0 = time.monotonic()
        open_page(
            page,
            f"{url}/automl?source=cached&metric=log_loss&metrics=log_loss,accuracy&automl_view=Algorithms",
        )
        page.get_by_role("tabpanel", name="Algorithms").get_by_test_id("stPlotlyChart").wait_for()
        print(f"\nbookmarked AutoML view on a fresh server interactive after {time.monotonic() - t0:.2f} s")
        assert page.get_by_test_id("stSidebarNavLink").filter(has_text="AutoML explorer").count() == 1
        assert card(page, "Best run") == "#0" and card(page, "Primary metric") == "log_loss"
        assert page.get_by_role("tab", name="Algorithms").get_attribute("aria-selected") == "true"
        page.get_by_role("tab", name="Confusion matrix & ROC").click()
        panel = page.get_by_role("tabpanel", name="Confusion matrix & ROC")
        panel.get_by_test_id("stPlotlyChart").wait_for()
        assert panel.locator("svg text", has_text="2850").count() == 1  # the matrix cell, drawn
        assert page.locator('[data-testid="stException"]').count() == 0
        screenshot(page, SCREENS / "automl-bookmarked-cached.png")


def _job(name: str, runs: dict) -> dict:
    """A cached pull with parameters: runs are {run_id: (algorithm, scaler, max_depth, AUC, log_loss)}."""
    return automl_cache.document(
        {rid: {"AUC_weighted": [auc], "log_loss": [loss]} for rid, (*_, auc, loss) in runs.items()},
        source=f"test {name}",
        parent={"primary_metric": "AUC_weighted", "experiment": name},
        runs={rid: {"algorithm": a, "preprocessor": s} for rid, (a, s, *_) in runs.items()},
        params={
            rid: {
                "algorithm": {"algorithm": a},
                "preprocessor": {"preprocessor": s},
                "hyperparameter": {"max_depth": d, "learning_rate": round(0.05 * (1 + k % 4), 2)},
                "setting": {"training_percent": 100 if name == "first" else 80},
            }
            for k, (rid, (a, s, d, *_)) in enumerate(runs.items())
        },
    )


def _runs(prefix: str, shift: float) -> dict:
    algorithms = ["LightGBM", "XGBoostClassifier", "RandomForest", "LogisticRegression", "SGD"]
    scalers = ["MaxAbsScaler", "StandardScalerWrapper", "SparseNormalizer"]
    return {
        f"{prefix}_{i}": (
            algorithms[i % 5],
            scalers[i % 3],
            3 + i % 6,
            round(0.80 + 0.012 * (i % 11) + shift - (0.03 if i % 5 == 4 else 0), 4),
            round(0.40 - 0.01 * (i % 11), 4),
        )
        for i in range(24)
    }


def test_parameters_best_model_and_two_jobs(page, tmp_path):
    """The new views on a fresh server: parameters from a link, a model upload (and a hostile one that never
    runs), and two cached AutoML runs side by side."""
    from tests.support.automl_pickles import automl_model, hostile

    SCREENS.mkdir(parents=True, exist_ok=True)
    automl_cache.write(_job("first", _runs("a", 0.0)), "first", tmp_path)
    automl_cache.write(_job("second", _runs("b", 0.01)), "second", tmp_path)
    with serve_app({automl_cache.ENV_CACHE_DIR: str(tmp_path)}) as (url, _pid):
        view = (
            f"{url}/automl?source=cached&params=max_depth,preprocessor&by=preprocessor&automl_view=Parameters"
        )
        open_page(page, view)
        panel = page.get_by_role("tabpanel", name="Parameters")
        panel.get_by_test_id("stPlotlyChart").nth(1).wait_for()
        panel.get_by_text("What the top runs share").wait_for()
        assert "by=preprocessor" in page.url and no_exception(page)
        screenshot(page, SCREENS / "automl-parameters.png")
        page.get_by_role("tab", name="Table").click()
        page.get_by_role("tabpanel", name="Table").get_by_test_id("stDataFrame").wait_for()
        screenshot(page, SCREENS / "automl-table-params.png")

        page.get_by_role("tab", name="Best model").click()
        model = tmp_path / "model.pkl"
        model.write_bytes(automl_model())
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(model))
        page.get_by_test_id("stCode").wait_for()
        assert "XGBoostClassifier(booster='gbtree', eta=0.4" in page.get_by_test_id("stCode").inner_text()
        assert "allow-listed" in page.get_by_test_id("stAlertContentSuccess").inner_text()
        screenshot(page, SCREENS / "automl-best-model.png")
        canary = tmp_path / "canary"
        evil = tmp_path / "evil.pkl"
        evil.write_bytes(hostile("os", str(canary)))
        page.locator('[data-testid="stFileUploaderDropzoneInput"]').set_input_files(str(evil))
        page.get_by_test_id("stAlertContentError").filter(has_text="MALICIOUS").wait_for()
        assert not canary.exists() and no_exception(page)
        screenshot(page, SCREENS / "automl-hostile-model.png")

        open_page(page, f"{url}/automl?source=cached&automl_view=Two+jobs&second=cached:first.json")
        tab = page.get_by_role("tabpanel", name="Two jobs")
        tab.get_by_test_id("stPlotlyChart").nth(1).wait_for()
        assert card(page, "B − A").startswith(("+", "-", "0")) and no_exception(page)
        assert "second=cached" in page.url
        screenshot(page, SCREENS / "automl-two-jobs.png")
