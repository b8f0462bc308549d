/** Reading V8 CPU profiles in the benchmarks: where the time went, by function. */

export type CpuProfile = {
  startTime: number
  endTime: number
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }[]
  samples: number[]
  timeDeltas: number[]
}
export type ProfileLine = { function: string; where: string; selfMs: number; share: number; via: string | null }

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits

/**
 * Self time per function (name + file:line, paths relative to `root`) from a V8 CPU profile,
 * highest first. For a function without a source (native, GC, builtins) `via` names the nearest
 * caller with one that spent the most of that time. The profiler's own work (an inspector session
 * serialising the profile) and the idle samples are left out. With `lastMs`, only the samples of
 * the profile's last `lastMs` milliseconds count (a whole-process profile without its start-up).
 */
export function topSelfTime(profile: CpuProfile, root: string, limit: number, lastMs?: number): ProfileLine[] {
  const byNode = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const child of n.children ?? []) parent.set(child, n.id)
  const frame = (id: number) => {
    const { functionName, url, lineNumber } = byNode.get(id)!.callFrame
    const where = url ? `${url.replace(/^file:\/\//, '').replace(`${root}/`, '')}:${lineNumber + 1}` : ''
    return { name: functionName || '(anonymous)', where }
  }
  const self = new Map<string, { us: number; vias: Map<string, number> }>()
  let total = 0
  const from = lastMs === undefined ? -Infinity : profile.endTime - lastMs * 1000
  let at = profile.startTime
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i] ?? 0
    at += us
    if (at < from || !byNode.has(id)) return
    const f = frame(id)
    if (f.name === '(idle)') return
    total += us
    const key = `${f.name}\u0000${f.where}`
    let entry = self.get(key)
    if (!entry) self.set(key, (entry = { us: 0, vias: new Map() }))
    entry.us += us
    if (!f.where) {
      let up = parent.get(id)
      while (up !== undefined && !frame(up).where) up = parent.get(up)
      if (up !== undefined) {
        const caller = frame(up)
        const via = `${caller.name} ${caller.where}`
        entry.vias.set(via, (entry.vias.get(via) ?? 0) + us)
      }
    }
  })
  return [...self]
    .filter(([, { vias }]) => ![...vias.keys()].some((via) => via.includes('node:inspector')))
    .sort((a, b) => b[1].us - a[1].us)
    .slice(0, limit)
    .map(([key, { us, vias }]) => {
      const [fn, where] = key.split('\u0000')
      const via = [...vias].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null
      return { function: fn!, where: where!, selfMs: round(us / 1000), share: round(us / Math.max(1, total), 3), via }
    })
}

/** The profile lines as a fixed-width table, one function per line. */
export function profileTable(lines: ProfileLine[]): string {
  return lines
    .map((l) => `  ${String(l.selfMs).padStart(9)} ms ${(l.share * 100).toFixed(1).padStart(5)} %  ${l.function} ${l.where}${l.via ? `  (via ${l.via})` : ''}`)
    .join('\n')
}
