"""Views derived from the parsed metrics: tables and rankings, two jobs compared, what the top runs share,
artifacts."""
