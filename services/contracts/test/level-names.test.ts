import { levelNamed, levelSchema, LEVELS } from '@micromesh/contracts';

describe('levelNamed (the web app’s reading of a level)', () => {
  it('When a spelling names a level, then it gives the routing-key spelling, as levelSchema does', () => {
    for (const text of ['debug', ' Info ', 'warn', 'Warning', 'ERROR', 'fatal']) {
      expect(levelNamed(text)).toBe(levelSchema.parse(text));
    }
    expect(LEVELS.map(levelNamed)).toEqual([...LEVELS]);
  });

  it('When a spelling names no level, then it gives null where levelSchema refuses', () => {
    for (const text of ['', 'trace', 'WARNINGS', 'critical']) {
      expect(levelNamed(text)).toBeNull();
      expect(levelSchema.safeParse(text).success).toBe(false);
    }
  });
});
