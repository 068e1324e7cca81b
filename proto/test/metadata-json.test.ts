import { decodeMetadata, encodeMetadata } from '@micromesh/proto';

describe('Log.metadata JSON text', () => {
  it('When metadata with nested values is encoded and decoded, then it comes back unchanged', () => {
    const metadata = { user: 'a@b.c', attempt: 2, tags: ['x'], nested: { ok: true, none: null } };

    const decoded = decodeMetadata(encodeMetadata(metadata));

    expect(decoded).toEqual(metadata);
  });

  it('When metadata is absent or empty, then it is encoded as the empty string', () => {
    expect(encodeMetadata(undefined)).toBe('');
    expect(encodeMetadata({})).toBe('');
    expect(decodeMetadata('')).toBeUndefined();
  });

  it('When the text is JSON but not an object, then decoding throws', () => {
    expect(() => decodeMetadata('[1,2]')).toThrow('metadata must be a JSON object');
    expect(() => decodeMetadata('"x"')).toThrow('metadata must be a JSON object');
    expect(() => decodeMetadata('{oops')).toThrow(SyntaxError);
  });
});
