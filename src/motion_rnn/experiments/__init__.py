"""One module a paper: functions that run a table and return pandas frames for its notebook."""
