"""The π pages' pieces: their settings (in the URL), their result panels and their Plotly figures."""
