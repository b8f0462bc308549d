import { randomBytes } from 'node:crypto'
import postgres from 'postgres'
import type { TestProject } from 'vitest/node'

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string
  }
}

/**
 * Creates a fresh database on the PostgreSQL server (TEST_POSTGRES_URL, default the machine's
 * server at 127.0.0.1:5432) for this run and drops it afterwards. Tests get its URL via
 * inject('postgresUrl').
 */
export default async function setup(project: TestProject) {
  const adminUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
  const name = `carbon_test_${Date.now()}_${randomBytes(3).toString('hex')}`
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} })
  try {
    await admin.unsafe(`CREATE DATABASE ${name}`)
  } catch (error) {
    await admin.end()
    throw new Error(`Cannot create a test database on ${adminUrl.replace(/:[^:@/]*@/, ':***@')}: ${String(error)}`)
  }
  const url = new URL(adminUrl)
  url.pathname = `/${name}`
  project.provide('postgresUrl', url.toString())
  return async () => {
    await admin.unsafe(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    await admin.end()
  }
}
