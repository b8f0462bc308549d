-- Fuel forward curve points (issue 18): one row per build and delivery month of a gas or LNG basis
-- curve (curves.commodity 'gas' or 'lng_basis'): one price per month in the curve's unit
-- (USD/MMBtu) and the month's calendar days, the weight every multi-month view and repricing uses
-- (gas is traded per MMBtu per day). Written by the solver (server/services/curves/fuel.ts) as
-- curve_points is: once, after the solve, before the build's Postgres row turns 'done'; a repeated
-- insert of a build writes the same rows again, so readers use `LIMIT 1 BY build_id, month`.
CREATE TABLE IF NOT EXISTS fuel_curve_points
(
    curve_id LowCardinality(String),
    build_id UUID,
    as_of Date,
    month Date,
    price Float64,
    days UInt8
)
ENGINE = MergeTree
ORDER BY (curve_id, build_id, month);
