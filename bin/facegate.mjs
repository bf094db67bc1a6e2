#!/usr/bin/env node
// The `facegate` command: loads tsx in-process, then the CLI written in TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('../cli/main.ts');
