-- Forward curve points: one row per build and delivery month, on-peak, off-peak and ATC prices
-- (USD/MWh) with the month's hours per block, as the solver wrote them (server/services/curves).
--
-- A build is immutable: its rows are written once, after the solve, before its Postgres row
-- (curve_builds) turns 'done'. Readers take the build ids from Postgres (the latest done version
-- of a curve and as-of date) and never read a build that is not done; a build whose insert was
-- repeated (a redelivered curves.build message) writes the same rows again, so readers use
-- `LIMIT 1 BY build_id, month`.
--
-- The sorting key serves curves.get (one build), curves.history (one month across builds) and
-- curves.compare (two builds).
CREATE TABLE IF NOT EXISTS curve_points
(
    curve_id LowCardinality(String),
    build_id UUID,
    as_of Date,
    month Date,
    onpeak Float64,
    offpeak Float64,
    atc Float64,
    hours_onpeak UInt16,
    hours_offpeak UInt16
)
ENGINE = MergeTree
ORDER BY (curve_id, build_id, month);
