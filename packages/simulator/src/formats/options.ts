import type { SimNode } from '../catalogue.ts'

/** What a generator can be asked to do besides the faithful file (the failure modes that need it). */
export type GenerateOptions = {
  /** Nodes to add to the catalogue's (a node no client has seen before). */
  extraNodes?: readonly SimNode[]
  /** Repeat the rows at the edges of the window (same values), as OASIS does on window boundaries. */
  duplicateEdges?: boolean
}
