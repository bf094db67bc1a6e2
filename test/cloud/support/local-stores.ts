/** Real local stores in a temporary directory: SQLite records and the encrypted file store. */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { EncryptedFileStore } from '../../../cloud/src/adapters/local/file-store/encrypted-file-store.js';
import { openSqliteRecords, type SqliteRecords } from '../../../cloud/src/adapters/local/records/sqlite-records.js';
import { makeTempDir, removeDir } from '../../support/temp-dir.js';

export interface LocalStores {
  dir: string;
  dataKey: Buffer;
  records: SqliteRecords;
  images: EncryptedFileStore;
  /** Closes and opens the records again, as a restart would. */
  reopen(): Promise<void>;
  close(): Promise<void>;
}

export function openLocalStores(label = 'stores'): LocalStores {
  const dir = makeTempDir(label);
  const dataKey = randomBytes(32);
  const dbPath = path.join(dir, 'records.db');
  const stores: LocalStores = {
    dir,
    dataKey,
    records: openSqliteRecords(dbPath),
    images: new EncryptedFileStore(path.join(dir, 'images'), dataKey),
    async reopen() {
      await stores.records.close();
      stores.records = openSqliteRecords(dbPath);
      stores.images = new EncryptedFileStore(path.join(dir, 'images'), dataKey);
    },
    async close() {
      await stores.records.close();
      removeDir(dir);
    },
  };
  return stores;
}
