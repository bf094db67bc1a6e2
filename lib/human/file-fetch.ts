/**
 * Node's fetch refuses file:// URLs, but Human and tfjs-converter load models through fetch.
 * This wraps globalThis.fetch once per thread so model files are read from node_modules, never
 * from the network (the engine must work offline).
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

let installed = false;

export function installFileFetch(): void {
  if (installed) return;
  installed = true;
  const networkFetch = globalThis.fetch;
  globalThis.fetch = async (input: string | URL | Request, init?: RequestInit) => {
    const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (url.startsWith('file://')) {
      try {
        const bytes = await readFile(fileURLToPath(url));
        const type = url.endsWith('.json') ? 'application/json' : 'application/octet-stream';
        return new Response(bytes, { status: 200, headers: { 'content-type': type } });
      } catch {
        return new Response(null, { status: 404, statusText: `not found: ${url}` });
      }
    }
    return networkFetch(input, init);
  };
}
