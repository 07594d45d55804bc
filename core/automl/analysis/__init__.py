"""Views derived from the parsed metrics: tables and rankings, two AutoML runs compared, what the top runs
share, artifacts."""
