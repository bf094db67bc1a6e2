/** The AdminUserStore contract on the SQLite adapter (local mode), in a temporary file. */
import path from 'node:path';
import { afterAll } from 'vitest';
import { SqliteAdminUserStore } from '../../admin-web/src/users/sqlite-admin-user-store.js';
import { adminUserStoreContract } from '../contracts/admin-user-store.contract.js';
import { makeTempDir, removeDir } from '../support/temp-dir.js';

const dir = makeTempDir('admin-contract');
let n = 0;
afterAll(() => removeDir(dir));

adminUserStoreContract('SQLite', { open: async () => SqliteAdminUserStore.open(path.join(dir, `admin-${n++}.db`)) });
