"""Reader for Papers with Code leaderboards (`pwc_leaderboard`): sota-extractor task files and
the `evaluation-tables.json` export.

A task is `{task, datasets: [{dataset, subdatasets: [{subdataset, sota}], sota: {metrics,
rows}}], subtasks: [task, ...]}`; the file is one task or a list of tasks. Subtasks are walked
to any depth (iteratively). Each leaderboard row becomes one `Record`: title = `paper_title`,
urls = the `code_links` URLs then `paper_url`, `arxiv_id` from an arxiv.org `paper_url`,
abstract None, raw = `{"task", "dataset", ["subdataset"], "row"}`. `Record.line` is the
1-based index of the row in the file (rows counted in walking order). A row without
`paper_title` yields `Rejected` PC105. A file that does not parse yields one PC101.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pipeline.errors import Reason
from pipeline.ingest.common import (
    Source,
    arxiv_id_from_url,
    head_text,
    json_keys,
    json_start,
    json_text,
    load_document,
    reject,
    str_or_none,
    urls_from,
)
from pipeline.ingest.metadata import pwc_metadata
from pipeline.records import Record, Rejected

FORMAT = "pwc_leaderboard"

_TASK_KEYS = frozenset({"datasets", "subtasks", "sota", "paper_title", "dataset"})


def sniff(head: bytes) -> bool:
    """A JSON document with a `task` key and leaderboard keys (datasets, subtasks, sota)."""
    if b"\x00" in head:
        return False
    text = head_text(head)
    if json_start(text) not in ("{", "["):
        return False
    keys = json_keys(text)
    return ("task" in keys and len(_TASK_KEYS & keys) >= 2) or {"paper_title", "sota"} <= keys


def row_to_item(row: Any, context: dict[str, Any], name: str, index: int) -> Record | Rejected:
    """One leaderboard row as a `Record` (or `Rejected` PC106/PC105)."""
    raw = {**context, "row": row}
    if not isinstance(row, dict):
        return reject(name, index, Reason.BAD_RECORD,
                      f"row {index}: expected a JSON object, found {type(row).__name__}", raw)
    title = str_or_none(row.get("paper_title"))
    if title is None:
        where = f"task {context.get('task')!r}, dataset {context.get('dataset')!r}"
        return reject(name, index, Reason.NO_TITLE, f"row {index} ({where}) has no paper_title",
                      raw)
    paper_url = row.get("paper_url")
    urls = urls_from(row.get("code_links"), paper_url)
    arxiv_id = arxiv_id_from_url(paper_url) if isinstance(paper_url, str) else None
    return Record(
        source_file=name,
        line=index,
        source_format=FORMAT,
        title=title,
        arxiv_id=arxiv_id,
        urls=urls,
        raw=json_text(raw),
        published=pwc_metadata(row).published,
    )


def _rows(sota: Any) -> list[Any]:
    rows = sota.get("rows") if isinstance(sota, dict) else None
    return rows if isinstance(rows, list) else []


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def iter_rows(doc: Any) -> Iterator[tuple[dict[str, Any], Any]]:
    """`(context, row)` for every leaderboard row, tasks and subtasks in file order."""
    stack: list[tuple[Any, list[str]]] = [(t, []) for t in reversed(_as_list(doc) or [doc])]
    while stack:
        task, parents = stack.pop()
        if not isinstance(task, dict):
            continue
        task_name = task.get("task")
        base: dict[str, Any] = {"task": task_name}
        if parents:
            base["parent_tasks"] = parents
        for dataset in _as_list(task.get("datasets")):
            if not isinstance(dataset, dict):
                continue
            context = {**base, "dataset": dataset.get("dataset")}
            for row in _rows(dataset.get("sota")):
                yield context, row
            for sub in _as_list(dataset.get("subdatasets")):
                if isinstance(sub, dict):
                    sub_context = {**context, "subdataset": sub.get("subdataset")}
                    for row in _rows(sub.get("sota")):
                        yield sub_context, row
        path = [*parents, str(task_name)]
        stack.extend((sub, path) for sub in reversed(_as_list(task.get("subtasks"))))


def read(fh: Source, name: str) -> Iterator[Record | Rejected]:
    """Parse the document and yield one item per leaderboard row."""
    doc, problem = load_document(fh, name)
    if problem is not None:
        yield problem
        return
    tasks = _as_list(doc) or [doc]
    if not any(isinstance(t, dict) and (_TASK_KEYS | {"task"}) & t.keys() for t in tasks):
        yield reject(name, None, Reason.BAD_RECORD,
                     "expected a task object or a list of tasks (task, datasets, subtasks)",
                     {"type": type(doc).__name__})
        return
    for index, (context, row) in enumerate(iter_rows(doc), start=1):
        yield row_to_item(row, context, name, index)
