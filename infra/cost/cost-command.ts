/** Entry point of `npm run cost` (the command itself is cli.ts, importable by tests). */
import { main } from './cli.js';

process.exitCode = main(process.argv.slice(2));
