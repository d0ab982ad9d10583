import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { CONTENT_SECURITY_POLICY, devServerUrlFor, isAllowedNavigation, isSafeExternalUrl, isTrustedSender, secureWebPreferences, APP_ORIGIN } from './security';

describe('Electron security options', () => {
  it('turns on context isolation and the sandbox, and Node off, in every window', () => {
    const prefs = secureWebPreferences('/app/preload.cjs');
    expect(prefs).toMatchObject({
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('has a strict CSP: no inline or remote script, no eval, no plugins, no framing', () => {
    const directives = Object.fromEntries(CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d]));
    expect(directives['default-src']).toBe("default-src 'none'");
    expect(directives['script-src']).toBe("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-inline|unsafe-eval|\*|http:|https:/);
    expect(directives['object-src']).toBe("object-src 'none'");
    expect(directives['frame-ancestors']).toBe("frame-ancestors 'none'");
  });

  it('sends only http(s) links without credentials to the system browser', () => {
    expect(isSafeExternalUrl('https://laion.ai/blog')).toBe(true);
    expect(isSafeExternalUrl('http://example.com/a.jpg')).toBe(true);
    for (const bad of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'https://user:pw@evil.com', 'not a url', `https://x.com/${'a'.repeat(5000)}`]) {
      expect(isSafeExternalUrl(bad), bad).toBe(false);
    }
  });

  it('never lets the window navigate away from the app, and never to file://', () => {
    expect(isAllowedNavigation(`${APP_ORIGIN}/index.html`)).toBe(true);
    expect(isAllowedNavigation('https://example.com/')).toBe(false);
    expect(isAllowedNavigation('file:///work/out/renderer/index.html')).toBe(false);
    expect(isAllowedNavigation('lance-explorer://evil/index.html')).toBe(false);
    expect(isAllowedNavigation('http://localhost:5173/', 'http://localhost:5173')).toBe(true);
  });

  it('answers IPC only from our own page in the top frame', () => {
    expect(isTrustedSender({ url: `${APP_ORIGIN}/index.html`, isMainFrame: true })).toBe(true);
    expect(isTrustedSender({ url: `${APP_ORIGIN}/index.html`, isMainFrame: false })).toBe(false);
    expect(isTrustedSender({ url: 'https://evil.example/', isMainFrame: true })).toBe(false);
    expect(isTrustedSender({ url: 'file:///tmp/x.html', isMainFrame: true })).toBe(false);
    expect(isTrustedSender(null)).toBe(false);
  });
});

describe('packaged builds', () => {
  it('ignore ELECTRON_RENDERER_URL; development builds take only a loopback dev server', () => {
    expect(devServerUrlFor({ ELECTRON_RENDERER_URL: 'http://localhost:5173' }, true)).toBeUndefined();
    expect(devServerUrlFor({ ELECTRON_RENDERER_URL: 'http://localhost:5173' }, false)).toBe('http://localhost:5173');
    expect(devServerUrlFor({ ELECTRON_RENDERER_URL: 'http://127.0.0.1:5173/' }, false)).toBe('http://127.0.0.1:5173/');
    for (const bad of ['https://evil.example', 'file:///etc/passwd', 'javascript:alert(1)', 'not a url', 'http://localhost.evil.example:5173']) {
      expect(devServerUrlFor({ ELECTRON_RENDERER_URL: bad }, false), bad).toBeUndefined();
    }
    expect(devServerUrlFor({}, false)).toBeUndefined();
  });

  it('turn DevTools off; development builds keep them', () => {
    expect(secureWebPreferences('/p.cjs', { packaged: true }).devTools).toBe(false);
    expect(secureWebPreferences('/p.cjs').devTools).toBe(true);
  });

  it('set Electron fuses at packaging: no run-as-node, NODE_OPTIONS or inspect; ASAR-only with integrity checks; cookie encryption', () => {
    const yml = readFileSync(path.join(__dirname, '..', 'electron-builder.yml'), 'utf8');
    const block = /^electronFuses:\n((?: {2}\w+: \w+\n)+)/m.exec(yml)?.[1] ?? '';
    const fuses = Object.fromEntries(block.trim().split('\n').map((l) => l.trim().split(': ')));
    expect(fuses).toEqual({
      runAsNode: 'false',
      enableNodeOptionsEnvironmentVariable: 'false',
      enableNodeCliInspectArguments: 'false',
      enableEmbeddedAsarIntegrityValidation: 'true',
      onlyLoadAppFromAsar: 'true',
      enableCookieEncryption: 'true',
      grantFileProtocolExtraPrivileges: 'false',
    });
    expect(yml).toMatch(/^asar: true$/m);
  });
});
