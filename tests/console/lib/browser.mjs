// lib/browser.mjs — headless Chromium through playwright-core (the system's /usr/bin/chromium, a fresh
// profile per launch), pages that record console errors and uncaught exceptions, and screenshots
// written as test artifacts under build/test-artifacts/console (or SLUICE_ARTIFACTS).
import fs from 'node:fs';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { REPO, tempDir } from './server.mjs';

export const ARTIFACTS = path.resolve(REPO, process.env.SLUICE_ARTIFACTS || 'build/test-artifacts/console');
const CHROMIUM = process.env.CHROMIUM_BIN || '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function launch() {
  const profile = tempDir('profile');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, args: ARGS, headless: true, viewport: { width: 1280, height: 860 },
  });
  context.setDefaultTimeout(20000);
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

// A new page whose console errors and page errors are collected in `page.problems`.
export async function openPage(context, url) {
  const page = await context.newPage();
  page.problems = [];
  page.on('console', (m) => {
    if (m.type() === 'error') page.problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => page.problems.push(`exception: ${e.message}`));
  await page.goto(url);
  return page;
}

export async function screenshot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}
