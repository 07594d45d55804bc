"""Where AutoML metrics come from, behind one interface: ``source.load() -> AutoMLData``."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from core.automl.model import AutoMLData, AutoMLError
from core.automl.sources.parse import load_bytes, load_path, parse_metrics
from core.runtime.i18n import N_
from core.runtime.message import Message

SAMPLE_PATH = Path(__file__).resolve().parents[2] / "data" / "bank_marketing_metrics_output.json"
SAMPLE_LABEL = Message(N_("bundled sample: bank marketing, 20 child runs (Azure ML AutoML, AUC_weighted)"))
ENV_AUTOML_DIR = "PILAB_AUTOML_DIR"  # the page's File path source reads only inside this directory
PATH_REFUSED = Message(N_("no readable file of that name in the AutoML directory"))  # for every refusal


class Source(Protocol):
    """Anything that can produce AutoML metrics; ``label`` says where they came from."""

    label: str

    def load(self) -> AutoMLData: ...


class LiveSource(Source, Protocol):
    """A source behind a service: ``pull()`` returns the cached-format document that ``load()`` parses."""

    def pull(self) -> dict[str, Any]: ...


@dataclass
class SampleSource:
    """The real AutoML output bundled with Pi Lab (works offline)."""

    label: str = SAMPLE_LABEL

    def load(self) -> AutoMLData:
        data = load_path(SAMPLE_PATH)
        data.source = self.label
        return data


@dataclass
class FileSource:
    """A cached metrics file on disk (``metrics_data`` from a pipeline, or a Pi Lab pull)."""

    path: str | Path
    label: str = ""

    def __post_init__(self) -> None:
        self.label = self.label or str(self.path)

    def load(self) -> AutoMLData:
        return load_path(self.path)


@dataclass
class UploadSource:
    """The bytes of an uploaded metrics file."""

    name: str
    data: bytes = field(repr=False)
    label: str = ""

    def __post_init__(self) -> None:
        self.label = self.label or self.name

    def load(self) -> AutoMLData:
        return load_bytes(self.data, name=self.name)


def load_live(source: LiveSource) -> tuple[AutoMLData, dict[str, Any]]:
    """Pull from a live source once; return the parsed data and the document to cache."""
    document = source.pull()
    return parse_metrics(document, source=source.label), document


def confined_path(directory: str | Path, user_text: str) -> Path:
    """``user_text`` as a readable file inside ``directory`` (relative to it; symlinks resolved), else
    ``AutoMLError(PATH_REFUSED)``, the same whether the file is outside, missing, a directory or unreadable,
    so that a visitor cannot learn which files exist."""
    try:
        root = Path(directory).resolve(strict=False)
        path = (root / user_text.strip()).resolve(strict=False)
        if user_text.strip() and path.is_relative_to(root) and path.is_file() and os.access(path, os.R_OK):
            return path
    except (OSError, RuntimeError, ValueError):  # a symlink loop, a NUL byte, a name too long …
        pass
    raise AutoMLError(PATH_REFUSED)
