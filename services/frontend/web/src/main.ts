import './styles.css';
import { BrokerClient } from './broker-client';
import { byId, h } from './dom';
import { DeadLetterPanel } from './panels/dead-letters-panel';
import { HealthPanel } from './panels/health-panel';
import { LoginPanel } from './panels/login-panel';
import { LogsPanel } from './panels/logs-panel';
import { TesterPanel } from './panels/tester-panel';
import { TracesPanel } from './panels/traces-panel';
import { TraceView } from './panels/trace-view';
import { loadRuntimeConfig } from './runtime-config';
import { Session } from './session';

async function start(): Promise<void> {
  const config = await loadRuntimeConfig();
  const session = new Session();
  const client = new BrokerClient(config.brokerUrl, session);
  const signedIn = () => session.current !== null;

  byId('broker-url').textContent = config.brokerUrl.replace(/^https?:\/\//, '');
  const login = new LoginPanel(client, session);
  const tester = new TesterPanel(client, login, signedIn);
  const health = new HealthPanel(client, signedIn);
  const logs = new LogsPanel(client, signedIn);
  const deadLetters = new DeadLetterPanel(client, () => session.current?.role === 'admin');
  const traces = new TracesPanel(client, signedIn);
  const traceView = new TraceView(client);

  const onSession = () => {
    tester.refreshHint();
    health.start();
    logs.reset();
    deadLetters.start();
    void traces.load();
  };
  session.onChange(onSession);
  onSession();
  traceView.fromHash();
  document.body.dataset.ready = 'true';
}

start().catch((err: unknown) => {
  byId('app-error').replaceChildren(
    h('strong', {}, 'The app could not start. '),
    err instanceof Error ? err.message : String(err),
  );
  byId('app-error').hidden = false;
});
