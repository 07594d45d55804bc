"""One classroom server in Chromium: a student sees no control beyond the browser and none of the Azure
workspace's names; the passcode unlocks the operator's view and appears nowhere."""

from pathlib import Path

import pytest

from tests.support.browser import no_exception, open_page, screenshot, serve_app, wait_for_app

SHOTS = Path(".pytest_cache") / "screens"
PASSCODE = "tea-and-biscuits-42"
AZURE = {
    "subscription_id": "sub-7f3e-secret",
    "resource_group": "rg-physics-lab",
    "workspace_name": "ws-room-12",
}


@pytest.fixture(scope="module")
def classroom(tmp_path_factory):
    """A server listening beyond loopback (as `make serve`), with a passcode and Azure settings."""
    folder = tmp_path_factory.mktemp("classroom")
    secrets = folder / "secrets.toml"
    azure = "\n".join(f'{k} = "{v}"' for k, v in AZURE.items())
    secrets.write_text(f'[pilab]\noperator_passcode = "{PASSCODE}"\n\n[azureml]\n{azure}\n')
    log_dir = Path(".pytest_cache")
    with serve_app(args=("--server.address", "0.0.0.0", "--secrets.files", str(secrets))) as (url, _):
        yield url, log_dir


def page_text(page) -> str:
    return page.content()


def source_options(page) -> list[str]:
    """The AutoML page's source choices, as drawn."""
    radio = page.get_by_test_id("stRadio").filter(has_text="Source").first
    return [t.strip() for t in radio.locator("label").all_inner_texts() if t.strip() != "Source"]


def test_a_student_sees_only_what_stays_in_the_browser_until_the_passcode_unlocks(classroom, page):
    url, log_dir = classroom
    SHOTS.mkdir(parents=True, exist_ok=True)
    open_page(page, f"{url}/automl?source=azure")
    html, sources = page_text(page), source_options(page)
    assert sources == ["Bundled sample", "Upload a file", "Cached pulls"], sources
    for name in AZURE.values():
        assert name not in html, name
    screenshot(page, SHOTS / "roles-student-automl.png")
    open_page(page, f"{url}/pi_estimate")
    assert "Scheduler address" not in page_text(page) and "Student view" in page_text(page)

    page.get_by_text("Student view").click()
    page.get_by_label("Operator passcode").fill(PASSCODE)
    page.get_by_role("button", name="Unlock").click()
    page.get_by_text("Jobs (").wait_for()
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="AutoML explorer").click()  # same session
    page.get_by_test_id("stRadio").filter(has_text="Source").first.get_by_text("MLflow").wait_for()
    wait_for_app(page)
    html = page_text(page)
    assert {"MLflow", "Azure ML workspace"} <= set(source_options(page)) and no_exception(page)
    assert PASSCODE not in html
    screenshot(page, SHOTS / "roles-operator-automl.png")
    logs = "".join(p.read_text(errors="replace") for p in log_dir.glob("streamlit-*.log"))
    assert PASSCODE not in logs
