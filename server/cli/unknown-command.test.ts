import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { repoRoot } from '../paths.ts'

const carbon = (...args: string[]) => spawnSync(process.execPath, [path.join(repoRoot, 'bin/carbon.js'), ...args], { encoding: 'utf8' })

describe('carbon <command>', () => {
  it.each(['nope', 'toString', 'constructor'])('refuses "%s" as an unknown command with the overview, exit 2', (command) => {
    const run = carbon(command)
    expect(run.status).toBe(2)
    expect(run.stderr).toContain(`Unknown command "${command}".`)
    expect(run.stderr).toContain('254Carbon command line')
  })
})
