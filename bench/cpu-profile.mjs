// Where a process's CPU went: `node bench/cpu-profile.mjs FILE.cpuprofile [TOP]` prints the
// functions with the most self time and the same time summed by package (node_modules/NAME,
// node: internals, the portal's own dist/ or src/ code), from a profile written by
// `node --cpu-prof` (for the portal: NODE_OPTIONS="--cpu-prof --cpu-prof-dir=DIR" npm start).
import { readFileSync } from 'node:fs';

const [file, top = '25'] = process.argv.slice(2);
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfUs = new Map();
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
}
const total = [...selfUs.values()].reduce((a, b) => a + b, 0);
const where = ({ url }) => {
  if (!url) return '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  if (url.startsWith('node:')) return 'node internals';
  return url.replace(/^file:\/\/.*?\/(dist|src|bench)\//, '$1/');
};
const functions = new Map();
const packages = new Map();
for (const [id, us] of selfUs) {
  const { callFrame } = byId.get(id);
  const name = `${callFrame.functionName || '(anonymous)'} ${where(callFrame)}:${callFrame.lineNumber + 1}`;
  functions.set(name, (functions.get(name) ?? 0) + us);
  const pkg = callFrame.url ? where(callFrame).split(':')[0] : callFrame.functionName;
  packages.set(pkg, (packages.get(pkg) ?? 0) + us);
}
const busy = total - (packages.get('(idle)') ?? 0);
const print = (title, map) => {
  console.log(`\n${title} (of ${(busy / 1e6).toFixed(2)} s busy, ${(total / 1e6).toFixed(2)} s sampled)`);
  for (const [name, us] of [...map]
    .filter(([name]) => !name.startsWith('(idle)'))
    .sort((a, b) => b[1] - a[1])
    .slice(0, Number(top)))
    console.log(`${((100 * us) / busy).toFixed(1).padStart(5)} %  ${name}`);
};
print('Self time by function', functions);
print('Self time by package', packages);
