import { EVENT_LEVELS } from '@micromesh/kit';

/**
 * The `log` and `event` payload limits of the broker (services/broker/src/domain/action-schemas.ts),
 * written as Moleculer's built-in validator (fastest-validator) takes them.
 */
const name = { type: 'string', trim: true, min: 1, max: 200 };
const data = { type: 'string', max: 65_536 };
const level = {
  type: 'string',
  optional: true,
  trim: true,
  uppercase: true,
  // The broker reads WARN as WARNING.
  enum: [...EVENT_LEVELS, 'WARN'],
};
const metadata = {
  type: 'object',
  optional: true,
  maxProps: 64,
  // Runs even when the field is absent.
  custom: (
    value: Record<string, unknown> | undefined,
    errors: { type: string; actual: unknown }[],
  ) => {
    for (const key of Object.keys(value ?? {})) {
      if (key.length > 128) errors.push({ type: 'stringMax', actual: key });
    }
    return value;
  },
};

export const handleParams = {
  $$strict: false,
  action: { type: 'enum', values: ['log', 'event'] },
  log: { type: 'object', optional: true, props: { name, data, level, metadata } },
  event: { type: 'object', optional: true, props: { name, data, level } },
};

export function normalLevel(value: string | undefined): string {
  if (!value) return 'INFO';
  return value === 'WARN' ? 'WARNING' : value;
}
