/**
 * Static files (CSS, the small scripts, the icon) are read once at start-up from a fixed list:
 * a request names one of these by a schema-checked enum, never a path.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { AdminApp } from './zod-type-provider.js';

const PUBLIC_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../public');

const TYPES: Record<string, string> = {
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
};

export const ASSET_NAMES = [
  'app.css',
  'favicon.svg',
  'common.js',
  'dashboard.js',
  'enroll.js',
  'virtual-door.js',
] as const;

export async function assetRoutes(app: AdminApp): Promise<void> {
  const files = new Map<string, { body: Buffer; type: string }>();
  for (const name of ASSET_NAMES) {
    files.set(name, { body: fs.readFileSync(path.join(PUBLIC_DIR, name)), type: TYPES[path.extname(name)]! });
  }
  app.get(
    '/assets/:name',
    {
      logLevel: 'warn',
      schema: {
        params: z.object({ name: z.enum(ASSET_NAMES) }),
      },
    },
    async (request, reply) => {
      const file = files.get(request.params.name)!;
      return reply.type(file.type).header('cache-control', 'public, max-age=300').send(file.body);
    },
  );
}
