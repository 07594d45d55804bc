"""What every page shares at run time: the visitor's role, background jobs and their panels, the server's
start, timings."""
