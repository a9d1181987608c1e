"""Q4: the project's export writers (hive_review.log.exports.EXPORT_FORMATS) vs. pandas writing the same
100k-row log frame directly: time (median of the repetitions) and peak traced memory (one tracemalloc run).
Excel is timed on the first 10k rows (at most 3 repetitions): at 100k one run takes ~40 s (project) and
~80 s (pandas), and several times that under tracemalloc.

The frame is a real log frame: rows added through Stores and read back with load_log (its dtypes).
pandas' to_excel refuses time-zone-aware timestamps, so the Excel baseline first drops the zone (as the
project does); nothing else is prepared for the baselines. tracemalloc sees numpy's buffers but not
pyarrow's own allocator, so the Parquet memory figures are lower bounds.
"""

from __future__ import annotations

import io
import tracemalloc
from collections.abc import Callable

import pandas as pd

from bench._common import make_entries, median, parse_args, print_table, ratio_line, repeat
from hive_review.log.exports import EXPORT_FORMATS
from hive_review.stores import open_stores

EXCEL_ROWS = 10_000


def log_frame(rows: int) -> pd.DataFrame:
    store = open_stores("sqlite:///:memory:")
    session = store.log.create_session("bench-export")
    store.log.add_entries(make_entries(session.id, "bench-export", rows))
    frame = store.log.load_log(session.id)
    store.close()
    return frame


def _excel(df: pd.DataFrame) -> bytes:
    naive = {
        name: df[name].dt.tz_localize(None) for name in df.columns if isinstance(df[name].dtype, pd.DatetimeTZDtype)
    }
    buffer = io.BytesIO()
    df.assign(**naive).to_excel(buffer, index=False, engine="openpyxl")
    return buffer.getvalue()


def _parquet(df: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    df.to_parquet(buffer, index=False)
    return buffer.getvalue()


PANDAS: dict[str, Callable[[pd.DataFrame], bytes]] = {
    "CSV": lambda df: df.to_csv(index=False).encode("utf-8"),
    "JSONL": lambda df: df.to_json(orient="records", lines=True, date_format="iso").encode("utf-8"),
    "Parquet": _parquet,
    "Excel": _excel,
}


def peak_mib(fn: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 2**20
    finally:
        tracemalloc.stop()


def main() -> None:
    args = parse_args(__doc__ or "")
    rows = 1_000 if args.quick else 100_000
    df = log_frame(rows)
    print(
        f"log frame: {len(df):,} rows x {len(df.columns)} columns, {df.memory_usage(deep=True).sum() / 2**20:.0f} MiB"
    )
    table, ratios, memory = [], {}, []
    for name, export_format in EXPORT_FORMATS.items():
        project, baseline = export_format.write, PANDAS[name]
        # Excel takes ~40 s (project) and ~80 s (pandas) a run at 100k rows: timed on the first 10k, at most 3 times.
        frame = df.head(EXCEL_ROWS) if name == "Excel" else df
        reps = min(args.reps, 3) if name == "Excel" else args.reps
        project_t = repeat(lambda project=project, frame=frame: project(frame), reps)
        pandas_t = repeat(lambda baseline=baseline, frame=frame: baseline(frame), reps)
        label = f"{name} ({len(frame):,} rows)"
        table += [(f"{label}: project", project_t), (f"{label}: pandas", pandas_t)]
        ratios[name] = median(project_t) / median(pandas_t)
        size = len(project(frame)) / 2**20
        project_mib = peak_mib(lambda project=project, frame=frame: project(frame))
        pandas_mib = peak_mib(lambda baseline=baseline, frame=frame: baseline(frame))
        memory.append(f"{label:<22} {project_mib:>10.0f} {pandas_mib:>10.0f} {size:>9.1f}")
        print(f"{label}: project {median(project_t):.2f} s, pandas {median(pandas_t):.2f} s", flush=True)
    print_table("Export of the log frame", table)
    print("\npeak traced memory (MiB), one run each; file size of the project's export (MiB)")
    print(f"{'format':<22} {'project':>10} {'pandas':>10} {'size':>9}")
    print("\n".join(memory))
    print("\ntime ratios (project / pandas): " + ", ".join(f"{k} {v:.2f}" for k, v in ratios.items()))
    worst = max(ratios, key=ratios.__getitem__)
    ratio_line(ratios[worst], f"<= 1.2 for every format; worst is {worst}")


if __name__ == "__main__":
    main()
