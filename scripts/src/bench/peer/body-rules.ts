import { LEVELS, LIMITS, metadataIssues, textProblem } from '@micromesh/contracts';

/**
 * The `log` and `event` payload rules of the broker (its schemas come from @micromesh/contracts),
 * written as Moleculer's built-in validator (fastest-validator) takes them: the same limits and
 * the same store-safety checks, so the peer refuses what the broker refuses.
 *
 * Moleculer runs fastest-validator's older custom-check form: (value) → true or a list of errors.
 */
type Check = { type: string; actual: unknown; message: string }[] | true;

const storeSafe = (value: unknown): Check => {
  const problem = typeof value === 'string' ? textProblem(value) : undefined;
  return problem ? [{ type: 'storeSafe', actual: value, message: problem }] : true;
};
const name = {
  type: 'string',
  trim: true,
  min: 1,
  max: LIMITS.nameLength,
  custom: storeSafe,
};
const data = { type: 'string', max: LIMITS.dataLength, custom: storeSafe };
const level = {
  type: 'string',
  optional: true,
  trim: true,
  uppercase: true,
  // The broker reads WARN as WARNING.
  enum: [...LEVELS, 'WARN'],
};
const metadata = {
  type: 'object',
  optional: true,
  maxProps: LIMITS.metadataKeys,
  // Runs even when the field is absent.
  custom: (value: Record<string, unknown> | undefined): Check => {
    const issue = value ? metadataIssues(value)[0] : undefined;
    return issue ? [{ type: 'storeSafe', actual: issue.path, message: issue.message }] : true;
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
