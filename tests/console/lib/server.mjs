// lib/server.mjs — `sluice serve` as the console tests start it: a fresh data directory, free
// 127.0.0.1 ports for Kafka, Postgres wire and HTTP, readiness by connecting to each, SIGTERM to
// stop (it must exit 0). Also produces records with the binary's own `sluice produce`.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const SLUICE_BIN = path.resolve(REPO, process.env.SLUICE_BIN || 'build/sluice');
const START_DEADLINE_MS = 30000;
const STOP_DEADLINE_MS = 30000;

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function connects(port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls `check` (sync or async) until it returns a truthy value; throws with `what` at the deadline.
export async function until(check, what, deadlineMs = 20000, everyMs = 100) {
  const end = Date.now() + deadlineMs;
  let last;
  for (;;) {
    try {
      last = await check();
      if (last) return last;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what} (last: ${last?.message ?? last})`);
    await sleep(everyMs);
  }
}

export class SluiceServer {
  constructor(dir) {
    this.dir = dir;
    this.dataDir = path.join(dir, 'data');
    this.logPath = path.join(dir, 'sluice.log');
    fs.mkdirSync(this.dataDir, { recursive: true });
  }

  async start() {
    this.kafkaPort ||= await freePort();
    this.pgPort ||= await freePort();
    this.httpPort ||= await freePort();
    this.bootstrap = `127.0.0.1:${this.kafkaPort}`;
    this.url = `http://127.0.0.1:${this.httpPort}`;
    const log = fs.openSync(this.logPath, 'a');
    this.proc = spawn(SLUICE_BIN, ['serve', '--data-dir', this.dataDir, '--kafka-addr', this.bootstrap,
      '--pg-addr', `127.0.0.1:${this.pgPort}`, '--http-addr', `127.0.0.1:${this.httpPort}`],
    { stdio: ['ignore', log, log] });
    fs.closeSync(log);
    this.exited = new Promise((resolve) => this.proc.once('exit', (code, signal) => resolve({ code, signal })));
    let exitedEarly = false;
    this.exited.then(() => { exitedEarly = true; });
    for (const port of [this.kafkaPort, this.pgPort, this.httpPort]) {
      let state;
      try {
        state = await until(async () => (exitedEarly ? 'exited' : (await connects(port)) && 'up'),
          `sluice to listen on ${port}`, START_DEADLINE_MS, 50);
      } catch (e) {
        this.proc.kill('SIGKILL');
        throw new Error(`${e.message}\n${this.logTail()}`);
      }
      if (state === 'exited') throw new Error(`sluice exited before listening\n${this.logTail()}`);
    }
    return this;
  }

  // SIGTERM; resolves to the exit code (SIGKILL and null after the deadline).
  async stop() {
    if (!this.proc) return 0;
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return this.proc.exitCode;
    this.proc.kill('SIGTERM');
    const done = await Promise.race([this.exited, sleep(STOP_DEADLINE_MS).then(() => null)]);
    if (done === null) {
      this.proc.kill('SIGKILL');
      await this.exited;
      return null;
    }
    return done.code;
  }

  logTail(n = 60) {
    try {
      return fs.readFileSync(this.logPath, 'utf8').split('\n').slice(-n).join('\n');
    } catch {
      return '(no log)';
    }
  }

  // Produces lines ("value", or "key\tvalue" with keyed) to `topic` with `sluice produce`.
  produce(topic, lines, { keyed = false } = {}) {
    const args = ['produce', topic, '-b', this.bootstrap];
    if (keyed) args.push('-K', '\t');
    const r = spawnSync(SLUICE_BIN, args, { input: lines.join('\n') + '\n', encoding: 'utf8', timeout: 30000 });
    if (r.status !== 0) throw new Error(`sluice produce ${topic} failed (${r.status}): ${r.stderr}`);
  }

  async sql(text) {
    const res = await fetch(`${this.url}/api/sql`, { method: 'POST', body: JSON.stringify({ sql: text }) });
    const body = await res.json();
    if (!res.ok) throw new Error(`SQL failed: ${body.error} (${body.code})`);
    return body;
  }

  // The HTTP status of GET path (an SSE endpoint's headers are enough: the body is not read).
  async status(pathname) {
    const ctrl = new AbortController();
    const res = await fetch(`${this.url}${pathname}`, { signal: ctrl.signal });
    ctrl.abort();
    return res.status;
  }
}

export function tempDir(name) {
  return fs.mkdtempSync(path.join(os.tmpdir(), `sluice-console-${name}-`));
}
