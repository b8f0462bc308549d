import { parseArgs } from 'node:util'
import { EnvError, getEnv } from './env.ts'
import { isAppError } from './errors.ts'
import { getLogger } from './logger.ts'
import { runMigrate, runSeedDemo, runServe } from './cli/commands.ts'
import { parseHelp, runParse } from './cli/parse.ts'
import { CURVE_HELP, runCurveBuild } from './cli/curve.ts'
import { runBackfillCommand, runConsumerCommand, runIngestCommand, runSolverCommand } from './cli/workers.ts'

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
    case 'backfill':
      return runBackfillCommand(env, log, {
        market: values.market,
        dataset: values.dataset,
        from: values.from,
        to: values.to,
        force: values.force ?? false,
        source: values.source,
      })
    case 'migrate':
      return runMigrate(env, log)
    case 'seed-demo':
      return runSeedDemo(env, log, { days: values.days, reset: values.reset ?? false })
    default:
      process.stderr.write(`Unknown command "${command}".\n\n${HELP}\n`)
      return 2
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== -1) process.exit(code)
  },
  (error: unknown) => {
    if (error instanceof EnvError) process.stderr.write(`${error.message}\n`)
    else if (isAppError(error)) process.stderr.write(`carbon: ${error.message}\n`)
    else if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`carbon: ${error.message}\nRun "npx carbon --help" for usage.\n`)
    } else process.stderr.write(`carbon: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exit(1)
  },
)
