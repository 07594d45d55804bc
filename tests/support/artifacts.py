"""Small AutoML artifacts as Azure ML writes them: a binary confusion matrix and an accuracy table."""

CONFUSION = {
    "schema_type": "confusion_matrix",
    "schema_version": "1.0.0",
    "data": {"class_labels": ["no", "yes"], "matrix": [[2850, 80], [210, 160]]},
}
ACCURACY_TABLE = {
    "schema_type": "accuracy_table",
    "schema_version": "1.0.2",
    "data": {
        "class_labels": ["no", "yes"],
        "probability_thresholds": [0.0, 0.5, 1.0],
        "probability_tables": [
            [[100, 25, 0, 0], [80, 5, 20, 20], [0, 0, 25, 100]],
            [[25, 100, 0, 0], [20, 10, 90, 5], [0, 0, 100, 25]],
        ],
    },
}
