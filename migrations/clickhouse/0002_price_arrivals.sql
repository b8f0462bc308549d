-- Price arrivals: one row per price record the prices consumer stored, with the time it stored it.
--
-- `prices` keeps only the last value of each interval (ReplacingMergeTree), so it cannot say when
-- a value arrived nor what it replaced. This append-only log can: server/services/quality reads it
-- for late arrivals (ingested_at after max(interval_end, published_at) + 5 minutes) and revised
-- values (an interval that arrived with more than one distinct LMP).
--
-- Written by server/workers/prices-consumer.ts after each batch's insert into `prices`, with one
-- ingested_at per batch. Delivery is at-least-once, so a redelivered batch inserts its arrivals a
-- second time; readers count distinct keys and distinct LMPs (uniqExact), never rows.
--
-- The sorting key serves the quality queries, which filter on market, run and an interval_start
-- window. Rows expire 90 days after they arrived (data-quality history, not price history).
CREATE TABLE IF NOT EXISTS price_arrivals
(
    market LowCardinality(String),
    run LowCardinality(String),
    source LowCardinality(String),
    node String,
    interval_start DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
    interval_end DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
    lmp Float64,
    published_at Nullable(DateTime64(3, 'UTC')),
    ingested_at DateTime64(3, 'UTC')
)
ENGINE = MergeTree
PARTITION BY toYYYYMM(interval_start)
ORDER BY (market, run, interval_start, node)
TTL toDateTime(ingested_at) + INTERVAL 90 DAY;
