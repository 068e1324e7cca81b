import type { RevocationNotice } from '@micromesh/contracts';
import { RevocationList } from '../src/domain/revocation-list';

describe('RevocationList: what auth’s catch-up list adds', () => {
  const heard = (list: RevocationList) => {
    const notices: RevocationNotice[] = [];
    list.onNotice((n) => notices.push(n));
    return notices;
  };

  it('When a catch-up names a revoked key, then the key is revoked and announced once, however often it is listed again', () => {
    const list = new RevocationList();
    const notices = heard(list);
    const catchUp = { revocations: [], key_ids: ['k1'], window_seconds: 960 };

    list.merge(catchUp);
    list.merge(catchUp);

    expect(list.isKeyRevoked('k1')).toBe(true);
    expect(list.isKeyRevoked('k2')).toBe(false);
    expect(notices).toEqual([{ type: 'key', key_id: 'k1' }]);
  });

  it('When a key notice came live, then a later catch-up listing it announces nothing more', () => {
    const list = new RevocationList();
    list.apply({ type: 'key', key_id: 'k1' });
    const notices = heard(list);

    list.merge({ revocations: [], key_ids: ['k1'], window_seconds: 960 });

    expect(notices).toEqual([]);
    expect(list.isKeyRevoked('k1')).toBe(true);
  });

  it('When a revoked key was learnt longer than the window ago and is no longer listed, then it is forgotten', () => {
    const list = new RevocationList();
    list.merge({ revocations: [], key_ids: ['k1'], window_seconds: 1 });

    list.merge({ revocations: [], key_ids: [], window_seconds: 1 }, Date.now() + 2_000);

    expect(list.isKeyRevoked('k1')).toBe(false);
  });
});
