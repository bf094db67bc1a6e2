import { MemoryVisitStore } from '../../cloud/src/adapters/local/visits/memory-visit-store.js';
import { visitStoreContract } from '../contracts/visit-store.contract.js';

visitStoreContract('memory', { open: async () => new MemoryVisitStore() });
