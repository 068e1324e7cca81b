import { ConfigError } from '@micromesh/kit';
import { loadLoggerConfig } from '../src/config';

const withStore = (LOG_STORE_URL: string) => () => loadLoggerConfig({ LOG_STORE_URL });

describe('logger config: LOG_STORE_URL', () => {
  it('When it is a three-host replica-set URL, as an operator gives it, then it is accepted as is', () => {
    const url =
      'mongodb://logger:s3cr%40t@micromesh-mongodb-0.micromesh-mongodb-svc.micromesh.svc.cluster.local:27017,' +
      'micromesh-mongodb-1.micromesh-mongodb-svc.micromesh.svc.cluster.local:27017,' +
      'micromesh-mongodb-2.micromesh-mongodb-svc.micromesh.svc.cluster.local:27017/micromesh_logs' +
      '?replicaSet=micromesh-mongodb&ssl=false&authSource=micromesh_logs';

    expect(withStore(url)().LOG_STORE_URL).toBe(url);
  });

  it('When it is a mongodb+srv URL, then it is accepted', () => {
    const url = 'mongodb+srv://logger:pw@cluster0.example.net/micromesh_logs?retryWrites=true';

    expect(withStore(url)().LOG_STORE_URL).toBe(url);
  });

  it('When it is a single-host MongoDB or a PostgreSQL URL, then it is accepted', () => {
    expect(() =>
      withStore('mongodb://mongodb:27017/micromesh_logs?replicaSet=rs0')(),
    ).not.toThrow();
    expect(() => withStore('mongodb://[::1]:27017,127.0.0.1/db')()).not.toThrow();
    expect(() => withStore('postgres://logger:pw@localhost:5432/micromesh_logs')()).not.toThrow();
  });

  it.each([
    ['http://localhost:27017/db', /must start with postgres:\/\/, postgresql:\/\/, mongodb:\/\//],
    ['mongodb://a:27017,,c:27017/db', /invalid host ""/],
    ['mongodb://a:99999/db', /invalid port in "a:99999"/],
    ['mongodb://a b/db', /invalid host "a b"/],
    ['mongodb+srv://cluster0.example.net:27017/db', /mongodb\+srv:\/\/ and so names no port/],
    ['mongodb+srv://a.example.net,b.example.net/db', /exactly one host/],
    ['postgresql://[::1/db', /not a valid postgres:\/\/ URL/],
  ])('When it is %s, then start-up fails naming LOG_STORE_URL and the problem', (url, problem) => {
    let error: unknown;
    try {
      withStore(url)();
    } catch (err) {
      error = err;
    }

    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variables).toEqual(['LOG_STORE_URL']);
    expect((error as ConfigError).message).toMatch(problem);
  });
});
