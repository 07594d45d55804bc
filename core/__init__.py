"""Pi Lab's computations: no Streamlit here, and every part has a command line of its own."""
