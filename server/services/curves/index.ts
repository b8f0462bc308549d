export * from './builds.ts'
export * from './catalog.ts'
export * from './points.ts'
export * from './queries.ts'
