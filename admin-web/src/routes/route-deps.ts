/** What every signed-in area's routes are given by the app that registers them. */
import type { FacegateServices } from '../../../cloud/src/app/services.js';
import type { VirtualDoor } from '../virtual-door.js';

export interface RouteDeps {
  services: FacegateServices;
  virtualDoor?: VirtualDoor;
}
