/**
 * @carbon/demo-data: deterministic demo price history and the real fixture files, so the hub
 * has data at its first start.
 */
export { DEMO_NODES, type DemoNode } from './nodes.ts'
export type { DemoMarket } from './model.ts'
export { generateDemoPrices, DEMO_RUNS, DEMO_SOURCE, DEFAULT_DEMO_SEED, type DemoOptions } from './generate.ts'
export { loadFixtureRecords } from './fixtures.ts'
export { hashString, mulberry32 } from './random.ts'
export { DEMO_CURVE_HUBS, demoAsOfDates, demoContracts, demoQuotes, type DemoCurveHub } from './curves.ts'
