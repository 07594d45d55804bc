"""The π pages' pieces: their settings (in the URL) and their Plotly figures."""
