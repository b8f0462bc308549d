import { parseArgs } from 'node:util'
import { EnvError, getEnv } from './env.ts'
import { isAppError } from './errors.ts'
import { getLogger } from './logger.ts'
import { runMigrate, runSeedDemo, runServe } from './cli/commands.ts'
import { parseHelp, runParse } from './cli/parse.ts'
import { CURVE_HELP, runCurveBuild } from './cli/curve.ts'
import { runBackfillCommand, runConsumerCommand, runExportWorkerCommand, runIngestCommand, runScenarioWorkerCommand, runSolverCommand } from './cli/workers.ts'
import { DLQ_HELP, runDlqCommand } from './cli/dlq.ts'
import { runScenarioCommand, SCENARIO_HELP } from './cli/scenario.ts'
import { exitAfterFlush, stderr, stdout } from './cli/output.ts'

const HELP = `254Carbon command line

Usage: npx carbon <command> [options]

Commands:
  serve        Run the platform: hub, tRPC, REST API (embedded stores unless configured)
                 --dev            Vite dev server with hot reload
                 --port <n>       port (default: PORT or 3000)
                 --no-demo        do not load demo data at first start
                 --no-ingest      do not run the ingest (embedded: live prices from the simulator)
  ingest       Run the ingest sidecar: every dataset on its publisher's schedule -> bus
  consumer     Run the consumer sidecar: prices.normalized -> ClickHouse (needs KAFKA_BROKERS)
  solver       Run the curve solver sidecar: curves.build -> curve points (needs KAFKA_BROKERS)
  scenario-worker
               Run the scenario worker sidecar: scenarios.run -> scenario results (needs KAFKA_BROKERS)
  export-worker
               Run the export worker sidecar: exports.run and reports.render -> files in the object store (needs KAFKA_BROKERS)
  scenario check <file>
               Check a scenario file; exit 2 with file:line:col: message on an error
  scenario run <file> [--json]
               Run a scenario file with the fundamentals model (no store) and print its prices
  curve build  Build a forward curve from a quotes CSV and print it as JSON (no store)
                 --quotes <file.csv> --market <MISO|CAISO> --block <onpeak|offpeak|atc>
                 --as-of <YYYY-MM-DD>  default today; "npx carbon curve --help" for the format
  backfill     Fetch a dataset's past windows (resumable: run it again to continue)
                 --market <MISO|CAISO>
                 --dataset <name> e.g. MISO: da-expost, rt-final, rt-prelim, rt5-expost;
                                  CAISO: dam, rtm, rtpd (or a source id)
                 --from <date>    YYYY-MM-DD (UTC midnight) or ISO time, inclusive
                 --to <date>      exclusive
                 --source <simulator|publishers>  where to fetch (default per INGEST_SOURCE)
                 --force          fetch a finished range again
  dlq list     Dead letters not yet replayed: id, time, topic, reason, file, line, raw key
                 --topic <t>      prices.dlq, curves.dlq, ...
                 --since <date>   YYYY-MM-DD or ISO time; --all: replayed ones too
  dlq replay   Send dead letters through the pipeline again once the cause is fixed
                 <id> | --all     one dead letter, or every one not yet replayed (--topic <t>)
  migrate      Apply Postgres and ClickHouse migrations to the configured stores
  seed-demo    Load demo data (real publisher files + generated history)
                 --days <n>       days of generated history (default 90)
                 --reset          remove every price and node first
  parse        Print the normalized records of one publisher file as NDJSON (no store)
                 --source <id>    the publisher dataset; "npx carbon parse --help" lists them
  help         Show this help

Configuration comes from the environment; with nothing set everything runs embedded under
./.data (PGlite, chDB). See README.md for DATABASE_URL, CLICKHOUSE_URL, KAFKA_BROKERS, S3_*.`

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      dev: { type: 'boolean' },
      port: { type: 'string' },
      'no-demo': { type: 'boolean' },
      days: { type: 'string' },
      reset: { type: 'boolean' },
      source: { type: 'string' },
      'no-ingest': { type: 'boolean' },
      market: { type: 'string' },
      dataset: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      force: { type: 'boolean' },
      quotes: { type: 'string' },
      block: { type: 'string' },
      'as-of': { type: 'string' },
      topic: { type: 'string' },
      since: { type: 'string' },
      all: { type: 'boolean' },
      json: { type: 'boolean' },
    },
  })
  const command = positionals[0] ?? 'help'
  if (command === 'parse') {
    if (values.help) {
      process.stdout.write(`${parseHelp()}\n`)
      return 0
    }
    return runParse({ source: values.source, file: positionals[1] })
  }
  if (command === 'curve') {
    if (values.help || positionals[1] !== 'build') {
      process.stdout.write(`${CURVE_HELP}\n`)
      return values.help ? 0 : 2
    }
    return runCurveBuild({ quotes: values.quotes, market: values.market, block: values.block, asOf: values['as-of'] })
  }
  if (command === 'scenario') {
    if (values.help || positionals[1] === undefined) {
      process.stdout.write(`${SCENARIO_HELP}\n`)
      return values.help ? 0 : 2
    }
    return runScenarioCommand({ action: positionals[1], file: positionals[2], json: values.json ?? false })
  }
  if (command === 'dlq' && values.help) {
    process.stdout.write(`${DLQ_HELP}\n`)
    return 0
  }
  if (values.help || command === 'help') {
    process.stdout.write(`${HELP}\n`)
    return 0
  }
  const env = getEnv()
  const log = getLogger()
  switch (command) {
    case 'serve':
      return runServe(env, log, { dev: values.dev ?? false, port: values.port, demo: !values['no-demo'], ingest: !values['no-ingest'] })
    case 'ingest':
      return runIngestCommand(env, log)
    case 'consumer':
      return runConsumerCommand(env, log)
    case 'solver':
      return runSolverCommand(env, log)
    case 'scenario-worker':
      return runScenarioWorkerCommand(env, log)
    case 'export-worker':
      return runExportWorkerCommand(env, log)
    case 'backfill':
      return runBackfillCommand(env, log, {
        market: values.market,
        dataset: values.dataset,
        from: values.from,
        to: values.to,
        force: values.force ?? false,
        source: values.source,
      })
    case 'dlq':
      return runDlqCommand(env, log, { action: positionals[1], id: positionals[2], topic: values.topic, since: values.since, all: values.all ?? false })
    case 'migrate':
      return runMigrate(env, log)
    case 'seed-demo':
      return runSeedDemo(env, log, { days: values.days, reset: values.reset ?? false })
    default:
      process.stderr.write(`Unknown command "${command}".\n\n${HELP}\n`)
      return 2
  }
}

// Installed first: a reader that goes away (`| head -1`) ends the output quietly.
stdout()
stderr()
main(process.argv.slice(2)).then(
  (code) => {
    // Long-running commands (-1) exit from their signal handlers, through exitAfterFlush too.
    if (code !== -1) void exitAfterFlush(code)
  },
  (error: unknown) => {
    if (error instanceof EnvError) process.stderr.write(`${error.message}\n`)
    else if (isAppError(error)) process.stderr.write(`carbon: ${error.message}\n`)
    else if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`carbon: ${error.message}\nRun "npx carbon --help" for usage.\n`)
    } else process.stderr.write(`carbon: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    void exitAfterFlush(1)
  },
)
