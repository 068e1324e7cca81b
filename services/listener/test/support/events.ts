import { createEvent, LEVELS, type LogEvent, type NewEvent } from '@micromesh/contracts';

let sequence = 0;

/** A valid event as producers build it; every call a new event_id. */
export function anEvent(overrides: Partial<NewEvent> = {}): LogEvent {
  sequence += 1;
  return createEvent({
    name: 'listener-test',
    data: `event number ${sequence}`,
    service: 'listener-test',
    level: LEVELS[sequence % LEVELS.length],
    metadata: { sequence },
    ...overrides,
  });
}

export function manyEvents(count: number): LogEvent[] {
  return Array.from({ length: count }, () => anEvent());
}
