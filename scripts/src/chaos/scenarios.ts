import { setTimeout as sleep } from 'node:timers/promises';
import type { ChaosEnvironment } from './environment';
import { publishPoison, sendPoisonRequests, type PoisonReport } from './poison';
import type { Action } from './traffic';

export interface FaultContext {
  env: ChaosEnvironment;
  short: boolean;
  runId: string;
  token: string;
  /** Notes for the scenario's row (e.g. what poison was answered). */
  note(text: string): void;
  poison?: PoisonReport;
}

export interface Scenario {
  id: number;
  name: string;
  /** Needs a RabbitMQ / PostgreSQL of its own (it kills or restarts it). */
  privateRabbit?: boolean;
  privatePostgres?: boolean;
  mix: Partial<Record<Action, number>>;
  clients: number;
  /** How long clients send (full run / short run). */
  loadMs: [number, number];
  /** When the fault is injected, after the load started. */
  faultAfterMs: number;
  /** Longest the mesh may take to be ready again once the fault is lifted. */
  readyBoundMs: number;
  /** Injects the fault and lifts it; resolves at the moment recovery can begin. */
  inject(ctx: FaultContext): Promise<void>;
}

const pick = (short: boolean, full: number, brief: number) => (short ? brief : full);

function pidOf(env: ChaosEnvironment, name: 'listener' | 'logger' | 'broker'): number {
  const pid = env.mesh.process(name)?.child.pid;
  if (!pid) throw new Error(`${name} is not running`);
  return pid;
}

export const SCENARIOS: Scenario[] = [
  {
    id: 1,
    name: 'RabbitMQ killed (kill -9) and started again',
    privateRabbit: true,
    mix: { log: 1, event: 3, mail: 1 },
    clients: 8,
    loadMs: [40_000, 14_000],
    faultAfterMs: 3_000,
    readyBoundMs: 45_000,
    async inject({ env, short }) {
      if (!env.rabbit) throw new Error('scenario needs its own RabbitMQ');
      await env.rabbit.kill();
      await sleep(pick(short, 10_000, 3_000));
      await env.rabbit.start();
    },
  },
  {
    id: 2,
    name: 'listener SIGKILLed mid-stream',
    mix: { event: 1 },
    clients: 8,
    loadMs: [30_000, 8_000],
    faultAfterMs: 2_000,
    readyBoundMs: 20_000,
    async inject({ env }) {
      process.kill(pidOf(env, 'listener'), 'SIGKILL');
    },
  },
  {
    id: 3,
    name: 'logger paused (SIGSTOP), then resumed',
    mix: { log: 2, event: 2 },
    clients: 8,
    loadMs: [75_000, 14_000],
    faultAfterMs: 3_000,
    readyBoundMs: 30_000,
    async inject({ env, short }) {
      const pid = pidOf(env, 'logger');
      process.kill(pid, 'SIGSTOP');
      try {
        await sleep(pick(short, 60_000, 8_000));
      } finally {
        process.kill(pid, 'SIGCONT');
      }
    },
  },
  {
    id: 4,
    name: 'logger SIGKILLed and restarted',
    mix: { log: 2, event: 2 },
    clients: 8,
    loadMs: [30_000, 8_000],
    faultAfterMs: 2_000,
    readyBoundMs: 20_000,
    async inject({ env }) {
      process.kill(pidOf(env, 'logger'), 'SIGKILL');
    },
  },
  {
    id: 5,
    name: 'PostgreSQL restarted mid-stream',
    privatePostgres: true,
    mix: { log: 2, event: 2, mail: 1 },
    clients: 8,
    loadMs: [30_000, 10_000],
    faultAfterMs: 3_000,
    readyBoundMs: 30_000,
    async inject({ env }) {
      if (!env.postgres) throw new Error('scenario needs its own PostgreSQL');
      await env.postgres.restart();
    },
  },
  {
    id: 6,
    name: 'SMTP down, then answering in 5 s per message',
    mix: { mail: 1 },
    clients: 2,
    loadMs: [45_000, 12_000],
    faultAfterMs: 1_000,
    readyBoundMs: 15_000,
    async inject({ env, short }) {
      await env.smtp.setMode({ kind: 'down' });
      await sleep(pick(short, 30_000, 4_000));
      await env.smtp.setMode({ kind: 'slow', perMessageMs: 5_000 });
      await sleep(pick(short, 15_000, 6_000));
      await env.smtp.setMode({ kind: 'up' });
    },
  },
  {
    id: 7,
    name: 'poison inputs, at the edge and straight into the queue',
    mix: { log: 1, event: 2 },
    clients: 6,
    loadMs: [20_000, 8_000],
    faultAfterMs: 1_000,
    readyBoundMs: 10_000,
    async inject(ctx) {
      ctx.poison = await sendPoisonRequests(ctx.env.brokerUrl, ctx.token);
      ctx.poison.queued = await publishPoison(ctx.env.amqpUrl, ctx.runId);
    },
  },
  {
    id: 8,
    name: 'broker killed and restarted while clients retry with the same keys',
    mix: { log: 1, event: 1, mail: 1 },
    clients: 8,
    loadMs: [30_000, 8_000],
    faultAfterMs: 2_000,
    readyBoundMs: 20_000,
    async inject({ env }) {
      process.kill(pidOf(env, 'broker'), 'SIGKILL');
    },
  },
];
