"""The course's language in headless Chromium: the π page after a Run, a lesson after a Run and the AutoML
explorer, opened from links with ``?lang=es``, read in Spanish (numbers too), with no exception; each
leaves a screenshot (.pytest_cache/screens/es-*.png) to look at."""

from __future__ import annotations

from pathlib import Path

from core.pi import estimate
from tests.support.browser import no_exception, open_page, screenshot, wait_for_app

SHOTS = Path(".pytest_cache") / "screens"


def main_text(page) -> str:
    return page.inner_text('[data-testid="stMain"]')


def test_the_pi_page_reads_in_spanish_after_a_run(app_url, page):
    open_page(page, f"{app_url}/pi_estimate?lang=es&n=1e5&backends=numpy_chunked,numba_parallel&seed=7")
    page.get_by_role("button", name="Ejecutar", exact=True).click()
    page.get_by_text("100.000 muestras, semilla 7").wait_for(timeout=120_000)
    page.wait_for_selector('[data-testid="stMetricValue"]')
    wait_for_app(page)
    text = main_text(page)
    pi = f"{estimate('numba_parallel', 10**5, seed=7).pi:.6f}".replace(".", ",")
    assert pi in text  # 3,14…: the decimal comma
    assert "Semilla" in text and "Backends" in text
    assert "samples, seed" not in text and "Run" not in page.get_by_role("button").all_inner_texts()
    assert page.get_by_role("radio", name="Español").is_checked()
    assert no_exception(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    screenshot(page, SHOTS / "es-pi.png")


def test_a_lesson_reads_in_spanish_after_a_run(app_url, page):
    open_page(page, f"{app_url}/parallelism?lesson=Race+and+Lock&lang=es")
    page.get_by_role("tab", name="Carrera y Lock").wait_for()
    assert page.get_by_role("tab", name="Carrera y Lock").get_attribute("aria-selected") == "true"
    page.get_by_role("button", name="Ejecutar", exact=True).first.click()
    page.get_by_text("Descargar como notebook").first.wait_for(timeout=120_000)
    wait_for_app(page)
    text = main_text(page)
    assert "Por qué." in text and "peor sin lock" in text, text[:800]
    assert "lesson=Race+and+Lock" in page.url  # the link stays the same in every language
    assert no_exception(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    screenshot(page, SHOTS / "es-lesson.png")


def test_the_automl_explorer_reads_in_spanish(app_url, page):
    open_page(page, f"{app_url}/automl?lang=es")
    page.wait_for_selector('[data-testid="stDataFrame"]')
    text = main_text(page)
    assert "Explorador de AutoML" in page.inner_text('[data-testid="stSidebarNav"]')
    assert "Fuente" in page.inner_text('[data-testid="stSidebar"]') + text
    assert no_exception(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    screenshot(page, SHOTS / "es-automl.png")
