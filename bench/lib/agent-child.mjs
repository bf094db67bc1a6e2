// The door agent as its own process, from the compiled output (how a door runs it): reports to its
// parent over IPC when it is ready (connected to the broker, face gate loaded), counted from the
// process's start, then its RSS whenever asked. Used by bench/agent.ts.
import { performance } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const { createAgentFromConfig } = await import(
  pathToFileURL(path.join(root, 'dist/agent/src/create-agent-from-config.js')).href
);
const { silentLogger } = await import(pathToFileURL(path.join(root, 'dist/lib/logger.js')).href);
const runtime = await createAgentFromConfig(process.argv[2], silentLogger());
await runtime.agent.start();
while (!runtime.agent.state.connected) await new Promise((r) => setTimeout(r, 10));
// performance.now() counts from the process's time origin, i.e. its start.
process.send({ type: 'ready', msFromStart: Math.round(performance.now()), rss: process.memoryUsage().rss });
process.on('message', async (m) => {
  if (m === 'rss') process.send({ type: 'rss', rss: process.memoryUsage().rss, frames: runtime.agent.state.frames });
  if (m === 'stop') {
    await runtime.stop();
    process.exit(0);
  }
});
