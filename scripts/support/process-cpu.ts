import { spawnSync } from 'node:child_process'
import fs from 'node:fs'

let ticksPerSecond: number | undefined

/** The kernel's clock ticks per second (USER_HZ), in which /proc/<pid>/stat counts CPU time. */
function clockTicksPerSecond(): number {
  ticksPerSecond ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout?.trim()) || 100
  return ticksPerSecond
}

/** CPU seconds (user + system, all threads) a process has used so far (Linux /proc), or null where that cannot be read. */
export function processCpuSeconds(pid: number): number | null {
  try {
    // Fields after the command name (in parentheses, and it may hold spaces): utime is the 12th, stime the 13th.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / clockTicksPerSecond()
  } catch {
    return null
  }
}
