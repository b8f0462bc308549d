import { parseArgs } from 'node:util'
import { exitAfterFlush, stderr, stdout } from './cli/output.ts'

/**
 * `npx carbon <command>`. This module loads only what every command needs (argument parsing and
 * output); each command's code is imported when that command runs, so `--help` and the small
 * commands start without loading the server (the compiled bundle splits along these imports).
 */

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
               or a series dataset (no --market): --dataset eia.930.region_data, eia.930.fuel_type_data,
                 eia.ng.hh_spot_monthly, eia.ng.hh_spot_daily, eia.ng.wngsr_lng_prices, ... --from --to
  dlq list     Dead letters not yet replayed: id, time, topic, reason, file, line, raw key
                 --topic <t>      prices.dlq, curves.dlq, ...
                 --since <date>   YYYY-MM-DD or ISO time; --all: replayed ones too
  dlq replay   Send dead letters through the pipeline again once the cause is fixed
                 <id> | --all     one dead letter, or every one not yet replayed (--topic <t>)
  migrate      Apply Postgres and ClickHouse migrations to the configured stores
  topics create
               Create the Kafka topics the platform uses (idempotent; needs KAFKA_BROKERS)
                 --partitions <n>          partitions of the work topics (default 12)
                 --replication-factor <n>  (default 3)
  seed-demo    Load demo data (real publisher files + generated history)
                 --days <n>       days of generated history (default 90)
                 --reset          remove every price and node first
  parse        Print the normalized records of one publisher file as NDJSON (no store)
                 --source <id>    the publisher dataset; "npx carbon parse --help" lists them
  help         Show this help

Configuration comes from the environment; with nothing set everything runs embedded under
./.data (PGlite, chDB). See README.md for DATABASE_URL, CLICKHOUSE_URL, KAFKA_BROKERS, S3_*.`

type Args = ReturnType<typeof parseCommandLine>

function parseCommandLine(argv: string[]) {
  return parseArgs({
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
      partitions: { type: 'string' },
      'replication-factor': { type: 'string' },
    },
  })
}

/** What a command that touches configuration gets: the environment, the logger, telemetry started. */
async function runtime(command: string) {
  const [{ getEnv }, { getLogger }] = await Promise.all([import('./env.ts'), import('./logger.ts')])
  const env = getEnv()
  const log = getLogger()
  const { startTelemetry } = await import('./cli/telemetry.ts')
  await startTelemetry({ env, command, log })
  return { env, log }
}

type CommandRun = (args: Args) => Promise<number>

/** Commands that need no store and no environment: they print help or work on files. */
const STANDALONE: Record<string, CommandRun> = {
  async parse({ values, positionals }) {
    const { parseHelp, runParse } = await import('./cli/parse.ts')
    if (values.help) return print(parseHelp(), 0)
    return runParse({ source: values.source, file: positionals[1] })
  },
  async curve({ values, positionals }) {
    const { CURVE_HELP, runCurveBuild } = await import('./cli/curve.ts')
    if (values.help || positionals[1] !== 'build') return print(CURVE_HELP, values.help ? 0 : 2)
    return runCurveBuild({ quotes: values.quotes, market: values.market, block: values.block, asOf: values['as-of'] })
  },
  async scenario({ values, positionals }) {
    const { runScenarioCommand, SCENARIO_HELP } = await import('./cli/scenario.ts')
    if (values.help || positionals[1] === undefined) return print(SCENARIO_HELP, values.help ? 0 : 2)
    return runScenarioCommand({ action: positionals[1], file: positionals[2], json: values.json ?? false })
  },
}

/** Commands that read the configuration (and most open the stores). */
const CONFIGURED: Record<string, CommandRun> = {
  async serve({ values }) {
    const { runServe } = await import('./cli/commands.ts')
    const { env, log } = await runtime('serve')
    return runServe(env, log, { dev: values.dev ?? false, port: values.port, demo: !values['no-demo'], ingest: !values['no-ingest'] })
  },
  ingest: worker('ingest', 'runIngestCommand'),
  consumer: worker('consumer', 'runConsumerCommand'),
  solver: worker('solver', 'runSolverCommand'),
  'scenario-worker': worker('scenario-worker', 'runScenarioWorkerCommand'),
  'export-worker': worker('export-worker', 'runExportWorkerCommand'),
  async backfill({ values }) {
    const { runBackfillCommand } = await import('./cli/workers.ts')
    const { env, log } = await runtime('backfill')
    const { market, dataset, from, to, source } = values
    return runBackfillCommand(env, log, { market, dataset, from, to, source, force: values.force ?? false })
  },
  async dlq({ values, positionals }) {
    const { DLQ_HELP, runDlqCommand } = await import('./cli/dlq.ts')
    if (values.help) return print(DLQ_HELP, 0)
    const { env, log } = await runtime('dlq')
    return runDlqCommand(env, log, { action: positionals[1], id: positionals[2], topic: values.topic, since: values.since, all: values.all ?? false })
  },
  async topics({ values, positionals }) {
    const { TOPICS_HELP, runTopicsCommand } = await import('./cli/topics.ts')
    if (values.help) return print(TOPICS_HELP, 0)
    const { env, log } = await runtime('topics')
    return runTopicsCommand(env, log, { action: positionals[1], partitions: values.partitions, replicationFactor: values['replication-factor'] })
  },
  async migrate() {
    const { runMigrate } = await import('./cli/commands.ts')
    const { env, log } = await runtime('migrate')
    return runMigrate(env, log)
  },
  async 'seed-demo'({ values }) {
    const { runSeedDemo } = await import('./cli/commands.ts')
    const { env, log } = await runtime('seed-demo')
    return runSeedDemo(env, log, { days: values.days, reset: values.reset ?? false })
  },
}

type WorkerCommand = 'runIngestCommand' | 'runConsumerCommand' | 'runSolverCommand' | 'runScenarioWorkerCommand' | 'runExportWorkerCommand'

function worker(command: string, name: WorkerCommand): CommandRun {
  return async () => {
    const workers = await import('./cli/workers.ts')
    const { env, log } = await runtime(command)
    return workers[name](env, log)
  }
}

/** Commands whose --help is their own text, not the overview. */
const OWN_HELP = new Set(['dlq', 'topics'])

function print(text: string, code: number): number {
  process.stdout.write(`${text}\n`)
  return code
}

/** The table's own entry for `command` (never an inherited one: `carbon toString` is an unknown command). */
function commandIn(table: Record<string, CommandRun>, command: string): CommandRun | undefined {
  return Object.hasOwn(table, command) ? table[command] : undefined
}

async function main(argv: string[]): Promise<number> {
  const args = parseCommandLine(argv)
  const command = args.positionals[0] ?? 'help'
  const standalone = commandIn(STANDALONE, command)
  if (standalone) return standalone(args)
  const configured = commandIn(CONFIGURED, command)
  if (configured && (!args.values.help || OWN_HELP.has(command))) return configured(args)
  if (args.values.help || command === 'help') return print(HELP, 0)
  process.stderr.write(`Unknown command "${command}".\n\n${HELP}\n`)
  return 2
}

async function reportFailure(error: unknown): Promise<void> {
  const [{ EnvError }, { isAppError }] = await Promise.all([import('./env.ts'), import('./errors.ts')])
  if (error instanceof EnvError) process.stderr.write(`${error.message}\n`)
  else if (isAppError(error)) process.stderr.write(`carbon: ${error.message}\n`)
  else if (error instanceof TypeError && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`carbon: ${error.message}\nRun "npx carbon --help" for usage.\n`)
  } else process.stderr.write(`carbon: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
}

// Installed first: a reader that goes away (`| head -1`) ends the output quietly.
stdout()
stderr()
main(process.argv.slice(2)).then(
  async (code) => {
    // Long-running commands (-1) exit from their signal handlers, through exitAfterFlush too.
    if (code === -1) return
    const { stopTelemetry } = await import('./cli/telemetry.ts')
    await stopTelemetry()
    void exitAfterFlush(code)
  },
  async (error: unknown) => {
    await reportFailure(error).catch(() => process.stderr.write(`carbon: ${String(error)}\n`))
    const { stopTelemetry } = await import('./cli/telemetry.ts')
    await stopTelemetry()
    void exitAfterFlush(1)
  },
)
