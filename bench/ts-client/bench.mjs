// One measured phase of the proxy benchmark, made with the official TypeScript SDK client.
// McpOrch.Bench starts this script and talks to it with one line each way, so that it can read the
// proxy's CPU counters right before and right after the measured calls:
//   stdout {"ready":true}                         sessions open and warmed up, waiting
//   stdin  go                                     make the measured calls
//   stdout {"calls":N,"seconds":S,"latenciesMs":[…]}
//   stdin  close (or end of input)                end the sessions (DELETE) and exit
//
// node bench.mjs --tool NAME --calls N [--sessions S] [--concurrency C] [--warmup W] (--url URL | -- COMMAND ARGS…)
// --concurrency is the number of calls in flight on each session.
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const { values: options, positionals: command } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string' },
    tool: { type: 'string', default: 'echo' },
    calls: { type: 'string', default: '1000' },
    sessions: { type: 'string', default: '1' },
    concurrency: { type: 'string', default: '1' },
    warmup: { type: 'string', default: '200' },
    'time-limit': { type: 'string', default: '300' },
  },
});
const calls = Number(options.calls);
const sessions = Number(options.sessions);
const concurrency = Number(options.concurrency);
const warmup = Number(options.warmup);
if (!options.url && command.length === 0) fail('give --url URL or -- COMMAND ARGS…');

// The orchestrator stops us by pid; this is the backstop if it cannot.
setTimeout(() => fail(`time limit of ${options['time-limit']} s reached`), Number(options['time-limit']) * 1000).unref();

const input = createInterface({ input: process.stdin });
const lines = input[Symbol.asyncIterator]();
const clients = await Promise.all(Array.from({ length: sessions }, connect));
await load(clients, warmup);
await send({ ready: true });
if ((await lines.next()).value?.trim() === 'go') {
  await send(await load(clients, calls));
  await lines.next();
}
await Promise.all(clients.map(close));
process.exit(0);

async function connect() {
  const client = new Client({ name: 'mcp-orch-bench-ts', version: '1.0.0' });
  const transport = options.url
    ? new StreamableHTTPClientTransport(new URL(options.url))
    : new StdioClientTransport({ command: command[0], args: command.slice(1), stderr: 'ignore' });
  await client.connect(transport);
  return { client, transport };
}

async function close({ client, transport }) {
  // Without DELETE a stateful gateway keeps the session (supergateway: its own server process) alive.
  if (transport instanceof StreamableHTTPClientTransport) await transport.terminateSession().catch(() => {});
  await client.close();
}

// Closed loop: `concurrency` callers per session, each making its next call when the last one answers.
async function load(sessionList, total) {
  let remaining = total;
  const latenciesMs = [];
  const caller = async ({ client }) => {
    while (remaining-- > 0) {
      const started = performance.now();
      const result = await client.callTool({ name: options.tool, arguments: { message: 'hello' } });
      const ended = performance.now();
      if (result.isError || result.content?.[0]?.text !== 'Echo: hello')
        fail(`unexpected answer: ${JSON.stringify(result).slice(0, 300)}`);
      latenciesMs.push(ended - started);
    }
  };
  const started = performance.now();
  await Promise.all(sessionList.flatMap((session) => Array.from({ length: concurrency }, () => caller(session))));
  return { calls: latenciesMs.length, seconds: (performance.now() - started) / 1000, latenciesMs };
}

// Resolves once the line is handed to the pipe: process.exit() would cut a long line short.
function send(message) {
  return new Promise((resolve) => process.stdout.write(JSON.stringify(message) + '\n', resolve));
}

function fail(message) {
  process.stderr.write(`ts-client: ${message}\n`);
  process.exit(3);
}
