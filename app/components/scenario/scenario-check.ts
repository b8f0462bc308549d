import { checkScenario, parseScenario } from '@carbon/scenario/language'
import type { DiagnosticLike } from '#app/utils/scenarios.ts'

/**
 * The editor's check: the scenario language's own parser and resolver
 * (packages/scenario/src/language, browser-safe), with the scenarios the user can see as the
 * parents `extends` may name. Parents are parsed once per editor, not on every keystroke.
 */

/** A scenario the edited one may extend: its name and latest text. */
export type ParentText = { name: string; text: string }

type ParsedDocument = ReturnType<typeof parseScenario>['document']

export function makeScenarioChecker(parents: readonly ParentText[], file: string): (text: string) => DiagnosticLike[] {
  const documents = new Map<string, ParsedDocument>()
  for (const p of parents) {
    const parsed = parseScenario(p.text, p.name)
    if (parsed.document) documents.set(p.name, parsed.document)
  }
  const lookup = (name: string) => documents.get(name)
  const knownNames = [...documents.keys()]
  return (text: string) => checkScenario(text, file, lookup, { knownNames }).diagnostics
}
