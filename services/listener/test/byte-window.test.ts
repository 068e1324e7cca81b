import { ByteWindow } from '../src/domain/byte-window';

const KB = 1024;
const window = () =>
  new ByteWindow({ maxBytes: 1_000 * KB, maxPrefetch: 1_500, largestBody: 100 * KB });

describe('the byte window', () => {
  it('When the largest legal bodies would not fit a full count window, then the prefetch lets only as many come as fit in the bytes', () => {
    expect(window().nextPrefetch()).toBe(10);
    expect(
      new ByteWindow({
        maxBytes: 1_000 * KB,
        maxPrefetch: 4,
        largestBody: 100 * KB,
      }).nextPrefetch(),
    ).toBe(4);
  });

  it('When a delivery would take the held bytes over the bound, then it is refused until half is settled; one body is always taken into an empty window', () => {
    const w = window();
    w.nextPrefetch();
    for (let i = 0; i < 9; i++) expect(w.take(100 * KB)).toBe(true);
    expect(w.take(150 * KB)).toBe(false);
    expect(w.canResume).toBe(false);
    w.settle(500 * KB);
    expect(w.canResume).toBe(true);
    expect(w.bytes).toBe(400 * KB);

    const empty = window();
    expect(empty.take(5_000 * KB)).toBe(true);
  });

  it('When bodies larger than the legal ones arrive, then the next prefetch shrinks for them, and grows back once a full window of normal bodies has passed', () => {
    const w = window();
    w.nextPrefetch();
    expect(w.take(400 * KB)).toBe(true);
    w.settle(400 * KB);
    expect(w.nextPrefetch()).toBe(2);
    expect(w.wantsMore).toBe(false);
    w.take(1 * KB);
    w.take(1 * KB);
    w.settle(2 * KB);
    expect(w.wantsMore).toBe(true);
    expect(w.nextPrefetch()).toBe(10);
  });
});
