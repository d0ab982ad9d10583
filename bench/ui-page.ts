// What the ui benchmark runs inside Chromium, for the app's page and the bare page alike. Kept as
// plain JavaScript text and installed as an init script: functions passed to page.evaluate are
// serialized from the transpiled source, which may reference helpers the page does not have.

/** The id of the bare page's scrolling box (the app's is its grid). */
export const BARE_ID = 'bare';

export const PAGE_SCRIPT = String.raw`
window.__lxb = (() => {
  const box = () => document.querySelector('[data-testid=grid]') || document.getElementById('${BARE_ID}');
  // Every tile (or bare image) inside the scrolling box's viewport, and whether each shows its decoded
  // image: what a person sees as "the screen has loaded".
  const visible = () => {
    const el = box();
    if (!el) return { loaded: false, rowIds: [], width: 0, height: 0 };
    const r0 = el.getBoundingClientRect();
    const items = [...el.querySelectorAll(el.id === '${BARE_ID}' ? 'img' : '[data-testid=tile]')].filter((t) => {
      const r = t.getBoundingClientRect();
      return r.bottom > r0.top && r.top < r0.bottom && r.height > 0;
    });
    const imgs = items.map((t) => (t.tagName === 'IMG' ? t : t.querySelector('img')));
    const first = imgs.find((i) => i) || null;
    // The app's tiles show blob: URLs (its image queue fetches them); the row id names the image.
    const rowIds = items.map((t) => t.getAttribute('data-row-id') || (t.src || '').split('/').pop());
    const size = first ? first.getBoundingClientRect() : { width: 0, height: 0 };
    return {
      loaded: items.length > 0 && imgs.every((i) => !!i && i.complete && i.naturalWidth > 0),
      rowIds,
      width: Math.round(size.width),
      height: Math.round(size.height),
    };
  };
  // Resolves with performance.now() at the first frame where the whole visible screen is loaded.
  const settle = (timeoutMs) => new Promise((resolve, reject) => {
    const t0 = performance.now();
    const check = () => {
      if (visible().loaded) return resolve(performance.now());
      if (performance.now() - t0 > timeoutMs) return reject(new Error('the visible images did not all load within ' + timeoutMs + ' ms'));
      requestAnimationFrame(check);
    };
    check();
  });
  // One screen per frame for the given time, wrapping at the end: a scrollbar drag or a fast fling.
  // Returns the frame intervals seen meanwhile, then how long the screen took to load after it stopped.
  const fling = (seconds, timeoutMs) => new Promise((resolve, reject) => {
    const el = box();
    const frames = [];
    let last = performance.now();
    const end = last + seconds * 1000;
    const step = (t) => {
      frames.push(t - last);
      last = t;
      if (el.scrollTop + el.clientHeight * 2 >= el.scrollHeight) el.scrollTop = 0;
      else el.scrollTop += el.clientHeight;
      if (t < end) return requestAnimationFrame(step);
      const stopped = performance.now();
      settle(timeoutMs).then((at) => resolve({ frames, settleMs: at - stopped }), reject);
    };
    requestAnimationFrame(step);
  });
  const jump = (fraction, timeoutMs) => {
    const el = box();
    const t = performance.now();
    el.scrollTop = (el.scrollHeight - el.clientHeight) * fraction;
    return settle(timeoutMs).then((at) => at - t);
  };
  // The bare page: the same images in plain <img> tags of the same size, nothing else.
  const tiles = (srcs, w, h) => srcs.map((s) => '<img src="' + s + '" width="' + w + '" height="' + h + '" style="object-fit:cover;display:block">').join('');

  const show = (srcs, w, h, timeoutMs) => {
    const el = box();
    const t = performance.now();
    el.scrollTop = 0;
    el.innerHTML = '<div style="display:flex;flex-wrap:wrap">' + tiles(srcs, w, h) + '</div>';
    return settle(timeoutMs).then((at) => at - t);
  };
  return { visible, settle, fling, jump, show, tiles };
})();
`;

/** A bare page under the bridge's path: a full-window box of plain images, as the app's grid shows them. */
export function barePage(srcs: string[], w: number, h: number, repeat = 1): string {
  const img = (s: string) => `<img src="${s.replace(/[<>"&]/g, '')}" width="${w}" height="${h}" style="object-fit:cover;display:block">`;
  const all = Array.from({ length: repeat }, () => srcs.map(img).join('')).join('');
  return `<!doctype html><meta charset="utf-8"><title>bare</title><body style="margin:0"><div id="${BARE_ID}" style="height:100vh;overflow:auto"><div style="display:flex;flex-wrap:wrap">${all}</div></div></body>`;
}
