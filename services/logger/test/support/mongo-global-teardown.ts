import './mongo-global-setup';

export default async function teardown(): Promise<void> {
  await globalThis.__MICROMESH_FERRETDB__?.stop();
  globalThis.__MICROMESH_FERRETDB__ = undefined;
}
