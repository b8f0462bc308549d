import { and, asc, desc, eq, inArray, isNull, or, sql, type SQL } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import { scenarioRuns, scenarios, scenarioVersions, type Database } from '../../adapters/postgres/schema/index.ts'
import { AppError } from '../../errors.ts'
import { BASE_SCENARIO_NAME, baseScenarioText, checkText, describeDiagnostics, formatDiagnostic, type CheckedText } from './engine.ts'
import {
  HOUSE_ACCESS,
  HOUSE_BASE_ID,
  HOUSE_LABEL,
  type GetScenarioInput,
  type RunSummary,
  type SaveInput,
  type SaveOutput,
  type ScenarioAccess,
  type ScenarioDetail,
  type ScenarioSummary,
  type ValidateOutput,
} from './schemas.ts'

/**
 * Scenarios: named assumption sets in the scenario language (packages/scenario), saved per
 * organization and versioned (schema/scenarios.ts). A caller sees its organization's scenarios and
 * the house ones (organization null: the built-in `base`); it writes only its organization's.
 *
 * A save resolves the text along its `extends` chain against the latest versions the caller sees
 * (its own scenario of a name before the house one), stores the text, the canonical form of the
 * resolved assumptions and its hash, and the parent version it was resolved against. A save whose
 * canonical form equals the latest version's makes no version (created: false): a comment or a
 * reordering changes nothing that is run.
 */

export type ScenarioRow = typeof scenarios.$inferSelect
export type VersionRow = typeof scenarioVersions.$inferSelect
export type RunRow = typeof scenarioRuns.$inferSelect

/** A chain deeper than this is refused (the language refuses cycles; this bounds the walk). */
export const MAX_CHAIN = 32

/** The scenarios of one owner: an organization's, or the house's (null). */
export function scenarioOwnedBy(organizationId: string | null): SQL {
  return organizationId ? eq(scenarios.organizationId, organizationId) : isNull(scenarios.organizationId)
}

/** What a caller sees: its organization's scenarios and the house ones (the house sees only its own). */
export function scenarioVisibleTo(access: ScenarioAccess): SQL {
  return access.organizationId ? or(eq(scenarios.organizationId, access.organizationId), isNull(scenarios.organizationId))! : isNull(scenarios.organizationId)
}

/** The runs a caller sees: its organization's and the house's. */
export function runVisibleTo(access: ScenarioAccess): SQL {
  return access.organizationId ? or(eq(scenarioRuns.organizationId, access.organizationId), isNull(scenarioRuns.organizationId))! : isNull(scenarioRuns.organizationId)
}

const ownerOf = (organizationId: string | null) => (organizationId ? 'organization' : 'house') as 'organization' | 'house'
const iso = (d: Date | null) => (d ? d.toISOString() : null)

/** A scenario the caller sees, else NOT_FOUND (another organization's scenario is not found, never forbidden: its existence is not disclosed). */
export async function visibleScenario(db: Database, access: ScenarioAccess, id: string): Promise<ScenarioRow> {
  const [row] = await db.select().from(scenarios).where(and(eq(scenarios.id, id), scenarioVisibleTo(access))).limit(1)
  if (!row) throw AppError.notFound(`Scenario ${id}`, { id })
  return row
}

/** One version of a scenario (default the latest), NOT_FOUND naming the version otherwise. */
export async function scenarioVersion(db: Database, scenario: ScenarioRow, version?: number): Promise<VersionRow> {
  const wanted = version ?? scenario.latestVersion
  const [row] = await db
    .select()
    .from(scenarioVersions)
    .where(and(eq(scenarioVersions.scenarioId, scenario.id), eq(scenarioVersions.version, wanted)))
    .limit(1)
  if (!row) throw AppError.notFound(`Version ${wanted} of scenario "${scenario.name}"`, { id: scenario.id, version: wanted })
  return row
}

/** A parent a text may extend: the latest version of a scenario the caller sees. */
type ParentCandidate = { scenarioId: string; versionId: string; name: string; text: string; house: boolean }

/**
 * The latest version of every scenario the caller sees, by name: its organization's scenario of a
 * name before the house one (an organization cannot take a house name, so this only matters for
 * scenarios saved before a house scenario of that name existed).
 */
export async function parentCandidates(db: Database, access: ScenarioAccess): Promise<Map<string, ParentCandidate>> {
  const rows = await db
    .select({
      scenarioId: scenarios.id,
      versionId: scenarioVersions.id,
      name: scenarios.name,
      text: scenarioVersions.text,
      organizationId: scenarios.organizationId,
    })
    .from(scenarios)
    .innerJoin(scenarioVersions, and(eq(scenarioVersions.scenarioId, scenarios.id), eq(scenarioVersions.version, scenarios.latestVersion)))
    .where(scenarioVisibleTo(access))
  const byName = new Map<string, ParentCandidate>()
  for (const row of rows) {
    const house = row.organizationId === null
    const held = byName.get(row.name)
    if (held && (!held.house || house)) continue
    byName.set(row.name, { scenarioId: row.scenarioId, versionId: row.versionId, name: row.name, text: row.text, house })
  }
  // The built-in base is always resolvable, even before the house scenarios were seeded.
  if (!byName.has(BASE_SCENARIO_NAME)) {
    byName.set(BASE_SCENARIO_NAME, { scenarioId: '', versionId: '', name: BASE_SCENARIO_NAME, text: baseScenarioText(), house: true })
  }
  return byName
}

/** Checks a text against the parents the caller sees; returns the check and the parent it was resolved against. */
async function checkAgainstParents(db: Database, access: ScenarioAccess, text: string): Promise<{ checked: CheckedText; parent: ParentCandidate | null }> {
  const candidates = await parentCandidates(db, access)
  const checked = checkText(text, (name) => candidates.get(name)?.text, { knownNames: [...candidates.keys()] })
  const parent = checked.extends ? (candidates.get(checked.extends) ?? null) : null
  return { checked, parent }
}

/** validateScenario: the diagnostics of a text (parents among the caller's and the house scenarios) and, when valid, its canonical form. */
export async function validateScenario(db: Database, access: ScenarioAccess, input: { text: string }): Promise<ValidateOutput> {
  const { checked } = await checkAgainstParents(db, access, input.text)
  return {
    ok: checked.diagnostics.length === 0,
    diagnostics: checked.diagnostics,
    canonical: checked.canonical ?? null,
    canonicalHash: checked.canonicalHash ?? null,
  }
}

/** The house scenario names (an organization may not take one: `extends "base"` must mean the house base). */
async function houseNames(db: Database): Promise<Set<string>> {
  const rows = await db.select({ name: scenarios.name }).from(scenarios).where(isNull(scenarios.organizationId))
  return new Set([BASE_SCENARIO_NAME, ...rows.map((r) => r.name)])
}

/** The scenario a save writes: the one named by id (the caller's own), else the owner's scenario of the text's name, else none (a new one). */
async function saveTarget(db: Database, access: ScenarioAccess, id: string | undefined, name: string): Promise<ScenarioRow | null> {
  if (id) {
    const row = await visibleScenario(db, access, id)
    if (row.organizationId !== access.organizationId) {
      throw new AppError('FORBIDDEN', `Scenario "${row.name}" is a house scenario published by ${HOUSE_LABEL}: save your own scenario that extends it instead`, {
        details: { id },
      })
    }
    return row
  }
  const [row] = await db
    .select()
    .from(scenarios)
    .where(and(scenarioOwnedBy(access.organizationId), eq(scenarios.name, name)))
    .limit(1)
  return row ?? null
}

const isUniqueViolation = (error: unknown, constraint: string) => {
  const text = `${String((error as Error)?.message ?? '')} ${String((error as { cause?: Error })?.cause?.message ?? '')} ${String((error as { constraint_name?: string })?.constraint_name ?? '')}`
  return text.includes(constraint)
}

/**
 * saveScenario: stores the text as the next version of the caller's scenario (creating the
 * scenario on its first save). Invalid text: BAD_REQUEST whose details carry the diagnostics.
 * Saving over a house scenario: FORBIDDEN. A name another of the organization's scenarios has
 * (renaming by id): CONFLICT. Unchanged canonical form: no new version (created false).
 */
export async function saveScenario(db: Database, access: ScenarioAccess, input: SaveInput): Promise<SaveOutput> {
  const { checked, parent } = await checkAgainstParents(db, access, input.text)
  if (checked.diagnostics.length > 0 || !checked.canonical || !checked.name) {
    // `issues` (one per diagnostic, file:line:col: message) reach tRPC and REST clients through the error formatter.
    const issues = checked.diagnostics.map((d) => ({ path: 'text', message: formatDiagnostic(d) }))
    throw new AppError('BAD_REQUEST', `text: ${describeDiagnostics(checked.diagnostics)}`, { details: { diagnostics: checked.diagnostics, issues } })
  }
  const name = checked.name
  // A house scenario named by id is refused as such (FORBIDDEN) before its name is looked at.
  if (input.id) await saveTarget(db, access, input.id, name)
  if (access.organizationId && (await houseNames(db)).has(name)) {
    throw new AppError('BAD_REQUEST', `scenario "${name}": the name is taken by a house scenario; name yours differently (it may extend "${name}")`, {
      details: { field: 'text', value: name },
    })
  }
  for (let attempt = 0; ; attempt++) {
    try {
      return await saveVersion(db, access, input.id, name, checked, parent)
    } catch (error) {
      // Two first saves of one name at once: the loser saves a version of the winner's scenario.
      if (attempt < 2 && !input.id && (isUniqueViolation(error, 'scenarios_owner_name_key') || isUniqueViolation(error, 'scenarios_pkey'))) continue
      if (attempt < 2 && isUniqueViolation(error, 'scenario_versions_version_key')) continue
      if (isUniqueViolation(error, 'scenarios_owner_name_key')) {
        throw new AppError('CONFLICT', `your organization already has a scenario named "${name}"`, { details: { field: 'text', value: name } })
      }
      throw error
    }
  }
}

async function saveVersion(
  db: Database,
  access: ScenarioAccess,
  id: string | undefined,
  name: string,
  checked: CheckedText,
  parent: ParentCandidate | null,
): Promise<SaveOutput> {
  const existing = await saveTarget(db, access, id, name)
  return db.transaction(async (tx) => {
    const scenario =
      existing ??
      (
        await tx
          .insert(scenarios)
          .values({
            // The house base has the same id everywhere (clients and examples name it); every other scenario a random one.
            ...(access.organizationId === null && name === BASE_SCENARIO_NAME ? { id: HOUSE_BASE_ID } : {}),
            organizationId: access.organizationId,
            name,
            createdBy: access.userId,
          })
          .returning()
      )[0]!
    // One save at a time per scenario: the row lock orders concurrent saves.
    const [locked] = await tx.select().from(scenarios).where(eq(scenarios.id, scenario.id)).for('update')
    const [latest] = await tx
      .select()
      .from(scenarioVersions)
      .where(and(eq(scenarioVersions.scenarioId, scenario.id), eq(scenarioVersions.version, locked!.latestVersion)))
      .limit(1)
    if (latest && latest.canonicalHash === checked.canonicalHash && locked!.name === name) {
      return { id: scenario.id, version: latest.version, created: false }
    }
    const version = locked!.latestVersion + 1
    await tx.insert(scenarioVersions).values({
      scenarioId: scenario.id,
      version,
      text: checked.text,
      canonical: checked.canonical!,
      canonicalHash: checked.canonicalHash!,
      parentVersionId: parent?.versionId || null,
      createdBy: access.userId,
      createdByLabel: access.label,
    })
    await tx.update(scenarios).set({ latestVersion: version, name, updatedAt: sql`now()` }).where(eq(scenarios.id, scenario.id))
    return { id: scenario.id, version, created: true }
  })
}

/**
 * Saves the built-in house scenarios (today: `base` from BASE_SCENARIO_TEXT) as house scenarios
 * (organization null). Idempotent: an unchanged text makes no version; a new engine's base text
 * is a new version. Returns the base scenario's id and version.
 */
export async function seedHouseScenarios(db: Database): Promise<SaveOutput> {
  return saveScenario(db, HOUSE_ACCESS, { text: baseScenarioText() })
}

/** The house base scenario, or null before seedHouseScenarios ran. */
export async function houseBaseScenario(db: Database): Promise<ScenarioRow | null> {
  const [row] = await db
    .select()
    .from(scenarios)
    .where(and(isNull(scenarios.organizationId), eq(scenarios.name, BASE_SCENARIO_NAME)))
    .limit(1)
  return row ?? null
}

/** The name of the parent scenario each version was resolved against (by version id). */
async function parentNames(db: Database, parentVersionIds: string[]): Promise<Map<string, string>> {
  const ids = [...new Set(parentVersionIds)]
  if (ids.length === 0) return new Map()
  const rows = await db
    .select({ versionId: scenarioVersions.id, name: scenarios.name })
    .from(scenarioVersions)
    .innerJoin(scenarios, eq(scenarios.id, scenarioVersions.scenarioId))
    .where(inArray(scenarioVersions.id, ids))
  return new Map(rows.map((r) => [r.versionId, r.name]))
}

/** listScenarios: the scenarios the caller sees, house first then by name, with the parent and the latest run. */
export async function listScenarios(db: Database, access: ScenarioAccess): Promise<ScenarioSummary[]> {
  const rows = await db
    .select({ scenario: scenarios, parentVersionId: scenarioVersions.parentVersionId })
    .from(scenarios)
    .leftJoin(scenarioVersions, and(eq(scenarioVersions.scenarioId, scenarios.id), eq(scenarioVersions.version, scenarios.latestVersion)))
    .where(scenarioVisibleTo(access))
    .orderBy(sql`${scenarios.organizationId} is not null`, asc(scenarios.name))
  const parents = await parentNames(
    db,
    rows.flatMap((r) => (r.parentVersionId ? [r.parentVersionId] : [])),
  )
  const lastRuns = await latestRuns(
    db,
    access,
    rows.map((r) => r.scenario.id),
  )
  return rows.map(({ scenario, parentVersionId }) => ({
    id: scenario.id,
    name: scenario.name,
    owner: ownerOf(scenario.organizationId),
    extends: parentVersionId ? (parents.get(parentVersionId) ?? null) : null,
    latestVersion: scenario.latestVersion,
    updatedAt: scenario.updatedAt.toISOString(),
    lastRun: lastRuns.get(scenario.id) ?? null,
  }))
}

/** The newest run the caller sees of each scenario (any version). */
async function latestRuns(db: Database, access: ScenarioAccess, scenarioIds: string[]): Promise<Map<string, ScenarioSummary['lastRun']>> {
  if (scenarioIds.length === 0) return new Map()
  const rows = await db
    .selectDistinctOn([scenarioVersions.scenarioId], {
      scenarioId: scenarioVersions.scenarioId,
      runId: scenarioRuns.runId,
      status: scenarioRuns.status,
      finishedAt: scenarioRuns.finishedAt,
    })
    .from(scenarioRuns)
    .innerJoin(scenarioVersions, eq(scenarioVersions.id, scenarioRuns.scenarioVersionId))
    .where(and(inArray(scenarioVersions.scenarioId, scenarioIds), runVisibleTo(access)))
    .orderBy(scenarioVersions.scenarioId, desc(scenarioRuns.requestedAt))
  return new Map(rows.map((r) => [r.scenarioId, { runId: r.runId, status: r.status as RunSummary['status'], finishedAt: iso(r.finishedAt) }]))
}

const runScenario = alias(scenarios, 'run_scenario')

/** Run summaries the caller sees, newest first: of one scenario, or all. */
export async function runSummaries(db: Database, access: ScenarioAccess, filter: { scenarioId?: string } = {}, limit = 200): Promise<RunSummary[]> {
  // The columns a summary shows, not the row: its lineage holds the run's fuel snapshot (~10 KB).
  const run = {
    runId: scenarioRuns.runId,
    organizationId: scenarioRuns.organizationId,
    mode: scenarioRuns.mode,
    status: scenarioRuns.status,
    progress: scenarioRuns.progress,
    requestedAt: scenarioRuns.requestedAt,
    finishedAt: scenarioRuns.finishedAt,
  }
  const rows = await db
    .select({ run, version: scenarioVersions.version, scenarioId: runScenario.id, scenarioName: runScenario.name })
    .from(scenarioRuns)
    .innerJoin(scenarioVersions, eq(scenarioVersions.id, scenarioRuns.scenarioVersionId))
    .innerJoin(runScenario, eq(runScenario.id, scenarioVersions.scenarioId))
    .where(and(runVisibleTo(access), filter.scenarioId ? eq(runScenario.id, filter.scenarioId) : undefined))
    .orderBy(desc(scenarioRuns.requestedAt), desc(scenarioRuns.id))
    .limit(limit)
  return rows.map(({ run, version, scenarioId, scenarioName }) => ({
    runId: run.runId,
    scenarioId,
    scenarioName,
    version,
    owner: ownerOf(run.organizationId),
    mode: run.mode as RunSummary['mode'],
    status: run.status as RunSummary['status'],
    progress: run.progress,
    requestedAt: run.requestedAt.toISOString(),
    finishedAt: iso(run.finishedAt),
  }))
}

/** getScenario: one version of a scenario the caller sees (default the latest), its versions and runs. */
export async function getScenario(db: Database, access: ScenarioAccess, input: GetScenarioInput): Promise<ScenarioDetail> {
  const scenario = await visibleScenario(db, access, input.id)
  const version = await scenarioVersion(db, scenario, input.version)
  const versions = await db
    .select()
    .from(scenarioVersions)
    .where(eq(scenarioVersions.scenarioId, scenario.id))
    .orderBy(desc(scenarioVersions.version))
  const parent = version.parentVersionId ? (await parentNames(db, [version.parentVersionId])).get(version.parentVersionId) : null
  const house = scenario.organizationId === null
  return {
    id: scenario.id,
    name: scenario.name,
    owner: ownerOf(scenario.organizationId),
    extends: parent ?? null,
    version: version.version,
    text: version.text,
    canonical: version.canonical,
    canonicalHash: version.canonicalHash,
    versions: versions.map((v) => ({
      version: v.version,
      createdAt: v.createdAt.toISOString(),
      // A house version never names a person.
      createdByLabel: house ? HOUSE_LABEL : v.createdByLabel,
      canonicalHash: v.canonicalHash,
    })),
    runs: await runSummaries(db, access, { scenarioId: scenario.id }),
  }
}
