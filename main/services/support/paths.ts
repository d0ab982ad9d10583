// Where the app keeps its files, decided without Electron so services and tests agree.
// Electron passes app.getPath('userData'); everything else uses the same rules here.
import os from 'node:os';
import path from 'node:path';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LANCE_EXPLORER_HOME) return path.resolve(env.LANCE_EXPLORER_HOME);
  const home = os.homedir();
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Lance Explorer');
  if (process.platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Lance Explorer');
  return path.join(env.XDG_DATA_HOME ?? path.join(home, '.local', 'share'), 'lance-explorer');
}

/** The demo dataset lives in the cache folder: it can always be rebuilt. */
export function defaultDemoPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.LANCE_EXPLORER_DEMO) return path.resolve(env.LANCE_EXPLORER_DEMO);
  const home = os.homedir();
  const cache = env.XDG_CACHE_HOME ?? path.join(home, '.cache');
  return path.join(cache, 'lance-explorer', 'demo-v1', 'laion-demo.lance');
}
