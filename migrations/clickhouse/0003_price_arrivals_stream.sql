-- Price arrivals become the live stream's replay log (server/services/stream): every component of
-- each arrival, and where it sat on the bus. A browser or SDK client that reconnects with the id of
-- the last event it saw (per partition, the offset of `prices.normalized`) is sent what it missed
-- from here, ordered by (bus_partition, bus_offset), before live events.
--
-- The in-process bus numbers offsets from the clock at start (server/adapters/bus), Kafka's are
-- durable: either way offsets keep increasing across restarts. Rows written before this
-- migration have partition 0, offset 0 and no components: they are never replayed (replays ask
-- for offsets above a client's, which are never 0).
ALTER TABLE price_arrivals
    ADD COLUMN IF NOT EXISTS energy Nullable(Float64) AFTER lmp,
    ADD COLUMN IF NOT EXISTS congestion Nullable(Float64) AFTER energy,
    ADD COLUMN IF NOT EXISTS loss Nullable(Float64) AFTER congestion,
    ADD COLUMN IF NOT EXISTS ghg Nullable(Float64) AFTER loss,
    ADD COLUMN IF NOT EXISTS bus_partition UInt16 DEFAULT 0,
    ADD COLUMN IF NOT EXISTS bus_offset UInt64 DEFAULT 0;

ALTER TABLE price_arrivals ADD INDEX IF NOT EXISTS price_arrivals_bus_offset bus_offset TYPE minmax GRANULARITY 1;
