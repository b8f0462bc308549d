-- Scenario run results (packages/scenario, server/services/scenarios), keyed by the run id (the
-- hash of canonical scenario + base-data version + engine version): a run is immutable, and a
-- repeated insert of the same run (a redelivered scenarios.run message) writes the same rows, so
-- readers use `LIMIT 1 BY run_id, market, hub, block, month` (prices) and
-- `LIMIT 1 BY run_id, market, technology, month` (mix).
--
-- scenario_prices: monthly price per hub and block ($/MWh). p10/p50/p90 are the Monte Carlo bands
-- of a montecarlo run (NaN-free: equal to price on a deterministic run).
CREATE TABLE IF NOT EXISTS scenario_prices
(
    run_id LowCardinality(String),
    market LowCardinality(String),
    hub LowCardinality(String),
    block LowCardinality(String),
    month Date,
    price Float64,
    p10 Float64,
    p50 Float64,
    p90 Float64
)
ENGINE = MergeTree
ORDER BY (run_id, market, hub, block, month);

-- scenario_mix: per market, technology and month, installed capacity (MW) and generation (MWh);
-- the market's load (MWh), peak (MW) and reserve margin ride on technology '_system' rows as
-- generation_mwh = load, capacity_mw = peak, reserve_margin.
CREATE TABLE IF NOT EXISTS scenario_mix
(
    run_id LowCardinality(String),
    market LowCardinality(String),
    technology LowCardinality(String),
    month Date,
    capacity_mw Float64,
    generation_mwh Float64,
    reserve_margin Float64
)
ENGINE = MergeTree
ORDER BY (run_id, market, technology, month);
