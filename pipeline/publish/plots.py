"""The dataset card's figures: PNG bytes from the `results` table, byte-identical per input.

Determinism: matplotlib's default style (never the user's matplotlibrc), the Agg canvas of
a bare `Figure` (no pyplot global state), fixed size and dpi, no `Software` metadata (it
carries the matplotlib version), no dates, fixed `svg.hashsalt`, and no randomness (points
of one group are spread by their index, not jittered).
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

PLOT_DIR = "plots"
DPI = 100
NO_DATASET = "(no dataset)"
MAX_DATASETS = 20
MAX_METRICS = 12
MAX_FID_GROUPS = 15
MAX_POINTS_PER_ROLE = 100
"""Per dataset row and role, at most this many FID points are drawn (spread over the sorted
values, always with the smallest and largest): a row of thousands of dots is unreadable and
costs minutes to render at all-of-arXiv scale."""


@contextmanager
def _style() -> Iterator[None]:
    # No matplotlib.use(): the Agg canvas is attached explicitly in `_png`, so the
    # caller's backend (a notebook's, say) is left alone.
    import matplotlib
    import matplotlib.style

    with (
        matplotlib.style.context("default"),
        matplotlib.rc_context(
            {"svg.hashsalt": "paperclaims", "font.family": "DejaVu Sans", "font.size": 9}
        ),
    ):
        yield


def _png(fig: object) -> bytes:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    assert isinstance(fig, Figure)
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, metadata={"Software": None})
    return buf.getvalue()


def _empty(title: str, message: str) -> bytes:
    from matplotlib.figure import Figure

    with _style():
        fig = Figure(figsize=(6, 2))
        ax = fig.add_subplot()
        ax.set_axis_off()
        ax.set_title(title)
        ax.text(0.5, 0.5, message, ha="center", va="center", transform=ax.transAxes)
        return _png(fig)


def _is_fid_point(table: pa.Table) -> pa.ChunkedArray:
    """The rows `fid_points` draws: absolute FID claims with a dataset."""
    return pc.fill_null(
        pc.and_(
            pc.and_(pc.equal(table["metric"], "FID"), pc.equal(table["kind"], "absolute")),
            pc.is_valid(table["dataset"]),
        ),
        False,
    )


def compact_results(batches: Iterable[pa.Table | pa.RecordBatch]) -> pa.Table:
    """What the plots need of `results` (columns dataset, metric, value, resolution, role,
    kind), in memory that does not grow with the table: the rows `fid_points` draws as they
    are, every other row only counted, one row per (dataset, metric) with its count in `n`.
    The plots drawn from it are the ones drawn from the whole table."""
    cols = ["dataset", "metric", "value", "resolution", "role", "kind"]
    points: list[pa.Table] = []
    counts: list[pa.Table] = []
    schema: pa.Schema | None = None
    for b in batches:
        table = (pa.Table.from_batches([b]) if isinstance(b, pa.RecordBatch) else b).select(cols)
        schema = pa.schema([f.with_nullable(True) for f in table.schema])
        fid = _is_fid_point(table)
        points.append(table.filter(fid))
        rest = table.filter(pc.invert(fid)).select(["dataset", "metric"])
        counts.append(rest.group_by(["dataset", "metric"]).aggregate([([], "count_all")]))
    if schema is None:
        from pipeline.schemas import arrow_schema

        empty = arrow_schema("results").empty_table().select(cols)
        return empty.append_column("n", pa.array([], pa.int64()))
    summed = (
        pa.concat_tables(counts)
        .group_by(["dataset", "metric"])
        .aggregate([("count_all", "sum")])
        .sort_by([("dataset", "ascending"), ("metric", "ascending")])
    )
    n = summed.num_rows
    rows = pa.table(
        {
            "dataset": summed["dataset"],
            "metric": summed["metric"],
            **{c: pa.nulls(n, schema.field(c).type) for c in ("value", "resolution", "role",
                                                              "kind")},
        }
    ).select(cols)
    drawn = pa.concat_tables([p.cast(schema) for p in points])
    return pa.concat_tables(
        [
            drawn.append_column("n", pa.array(np.ones(drawn.num_rows, np.int64))),
            rows.cast(schema).append_column("n", summed["count_all_sum"].cast(pa.int64())),
        ]
    )


def count_matrix(results: pd.DataFrame) -> pd.DataFrame:
    """Claims per dataset (rows) and metric (columns), most frequent first, capped. A column
    `n` (`compact_results`) gives each row's count; without it each row is one claim."""
    if results.empty:
        return pd.DataFrame()
    df = pd.DataFrame(
        {
            "dataset": results["dataset"].astype(object).where(results["dataset"].notna(), None),
            "metric": results["metric"].astype(str),
            "n": results["n"].astype(int) if "n" in results else 1,
        }
    )
    df["dataset"] = df["dataset"].fillna(NO_DATASET).astype(str)
    counts = df.groupby(["dataset", "metric"])["n"].sum().unstack(fill_value=0)

    def top(totals: pd.Series[int], n: int) -> list[str]:
        ranked = sorted(totals.items(), key=lambda kv: (-int(kv[1]), str(kv[0])))
        return [str(k) for k, _ in ranked[:n]]

    rows = top(counts.sum(axis=1), MAX_DATASETS)
    # The catch-all row goes last so real datasets lead.
    rows = [r for r in rows if r != NO_DATASET] + [r for r in rows if r == NO_DATASET]
    cols = top(counts.sum(axis=0), MAX_METRICS)
    return counts.loc[rows, cols]


def plot_claims_per_dataset_metric(results: pd.DataFrame) -> bytes:
    """A heat map of claim counts per dataset and metric, counts written in the cells."""
    title = "Claims per dataset and metric"
    matrix = count_matrix(results)
    if matrix.empty:
        return _empty(title, "no claims in this release")
    from matplotlib.figure import Figure

    n_rows, n_cols = matrix.shape
    with _style():
        fig = Figure(figsize=(2.5 + 0.6 * n_cols, 1.4 + 0.32 * n_rows), layout="constrained")
        ax = fig.add_subplot()
        values = matrix.to_numpy()
        ax.imshow(values, cmap="Blues", aspect="auto", vmin=0, vmax=max(1, int(values.max())))
        ax.set_xticks(range(n_cols), [str(c) for c in matrix.columns], rotation=45, ha="right")
        ax.set_yticks(range(n_rows), [str(r) for r in matrix.index])
        high = values.max() * 0.6
        for i in range(n_rows):
            for j in range(n_cols):
                if values[i, j]:
                    ax.text(
                        j,
                        i,
                        str(int(values[i, j])),
                        ha="center",
                        va="center",
                        color="white" if values[i, j] > high else "black",
                        fontsize=8,
                    )
        shown = int(values.sum())
        total = int(results["n"].sum()) if "n" in results else len(results)
        note = "" if shown == total else f" ({shown} of {total} shown)"
        ax.set_title(f"{title}{note}")
        return _png(fig)


def fid_points(results: pd.DataFrame) -> pd.DataFrame:
    """Absolute FID claims with a dataset, labelled `dataset` or `dataset NNNpx`."""
    if results.empty:
        return pd.DataFrame(columns=["group", "value", "role"])
    mask = (
        (results["metric"] == "FID") & (results["kind"] == "absolute") & results["dataset"].notna()
    )
    df = results.loc[mask.fillna(False).astype(bool), ["dataset", "resolution", "value", "role"]]
    groups = [
        str(d) if pd.isna(r) else f"{d} {int(r)}px"
        for d, r in zip(df["dataset"], df["resolution"], strict=True)
    ]
    out = pd.DataFrame(
        {"group": groups, "value": df["value"].astype(float).to_numpy(), "role": df["role"]}
    )
    return out.sort_values(["group", "role", "value"], kind="stable").reset_index(drop=True)


def spread(values: np.ndarray, k: int) -> np.ndarray:
    """`values` sorted; if more than `k`, `k` of them at evenly spaced ranks (both ends kept)."""
    ordered = np.sort(values)
    if len(ordered) <= k:
        return ordered
    picked: np.ndarray = ordered[np.linspace(0, len(ordered) - 1, k).round().astype(int)]
    return picked


def plot_fid_per_dataset_resolution(results: pd.DataFrame) -> bytes:
    """FID values per dataset and resolution; proposed vs. baseline values, best labelled."""
    title = "FID per dataset and resolution (absolute claims)"
    points = fid_points(results)
    if points.empty:
        return _empty(title, "no absolute FID claims with a dataset")
    from matplotlib.figure import Figure

    sizes = points.groupby("group").size()
    ranked = sorted(sizes.items(), key=lambda kv: (-int(kv[1]), str(kv[0])))[:MAX_FID_GROUPS]
    groups = [str(g) for g, _ in ranked]
    styles = {
        "proposed": ("tab:blue", "o", "proposed"),
        "baseline": ("tab:gray", "s", "baseline"),
        "prior_sota": ("tab:orange", "D", "prior SOTA"),
    }
    with _style():
        fig = Figure(figsize=(7, 1.4 + 0.4 * len(groups)), layout="constrained")
        ax = fig.add_subplot()
        labelled: set[str] = set()
        shown = 0
        for y, group in enumerate(groups):
            rows = points[points["group"] == group].reset_index(drop=True)
            for role, values in rows.groupby("role", sort=True)["value"]:
                xs = spread(values.to_numpy(dtype=float), MAX_POINTS_PER_ROLE)
                shown += len(xs)
                color, marker, label = styles.get(str(role), ("tab:red", "x", str(role)))
                offsets = ((np.arange(len(xs)) % 5) - 2) * 0.07
                ax.scatter(
                    xs,
                    y + offsets,
                    color=color,
                    marker=marker,
                    s=22,
                    label=None if label in labelled else label,
                    zorder=3,
                )
                labelled.add(label)
            proposed = rows.loc[rows["role"] == "proposed", "value"]
            if not proposed.empty:
                best = float(proposed.min())
                ax.annotate(
                    f"{best:g}",
                    (best, y),
                    xytext=(0, 7),
                    textcoords="offset points",
                    ha="center",
                    fontsize=7,
                    color="tab:blue",
                )
        total = int(points["group"].isin(groups).sum())
        if shown < total:
            title = f"{title}; {shown} of {total} points drawn"
        values = points.loc[points["group"].isin(groups), "value"]
        low, high = float(values.min()), float(values.max())
        if low > 0 and high / low > 20:
            from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

            ax.set_xscale("log")
            # Plain numbers (1, 2, 5, 10, ...) rather than powers of ten.
            ax.xaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
            ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_yticks(range(len(groups)), groups)
        ax.set_ylim(len(groups) - 0.5, -0.5)
        ax.set_xlabel("FID (lower is better)")
        ax.grid(axis="x", color="0.9", zorder=0)
        ax.legend(loc="upper right", fontsize=7, frameon=False)
        ax.set_title(title)
        return _png(fig)


PLOTS = (
    (
        "claims_per_dataset_metric.png",
        "Claims per dataset and metric",
        plot_claims_per_dataset_metric,
    ),
    (
        "fid_per_dataset_resolution.png",
        "FID values per dataset and resolution",
        plot_fid_per_dataset_resolution,
    ),
)


def write_plots(results: pa.Table, folder: Path) -> list[tuple[str, str]]:
    """Write every plot under `folder/plots/`; return (relative path, title) pairs."""
    df = results.to_pandas()
    out_dir = folder / PLOT_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, title, make in PLOTS:
        (out_dir / name).write_bytes(make(df))
        written.append((f"{PLOT_DIR}/{name}", title))
    return written
