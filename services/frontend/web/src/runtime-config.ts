/** Settings the server hands over at start-up, so one bundle runs against any broker. */
export interface RuntimeConfig {
  brokerUrl: string;
}

export async function loadRuntimeConfig(): Promise<RuntimeConfig> {
  const res = await fetch('/config.json', { cache: 'no-store' });
  if (!res.ok) throw new Error(`could not load /config.json (HTTP ${res.status})`);
  const body = (await res.json()) as Partial<RuntimeConfig>;
  if (typeof body.brokerUrl !== 'string' || !body.brokerUrl) {
    throw new Error('/config.json has no brokerUrl');
  }
  return { brokerUrl: body.brokerUrl.replace(/\/+$/, '') };
}
