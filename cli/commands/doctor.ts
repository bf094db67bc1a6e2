/** `facegate doctor`: checks a door's hardware, clock, certificate and link; exit code 1 when a check fails. */
import { loadAgentConfig } from '../../agent/src/config.js';
import { formatResults, fail } from '../../agent/src/doctor/check.js';
import { runDoctor, systemDoctorEnv, testRelay } from '../../agent/src/doctor/doctor.js';
import type { Logger } from '../../lib/logger.js';

export interface DoctorCommandOptions {
  config: string;
  testRelay?: boolean;
}

export async function doctorCommand(options: DoctorCommandOptions, logger: Logger): Promise<number> {
  let config;
  try {
    config = loadAgentConfig(options.config);
  } catch (err) {
    console.log(
      formatResults([fail('door config', (err as Error).message, 'reinstall the door bundle, or fix the file')]),
    );
    return 1;
  }
  const results = await runDoctor(config, systemDoctorEnv(logger));
  if (options.testRelay) results.push(await testRelay(config, logger));
  console.log(formatResults(results));
  return results.some((r) => r.status === 'fail') ? 1 : 0;
}
