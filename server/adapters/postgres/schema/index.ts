import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { auditEvents, auditOutcome, principalType } from './audit.ts'
import { complianceHoldingLots, complianceObligations, complianceRetirements } from './compliance.ts'
import { curveBuilds, curves } from './curves.ts'
import { deadLetters } from './dead-letters.ts'
import { exportJobs, reportOutputs, reportSubscriptions } from './delivery.ts'
import { apiTokens, channel, entitlements, organizations, users } from './identity.ts'
import { ingestBackfills, ingestRuns, ingestWatermarks } from './ingest.ts'
import { dataKeys, markets, nodeType, pricingNodes, products } from './markets.ts'
import { scenarioRuns, scenarios, scenarioVersions } from './scenarios.ts'
import { sessions } from './sessions.ts'

export * from './audit.ts'
export * from './compliance.ts'
export * from './curves.ts'
export * from './dead-letters.ts'
export * from './delivery.ts'
export * from './identity.ts'
export * from './ingest.ts'
export * from './markets.ts'
export * from './scenarios.ts'
export * from './sessions.ts'

/** Every table and enum, for drizzle({ schema }). drizzle-kit reads the module exports instead. */
export const schema = {
  dataKeys,
  markets,
  products,
  pricingNodes,
  nodeType,
  organizations,
  users,
  entitlements,
  apiTokens,
  sessions,
  channel,
  auditEvents,
  principalType,
  auditOutcome,
  ingestWatermarks,
  ingestRuns,
  ingestBackfills,
  curves,
  curveBuilds,
  deadLetters,
  scenarios,
  scenarioVersions,
  scenarioRuns,
  exportJobs,
  reportSubscriptions,
  reportOutputs,
  complianceObligations,
  complianceHoldingLots,
  complianceRetirements,
}

/** The drizzle database both drivers (PGlite and postgres.js) provide; services take this. */
export type Database = PgDatabase<PgQueryResultHKT, typeof schema>
