// Gathers exactly what the image runs into one folder (the Dockerfile's build stage calls it
// after `npm prune --omit=dev`): package.json, dist/ (the CLI bundle), build/ (the Remix build),
// migrations/, node_modules/, and of each workspace package its package.json (the
// node_modules/@carbon links resolve through it: the code itself is inlined in the bundles) plus
// the non-source folders its "exports" map publishes, which the code reads at run time
// (@carbon/connectors/fixtures/*, @carbon/scenario/data/*).
//
// Usage: node scripts/image/runtime-files.mjs <out-dir>   (from the repository root)
import fs from 'node:fs'
import path from 'node:path'

const TOP_LEVEL = ['package.json', 'dist', 'build', 'migrations', 'node_modules']
const REQUIRED = ['dist/server/cli.js', 'dist/server/model-thread.js', 'dist/server/parse-thread.js', 'dist/server/simulator-thread.js', 'build/server/index.js', 'build/client']

/**
 * The folders a package's exports map publishes outside src/: "./data/*" -> "data".
 * @param {Record<string, unknown> | undefined} exportsMap
 * @returns {string[]}
 */
export function publishedFolders(exportsMap) {
  return Object.values(exportsMap ?? {})
    .filter((target) => typeof target === 'string')
    .map((target) => /^\.\/([^*]+)\/\*$/.exec(target)?.[1])
    .filter((folder) => folder !== undefined && folder !== 'src' && !folder.startsWith('src/'))
}

function gather(root, out) {
  for (const file of REQUIRED) {
    if (!fs.existsSync(path.join(root, file))) throw new Error(`${file} is missing: run npm run build first`)
  }
  fs.mkdirSync(out, { recursive: true })
  // verbatimSymlinks keeps node_modules/@carbon/* pointing at ../../packages/*.
  for (const entry of TOP_LEVEL) fs.cpSync(path.join(root, entry), path.join(out, entry), { recursive: true, verbatimSymlinks: true })
  const copied = []
  for (const name of fs.readdirSync(path.join(root, 'packages')).sort()) {
    const dir = path.join('packages', name)
    const manifest = path.join(dir, 'package.json')
    if (!fs.existsSync(path.join(root, manifest))) continue
    fs.cpSync(path.join(root, manifest), path.join(out, manifest))
    const folders = publishedFolders(JSON.parse(fs.readFileSync(path.join(root, manifest), 'utf8')).exports)
    for (const folder of folders) fs.cpSync(path.join(root, dir, folder), path.join(out, dir, folder), { recursive: true })
    copied.push(folders.length ? `${dir} (+ ${folders.join(', ')})` : dir)
  }
  process.stdout.write(`runtime files in ${out}: ${TOP_LEVEL.join(', ')}, ${copied.join(', ')}\n`)
}

if (import.meta.url === `file://${path.resolve(process.argv[1] ?? '')}`) {
  const out = process.argv[2]
  if (!out) {
    process.stderr.write('usage: node scripts/image/runtime-files.mjs <out-dir>\n')
    process.exit(2)
  }
  gather(process.cwd(), path.resolve(out))
}
