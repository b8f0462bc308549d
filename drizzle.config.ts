import { defineConfig } from 'drizzle-kit'

/**
 * drizzle-kit generates the SQL migrations under migrations/postgres from the schema; they are
 * committed and reviewed. They are applied by `npm run db:migrate` (drizzle's migrator, see
 * server/adapters/postgres/client.ts) or the chart's hook Job, never by `drizzle-kit push`.
 * Hand-written SQL: `npx drizzle-kit generate --custom --name <what>`.
 */
export default defineConfig({
  dialect: 'postgresql',
  schema: './server/adapters/postgres/schema/index.ts',
  out: './migrations/postgres',
  casing: 'snake_case',
  strict: true,
  verbose: true,
})
