"""AutoML explorer: pick a source of child-run metrics; see them ranked, compared, plotted, exported.

A student may use the bundled sample, an upload and the operator's cached pulls; the File path, MLflow and
Azure ML sources reach beyond the browser and are drawn for the operator only.
"""

from __future__ import annotations

import json
import os

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from core import automl
from core.access import Settings
from core.automl import artifacts as arts
from core.automl import cache
from core.automl.analysis import NO_ALGORITHM
from core.automl.catalogue import metric_info
from ui import ensure_app_navigation
from ui.access import is_operator, settings

ensure_app_navigation()

MAX_ROWS = 2_000  # runs sent to the browser in the table and the charts
MAX_BARS = 40
MAX_PARCOORDS = 8
SOURCES = {
    "sample": "Bundled sample",
    "upload": "Upload a file",
    "path": "File path",
    "cached": "Cached pulls",
    "mlflow": "MLflow",
    "azure": "Azure ML workspace",
}
STUDENT_SOURCES = ("sample", "upload", "cached")  # the rest read the server's files or services
FONT = {"size": 15}
BEST = "#d62728"
OTHER = "#1f4e9c"


def error(message: str) -> None:
    """Show what went wrong, then stop drawing this run; the widgets above stay usable."""
    st.error(message, icon="⚠️")
    st.stop()


def offered(operator: bool, automl_dir: str | None) -> list[str]:
    """The sources this visitor may use: a student the sample, an upload and the cached pulls; the operator
    every source, File path only where a directory is named for it (``settings().automl_dir``)."""
    if not operator:
        return list(STUDENT_SOURCES)
    return [s for s in SOURCES if s != "path" or automl_dir]


def read_url(sources: list[str]) -> None:
    """Once per session: the view in the URL (``?source=sample&metric=log_loss&metrics=a,b``) into widgets."""
    if st.session_state.get("automl_url_read"):
        return
    st.session_state.automl_url_read = True
    params = st.query_params
    if params.get("source") in sources:
        st.session_state.automl_source = params["source"]
    if params.get("metric"):
        st.session_state.automl_url_metric = params["metric"]
    if params.get("metrics"):
        st.session_state.automl_url_metrics = [m for m in params["metrics"].split(",") if m][:50]


def write_url(source: str, metric: str, chosen: list[str]) -> None:
    wanted = {"source": source, "metric": metric, "metrics": ",".join(chosen)}
    if {k: st.query_params.get(k) for k in wanted} != wanted:
        st.query_params.update(wanted)  # not from_dict: that would drop the open tab (automl_view)


@st.cache_resource(show_spinner=False)
def sample() -> automl.AutoMLData:
    """Parsed once per server; the analysis functions never change it."""
    return automl.SampleSource().load()


def remember(signature: tuple, load) -> automl.AutoMLData:
    """Parse a source once per signature (file id, path and mtime …) and keep it in the session."""
    held = st.session_state.get("automl_loaded")
    if held is None or held[0] != signature:
        try:
            held = (signature, load(), None)
        except automl.AutoMLError as exc:
            held = (signature, None, str(exc))
        st.session_state.automl_loaded = held
    if held[2]:
        error(held[2])
    return held[1]


def pulled(kind: str) -> automl.AutoMLData | None:
    """The last pull from a live source in this session, if any."""
    return st.session_state.get(f"automl_pulled_{kind}")


def pull_button(kind: str, key: str, make_source, name: str) -> None:
    """A "Pull child runs" button: read the live source, keep it in the session, cache it as ``name``."""
    if not st.button("Pull child runs", type="primary", key=key):
        return
    with st.spinner("Reading child runs and their metrics …"):
        try:
            data, document = automl.load_live(make_source())
        except automl.AutoMLError as exc:
            error(str(exc))  # stops the script
    save_pull(kind, data, document, name)


def save_pull(kind: str, data: automl.AutoMLData, document: dict, name: str) -> None:
    st.session_state[f"automl_pulled_{kind}"] = data
    try:
        path = cache.write(document, name)
        st.success(f"Pulled {len(data.runs)} runs; cached for offline use as `{path}`.")
    except OSError as exc:
        st.warning(f"Pulled {len(data.runs)} runs, but the cache could not be written: {exc.strerror}")


def mlflow_source(config: Settings) -> automl.AutoMLData | None:
    """Operator only: every URI is checked against ``config``'s allow-lists before MLflow sees it."""
    from core.automl import mlflow_source as ml

    uri = st.text_input(
        "Tracking URI",
        value=os.environ.get("MLFLOW_TRACKING_URI", ""),
        key="automl_mlflow_uri",
        placeholder=f"azureml://<region>.api.azureml.ms/mlflow/… or sqlite:///{config.data_dir}/mlflow.db",
    )
    st.caption(
        f"Allowed here: schemes {', '.join(config.mlflow_schemes) or 'none'}; hosts "
        f"{', '.join(config.mlflow_hosts) or 'none'}; sqlite databases inside `{config.data_dir}` "
        "(`[pilab]` mlflow_schemes, mlflow_hosts, data_dir)."
    )
    if not uri:
        st.info("Give a tracking URI (an Azure ML workspace's MLflow URI, or a local store).")
        return pulled("mlflow")
    if st.button("List experiments", key="automl_mlflow_list"):
        try:
            st.session_state.automl_mlflow_experiments = ml.list_experiments(uri, settings=config)
        except automl.AutoMLError as exc:
            st.error(str(exc))
    experiments = st.session_state.get("automl_mlflow_experiments", [])
    if experiments:
        exp = st.selectbox(
            "Experiment", experiments, format_func=lambda e: e["name"], key="automl_mlflow_experiment"
        )
        try:
            parents = ml.list_parent_runs(uri, exp["experiment_id"], settings=config)
        except automl.AutoMLError as exc:
            error(str(exc))
        parent = st.selectbox(
            "Parent run (AutoML job)",
            parents,
            format_func=lambda r: f"{r['name'] or r['run_id']} · {r['status']}",
            key="automl_mlflow_parent",
        )
        if parent:
            pull_button(
                "mlflow",
                "automl_mlflow_pull",
                lambda: ml.MlflowSource(uri, parent["run_id"], settings=config),  # inside the error handling
                f"mlflow-{parent['run_id']}",
            )
    return pulled("mlflow")


def azure_source() -> automl.AutoMLData | None:
    """Operator only: the form shows the workspace's ids and names from secrets or the environment."""
    from core.automl import azure_source as az

    try:
        secrets = dict(st.secrets.get("azureml", {}))
    except Exception:  # no secrets.toml: the environment alone
        secrets = {}
    base = az.AzureSettings.from_mapping(secrets)
    with st.form("automl_azure_form"):
        left, right = st.columns(2)
        config = left.text_input("config.json (path; empty: the ids on the right)", key="automl_az_config")
        auth = left.radio(
            "Sign in with",
            az.AUTH_KINDS,
            index=az.AUTH_KINDS.index(base.auth),
            horizontal=True,
            key="automl_az_auth",
        )
        sub = right.text_input("Subscription id", value=base.subscription_id or "", key="automl_az_sub")
        rg = right.text_input("Resource group", value=base.resource_group or "", key="automl_az_rg")
        ws = right.text_input("Workspace", value=base.workspace_name or "", key="automl_az_ws")
        found = "found" if base.has_secret() else "not set"
        left.caption(
            f"Service principal: tenant and client ids from `st.secrets['azureml']` or "
            f"AZURE_TENANT_ID / AZURE_CLIENT_ID; secret ({found}) from st.secrets or AZURE_CLIENT_SECRET, "
            "never shown."
        )
        connect = st.form_submit_button("Connect")
    if connect:
        settings = az.AzureSettings.from_mapping(
            secrets,
            config_path=config or None,
            subscription_id=sub,
            resource_group=rg,
            workspace_name=ws,
            auth=auth,
        )
        with st.spinner("Signing in …"):
            try:
                workspace = az.connect(settings)
                st.session_state.automl_az_workspace = workspace
                st.session_state.automl_az_experiments = az.list_experiments(workspace)
            except automl.AutoMLError as exc:
                error(str(exc))
    workspace = st.session_state.get("automl_az_workspace")
    if workspace is None:
        return pulled("azure")
    experiment = st.selectbox("Experiment", st.session_state.automl_az_experiments, key="automl_az_exp")
    if experiment:
        try:
            runs = az.list_runs(workspace, experiment)
        except automl.AutoMLError as exc:
            error(str(exc))
        run = st.selectbox(
            "AutoML or pipeline run",
            runs,
            format_func=lambda r: f"{r['run_id']} · {r['type']} · {r['status']}",
            key="automl_az_run",
        )
        if run:
            pull_button(
                "azure",
                "automl_az_pull",
                lambda: az.AzureMLSource(workspace, experiment, run["run_id"]),
                f"azureml-{experiment}-{run['run_id']}",
            )
    return pulled("azure")


def path_source(folder: str | None) -> automl.AutoMLData | None:
    """A file in the operator's AutoML directory, named relative to it; every refusal reads the same."""
    text = st.text_input(
        "Name of a metrics file in the AutoML directory",
        key="automl_path",
        help="Relative to the directory the operator set (`PILAB_AUTOML_DIR` or `[pilab] automl_dir`); "
        "nothing outside it is read.",
    )
    if not text:
        st.info("Type the name of a metrics file in the AutoML directory.")
        return None
    try:
        if not folder:
            raise automl.AutoMLError(automl.PATH_REFUSED)
        path = automl.confined_path(folder, text)
        stamp = path.stat().st_mtime_ns
    except (automl.AutoMLError, OSError):
        error(automl.PATH_REFUSED)
    return remember(("path", str(path), stamp), lambda: automl.FileSource(path).load())


def cached_source(operator: bool) -> automl.AutoMLData | None:
    """A pull the operator cached. A student sees neither the cache's path nor where the pull came from
    (an MLflow URI, an Azure workspace's ids): its label becomes the file's name."""
    files = cache.list_cached()
    if not files:
        where = f" in `{cache.cache_dir()}`" if operator else ""
        st.info(f"No cached pulls yet{where}: the operator pulls from MLflow or Azure ML first.")
        return None
    chosen = st.selectbox("Cached pull", files, format_func=lambda p: p.name, key="automl_cached")

    def read() -> automl.AutoMLData:
        data = automl.FileSource(chosen).load()
        return data if operator else cache.shareable(data, f"cached pull {chosen.stem}")

    try:
        stamp = chosen.stat().st_mtime_ns
    except OSError:
        error(f"{chosen.name}: no longer in the cache; pick another.")
    return remember(("cached", str(chosen), stamp, operator), read)


def load(source: str, operator: bool, config: Settings) -> automl.AutoMLData | None:
    """The widgets of the chosen source, then its data (None until there is some)."""
    if source == "sample":
        return sample()
    if source == "upload":
        up = st.file_uploader(
            "A metrics file: `{run_id: {metric: [value]}}` (a pipeline's metrics_data, or a Pi Lab export)",
            key="automl_upload",
        )
        if up is None:
            st.info("Upload a file to explore it.")
            return None
        return remember(("upload", up.file_id), lambda: automl.UploadSource(up.name, up.getvalue()).load())
    if source == "cached":
        return cached_source(operator)
    if not operator:  # never reached: a student's radio offers none of the sources below
        return sample()
    if source == "path":
        return path_source(config.automl_dir)
    if source == "mlflow":
        return mlflow_source(config)
    return azure_source()


# --- figures (drawing only: every number comes from core.automl) ---------------------------------------


def styled(fig: go.Figure, title: str, height: int = 430) -> go.Figure:
    fig.update_layout(title=title, height=height, font=FONT, margin={"l": 60, "r": 20, "t": 60, "b": 50})
    return fig


def ranking_bars(ranked: pd.DataFrame, metric: str) -> go.Figure:
    top = ranked.head(MAX_BARS)
    labels = [
        f"#{i} · {a}" if a != NO_ALGORITHM else f"#{i}"
        for i, a in zip(top.iteration, top.algorithm, strict=False)
    ]
    colours = [BEST if k == 0 else OTHER for k in range(len(top))]
    fig = go.Figure(
        go.Bar(
            x=top["value"],
            y=labels,
            orientation="h",
            marker_color=colours,
            customdata=top["run_id"],
            hovertemplate="%{customdata}<br>%{x:.5f}<extra></extra>",
        )
    )
    info = metric_info(metric)
    lo, hi = float(top["value"].min()), float(top["value"].max())
    pad = (hi - lo) * 0.15 or 0.01
    fig.update_xaxes(
        range=[lo - pad, hi + pad],
        title=f"{info.display} ({'lower' if info.direction == 'min' else 'higher'} is better)",
    )
    fig.update_yaxes(type="category", autorange="reversed", title="iteration")
    return styled(fig, f"Ranking by {info.display} (best {len(top)} of {len(ranked)})", 120 + 22 * len(top))


def scatter(table: pd.DataFrame, x: str, y: str, best: str) -> go.Figure:
    trace = go.Scattergl if len(table) > 1000 else go.Scatter
    fig = go.Figure()
    for algorithm, group in table.groupby("algorithm", sort=True):
        fig.add_trace(
            trace(
                x=group[x],
                y=group[y],
                mode="markers",
                name=str(algorithm),
                marker={"size": 11},
                customdata=group[["run_id", "iteration"]],
                hovertemplate="%{customdata[0]}<br>iteration %{customdata[1]}<br>"
                f"{x} %{{x:.4f}}<br>{y} %{{y:.4f}}<extra></extra>",
            )
        )
    mark = table[table["run_id"] == best]
    if not mark.empty:
        fig.add_trace(
            go.Scatter(
                x=mark[x],
                y=mark[y],
                mode="markers",
                name="best run",
                marker={"size": 20, "symbol": "star", "color": BEST, "line": {"width": 1, "color": "black"}},
                hoverinfo="skip",
            )
        )
    fig.update_xaxes(title=metric_info(x).display)
    fig.update_yaxes(title=metric_info(y).display)
    return styled(fig, f"{metric_info(y).display} against {metric_info(x).display}, by algorithm")


def parallel(table: pd.DataFrame, metrics: list[str], primary: str) -> go.Figure:
    dims = [{"label": metric_info(m).display, "values": table[m]} for m in metrics]
    height = 500
    reverse = metric_info(primary).direction == "min"
    fig = go.Figure(
        go.Parcoords(
            line={
                "color": table[primary],
                "colorscale": "Viridis_r" if reverse else "Viridis",
                "showscale": True,
                "colorbar": {"title": {"text": primary}},
            },
            dimensions=dims,
            labelangle=-12,
            labelside="top",
        )
    )
    styled(fig, f"Parallel coordinates, coloured by {metric_info(primary).display}", height)
    fig.update_layout(margin={"l": 70, "r": 40, "t": 140, "b": 40})
    return fig


def heatmap(corr: pd.DataFrame) -> go.Figure:
    fig = go.Figure(
        go.Heatmap(
            z=corr.values,
            x=list(corr.columns),
            y=list(corr.index),
            zmin=-1,
            zmax=1,
            colorscale="RdBu",
            text=corr.round(2).values,
            texttemplate="%{text}",
        )
    )
    fig.update_yaxes(autorange="reversed")
    return styled(fig, "Spearman correlation between metrics across runs", 140 + 40 * len(corr))


def progress(curve: pd.DataFrame, metric: str) -> go.Figure:
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=curve["iteration"],
            y=curve["value"],
            mode="markers",
            name="run",
            marker={"color": OTHER, "size": 9},
            customdata=curve["run_id"],
            hovertemplate="%{customdata}<br>%{y:.5f}<extra></extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=curve["iteration"],
            y=curve["best_so_far"],
            mode="lines",
            line={"shape": "hv", "color": BEST, "width": 3},
            name="best so far",
        )
    )
    fig.update_xaxes(title="iteration")
    fig.update_yaxes(title=metric_info(metric).display)
    return styled(fig, f"Best {metric_info(metric).display} so far, by iteration")


def boxes(table: pd.DataFrame, metric: str, order: list[str]) -> go.Figure:
    fig = px.box(
        table,
        x="algorithm",
        y=metric,
        points="all",
        hover_data=["run_id", "iteration"],
        category_orders={"algorithm": order},
    )
    fig.update_yaxes(title=metric_info(metric).display)
    return styled(fig, f"{metric_info(metric).display} per algorithm")


def confusion(cm: pd.DataFrame) -> go.Figure:
    fig = go.Figure(
        go.Heatmap(
            z=cm.values,
            x=list(cm.columns),
            y=list(cm.index),
            colorscale="Blues",
            text=cm.values,
            texttemplate="%{text:.0f}",
        )
    )
    fig.update_xaxes(title="predicted")
    fig.update_yaxes(title="true", autorange="reversed")
    return styled(fig, "Confusion matrix", 420)


def roc(curves: pd.DataFrame, auc: dict[str, float]) -> go.Figure:
    fig = go.Figure()
    for label, curve in curves.groupby("class", sort=False):
        fig.add_trace(
            go.Scatter(
                x=curve["fpr"], y=curve["tpr"], mode="lines", name=f"{label} (AUC {auc[str(label)]:.3f})"
            )
        )
    fig.add_trace(
        go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line={"dash": "dot", "color": "grey"}, name="chance")
    )
    fig.update_xaxes(title="false positive rate", range=[0, 1])
    fig.update_yaxes(title="true positive rate", range=[0, 1])
    return styled(fig, "ROC (from accuracy_table)", 420)


def highlight(table: pd.DataFrame, best: str, metrics: list[str]):
    """The table with the best run's row marked and numbers to 4 decimals."""
    return table.style.apply(
        lambda row: (
            ["background-color: #ffe8a3; font-weight: bold" if row["run_id"] == best else ""] * len(row)
        ),
        axis=1,
    ).format({m: "{:.4f}" for m in metrics})


def delta_colour(value: float) -> str:
    if pd.isna(value) or value == 0:
        return ""
    return "color: #1a7f37" if value > 0 else "color: #c62828"


# --- the page --------------------------------------------------------------------------------------------

st.title("📊 AutoML explorer")
st.markdown(
    "Every child run of an AutoML job, not only the best model: which algorithms came close, which metrics "
    "disagree, and whether the search was still improving when it stopped. Offline from the bundled sample "
    "or a cached file; live from MLflow or an Azure ML workspace."
)
operator, config = is_operator(), settings()
sources = offered(operator, config.automl_dir)
read_url(sources)
if st.session_state.get("automl_source") not in sources:
    st.session_state.automl_source = sources[0]  # e.g. MLflow for a student, or File path without a folder
source = st.radio("Source", sources, format_func=SOURCES.get, horizontal=True, key="automl_source")
data = load(source, operator, config)
if data is None:
    write_url(source, "", [])
    st.stop()

# The primary metric and the chosen metrics: valid for this data, from the URL the first time.
metrics = data.metrics
wanted = st.session_state.pop("automl_url_metric", None)
if wanted in metrics:
    st.session_state.automl_primary = wanted
elif wanted:
    st.warning(f"The link's metric {wanted!r} is in no run here; using the default.")
if st.session_state.get("automl_primary") not in metrics:
    st.session_state.automl_primary = data.primary_metric()
url_metrics = st.session_state.pop("automl_url_metrics", None)
if url_metrics is not None:
    st.session_state.automl_metrics = [m for m in url_metrics if m in metrics]
chosen_now = [m for m in st.session_state.get("automl_metrics", []) if m in metrics]
if not chosen_now:
    primary_now = st.session_state.automl_primary
    chosen_now = [primary_now, *[m for m in metrics if m != primary_now][:5]]
st.session_state.automl_metrics = chosen_now

left, middle, right = st.columns([2.2, 4.6, 2.2], vertical_alignment="bottom")
primary = left.selectbox(
    "Primary metric",
    metrics,
    format_func=lambda m: f"{m} ({'↓' if metric_info(m).direction == 'min' else '↑'})",
    key="automl_primary",
    help="ranks the runs; ↑ higher is better, ↓ lower is better",
)
chosen = middle.multiselect("Metrics in the table and charts", metrics, key="automl_metrics")
only_differing = right.toggle("Only metrics that differ", key="automl_differ")
write_url(source, primary, chosen)

summary = automl.summarize(data, primary)
info = metric_info(primary)
better = "lower" if info.direction == "min" else "higher"
cards = [*st.columns(3), *st.columns([2, 1, 1])]
cards[0].metric("Runs", summary.runs, border=True)
cards[1].metric("Metrics", summary.metrics, border=True)
cards[2].metric("Task", summary.task, border=True, help="inferred from the metric names")
cards[3].metric(
    "Primary metric",
    primary if len(primary) <= 20 else info.display,
    border=True,
    help=f"{primary} ({info.display}): {better} is better",
)
cards[4].metric(
    "Best run",
    f"#{summary.best_iteration}" if summary.best_iteration is not None else summary.best_run[-12:],
    border=True,
    help=summary.best_run,
)
cards[5].metric("Best value", f"{summary.best_value:.4f}", border=True, help=f"{better} is better")
st.caption(
    f"Source: {data.source} · task **{summary.task}** · best run `{summary.best_run}` "
    f"({'lowest' if info.direction == 'min' else 'highest'} {primary})"
    + (
        " · best child named by the source: `" + data.parent["best_child_run_id"] + "`"
        if data.parent.get("best_child_run_id")
        else ""
    )
)
if not info.known:
    st.warning(f"{primary!r} is not in the metric catalogue: assumed {info.direction}imised from its name.")
if data.skipped_total:
    with st.expander(f"{data.skipped_total} value(s) skipped (not scalar numbers)"):
        st.dataframe(
            pd.DataFrame([s.__dict__ for s in data.skipped]), hide_index=True, width="stretch", height=240
        )

requested = [primary, *[m for m in chosen if m != primary]]  # the primary metric is always shown
table = automl.wide(data, requested, only_differing=only_differing)
shown = [c for c in table.columns if c not in ("run_id", "iteration", "algorithm")] or [primary]
if only_differing and len(shown) < len(requested):
    st.caption(f"Hidden (the same in every run): {', '.join(m for m in requested if m not in shown)}")

for kept in ("automl_filter", "automl_baseline", "automl_x", "automl_y", "automl_artifact_run"):
    if kept in st.session_state:  # a widget not drawn in a run loses its value: keep the closed tabs' choices
        st.session_state[kept] = st.session_state[kept]

tab_names = ["Table", "Ranking", "Compare", "Correlation", "Search progress", "Algorithms"]
if data.artifacts:
    tab_names.append("Confusion matrix & ROC")
tab_names.append("Export")
tab_boxes = st.tabs(tab_names, key="automl_view", bind="query-params")  # the open tab is in the URL
open_tab = next((name for name, box in zip(tab_names, tab_boxes, strict=True) if box.open), tab_names[0])

with tab_boxes[tab_names.index(open_tab)]:  # only the open tab is computed and sent to the browser
    if open_tab == "Table":
        query = st.text_input("Filter runs (run id or algorithm contains)", key="automl_filter")
        view = table
        if query:
            mask = view["run_id"].str.contains(query, case=False, regex=False) | view[
                "algorithm"
            ].str.contains(query, case=False, regex=False)
            view = view[mask]
        st.caption(
            f"{len(view)} of {len(table)} runs, iteration order; click a column header to sort. "
            f"Best run by {primary} highlighted."
            + (f" First {MAX_ROWS} shown." if len(view) > MAX_ROWS else "")
        )
        st.dataframe(
            highlight(view.head(MAX_ROWS), summary.best_run, shown), hide_index=True, width="stretch"
        )
        baseline = st.selectbox(
            "Pin a baseline run (deltas: positive = better than the baseline)",
            [None, *data.run_ids],
            format_func=lambda r: "(none)" if r is None else r,
            key="automl_baseline",
        )
        if baseline:
            deltas = automl.baseline_deltas(data, baseline, shown).head(MAX_ROWS)
            st.dataframe(
                deltas.style.format({m: "{:+.4f}" for m in shown}).map(delta_colour, subset=shown),
                hide_index=True,
                width="stretch",
            )
    elif open_tab == "Ranking":
        ranked = automl.ranking(data, primary)
        st.plotly_chart(ranking_bars(ranked, primary), key="automl_chart_ranking")
    elif open_tab == "Compare":
        pair = st.columns(2)
        if st.session_state.get("automl_x") not in metrics:
            st.session_state.automl_x = primary
        x = pair[0].selectbox("x", metrics, key="automl_x")
        others = [m for m in metrics if m != x] or metrics
        y = pair[1].selectbox("y", others, key="automl_y")
        both = automl.wide(data, list(dict.fromkeys([x, y, primary]))).dropna(subset=[x, y]).head(MAX_ROWS)
        st.plotly_chart(scatter(both, x, y, summary.best_run), key="automl_chart_scatter")
        axes = list(dict.fromkeys([primary, *shown]))[:MAX_PARCOORDS]
        if len(axes) >= 2:
            full = automl.wide(data, axes).dropna(subset=axes).head(MAX_ROWS)
            st.plotly_chart(parallel(full, axes, primary), key="automl_chart_parcoords")
            st.caption(
                f"Drag along an axis to filter runs. Axes: the chosen metrics (at most {MAX_PARCOORDS})."
            )
    elif open_tab == "Correlation":
        corr = automl.correlation(data, shown if len(shown) >= 2 else None)
        if len(corr) >= 2:
            st.plotly_chart(heatmap(corr), key="automl_chart_corr")
        else:
            st.info("Correlation needs at least two metrics that vary across runs.")
    elif open_tab == "Search progress":
        curve = automl.best_so_far(data, primary)
        last, after = automl.last_improvement(curve)
        st.plotly_chart(progress(curve, primary), key="automl_chart_progress")
        if after:
            st.markdown(
                f"Last improvement at iteration **{last}**; **{after}** runs after it brought nothing better."
            )
        else:
            st.markdown(
                f"The best run came at the last iteration (**{last}**): the search was still improving."
            )
    elif open_tab == "Algorithms":
        by_algorithm = automl.per_algorithm(data, primary)
        if (data.runs["algorithm"].isna()).all():
            st.info(
                "This source records no algorithm names (a cached metrics_data file has none; live pulls do)."
            )
        algo_table = automl.wide(data, [primary]).dropna(subset=[primary]).head(MAX_ROWS)
        st.plotly_chart(boxes(algo_table, primary, list(by_algorithm["algorithm"])), key="automl_chart_box")
        st.dataframe(by_algorithm, hide_index=True, width="stretch")
    elif open_tab == "Confusion matrix & ROC":
        runs_with = [r for r in data.run_ids if r in data.artifacts]
        pick = st.selectbox("Run", runs_with, key="automl_artifact_run")
        found = data.artifacts.get(pick, {})
        cols = st.columns(2)
        try:
            if "confusion_matrix" in found:
                cols[0].plotly_chart(
                    confusion(arts.confusion_matrix(found["confusion_matrix"])), key="automl_cm"
                )
            if "accuracy_table" in found:
                curves = arts.roc_curves(found["accuracy_table"])
                cols[1].plotly_chart(roc(curves, arts.roc_auc(curves)), key="automl_roc")
        except automl.AutoMLError as exc:
            st.error(str(exc))
    elif open_tab == "Export":
        stem = "automl-" + summary.best_run.rsplit("_", 1)[0][-12:]
        st.download_button(
            "Table as CSV (one row per run)",
            automl.wide(data, shown).to_csv(index=False),
            file_name=f"{stem}-table.csv",
            mime="text/csv",
            on_click="ignore",
            key="automl_dl_csv",
        )
        st.download_button(
            "Tidy data as JSON (run_id, iteration, metric, value)",
            data.tidy.to_json(orient="records"),
            file_name=f"{stem}-tidy.json",
            mime="application/json",
            on_click="ignore",
            key="automl_dl_tidy",
        )
        st.download_button(
            "Re-openable metrics file (the cached format, with metadata)",
            json.dumps(cache.to_document(data)),
            file_name=f"{stem}-metrics.json",
            mime="application/json",
            on_click="ignore",
            key="automl_dl_doc",
        )
        st.caption("The same table from a terminal: `python -m core.automl table PATH --csv`.")
