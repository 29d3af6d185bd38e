"""The live training monitor: a web page of a run's progress, env top views and episodes."""
