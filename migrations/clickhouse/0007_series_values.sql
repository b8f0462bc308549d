-- Every series beside nodal power prices (packages/schemas SeriesRecord, docs/decisions/023):
-- gas hubs, LNG, LCFS credit transfers, REC quotes and EIA-930 fundamentals. One row per
-- product, series, measure, frequency and period (Henry Hub has daily and monthly values: each
-- frequency is its own series); a re-ingested period replaces the earlier row (the latest
-- ingested_at wins), so readers use FINAL. `market` is the market a GRID series maps to, '' for
-- the others. `raw_key` names the archived publisher payload the row came from.
CREATE TABLE IF NOT EXISTS series_values
(
    product LowCardinality(String),
    market LowCardinality(String),
    series String,
    measure LowCardinality(String),
    frequency LowCardinality(String),
    period_start DateTime64(3, 'UTC'),
    period_end DateTime64(3, 'UTC'),
    value Float64,
    unit LowCardinality(String),
    attributes Map(String, String),
    source LowCardinality(String),
    published_at Nullable(DateTime64(3, 'UTC')),
    ingested_at DateTime64(3, 'UTC'),
    raw_key String
)
ENGINE = ReplacingMergeTree(ingested_at)
ORDER BY (product, series, measure, frequency, period_start);
