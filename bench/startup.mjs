// Cold start over stdio, as an AI client meets it: from spawning the process to its answer to `initialize`, to the
// first complete `tools/list`, and from closing its stdin to its exit. Raw JSON-RPC lines over pipes (no SDK in the
// measured path); `initialize` is written at once, as clients do, and waits in the pipe until the server reads it.
// The paths take turns start by start, so a noisy moment of the machine spreads over all of them.
//
// node startup.mjs --runs N --everything SCRIPT --orch DLL [--orch-r2r EXE] [--compare DLL] --work DIR
// --compare: another build of mcp-orch (an earlier commit's, say), started with --transport stdio.
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values: options } = parseArgs({
  options: {
    runs: { type: 'string', default: '20' },
    everything: { type: 'string' },
    orch: { type: 'string' },
    'orch-r2r': { type: 'string' },
    compare: { type: 'string' },
    work: { type: 'string' },
  },
});
const runs = Number(options.runs);
const node = process.execPath;
const work = options.work;
mkdirSync(work, { recursive: true });
writeFileSync(join(work, 'mcp-config.json'), JSON.stringify({ mcpServers: { everything: { command: node, args: [options.everything, 'stdio'] } } }));

// Each path: how to start it, and its data folder (a kept one: users start mcp-orch again and again; or a new one).
const warmData = join(work, 'data');
const paths = [
  { key: 'A', name: 'server-everything alone (the floor)', command: node, args: [options.everything, 'stdio'], tools: 'echo' },
  { key: 'B', name: 'mcp-orch (build output, as `dotnet tool install` runs it)', command: 'dotnet', args: [options.orch], data: () => warmData, tools: 'everything.echo' },
  ...(options['orch-r2r'] ? [{ key: 'C', name: 'mcp-orch, ReadyToRun (`dotnet publish -r linux-x64 -p:PublishReadyToRun=true`)', command: options['orch-r2r'], args: [], data: () => warmData, tools: 'everything.echo' }] : []),
  { key: 'D', name: 'mcp-orch, first start (a new data folder: the database is made)', command: 'dotnet', args: [options.orch], data: () => mkdtempSync(join(work, 'first-')), tools: 'everything.echo' },
  ...(options.compare ? [{ key: 'O', name: `the build compared (${options.compare}, --transport stdio)`, command: 'dotnet', args: [options.compare, '--transport', 'stdio'], data: () => warmData, tools: 'everything.echo' }] : []),
];

async function start(path) {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...(path.data ? { MCP_ORCH_DATA_DIR: path.data() } : {}) };
  const started = performance.now();
  const child = spawn(path.command, path.args, { cwd: work, env, stdio: ['pipe', 'pipe', 'ignore'] });
  const exited = new Promise(resolve => child.once('exit', () => resolve(performance.now())));
  const answers = new Map();
  let buffer = '';
  child.stdout.on('data', chunk => {
    buffer += chunk;
    for (let end; (end = buffer.indexOf('\n')) >= 0; buffer = buffer.slice(end + 1)) {
      const message = JSON.parse(buffer.slice(0, end));
      if (message.id !== undefined) answers.get(message.id)?.(message);
    }
  });
  const request = (id, method, params) => {
    const answered = new Promise(resolve => answers.set(id, resolve));
    child.stdin.write(JSON.stringify({ jsonrpc: '2.0', id, method, params }) + '\n');
    return answered;
  };
  await request(1, 'initialize', { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'startup-bench', version: '1' } });
  const initialized = performance.now();
  child.stdin.write(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }) + '\n');
  const list = await request(2, 'tools/list', {});
  const listed = performance.now();
  if (!list.result.tools.some(t => t.name === path.tools)) throw new Error(`${path.key}: the first tools/list lacks ${path.tools}`);
  const closing = performance.now();
  child.stdin.end();
  const ended = await exited;
  return { initialize: initialized - started, toolsList: listed - started, exit: ended - closing };
}

// One unmeasured start each: disk caches warm, the kept data folder made and migrated.
for (const path of paths) await start(path);
const results = new Map(paths.map(p => [p.key, []]));
for (let run = 0; run < runs; run++)
  for (const path of [...paths.slice(run % paths.length), ...paths.slice(0, run % paths.length)]) {
    results.get(path.key).push(await start(path));
    process.stderr.write(`\rstart ${run + 1}/${runs}`);
  }
process.stderr.write('\n');

const median = values => { const s = [...values].sort((a, b) => a - b); return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2; };
const p90 = values => [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.9) - 1];
const ms = value => `${Math.round(value)} ms`;
console.log(`| path | \`initialize\` answered, median (p90) | first complete \`tools/list\`, median (p90) | stdin closed → exit, median (p90) |`);
console.log('|---|---|---|---|');
for (const path of paths) {
  const r = results.get(path.key);
  const cell = metric => `${ms(median(r.map(x => x[metric])))} (${ms(p90(r.map(x => x[metric])))})`;
  console.log(`| **${path.key}** ${path.name} | ${cell('initialize')} | ${cell('toolsList')} | ${cell('exit')} |`);
}
const orch = results.get('B');
console.log(`\n${runs} starts per path. Targets: \`initialize\` ≤ 500 ms from process start (B: ${median(orch.map(x => x.initialize)) <= 500 ? 'PASS' : 'MISS'}), ` +
  `exit ≤ 1 s after stdin closes (B: ${median(orch.map(x => x.exit)) <= 1000 ? 'PASS' : 'MISS'}).`);
