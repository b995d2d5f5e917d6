"""Build: the pipeline that runs the stages, its cache, the reuse of the last build and the JSON report."""
