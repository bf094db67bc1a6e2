/** A door's folder in the data directory (bundles, the simulated door's keys and camera folder). */
import fs from 'node:fs';
import path from 'node:path';
import { isValidDoorId } from '../protocol/index.js';
import { DATA_FILES } from './local-backend.js';

/** Removes `<dataDir>/doors/<doorId>` and everything in it: a deleted door leaves no key behind. */
export function removeDoorFiles(dataDir: string, doorId: string): void {
  if (!isValidDoorId(doorId)) return; // never let an id walk out of the doors folder
  fs.rmSync(path.join(dataDir, DATA_FILES.doors, doorId), { recursive: true, force: true });
}
