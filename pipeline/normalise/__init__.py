"""Normalise: repair text, give each paper a stable id, merge duplicates.

rules (the shared Unicode / LaTeX / entity / whitespace repairs), ids, rows (row repair),
columns (the column-wise repair of a chunk), dedup (merging), stage (`run`).
"""
