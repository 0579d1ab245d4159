// An MCP client as the AI clients are: the official TypeScript SDK starting a server over stdio, as Cursor, Cline,
// Claude Desktop and VS Code do, with the environment the SDK gives (not ours) and their way of ending it.
//
// node stdio-client.mjs [--tool NAME --arguments JSON --calls N] [--env NAME=VALUE …] -- COMMAND ARGS…
//   stdout {"pid":P,"serverInfo":{…},"tools":[names…],"results":[texts…]}   connected, listed, called (N at once)
//   stdin  close | term | kill                     how to end it: the SDK's close (stdin closed; SIGTERM after 2 s,
//                                                   SIGKILL after 2 s more), SIGTERM, or SIGKILL
//   stdout {"code":C,"signal":S,"seconds":T}       how the process ended and how long after the first step
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport, getDefaultEnvironment } from '@modelcontextprotocol/sdk/client/stdio.js';

const { values: options, positionals: command } = parseArgs({
  allowPositionals: true,
  options: {
    tool: { type: 'string' },
    arguments: { type: 'string', default: '{}' },
    calls: { type: 'string', default: '1' },
    env: { type: 'string', multiple: true, default: [] },
  },
});
const env = getDefaultEnvironment();
for (const pair of options.env) {
  const at = pair.indexOf('=');
  env[pair.slice(0, at)] = pair.slice(at + 1);
}

const transport = new StdioClientTransport({ command: command[0], args: command.slice(1), env, stderr: 'inherit' });
const client = new Client({ name: 'stdio-client', version: '1.0.0' });
await client.connect(transport);
const child = transport._process;
const exited = new Promise(resolve => child.once('exit', (code, signal) => resolve({ code, signal })));
const { tools } = await client.listTools();
const results = options.tool
  ? await Promise.all(Array.from({ length: Number(options.calls) }, () =>
      client.callTool({ name: options.tool, arguments: JSON.parse(options.arguments) })
        .then(r => r.content.map(c => c.text ?? '').join(''))))
  : [];
console.log(JSON.stringify({ pid: transport.pid, serverInfo: client.getServerVersion(), tools: tools.map(t => t.name), results }));

const input = createInterface({ input: process.stdin });
const how = (await input[Symbol.asyncIterator]().next()).value?.trim() ?? 'close';
const started = performance.now();
if (how === 'close') await transport.close();
else process.kill(transport.pid, how === 'kill' ? 'SIGKILL' : 'SIGTERM');
const end = await exited;
console.log(JSON.stringify({ ...end, seconds: (performance.now() - started) / 1000 }));
process.exit(0);
