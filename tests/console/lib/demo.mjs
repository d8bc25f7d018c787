// lib/demo.mjs — `sluice demo` as the console tests start it: a fresh data directory, port 0 for
// Kafka, Postgres wire and HTTP (the demo binds free ports and prints them), the console's URL read
// from the banner it prints once the shop is trading, SIGTERM to stop (it must exit 0).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { SLUICE_BIN, SluiceServer } from './server.mjs';

const START_DEADLINE_MS = 60000;

// Stopping and the log are SluiceServer's; only starting differs.
export class SluiceDemo extends SluiceServer {
  constructor(dir, { rate = 200 } = {}) {
    super(dir);
    this.rate = rate;
    this.logPath = path.join(dir, 'demo.log');
  }

  async start() {
    const log = fs.openSync(this.logPath, 'a');
    this.proc = spawn(SLUICE_BIN, ['demo', '--data-dir', this.dataDir, '--kafka-addr', '127.0.0.1:0',
      '--pg-addr', '127.0.0.1:0', '--http-addr', '127.0.0.1:0', '--rate', String(this.rate)],
    { stdio: ['ignore', 'pipe', log] });
    fs.closeSync(log);
    this.exited = new Promise((resolve) => this.proc.once('exit', (code, signal) => resolve({ code, signal })));
    let out = '';
    const banner = new Promise((resolve) => {
      this.proc.stdout.on('data', (chunk) => {
        out += chunk;
        fs.appendFileSync(this.logPath, chunk);
        const m = out.match(/console: (http:\/\/\S+?)\/?\s/);
        if (m) resolve(m[1]);
      });
    });
    // Every contender resolves (none rejects later, unobserved): the banner's URL, or why not.
    let timer;
    const late = new Promise((resolve) => {
      timer = setTimeout(() => resolve({ error: `no banner from sluice demo within ${START_DEADLINE_MS} ms` }),
        START_DEADLINE_MS);
    });
    const first = await Promise.race([banner.then((url) => ({ url })), late,
      this.exited.then(({ code, signal }) => ({ error: `sluice demo exited (${code ?? signal}) before its banner` }))]);
    clearTimeout(timer);
    if (first.error) {
      this.proc.kill('SIGKILL');
      throw new Error(`${first.error}\n${this.logTail()}`);
    }
    this.url = first.url;
    return this;
  }
}
