"""Validate: Arrow schemas, Great Expectations suites, span and range checks.

checks (the core: a chunk of a table -> kept rows + rejections), suites (GX), ranges
(metric bounds), spans (evidence offsets), arrays (NumPy views), stage (`run`).
"""
