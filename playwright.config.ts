import { defineConfig } from '@playwright/test';

// Web mode drives Debian's Chromium against the web bridge (the same dispatch as Electron's IPC).
// The electron project runs the same smoke path in the real app where an Electron binary exists.
export default defineConfig({
  testDir: 'e2e',
  // Playwright empties its output folder at start: keep it apart from the other runners' reports.
  outputDir: 'test-results/playwright',
  globalSetup: './e2e/support/global-setup.ts',
  timeout: 60_000,
  expect: { timeout: 15_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: 'test-results/e2e.json' }]],
  use: {
    viewport: { width: 1280, height: 800 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    },
    trace: 'off',
  },
  projects: [
    { name: 'web', testDir: 'e2e/web' },
    { name: 'electron', testDir: 'e2e/electron' },
  ],
});
