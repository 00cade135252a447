"""Publish: the release and its artefacts.

release (the `Release` type, assembly, manifest, accounting), publish (atomic write),
card (dataset card), report (report.html), plots, leaderboards, stage (`run`).
"""
