-- Prices: one canonical price record (packages/schemas PriceRecord) per row.
--
-- Re-ingestion: ReplacingMergeTree(ingested_at) keeps, per sorting key (market, node, run,
-- interval_start), the row ingested last, so a redelivered batch or a revised LMP replaces the
-- interval instead of adding a second one. Replacement happens at merge time, so every reader
-- reads with FINAL (server/services/prices), which is exact before merges have run.
--
-- Rollups are QUERIES over FINAL, not materialized views (docs/decisions/004): a materialized
-- view aggregates each inserted block as it arrives, so a re-ingested interval would be counted
-- twice in an hourly/daily MV even though `prices` itself keeps one row. The on/off-peak split
-- also depends on parameters (peak time zone, peak hours and days, NERC holidays) that the query
-- binds. One node-year of 5-minute data is ~105k rows, which a FINAL aggregate reads in tens of
-- milliseconds.
--
-- Partitions are months of interval_start; the partition key is a function of the sorting key,
-- so rows of one key never sit in two partitions and FINAL never merges across partitions.
CREATE TABLE IF NOT EXISTS prices
(
    market LowCardinality(String),
    node String,
    run LowCardinality(String),
    interval_start DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
    interval_end DateTime64(3, 'UTC') CODEC(DoubleDelta, ZSTD(1)),
    interval_minutes UInt16,
    lmp Float64,
    energy Nullable(Float64),
    congestion Nullable(Float64),
    loss Nullable(Float64),
    ghg Nullable(Float64),
    source LowCardinality(String),
    published_at Nullable(DateTime64(3, 'UTC')),
    ingested_at DateTime64(3, 'UTC') DEFAULT now64(3)
)
ENGINE = ReplacingMergeTree(ingested_at)
PARTITION BY toYYYYMM(interval_start)
ORDER BY (market, node, run, interval_start);
