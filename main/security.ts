// Electron's security checklist as plain data and pure functions, so it is unit-tested under Node
// and used unchanged by the Electron shell (main/electron/) and the web bridge (main/bridge/).
import { APP_HOST, APP_SCHEME } from '../shared/channels';

export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

/** Strict CSP for every page we serve: our own scripts and styles only, images from our own routes. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "object-src 'none'",
].join('; ');

/** Headers sent with every response we serve, in both carriers. */
export const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * `devTools`: false in packaged builds (no inspector for whoever sits at the machine to poke the
 * app's page with); the development build keeps them.
 */
export function secureWebPreferences(preloadPath: string, opts: { packaged?: boolean } = {}) {
  return {
    preload: preloadPath,
    devTools: !opts.packaged,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  } as const;
}

/**
 * The renderer's dev server (electron-vite sets ELECTRON_RENDERER_URL in `npm run dev`). A packaged
 * build ignores it: otherwise anyone who can set an environment variable could point the window,
 * with its preload and IPC, at a page of their own. Only a loopback http(s) URL is taken even in dev.
 */
export function devServerUrlFor(env: Record<string, string | undefined>, packaged: boolean): string | undefined {
  const raw = env.ELECTRON_RENDERER_URL;
  if (packaged || !raw) return undefined;
  try {
    const u = new URL(raw);
    return (u.protocol === 'http:' || u.protocol === 'https:') && ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname) ? raw : undefined;
  } catch {
    return undefined;
  }
}

/** Only plain web links leave the app, and they go to the system browser. */
export function isSafeExternalUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  return (url.protocol === 'https:' || url.protocol === 'http:') && !url.username && !url.password && raw.length <= 4096;
}

/** The window never navigates: the only page it may show is our own index. */
export function isAllowedNavigation(raw: string, devServerUrl?: string): boolean {
  try {
    const url = new URL(raw);
    // URL.origin is "null" for custom schemes, so compare scheme and host.
    if (url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST) return true;
    return !!devServerUrl && url.origin === new URL(devServerUrl).origin;
  } catch {
    return false;
  }
}

/** IPC is answered only for our own page in the top frame (not an iframe, not another origin). */
export function isTrustedSender(frame: { url: string; isMainFrame: boolean } | null, devServerUrl?: string): boolean {
  return !!frame && frame.isMainFrame && isAllowedNavigation(frame.url, devServerUrl);
}
