import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseEnv } from '../../env.ts'
import { openClickHouse, type ClickHouseHandle } from './client.ts'
import { migrateClickHouse } from './migrate.ts'

/**
 * Test support: the embedded engine on a new temporary data directory, migrated unless told
 * otherwise; close() closes it and removes the directory. chDB binds one data directory per
 * process and vitest runs each test file in its own process: open one per FILE (beforeAll).
 */
export async function openScratchClickHouse(options: { migrate?: boolean } = {}): Promise<ClickHouseHandle & { dataDir: string }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'carbon-chdb-'))
  const handle = await openClickHouse(parseEnv({ DATA_DIR: dataDir }))
  try {
    if (options.migrate ?? true) await migrateClickHouse(handle)
  } catch (error) {
    await handle.close()
    await rm(dataDir, { recursive: true, force: true })
    throw error
  }
  return {
    ...handle,
    dataDir,
    async close() {
      await handle.close()
      await rm(dataDir, { recursive: true, force: true })
    },
  }
}
