"""What every area shares at run time: roles and limits, background jobs, cancel, child processes, checks of
what users type, command lines' errors, the languages of the pages."""
