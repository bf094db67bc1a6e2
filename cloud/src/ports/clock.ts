/** Injected so tests can move time; production passes Date.now. */
export type Clock = () => number;
export const systemClock: Clock = () => Date.now();
