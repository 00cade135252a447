"""Property: whatever bytes a folder holds, ingest + normalise account for every record.

records read (Records + Rejected, per file) == papers started + duplicates merged +
records quarantined, and nothing raises.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from pipeline.ingest import read_input, scan_inputs
from pipeline.normalise.dedup import merge_records
from pipeline.records import Record, Rejected

ROOT = Path(__file__).resolve().parent.parent
REAL = [
    ROOT / "tests/fixtures/formats/arxiv/arxiv-metadata-oai-snapshot.head.jsonl",
    ROOT / "tests/fixtures/formats/hf/daily_papers_2024-10-25.json",
    ROOT / "data/raw/000_2a00aa8dfd2c52e5.txt",
]
REAL_BYTES = [p.read_bytes()[:20_000] for p in REAL]

json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda kids: (
        st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=8), kids, max_size=4)
    ),
    max_leaves=12,
)
record_like = st.fixed_dictionaries(
    {},
    optional={
        "title": st.text(max_size=40),
        "abstract": st.text(max_size=200),
        "id": st.text(max_size=12),
        "authors": st.one_of(st.text(max_size=30), st.lists(st.text(max_size=15), max_size=3)),
    },
)
file_bytes = st.one_of(
    st.binary(max_size=400),
    st.lists(st.one_of(record_like, json_value), max_size=6).map(
        lambda xs: "\n".join(json.dumps(x) for x in xs).encode()
    ),
    st.tuples(st.sampled_from(REAL_BYTES), st.integers(0, 20_000)).map(lambda t: t[0][: t[1]]),
)


@given(st.lists(file_bytes, min_size=1, max_size=4))
def test_every_record_is_accounted_for(files: list[bytes]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp)
        for i, data in enumerate(files):
            (raw / f"f{i}").write_bytes(data)
        read: Counter[str] = Counter()
        rejected: Counter[str] = Counter()
        records: list[Record] = []
        for f in scan_inputs(raw):
            for item in read_input(raw, f):
                read[f.name] += 1
                if isinstance(item, Rejected):
                    rejected[f.name] += 1
                else:
                    records.append(item)
        result = merge_records(records)
    started = Counter(p.source_file for p in result.papers)
    norm_rejected = Counter(r.source_file for r in result.rejected)
    for name, n in read.items():
        assert (
            n == started[name] + result.merged.get(name, 0) + rejected[name] + norm_rejected[name]
        )
