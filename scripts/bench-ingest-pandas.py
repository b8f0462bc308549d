#!/usr/bin/python3
"""The pandas peer of bench:ingest's parse measurement (issue 16).

Usage (the bench calls it exactly so; Debian's python3-pandas):

    /usr/bin/python3 scripts/bench-ingest-pandas.py MANIFEST.json

MANIFEST = {"repeat": 5, "files": [{"name": "miso_csv", "kind": KIND, "path": "/abs/bytes"}, ...]}
with KIND one of miso_da_expost_csv, miso_api_rt5_json, caiso_oasis_zip, pjm_dm2_json,
ercot_spp_zip, spp_lmp_sl_csv, nyiso_zone_csv, isone_ws_json, isone_dalmp_csv, ieso_zonal_xml,
ieso_rt_zonal_xml, aeso_pool_json.

Counting mode (tests/ci/bench-pandas-peers.test.ts; nothing timed, the bench's protocol untouched):

    /usr/bin/python3 scripts/bench-ingest-pandas.py --count KIND PATH [KIND PATH ...]

prints one JSON line {"records": N} per KIND PATH pair, in order: the records (as below) KIND
makes of the bytes at PATH, which must equal our parser's record count for the same file.

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
    pjm_dm2_json        PJM Data Miner 2 page of any LMP feed (da_hrl_lmps, rt_hrl_lmps,
        rt_fivemin_hrl_lmps, rt_unverified_fivemin_lmps): json.loads, pd.DataFrame(items), rows
        with row_is_current false dropped (gridstatus asks the API for row_is_current=TRUE),
        pd.to_numeric of total_lmp / system_energy_price / congestion_price / marginal_loss_price
        (_da or _rt; an absent field is a NaN column), datetime_beginning_utc localised to UTC,
        interval end = start + 5 min (a fivemin feed, from the self link) or 1 h, Location =
        pnode_name.
    ercot_spp_zip       ERCOT settlement point prices, both reports: zipfile of the bytes and
        pd.read_csv of its CSV member (bytes that are not a zip are the CSV itself, as unpackPayload
        reads them). DAM (NP4-190-CD, HourEnding 01:00..24:00): DeliveryDate + hour ending - 1 h,
        interval 1 h. RT (NP6-905-CD, DeliveryHour/DeliveryInterval): DeliveryDate + hour - 1 h +
        15 min x (interval - 1), interval 15 min, LZEW/LZ_DCEW points renamed NAME_EW as
        gridstatus does. Both: Central time tz_localize with ambiguous = (DSTFlag == "N") (Y marks
        the repeated, standard-time hour, as gridstatus's parse_doc reads it), then UTC; LMP =
        SettlementPointPrice (no components published).
    spp_lmp_sl_csv      SPP DA or RTBM LMP by settlement location, 8 columns or 9 (with BAA):
        pd.read_csv, GMTIntervalEnd to a UTC interval end (the Central Interval label is not
        needed), start = end - interval (the spacing of the file's ends: 1 h for a DA day, 5 min
        for a one-interval RTBM file), Location = Settlement Location, Energy/Congestion/Loss =
        MEC/MCC/MLC, as gridstatus's _finalize_spp_df.
    nyiso_zone_csv      NYISO zonal LBMP, damlbmp_zone or realtime_zone (quoted): pd.read_csv, Time
        Stamp parsed (with seconds = real time) and tz_localized to America/New_York per zone
        (groupby Name, ambiguous="infer": in the repeated hour a zone's first rows are EDT, its
        second EST, as gridstatus's _handle_time), then UTC; DA stamps are the hour beginning (end
        = + 1 h), RT stamps the interval end (start = - 5 min); congestion = -MCC (NYISO's
        opposite sign), energy = LBMP - losses - congestion.
    isone_ws_json       ISO-NE Web Services hourlylmp (da or rt, final, day): json.loads,
        pd.DataFrame(HourlyLmps.HourlyLmp) (a lone element taken as a list of one),
        pd.to_datetime(BeginDate, utc=True) (the offset in the string tells the two 01:00 hours of
        the fall-back day apart), end = start + 1 h, Location and Location Type from the Location
        dict ($, @LocType), LmpTotal / Energy / Congestion / LossComponent as columns.
    isone_dalmp_csv     ISO-NE ISO Express WW_DALMP_ISO CSV: pd.read_csv from the first "H" line,
        "D" rows kept (the field-type "H" line and any "T" trailer dropped), Date + Hour Ending - 1
        h in America/New_York with ambiguous = not "02X" (HE 02 is the EDT hour, 02X the EST one),
        then UTC; to_numeric of the LMP and its three components.
    ieso_zonal_xml      IESO DA Hourly Ontario Zonal Price: xml.etree of the document, one row per
        HourlyPriceComponents (PricingHour, ZonalPrice, LossPriceCapped, CongestionPriceCapped),
        to_numeric, DeliveryDate + PricingHour - 1 h localised to EST (IESO's market time, UTC-5
        all year) then UTC, energy = price - loss - congestion, Location ONTARIO.
    ieso_rt_zonal_xml   IESO Realtime Ontario Zonal Price, one delivery hour: xml.etree, schema r2
        (ZonalPrice slots: Interval, LmpCap, LossPriceCap, CongPriceCap) or r1 (DeliveryDate "For
        YYYY-MM-DD - Hour H", one RealTimePriceComponents block per component with Interval1..12,
        as gridstatus's ieso.py reads it), 12 rows, to_numeric (an empty future slot is NaN, no
        record), DeliveryDate + hour - 1 h + 5 min x (interval - 1) in EST then UTC, energy column.
    aeso_pool_json      AESO Pool Price Report API v1.1: json.loads, pd.DataFrame(return."Pool Price
        Report"), to_numeric of pool_price (an unsettled hour's empty price is NaN, no record) and
        forecast_pool_price, begin_datetime_utc localised to UTC (begin_datetime_mpt, whose 01:00
        repeats on the fall-back day, is not needed), end = start + 1 h, Location POOL.
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
import re
import statistics
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
import zipfile

import numpy as np
import pandas as pd

EST_OFFSET = pd.Timedelta(hours=5)  # MISO's market time is fixed EST, UTC-5, no daylight saving
HOURS = [f"HE {h}" for h in range(1, 25)]
EST = "EST"  # fixed UTC-5 (MISO's market time, IESO's all year)
CENTRAL = "America/Chicago"  # ERCOT
EASTERN = "America/New_York"  # NYISO, ISO-NE
IESO_NS = {"ieso": "http://www.ieso.ca/schema"}
ZIP_MAGIC = b"PK\x03\x04"


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


def _numeric(df: pd.DataFrame, column: str) -> pd.Series:
    """A column as float (strings and empty cells too), or all NaN when the answer does not carry it."""
    if column not in df.columns:
        return pd.Series(np.nan, index=df.index, dtype=float)
    return pd.to_numeric(df[column], errors="coerce").astype(float)


def _payload_members(data: bytes) -> list:
    """The files of a zip (sorted by name), or the bytes themselves when not a zip, as unpackPayload reads them."""
    if not data.startswith(ZIP_MAGIC):
        return [data]
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return [archive.read(name) for name in sorted(n for n in archive.namelist() if not n.endswith("/"))]


def pjm_dm2_json(data: bytes) -> pd.DataFrame:
    """PJM Data Miner 2 page (any LMP feed): items to a frame, current rows, UTC start column."""
    doc = json.loads(data)
    df = pd.DataFrame(doc["items"])
    if "row_is_current" in df.columns:
        # gridstatus asks Data Miner for row_is_current=TRUE; a page holding superseded versions drops them here
        df = df[df["row_is_current"].fillna(True).astype(bool)]
    suffix = "da" if "total_lmp_da" in df.columns else "rt"
    self_link = next((link.get("href", "") for link in doc.get("links") or [] if link.get("rel") == "self"), "")
    feed = self_link.split("/api/v1/", 1)[-1].split("?", 1)[0]
    start = pd.to_datetime(df["datetime_beginning_utc"]).dt.tz_localize("UTC")
    five_minute = "fivemin" in feed or bool((start.dt.minute != 0).any())
    return pd.DataFrame(
        {
            "Interval Start": start,
            "Interval End": start + pd.Timedelta(minutes=5 if five_minute else 60),
            "Location": df["pnode_name"],
            "Location Type": df["type"] if "type" in df.columns else None,
            "LMP": _numeric(df, f"total_lmp_{suffix}"),
            "Energy": _numeric(df, f"system_energy_price_{suffix}"),
            "Congestion": _numeric(df, f"congestion_price_{suffix}"),
            "Loss": _numeric(df, f"marginal_loss_price_{suffix}"),
        }
    )


def ercot_spp_zip(data: bytes) -> pd.DataFrame:
    """ERCOT DAM (NP4-190-CD) or RT (NP6-905-CD) settlement point prices: unzip, read, DSTFlag-aware UTC times."""
    frames = [pd.read_csv(io.BytesIO(member)) for member in _payload_members(data)]
    df = frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)
    day = pd.to_datetime(df["DeliveryDate"], format="%m/%d/%Y")
    if "HourEnding" in df.columns:  # DAM: HourEnding 01:00..24:00
        local = day + pd.to_timedelta(df["HourEnding"].str.slice(0, 2).astype(int) - 1, unit="h")
        length = pd.Timedelta(hours=1)
        location = df["SettlementPoint"]
    else:  # RT: DeliveryHour 1..24 (hour ending) and DeliveryInterval 1..4 (its quarter)
        local = (
            day
            + pd.to_timedelta(df["DeliveryHour"] - 1, unit="h")
            + pd.to_timedelta((df["DeliveryInterval"] - 1) * 15, unit="min")
        )
        length = pd.Timedelta(minutes=15)
        weighted = df["SettlementPointType"].isin(["LZEW", "LZ_DCEW"])
        location = df["SettlementPointName"].where(~weighted, df["SettlementPointName"] + "_EW")
    # DSTFlag Y marks the repeated (standard-time) hour; pandas wants True for daylight time
    start = local.dt.tz_localize(CENTRAL, ambiguous=(df["DSTFlag"] == "N").to_numpy()).dt.tz_convert("UTC")
    return pd.DataFrame(
        {
            "Interval Start": start,
            "Interval End": start + length,
            "Location": location,
            "LMP": pd.to_numeric(df["SettlementPointPrice"]).astype(float),
        }
    )


def spp_lmp_sl_csv(data: bytes) -> pd.DataFrame:
    """SPP DA or RTBM LMP by settlement location (8 or 9 columns): read, UTC end from GMTIntervalEnd, components."""
    df = pd.read_csv(io.BytesIO(data))
    end = pd.to_datetime(df["GMTIntervalEnd"], format="%m/%d/%Y %H:%M:%S", utc=True)
    ends = end.drop_duplicates().sort_values()
    length = ends.diff().min() if len(ends) > 1 else pd.Timedelta(minutes=5)
    return pd.DataFrame(
        {
            "Interval Start": end - length,
            "Interval End": end,
            "Location": df["Settlement Location"],
            "BAA": df["BAA"] if "BAA" in df.columns else None,
            "LMP": df["LMP"].astype(float),
            "Energy": df["MEC"].astype(float),
            "Congestion": df["MCC"].astype(float),
            "Loss": df["MLC"].astype(float),
        }
    )


def nyiso_zone_csv(data: bytes) -> pd.DataFrame:
    """NYISO zonal LBMP, DA (hour beginning) or RT (interval end, quoted): read, per-zone DST inference, UTC times."""
    df = pd.read_csv(io.BytesIO(data))
    realtime = df["Time Stamp"].str.len().max() > len("MM/DD/YYYY HH:MM")  # RT stamps carry seconds
    local = pd.to_datetime(df["Time Stamp"], format="%m/%d/%Y %H:%M:%S" if realtime else "%m/%d/%Y %H:%M")
    # per zone the series is no longer ambiguous: the repeated hour's first rows are EDT, the second EST
    stamp = local.groupby(df["Name"], group_keys=False).apply(lambda s: s.dt.tz_localize(EASTERN, ambiguous="infer"))
    stamp = stamp.dt.tz_convert("UTC")
    length = pd.Timedelta(minutes=5) if realtime else pd.Timedelta(hours=1)
    start = stamp - length if realtime else stamp
    lmp = df["LBMP ($/MWHr)"].astype(float)
    loss = df["Marginal Cost Losses ($/MWHr)"].astype(float)
    congestion = -df["Marginal Cost Congestion ($/MWHr)"].astype(float)  # NYISO publishes it with the opposite sign
    return pd.DataFrame(
        {
            "Interval Start": start,
            "Interval End": start + length,
            "Location": df["Name"],
            "LMP": lmp,
            "Energy": lmp - loss - congestion,
            "Congestion": congestion,
            "Loss": loss,
        }
    )


def isone_ws_json(data: bytes) -> pd.DataFrame:
    """ISO-NE Web Services hourlylmp (DA or RT): JSON to a frame, BeginDate with its offset to UTC, components."""
    doc = json.loads(data)
    rows = doc["HourlyLmps"]["HourlyLmp"]
    if isinstance(rows, dict):  # XML turned into JSON: a one-element list comes as the element
        rows = [rows]
    df = pd.DataFrame(rows)
    start = pd.to_datetime(df["BeginDate"], utc=True)
    return pd.DataFrame(
        {
            "Interval Start": start,
            "Interval End": start + pd.Timedelta(hours=1),
            "Location": df["Location"].str.get("$"),
            "Location Type": df["Location"].str.get("@LocType"),
            "LMP": _numeric(df, "LmpTotal"),
            "Energy": _numeric(df, "EnergyComponent"),
            "Congestion": _numeric(df, "CongestionComponent"),
            "Loss": _numeric(df, "LossComponent"),
        }
    )


def isone_dalmp_csv(data: bytes) -> pd.DataFrame:
    """ISO-NE ISO Express WW_DALMP_ISO report: read from the "H" header, "D" rows, HE 02X as the EST hour, UTC."""
    first_header = next(i for i, line in enumerate(data.splitlines()) if line.startswith(b'"H"'))
    df = pd.read_csv(io.BytesIO(data), skiprows=first_header, dtype=str)
    df = df[df["H"] == "D"]  # drops the field-type "H" line and any "T" trailer
    hour = df["Hour Ending"].str.slice(0, 2).astype(int)
    local = pd.to_datetime(df["Date"], format="%m/%d/%Y") + pd.to_timedelta(hour - 1, unit="h")
    # fall-back day: HE 02 is 01:00-02:00 EDT, HE 02X the same wall-clock hour in EST
    daylight = (~df["Hour Ending"].str.endswith("X")).to_numpy()
    start = local.dt.tz_localize(EASTERN, ambiguous=daylight).dt.tz_convert("UTC")
    return pd.DataFrame(
        {
            "Interval Start": start,
            "Interval End": start + pd.Timedelta(hours=1),
            "Location": df["Location Name"],
            "Location Type": df["Location Type"],
            "LMP": _numeric(df, "Locational Marginal Price"),
            "Energy": _numeric(df, "Energy Component"),
            "Congestion": _numeric(df, "Congestion Component"),
            "Loss": _numeric(df, "Marginal Loss Component"),
        }
    )


def ieso_zonal_xml(data: bytes) -> pd.DataFrame:
    """IESO DA Hourly Ontario Zonal Price: xml.etree, one row per PricingHour, EST (fixed) to UTC, energy column."""
    root = ET.fromstring(data)
    body = root.find("ieso:DocBody", IESO_NS)
    day = pd.Timestamp(body.findtext("ieso:DeliveryDate", namespaces=IESO_NS).strip())
    fields = ("PricingHour", "ZonalPrice", "LossPriceCapped", "CongestionPriceCapped")
    hours = body.findall("ieso:HourlyPriceComponents", IESO_NS)
    rows = [[hour.findtext(f"ieso:{f}", namespaces=IESO_NS) for f in fields] for hour in hours]
    df = pd.DataFrame(rows, columns=fields)
    for column in fields[1:]:
        df[column] = _numeric(df, column)
    local = day + pd.to_timedelta(df["PricingHour"].astype(int) - 1, unit="h")
    start = local.dt.tz_localize(EST).dt.tz_convert("UTC")
    return pd.DataFrame(
        {
            "Interval Start": start,
            "Interval End": start + pd.Timedelta(hours=1),
            "Location": "ONTARIO",
            "LMP": df["ZonalPrice"],
            "Energy": df["ZonalPrice"] - df["LossPriceCapped"] - df["CongestionPriceCapped"],
            "Congestion": df["CongestionPriceCapped"],
            "Loss": df["LossPriceCapped"],
        }
    )


def ieso_rt_zonal_xml(data: bytes) -> pd.DataFrame:
    """IESO Realtime Ontario Zonal Price, one delivery hour (schema r2, or r1 as gridstatus reads it), 5-minute rows."""
    root = ET.fromstring(data)
    body = root.find("ieso:DocBody", IESO_NS)
    delivery = body.findtext("ieso:DeliveryDate", namespaces=IESO_NS).strip()
    # r2: ZonalPrice{Interval, LmpCap, LossPriceCap, CongPriceCap} x12
    if body.find("ieso:ZonalPrice", IESO_NS) is not None:
        day, hour = pd.Timestamp(delivery), int(body.findtext("ieso:DeliveryHour", namespaces=IESO_NS))
        fields = ("Interval", "LmpCap", "LossPriceCap", "CongPriceCap")
        slots = body.findall("ieso:ZonalPrice", IESO_NS)
        rows = [[slot.findtext(f"ieso:{f}", namespaces=IESO_NS) for f in fields] for slot in slots]
        df = pd.DataFrame(rows, columns=["Interval", "Zonal Price", "Energy Loss Price", "Energy Congestion Price"])
    else:  # r1: "For 2025-08-20 - Hour 1", one RealTimePriceComponents block per component, Interval1..Interval12
        day_text, hour_text = re.fullmatch(r"For (\d{4}-\d{2}-\d{2}) - Hour (\d+)", delivery).groups()
        day, hour = pd.Timestamp(day_text), int(hour_text)
        components = {
            block.findtext("ieso:OntarioZonalPrice", namespaces=IESO_NS).strip(): [
                block.findtext(f"ieso:OntarioZonalPriceInterval{i}/ieso:Interval{i}", namespaces=IESO_NS)
                for i in range(1, 13)
            ]
            for block in body.findall("ieso:RealTimePriceComponents", IESO_NS)
        }
        df = pd.DataFrame({"Interval": range(1, 13), **components})
    for column in ("Zonal Price", "Energy Loss Price", "Energy Congestion Price"):
        df[column] = _numeric(df, column)
    local = day + pd.Timedelta(hours=hour - 1) + pd.to_timedelta((df["Interval"].astype(int) - 1) * 5, unit="min")
    start = local.dt.tz_localize(EST).dt.tz_convert("UTC")
    return pd.DataFrame(
        {
            "Interval Start": start,
            "Interval End": start + pd.Timedelta(minutes=5),
            "Location": "ONTARIO",
            "LMP": df["Zonal Price"],
            "Energy": df["Zonal Price"] - df["Energy Loss Price"] - df["Energy Congestion Price"],
            "Congestion": df["Energy Congestion Price"],
            "Loss": df["Energy Loss Price"],
        }
    )


def aeso_pool_json(data: bytes) -> pd.DataFrame:
    """AESO Pool Price Report API v1.1: JSON to a frame, strings to float, begin_datetime_utc as the UTC start."""
    doc = json.loads(data)
    df = pd.DataFrame(doc["return"]["Pool Price Report"])
    start = pd.to_datetime(df["begin_datetime_utc"], format="%Y-%m-%d %H:%M").dt.tz_localize("UTC")
    return pd.DataFrame(
        {
            "Interval Start": start,
            "Interval End": start + pd.Timedelta(hours=1),
            "Location": "POOL",
            "LMP": _numeric(df, "pool_price"),  # an unsettled hour has an empty pool_price: NaN, no record
            "Forecast": _numeric(df, "forecast_pool_price"),
        }
    )


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
    "pjm_dm2_json": (
        pjm_dm2_json,
        "json.loads, DataFrame from items, superseded rows dropped, to_numeric of the prices, UTC start, interval end",
    ),
    "ercot_spp_zip": (
        ercot_spp_zip,
        "zipfile unzip, pd.read_csv, DAM HourEnding or RT DeliveryHour/Interval as Central time, localised by DSTFlag",
    ),
    "spp_lmp_sl_csv": (
        spp_lmp_sl_csv,
        "pd.read_csv (8 or 9 columns), GMTIntervalEnd to UTC, start = end - interval, MEC/MCC/MLC columns",
    ),
    "nyiso_zone_csv": (
        nyiso_zone_csv,
        "pd.read_csv, Time Stamp per zone tz_localize(ambiguous=infer), DA start or RT end, congestion sign flipped",
    ),
    "isone_ws_json": (
        isone_ws_json,
        "json.loads, DataFrame from HourlyLmp, BeginDate with its offset to UTC, Location from the dict, components",
    ),
    "isone_dalmp_csv": (
        isone_dalmp_csv,
        "pd.read_csv from the H header, D rows, HE 02X as the EST hour (tz_localize ambiguous), to_numeric components",
    ),
    "ieso_zonal_xml": (
        ieso_zonal_xml,
        "xml.etree, DataFrame of HourlyPriceComponents, to_numeric, PricingHour in EST (fixed) to UTC, energy column",
    ),
    "ieso_rt_zonal_xml": (
        ieso_rt_zonal_xml,
        "xml.etree (r2 ZonalPrice slots or r1 component blocks), DataFrame of 12 intervals, EST (fixed) to UTC, energy",
    ),
    "aeso_pool_json": (
        aeso_pool_json,
        "json.loads, DataFrame from Pool Price Report, to_numeric of pool_price, begin_datetime_utc to UTC, end",
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


def count_records(pairs: list) -> None:
    """--count: each KIND's records of each PATH, one JSON line per pair, in order; nothing timed."""
    for kind, path in pairs:
        with open(path, "rb") as f:
            data = f.read()
        print(json.dumps({"records": records(KINDS[kind][0](data))}), flush=True)


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--memory":
        memory_child(sys.argv[2], sys.argv[3])
        return
    if len(sys.argv) >= 4 and sys.argv[1] == "--count" and len(sys.argv) % 2 == 0:
        count_records(list(zip(sys.argv[2::2], sys.argv[3::2])))
        return
    if len(sys.argv) != 2:
        sys.exit("usage: bench-ingest-pandas.py MANIFEST.json | --count KIND PATH [KIND PATH ...]")
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
