/**
 * Builds the application services (what the admin site and the CLI call) from a process's
 * adapters. Local or AWS is decided by the composition root that passes the adapters in.
 */
import { createDoorsService } from './doors-service.js';
import { createEnrollmentService } from './enrollment-service.js';
import { createEventsService } from './events-service.js';
import { createPeopleService } from './people-service.js';
import type { ServiceDeps } from './service-deps.js';
import type { FacegateServices } from './services.js';

export type { ServiceDeps as CreateServicesDeps } from './service-deps.js';

export function createServices(deps: ServiceDeps): FacegateServices {
  return {
    people: createPeopleService(deps),
    enrollment: createEnrollmentService(deps),
    doors: createDoorsService(deps),
    events: createEventsService(deps),
  };
}
