"""Pickles written opcode by opcode, for the static model reader's tests: classes that are not installed
here (AutoML's wrappers, xgboost, lightgbm) and hostile payloads, without importing or defining any of them.

``Ref("mod", "Name")`` is a global; ``Make(ref, state)`` an object built as pickle protocol 2+ builds one
(``NEWOBJ`` then ``BUILD``); ``Call(ref, args)`` a ``REDUCE`` (what a hostile ``__reduce__`` emits).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Ref:
    module: str
    name: str


@dataclass
class Make:
    cls: Ref
    state: dict[str, Any] = field(default_factory=dict)


@dataclass
class Call:
    func: Ref
    args: tuple = ()


def dumps(obj: Any, protocol: int = 3) -> bytes:
    """``obj`` as pickle opcodes (protocol 2 or 3), ending in STOP."""
    out = bytearray(b"\x80" + bytes([protocol]))
    _emit(obj, out)
    out += b"."
    return bytes(out)


def _emit(obj: Any, out: bytearray) -> None:
    if obj is None:
        out += b"N"
    elif obj is True or obj is False:
        out += b"\x88" if obj else b"\x89"
    elif isinstance(obj, int):
        out += b"J" + struct.pack("<i", obj)
    elif isinstance(obj, float):
        out += b"G" + struct.pack(">d", obj)
    elif isinstance(obj, str):
        raw = obj.encode("utf-8")
        out += b"X" + struct.pack("<I", len(raw)) + raw
    elif isinstance(obj, bytes):
        out += b"B" + struct.pack("<I", len(obj)) + obj
    elif isinstance(obj, Ref):
        out += f"c{obj.module}\n{obj.name}\n".encode()
    elif isinstance(obj, list):
        out += b"]("
        for item in obj:
            _emit(item, out)
        out += b"e"
    elif isinstance(obj, tuple):
        out += b"("
        for item in obj:
            _emit(item, out)
        out += b"t"
    elif isinstance(obj, dict):
        out += b"}("
        for key, value in obj.items():
            _emit(key, out)
            _emit(value, out)
        out += b"u"
    elif isinstance(obj, Make):
        _emit(obj.cls, out)
        out += b")\x81"  # an empty tuple of arguments, NEWOBJ: cls.__new__(cls)
        _emit(obj.state, out)
        out += b"b"  # BUILD
    elif isinstance(obj, Call):
        _emit(obj.func, out)
        _emit(tuple(obj.args), out)
        out += b"R"  # REDUCE: func(*args)
    else:
        raise TypeError(f"cannot write {type(obj).__name__}")


WRAPPERS = "azureml.automl.runtime.shared.model_wrappers"


def automl_model() -> bytes:
    """A fitted AutoML pipeline as the course notebook prints it: PipelineWithYTransformations →
    DataTransformer → PreFittedSoftVotingClassifier → Pipeline(StandardScalerWrapper, XGBoostClassifier)
    and Pipeline(MaxAbsScaler, LightGBMClassifier), weighted 0.6 and 0.4."""
    pipeline = Ref("sklearn.pipeline", "Pipeline")
    xgb = Make(
        Ref(WRAPPERS, "XGBoostClassifier"),
        {
            "params": {
                "booster": "gbtree",
                "eta": 0.4,
                "max_depth": 6,
                "n_estimators": 100,
                "tree_method": "auto",
            },
            "model": Make(Ref("xgboost.sklearn", "XGBClassifier"), {"max_depth": 6, "learning_rate": 0.4}),
            "classes_": [0, 1],
        },
    )
    scaler = Make(
        Ref(WRAPPERS, "StandardScalerWrapper"),
        {
            "class_name": "StandardScaler",
            "module_name": "sklearn.preprocessing._data",
            "with_mean": False,
            "with_std": False,
            "copy": True,
        },
    )
    lgbm = Make(
        Ref(WRAPPERS, "LightGBMClassifier"),
        {
            "params": {"boosting_type": "gbdt", "learning_rate": 0.1, "num_leaves": 31},
            "model": Make(Ref("lightgbm.sklearn", "LGBMClassifier"), {"num_leaves": 31}),
        },
    )
    members = [
        (
            "1",
            Make(
                pipeline,
                {
                    "steps": [("standardscalerwrapper", scaler), ("xgboostclassifier", xgb)],
                    "memory": None,
                    "verbose": False,
                },
            ),
        ),
        (
            "0",
            Make(
                pipeline,
                {
                    "steps": [
                        (
                            "maxabsscaler",
                            Make(Ref("sklearn.preprocessing._data", "MaxAbsScaler"), {"copy": True}),
                        ),
                        ("lightgbmclassifier", lgbm),
                    ],
                    "memory": None,
                    "verbose": False,
                },
            ),
        ),
    ]
    voting = Make(
        Ref("azureml.training.tabular.models.voting_ensemble", "PreFittedSoftVotingClassifier"),
        {
            "estimators": members,
            "weights": [0.6, 0.4],
            "flatten_transform": None,
            "_sklearn_version": "1.5.1",
        },
    )
    transformer = Make(
        Ref("azureml.automl.runtime.featurization.data_transformer", "DataTransformer"),
        {
            "enable_dnn": False,
            "enable_feature_sweeping": True,
            "feature_sweeping_timeout": 86400,
            "is_cross_validation": True,
            "task": "classification",
            "working_dir": "/mnt/batch/tasks/shared",
        },
    )
    inner = Make(
        pipeline,
        {
            "steps": [("datatransformer", transformer), ("prefittedsoftvotingclassifier", voting)],
            "memory": None,
            "verbose": False,
        },
    )
    root = Make(
        Ref("azureml.training.tabular.models.pipeline_with_ytransformations", "PipelineWithYTransformations"),
        {
            "pipeline": inner,
            "y_transformer": Make(Ref("sklearn.preprocessing._label", "LabelEncoder")),
            "y_transformer_name": "LabelEncoder",
        },
    )
    return dumps(root)


def hostile(kind: str, canary: str) -> bytes:
    """A pickle that, once unpickled, would create the file ``canary``: by ``os.system`` (``posix`` on
    Linux), ``builtins.eval``, or ``subprocess.check_call``; wrapped in an innocent-looking model."""
    create = f"open({canary!r}, 'w').close()"
    payload = {
        "os": Call(Ref("posix", "system"), (f"touch {canary}",)),
        "eval": Call(Ref("builtins", "eval"), (create,)),
        "subprocess": Call(Ref("subprocess", "check_call"), (["touch", canary],)),
    }[kind]
    model = Make(Ref("sklearn.linear_model._logistic", "LogisticRegression"), {"C": 1.0, "hook": payload})
    return dumps(model)
