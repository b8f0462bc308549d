/**
 * @carbon/scenario: scenarios of macro, fuel, power and policy assumptions (a small language) and the
 * fundamentals model that prices them monthly to 2050. Framework-free.
 *
 * types.ts    the contract between the language and the model (targets, units, Assumptions, results)
 * language/   lexer, parser, unit checks, `extends` resolution, canonical form (browser-safe)
 * model/      base data per market (SOURCES.md), load, supply stack, storage, dispatch, Monte Carlo
 * identity.ts canonical hash and run identity (server side: node:crypto)
 * base.ts     the built-in `base` scenario's text; base-run.ts its run, memoized (the default curve prior)
 */
export * from './types.ts'
export * from './language/index.ts'
export * from './model/index.ts'
export * from './identity.ts'
export * from './base-run.ts'
export * from './base.ts'
