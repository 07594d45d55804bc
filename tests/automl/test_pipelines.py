"""Published pipelines and a live Azure ML watch through azureml-core's own objects, the services faked at
the transport (``tests.support.azure_fakes``): list, trigger, children appearing over successive polls, and
failure answers with their messages."""

import json
import re

import pytest

pytest.importorskip("azureml.core")

from core.automl import AutoMLError
from core.automl.sources import pipelines
from core.automl.sources.azureml_v1 import SIGN_IN, AzureMLSource, AzureSettings, connect
from core.automl.sources.watch import COMPLETED, Watch
from tests.support.azure_fakes import HOST, SECRET, WS, install

SETTINGS = {
    "subscription_id": "sub",
    "resource_group": "rg",
    "workspace_name": "ws",
    "tenant_id": "tenant1",
    "client_id": "cid",
    "client_secret": SECRET,
}


@pytest.fixture
def azure(monkeypatch, tmp_path):
    return install(monkeypatch, tmp_path)


@pytest.fixture
def workspace(azure):
    return connect(AzureSettings.from_mapping(SETTINGS))


def test_published_pipelines_are_listed_with_their_endpoints_and_parameters(azure, workspace):
    found = pipelines.list_published(workspace)
    assert [(p.name, p.version, p.id, p.status) for p in found] == [
        ("bank-automl", "1.0", "pp-1", "Active"),
        ("bank-automl", "2.0", "pp-2", "Active"),
    ]
    assert found[1].parameters == {"experiment_timeout_minutes": "15"}
    assert found[0].endpoint == f"{HOST}/pipelines/v1.0{WS}/PipelineRuns/PipelineSubmit/pp-1"
    every = pipelines.list_published(workspace, active_only=False)
    assert [p.status for p in every] == ["Active", "Active", "Disabled"]
    listed = [r for r in azure.requests if "/Pipelines" in r[1]]
    assert listed and "activeOnly=true" in listed[0][1]


def test_choose_by_id_or_name_and_version():
    found = [
        pipelines.Published(id="pp-1", name="bank", version="1.0", status="Active", endpoint="e"),
        pipelines.Published(id="pp-2", name="bank", version="2.0", status="Active", endpoint="e"),
    ]
    assert pipelines.choose(found, "pp-2").version == "2.0"
    assert pipelines.choose(found, "bank", "1.0").id == "pp-1"
    with pytest.raises(AutoMLError, match=r"2 published pipelines are named 'bank' \(versions 1.0, 2.0\)"):
        pipelines.choose(found, "bank")
    with pytest.raises(AutoMLError, match=r"no published pipeline named 'x' \(published: bank\)"):
        pipelines.choose(found, "x")
    assert pipelines.parse_params(["a=1", "b.c=x=y"]) == {"a": "1", "b.c": "x=y"}
    with pytest.raises(AutoMLError, match="give NAME=VALUE"):
        pipelines.parse_params(["novalue"])


def test_trigger_posts_the_notebooks_body_with_the_sdks_header(azure, workspace):
    chosen = pipelines.choose(pipelines.list_published(workspace), "bank-automl", "2.0")
    run = pipelines.trigger(workspace, chosen, experiment="bank", values={"experiment_timeout_minutes": "20"})
    assert run.run_id == "pipe_live_2" and run.experiment == "bank"
    assert run.portal_url and "pipe_live_2" in run.portal_url
    method, url, body = next(r for r in azure.requests if "PipelineSubmit" in r[1])
    assert method == "POST" and url == chosen.endpoint
    assert json.loads(body) == {
        "ExperimentName": "bank",
        "ParameterAssignments": {"experiment_timeout_minutes": "20"},
    }
    assert not any(SECRET in r[1] for r in azure.requests)


def test_trigger_refuses_undeclared_parameters_bad_names_and_disabled_pipelines(azure, workspace):
    every = pipelines.list_published(workspace, active_only=False)
    first, disabled = every[0], every[2]
    with pytest.raises(AutoMLError, match=r"declares no parameter x \(declared: none\)"):
        pipelines.trigger(workspace, first, experiment="bank", values={"x": "1"})
    with pytest.raises(AutoMLError, match=r"experiment 'bad name'"):
        pipelines.trigger(workspace, first, experiment="bad name")
    with pytest.raises(AutoMLError, match=r"is Disabled, not Active"):
        pipelines.trigger(workspace, disabled, experiment="bank")
    moved = pipelines.Published(
        id="pp-1",
        name="bank",
        version="1",
        status="Active",
        endpoint="https://evil.example/PipelineSubmit/pp-1",
    )
    with pytest.raises(AutoMLError, match="not on the workspace's pipelines service"):
        pipelines.trigger(workspace, moved, experiment="bank")
    assert not any("evil.example" in r[1] for r in azure.requests)  # the header never went there


def test_a_failure_answer_is_one_line_with_the_services_message(azure, workspace):
    chosen = pipelines.list_published(workspace)[0]
    error = {"error": {"code": "UserError", "message": "Experiment quota exceeded:\n 200 runs"}}
    azure.failures.append(("POST", "PipelineSubmit", 400, error))
    with pytest.raises(AutoMLError) as failed:
        pipelines.trigger(workspace, chosen, experiment="bank")
    assert str(failed.value) == (
        "Azure ML: cannot trigger bank-automl: HTTP 400: Experiment quota exceeded: 200 runs"
    )
    azure.failures.append(("GET", r"/Pipelines$", 401, {"error": {"message": "token expired"}}))
    with pytest.raises(AutoMLError) as expired:
        pipelines.list_published(workspace)
    assert str(expired.value).startswith(SIGN_IN) and SECRET not in str(expired.value)


def test_a_triggered_run_is_watched_as_its_children_appear_until_it_completes(azure, workspace, tmp_path):
    chosen = pipelines.list_published(workspace)[0]
    run = pipelines.trigger(workspace, chosen, experiment="bank")
    watch = Watch(AzureMLSource(workspace, "bank", run.run_id), "azure-live", 0.2, directory=tmp_path)
    seen = []
    for _ in range(10):
        snap = watch.poll()
        assert snap.error is None, snap.error
        seen.append(0 if snap.data is None else len(snap.data.runs))
        if snap.done:
            break
    assert snap.state == COMPLETED and snap.counts["completed"] == 4 and snap.next_at is None
    assert seen == sorted(seen) and seen[0] < 4 and seen[-1] == 4  # children arrived over several polls
    assert snap.data.parent["status"] == "Completed" and snap.path.is_file()


def test_a_failed_azure_poll_keeps_the_last_data_and_says_why(azure, workspace, tmp_path):
    chosen = pipelines.list_published(workspace)[0]
    run = pipelines.trigger(workspace, chosen, experiment="bank")
    watch = Watch(AzureMLSource(workspace, "bank", run.run_id), "azure-flaky", 1, directory=tmp_path)
    first = watch.poll()
    assert first.data is not None and first.error is None
    down = {"error": {"code": "UserError", "message": "history is down"}}
    azure.failures.append(("GET", r"/runs/pipe_live_\d+$", 400, down))  # 5xx would be retried by the SDK
    failed = watch.poll()
    assert failed.data is first.data and failed.failures == 1
    assert "history is down" in failed.error
    assert failed.next_at - first.next_at >= 1  # backed off: twice the interval after a failure
    again = watch.poll()
    assert again.error is None and again.failures == 0 and len(again.data.runs) >= len(first.data.runs)


@pytest.fixture
def cli(azure, tmp_path, monkeypatch, run):
    """``python -m core.automl`` in this process, the workspace and sign-in from .streamlit/secrets.toml."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PILAB_AUTOML_CACHE", str(tmp_path / "cache"))
    for name in ("AZUREML_SUBSCRIPTION_ID", "AZURE_CLIENT_SECRET", "AZURE_CLIENT_ID", "AZURE_TENANT_ID"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / ".streamlit").mkdir()
    (tmp_path / ".streamlit" / "secrets.toml").write_text(
        "[azureml]\n" + "".join(f'{k} = "{v}"\n' for k, v in SETTINGS.items())
    )
    return run


def test_the_command_line_lists_and_triggers_published_pipelines(cli, azure):
    listed = cli("pipelines")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[1].startswith(
        "bank-automl v2.0 · Active · id pp-2 · experiment_timeout_minutes=15 · https://"
    )
    every = json.loads(cli("pipelines", "--all", "--json").stdout)
    assert [p["status"] for p in every] == ["Active", "Active", "Disabled"]
    args = ("trigger", "bank-automl", "--experiment", "bank", "--version", "2.0")
    done = cli(*args, "--param", "experiment_timeout_minutes=20")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "submitted bank-automl v2.0 as run pipe_live_2 in bank"
    assert lines[1].startswith("studio: https://") and "pipe_live_2" in lines[1]
    assert lines[2] == "watch it: python -m core.automl watch --azure --experiment bank --run pipe_live_2"
    assert SECRET not in listed.stdout + done.stdout + done.stderr


def test_the_command_line_lists_and_triggers_in_spanish_and_its_json_never_changes(cli, azure):
    listed = cli("pipelines", "--all", "--lang", "es")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.splitlines()[1].startswith("bank-automl v2.0 · Active · id pp-2 · ")
    assert [cli("pipelines", "--all", "--json", "--lang", lang).stdout for lang in ("es", "en")] == [
        cli("pipelines", "--all", "--json").stdout
    ] * 2
    done = cli("trigger", "bank-automl", "--experiment", "bank", "--version", "2.0", "--lang", "es")
    assert done.returncode == 0, done.stderr
    submitted, studio, follow = done.stdout.splitlines()
    assert re.fullmatch(r"enviado bank-automl v2\.0 como la ejecución pipe_live_\d+ en bank", submitted)
    assert studio.startswith("studio: https://")
    assert follow.startswith(
        "síguelo: python -m core.automl watch --azure --experiment bank --run pipe_live_"
    )
    assert SECRET not in listed.stdout + done.stdout + done.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["trigger", "bank-automl", "--experiment", "bank"], "2 published pipelines are named 'bank-automl'"),
        (["trigger", "pp-1", "--experiment", "bank", "--param", "x=1"], "declares no parameter x"),
        (["trigger", "pp-1", "--experiment", "bank", "--param", "x"], "give NAME=VALUE"),
        (["trigger", "nope", "--experiment", "bank"], "no published pipeline named 'nope'"),
        (["trigger", "pp-1"], "the following arguments are required: --experiment"),
    ],
)
def test_bad_trigger_input_is_one_line_and_exit_status_2(cli, azure, args, said):
    out = cli(*args)
    assert out.returncode == 2 and said in out.stderr and len(out.stderr.splitlines()) == 1
    assert not any("PipelineSubmit" in r[1] for r in azure.requests)  # nothing was submitted


def test_an_expired_sign_in_is_one_clear_line(cli, azure):
    azure.failures.append(("GET", r"/Pipelines$", 401, {"error": {"message": "ExpiredAuthenticationToken"}}))
    out = cli("pipelines")
    assert out.returncode == 2 and out.stderr.strip().endswith(
        "error: " + SIGN_IN + " (list the published pipelines: HTTP 401)"
    )
