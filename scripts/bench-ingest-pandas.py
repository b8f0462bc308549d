#!/usr/bin/python3
"""The pandas peer of bench:ingest's parse measurement (issue 16).

Usage (the bench calls it exactly so; Debian's python3-pandas):

    /usr/bin/python3 scripts/bench-ingest-pandas.py MANIFEST.json

MANIFEST = {"repeat": 5, "files": [{"name": "miso_csv", "kind": KIND, "path": "/abs/bytes"}, ...]}
with KIND one of miso_da_expost_csv, miso_api_rt5_json, caiso_oasis_zip.

What is timed, per file, on the same bytes our parse gets (read into memory first, not timed):

  ours (scripts/bench-ingest.ts parseOnce, for comparison): unpackPayload (UTF-8 decode, or
      unzip then decode) and the source's parser, which validates every cell and returns one
      canonical PriceRecord per node and interval with lmp, energy, congestion and loss
      (plus issues for bad rows).
  this script, what gridstatus does for the same source:
    miso_da_expost_csv  pd.read_csv(skiprows=4) of the market report, the market day read from
        line 2, melt of HE 1..HE 24 into one row per node, Value and hour, pivot of the LMP/MCC/MLC
        rows into columns (pivot_table, aggfunc first), interval start/end as UTC timestamps
        (EST = UTC-5), energy = LMP - MCC - MLC.
    miso_api_rt5_json   json.loads of the answer, pd.DataFrame(data, columns=headers),
        pd.to_numeric of LMP/MLC/MCC, INTERVAL parsed (format given) and localised to EST then
        converted to UTC, interval end = start + 5 min, energy = LMP - MLC - MCC.
    caiso_oasis_zip     zipfile of the bytes and read of its CSV member, pd.read_csv(usecols=
        start, end, NODE, LMP_TYPE, VALUE), both *_GMT columns to UTC timestamps, pivot_table of
        LMP_TYPE into columns (index start, end, node; aggfunc first), as gridstatus's get_lmp.
  Records = rows of the reshaped frame with an LMP (must equal ours; the bench compares).

One warm-up run per file, then `repeat` timed runs (time.perf_counter); the median is reported,
and beside it medianCpuMs (time.process_time, this process's CPU time: steadier than wall time
when other work shares the machine).
peakMemoryMb is the peak RSS growth (VmHWM after minus before) of ONE run in a fresh child
process that has already imported pandas and read the bytes; the same measure is used for ours.
The last stdout line is one JSON object:
    {"python", "pandas", "numpy", "files": {name: {records, medianMs, runsMs, medianCpuMs, peakMemoryMb, does}}}
"""

import io
import json
import statistics
import subprocess
import sys
import time
import zipfile

import numpy as np
import pandas as pd

EST_OFFSET = pd.Timedelta(hours=5)  # MISO's market time is fixed EST, UTC-5, no daylight saving
HOURS = [f"HE {h}" for h in range(1, 25)]


def miso_da_expost_csv(data: bytes) -> pd.DataFrame:
    """MISO DA ex-post market report: read, melt the hours, pivot LMP/MCC/MLC, UTC times."""
    second_line = data.split(b"\n", 2)[1].decode().strip().strip(",")
    day = pd.to_datetime(second_line, format="%m/%d/%Y")
    df = pd.read_csv(io.BytesIO(data), skiprows=4)
    df = df.melt(id_vars=["Node", "Type", "Value"], value_vars=HOURS, var_name="HE", value_name="Price")
    df = df.pivot_table(index=["Node", "Type", "HE"], columns="Value", values="Price", aggfunc="first").reset_index()
    df.columns.name = None
    hour_ending = df["HE"].str.slice(3).astype(int)
    start = (day + EST_OFFSET + pd.to_timedelta(hour_ending - 1, unit="h")).dt.tz_localize("UTC")
    df["Interval Start"] = start
    df["Interval End"] = start + pd.Timedelta(hours=1)
    df["Energy"] = df["LMP"] - df["MCC"] - df["MLC"]
    df = df.rename(columns={"Node": "Location", "MCC": "Congestion", "MLC": "Loss"})
    return df[["Interval Start", "Interval End", "Location", "Type", "LMP", "Energy", "Congestion", "Loss"]]


def miso_api_rt5_json(data: bytes) -> pd.DataFrame:
    """MISO API GetRealTimeFiveMinExPost: JSON to a frame, numbers, EST times to UTC."""
    doc = json.loads(data)
    df = pd.DataFrame(doc["data"], columns=doc["headers"])
    for column in ("LMP", "MLC", "MCC"):
        df[column] = pd.to_numeric(df[column])
    start = pd.to_datetime(df["INTERVAL"], format="%Y-%m-%dT%H:%M:%S").dt.tz_localize("EST").dt.tz_convert("UTC")
    out = pd.DataFrame(
        {
            "Interval Start": start,
            "Interval End": start + pd.Timedelta(minutes=5),
            "Location": df["CPNODE"],
            "LMP": df["LMP"],
            "Energy": df["LMP"] - df["MLC"] - df["MCC"],
            "Congestion": df["MCC"],
            "Loss": df["MLC"],
        }
    )
    return out


def caiso_oasis_zip(data: bytes) -> pd.DataFrame:
    """CAISO OASIS PRC_INTVL_LMP zip: unzip, read the CSV, UTC times, pivot LMP_TYPE."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = sorted(name for name in archive.namelist() if not name.endswith("/"))
        frames = [
            pd.read_csv(
                io.BytesIO(archive.read(name)),
                usecols=["INTERVALSTARTTIME_GMT", "INTERVALENDTIME_GMT", "NODE", "LMP_TYPE", "VALUE"],
            )
            for name in names
        ]
    df = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    df["Interval Start"] = pd.to_datetime(df["INTERVALSTARTTIME_GMT"], utc=True)
    df["Interval End"] = pd.to_datetime(df["INTERVALENDTIME_GMT"], utc=True)
    df = df.pivot_table(
        index=["Interval Start", "Interval End", "NODE"], columns="LMP_TYPE", values="VALUE", aggfunc="first"
    ).reset_index()
    df.columns.name = None
    return df.rename(columns={"NODE": "Location", "MCE": "Energy", "MCC": "Congestion", "MCL": "Loss", "MGHG": "GHG"})


KINDS = {
    "miso_da_expost_csv": (
        miso_da_expost_csv,
        "pd.read_csv of the report, melt HE 1..24, pivot_table of LMP/MCC/MLC, UTC interval times, energy column",
    ),
    "miso_api_rt5_json": (
        miso_api_rt5_json,
        "json.loads, DataFrame from data, to_numeric of LMP/MLC/MCC, INTERVAL parsed EST to UTC, end and energy columns",
    ),
    "caiso_oasis_zip": (
        caiso_oasis_zip,
        "zipfile unzip, pd.read_csv (5 columns), both GMT times to UTC, pivot_table of LMP_TYPE into columns",
    ),
}


def records(df: pd.DataFrame) -> int:
    return int(df["LMP"].notna().sum())


def peak_rss_mb(kind: str, path: str) -> float:
    """Peak RSS growth of one run, in a fresh child (this script with --memory)."""
    out = subprocess.run([sys.executable, __file__, "--memory", kind, path], check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def memory_child(kind: str, path: str) -> None:
    with open(path, "rb") as f:
        data = f.read()
    before = peak_rss_kib()
    df = KINDS[kind][0](data)
    after = peak_rss_kib()
    assert len(df) >= 0
    print(round((after - before) / 1024, 1))


def peak_rss_kib() -> int:
    """This process's peak RSS (VmHWM, KiB). Not ru_maxrss: Linux carries that over from the
    parent through fork and exec, so a child of a large process would report the parent's peak."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--memory":
        memory_child(sys.argv[2], sys.argv[3])
        return
    if len(sys.argv) != 2:
        sys.exit("usage: bench-ingest-pandas.py MANIFEST.json")
    with open(sys.argv[1]) as f:
        manifest = json.load(f)
    repeat = max(1, int(manifest.get("repeat", 5)))
    files = {}
    for spec in manifest["files"]:
        run, does = KINDS[spec["kind"]]
        with open(spec["path"], "rb") as f:
            data = f.read()
        df = run(data)  # warm-up
        count = records(df)
        del df
        runs = []
        cpu_runs = []
        for _ in range(repeat):
            started = time.perf_counter()
            cpu_started = time.process_time()
            df = run(data)
            runs.append((time.perf_counter() - started) * 1000)
            cpu_runs.append((time.process_time() - cpu_started) * 1000)
            del df
        files[spec["name"]] = {
            "records": count,
            "medianMs": round(statistics.median(runs), 1),
            "runsMs": [round(ms, 1) for ms in runs],
            "medianCpuMs": round(statistics.median(cpu_runs), 1),
            "peakMemoryMb": peak_rss_mb(spec["kind"], spec["path"]),
            "does": f"{does}; timed from bytes in memory; peakMemoryMb = peak RSS growth of one run in a fresh process",
        }
        print(f"{spec['name']}: {count} records, median {files[spec['name']]['medianMs']} ms", file=sys.stderr)
    print(
        json.dumps(
            {"python": sys.version.split()[0], "pandas": pd.__version__, "numpy": np.__version__, "files": files}
        )
    )


if __name__ == "__main__":
    main()
