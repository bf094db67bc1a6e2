/**
 * The CA's records: one file per issued certificate (`issued/<serial>.json`, so concurrent
 * issuers never rewrite a shared file) and the revocation list (`revoked.json`, by serial).
 * Revoking by serial rather than by name lets a door that was revoked be provisioned again
 * with a fresh certificate while its old one stays refused.
 */
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Logger } from '../../../../../lib/logger.js';
import { CaStateError } from './errors.js';
import { normalizeSerial } from './x509.js';

const IssuedRecord = z.object({
  commonName: z.string(),
  serialNumber: z.string(),
  issuedAt: z.number().int(),
  notAfter: z.number().int(),
  certPem: z.string(),
});
export type IssuedRecord = z.infer<typeof IssuedRecord>;

const RevocationList = z.object({
  v: z.literal(1),
  revoked: z.array(z.object({ serialNumber: z.string(), commonName: z.string(), revokedAt: z.number().int() })),
});
type RevocationList = z.infer<typeof RevocationList>;

/** Writes through a temporary file and a rename, so a reader never sees half a file. */
function writeFileAtomic(file: string, data: string): void {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, data, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

export class CaLedger {
  private readonly issuedDir: string;
  private readonly revokedFile: string;
  private revoked = new Set<string>();
  /** mtime+size of revoked.json when last read: another process (the CLI) may revoke while we run. */
  private revokedStamp = '';

  constructor(
    dir: string,
    private readonly logger: Logger,
  ) {
    this.issuedDir = path.join(dir, 'issued');
    this.revokedFile = path.join(dir, 'revoked.json');
    fs.mkdirSync(this.issuedDir, { recursive: true, mode: 0o700 });
    // At open a corrupt list is fatal: starting with revocations silently dropped would let revoked doors in.
    this.loadRevoked({ failHard: true });
  }

  recordIssued(record: IssuedRecord): void {
    const file = path.join(this.issuedDir, `${normalizeSerial(record.serialNumber)}.json`);
    fs.writeFileSync(file, JSON.stringify(record, null, 2), { mode: 0o600, flag: 'wx' });
  }

  issuedTo(commonName: string): IssuedRecord[] {
    const records: IssuedRecord[] = [];
    for (const name of fs.readdirSync(this.issuedDir)) {
      if (!name.endsWith('.json')) continue;
      const file = path.join(this.issuedDir, name);
      try {
        const record = IssuedRecord.parse(JSON.parse(fs.readFileSync(file, 'utf8')));
        if (record.commonName === commonName) records.push(record);
      } catch (err) {
        this.logger.warn({ err, file }, 'skipping unreadable issued-certificate record');
      }
    }
    return records;
  }

  /** Deletes the records of these certificates (after they were revoked); returns how many went. */
  removeIssued(records: IssuedRecord[]): number {
    let removed = 0;
    for (const record of records) {
      const file = path.join(this.issuedDir, `${normalizeSerial(record.serialNumber)}.json`);
      try {
        fs.rmSync(file);
        removed++;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    return removed;
  }

  /** Adds serials to the revocation list; returns how many were not already revoked. */
  revoke(entries: { serialNumber: string; commonName: string }[], now: number): number {
    this.loadRevoked({ failHard: true }); // merge with revocations another process made
    const list: RevocationList = { v: 1, revoked: [] };
    if (fs.existsSync(this.revokedFile)) list.revoked = this.readList().revoked;
    let added = 0;
    for (const entry of entries) {
      const serial = normalizeSerial(entry.serialNumber);
      if (this.revoked.has(serial)) continue;
      list.revoked.push({ serialNumber: serial, commonName: entry.commonName, revokedAt: now });
      this.revoked.add(serial);
      added++;
    }
    if (added > 0) {
      writeFileAtomic(this.revokedFile, JSON.stringify(list, null, 2));
      this.revokedStamp = this.stamp();
    }
    return added;
  }

  isRevoked(serialNumber: string): boolean {
    this.loadRevoked({ failHard: false });
    return this.revoked.has(normalizeSerial(serialNumber));
  }

  /** 'absent' only when the file truly does not exist; any other failure throws (never fail open). */
  private stamp(): string {
    try {
      const st = fs.statSync(this.revokedFile);
      return `${st.mtimeMs}:${st.size}:${st.ino}`;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 'absent';
      throw new CaStateError(`cannot stat revocation list ${this.revokedFile}`, { cause: err });
    }
  }

  private readList(): RevocationList {
    try {
      return RevocationList.parse(JSON.parse(fs.readFileSync(this.revokedFile, 'utf8')));
    } catch (err) {
      throw new CaStateError(`revocation list ${this.revokedFile} is unreadable or malformed`, { cause: err });
    }
  }

  private loadRevoked({ failHard }: { failHard: boolean }): void {
    let stamp: string | undefined;
    try {
      stamp = this.stamp();
      if (stamp === this.revokedStamp) return;
      this.revoked =
        stamp === 'absent' ? new Set() : new Set(this.readList().revoked.map((r) => normalizeSerial(r.serialNumber)));
      this.revokedStamp = stamp;
    } catch (err) {
      if (failHard) throw err;
      // Keep the revocations we already know rather than forgetting them all; log once per change.
      if (stamp !== undefined) this.revokedStamp = stamp;
      this.logger.error({ err }, 'revocation list changed but cannot be read; keeping the previous list');
    }
  }
}
