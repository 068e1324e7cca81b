import {
  LIMITS,
  createEvent,
  describeIssues,
  eventSchema,
  logEntryInputSchema,
  routingKeyFor,
} from '@micromesh/contracts';

const anEntry = (overrides: Record<string, unknown> = {}) => ({
  name: 'user.signed_in',
  data: 'someone signed in',
  ...overrides,
});

/** Every issue as `path: message`. */
function problems(input: unknown): string[] {
  const result = logEntryInputSchema.safeParse(input);
  return result.success ? [] : describeIssues(result.error).split('; ');
}

/** Metadata nested `depth` levels deep (the metadata object itself is level 1). */
function nested(depth: number): Record<string, unknown> {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 1; i < depth; i++) value = { down: value };
  return value;
}

describe('logEntryInputSchema', () => {
  it('When only name and data are sent, then the entry is valid', () => {
    expect(logEntryInputSchema.parse(anEntry())).toEqual(anEntry());
  });

  it('When the level is lower case or WARN, then it is normalised to the routing-key spelling', () => {
    expect(logEntryInputSchema.parse(anEntry({ level: 'debug' })).level).toBe('DEBUG');
    expect(logEntryInputSchema.parse(anEntry({ level: ' Warn ' })).level).toBe('WARNING');
    expect(logEntryInputSchema.parse(anEntry({ level: 'fatal' })).level).toBe('FATAL');
    expect(problems(anEntry({ level: 'LOUD' }))).toEqual([
      'level: level must be one of DEBUG, INFO, WARNING, ERROR, FATAL (or WARN)',
    ]);
  });

  it.each([
    ['name', anEntry({ name: 'a\u0000b' }), 'name: must not contain NUL characters (\\u0000)'],
    ['data', anEntry({ data: 'a\u0000b' }), 'data: must not contain NUL characters (\\u0000)'],
    [
      'service',
      anEntry({ service: 'a\u0000' }),
      'service: must not contain NUL characters (\\u0000)',
    ],
    [
      'a metadata value at depth',
      anEntry({ metadata: { a: [{ b: 'x\u0000' }] } }),
      'metadata.a.0.b: must not contain NUL characters (\\u0000)',
    ],
    [
      'a metadata key',
      anEntry({ metadata: { nested: { 'k\u0000': 1 } } }),
      'metadata.nested.k\u0000: metadata keys must not contain NUL characters (\\u0000)',
    ],
  ])(
    'When %s holds a NUL character, then the entry is refused naming its path',
    (_, input, problem) => {
      expect(problems(input)).toEqual([problem]);
    },
  );

  it('When a string holds an unpaired surrogate, then it is refused; a paired one is fine', () => {
    expect(problems(anEntry({ data: 'a\uD800b' }))).toEqual([
      'data: must not contain unpaired UTF-16 surrogates',
    ]);
    expect(problems(anEntry({ metadata: { k: '\uDC00' } }))).toEqual([
      'metadata.k: must not contain unpaired UTF-16 surrogates',
    ]);
    expect(problems(anEntry({ data: 'emoji \uD83D\uDE00' }))).toEqual([]);
  });

  it('When a metadata key starts with $ or holds a dot, then it is refused', () => {
    expect(problems(anEntry({ metadata: { $where: 1 } }))).toEqual([
      'metadata.$where: metadata keys must not start with "$"',
    ]);
    expect(problems(anEntry({ metadata: { a: { 'b.c': 1 } } }))).toEqual([
      'metadata.a.b.c: metadata keys must not contain "."',
    ]);
    expect(problems(anEntry({ metadata: { mid$dle: 1 } }))).toEqual([]);
  });

  it(`When metadata nests ${LIMITS.metadataDepth} levels, then it is valid; one deeper is refused`, () => {
    expect(problems(anEntry({ metadata: nested(LIMITS.metadataDepth) }))).toEqual([]);
    const tooDeep = problems(anEntry({ metadata: nested(LIMITS.metadataDepth + 1) }));
    expect(tooDeep).toHaveLength(1);
    expect(tooDeep[0]).toMatch(/^metadata(\.down)+: metadata is nested deeper than 32 levels$/);
  });

  it('When metadata has too many keys, too many members or too many bytes, then it is refused', () => {
    const keys = Object.fromEntries(
      Array.from({ length: LIMITS.metadataKeys + 1 }, (_, i) => [`k${i}`, i]),
    );
    expect(problems(anEntry({ metadata: keys }))).toEqual([
      `metadata: at most ${LIMITS.metadataKeys} metadata keys`,
    ]);
    const members = { list: Array.from({ length: LIMITS.metadataMembers + 1 }, () => 1) };
    expect(problems(anEntry({ metadata: members }))).toEqual([
      `metadata: metadata holds more than ${LIMITS.metadataMembers} keys and array elements in all`,
    ]);
    const big = { text: 'x'.repeat(LIMITS.metadataBytes) };
    expect(problems(anEntry({ metadata: big }))[0]).toMatch(/^metadata: metadata is \d+ bytes/);
  });

  it('When metadata is not a JSON object or holds a non-JSON value, then it is refused', () => {
    expect(problems(anEntry({ metadata: [1, 2] }))).toEqual([
      'metadata: metadata must be a JSON object',
    ]);
    expect(problems(anEntry({ metadata: { when: new Date(0) } }))).toEqual([
      'metadata.when: must be a JSON value (string, number, boolean, null, array or object)',
    ]);
    expect(problems(anEntry({ metadata: { n: Number.NaN } }))).toEqual([
      'metadata.n: numbers must be finite',
    ]);
  });

  it('When a field is too long or unknown, then the entry is refused naming it', () => {
    expect(problems(anEntry({ name: 'n'.repeat(LIMITS.nameLength + 1) }))).toEqual([
      `name: name is at most ${LIMITS.nameLength} characters`,
    ]);
    expect(problems(anEntry({ data: 'd'.repeat(LIMITS.dataLength + 1) }))).toEqual([
      `data: data is at most ${LIMITS.dataLength} characters`,
    ]);
    expect(problems(anEntry({ colour: 'red' }))).toEqual([
      expect.stringContaining('Unrecognized key: "colour"'),
    ]);
  });
});

describe('eventSchema', () => {
  it('When createEvent builds an event at each level, then it parses and routes to log.<LEVEL>', () => {
    for (const level of ['DEBUG', 'INFO', 'WARNING', 'ERROR', 'FATAL'] as const) {
      const event = createEvent({
        name: 'e',
        data: 'd',
        service: 'test',
        level,
        metadata: { a: 1 },
      });
      expect(eventSchema.parse(event)).toEqual(event);
      expect(routingKeyFor(event.level)).toBe(`log.${level}`);
    }
  });

  it('When an event carries what a store refuses, then it fails with the same rules as a log entry', () => {
    const event = createEvent({
      name: 'e',
      data: 'a\u0000b',
      service: 'test',
      metadata: { $x: 1 },
    });
    const result = eventSchema.safeParse(event);
    expect(result.success).toBe(false);
    expect(describeIssues(result.error!)).toBe(
      'data: must not contain NUL characters (\\u0000); metadata.$x: metadata keys must not start with "$"',
    );
  });
});
