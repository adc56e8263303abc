"""Prefect flows: the only place that imports Prefect. Each task is a thin wrapper over pipeline/."""
