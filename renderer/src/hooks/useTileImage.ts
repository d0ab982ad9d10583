// A tile's image through the page's image queue: asked for once the tile has stayed a moment, let go
// (and its object URL revoked) when the tile leaves or shows another row.
import { useCallback, useEffect, useRef, useState } from 'react';
import { imageFailure, imageQueue, type ImageFailure } from '../image-queue';

/** `index`: the tile's place in the grid (the queue serves tiles in view first). */
export function useTileImage(src: string, index?: number): { url: string | null; error: ImageFailure | null; onDecodeError(): void } {
  const [state, setState] = useState<{ src: string; url: string | null; error: ImageFailure | null }>({ src: '', url: null, error: null });
  // When this tile appeared: a row that arrives later does not start the settle over.
  const [shownAt] = useState(() => performance.now());
  const indexRef = useRef(index);
  indexRef.current = index;
  useEffect(() => {
    if (!src) return;
    const ask = imageQueue.ask(src, { ...(indexRef.current !== undefined ? { index: indexRef.current } : {}), shownAt });
    let url: string | null = null;
    let live = true;
    ask.done.then(
      (r) => {
        if ('url' in r) url = r.url;
        if (!live) {
          if (url) URL.revokeObjectURL(url);
          return;
        }
        setState('url' in r ? { src, url: r.url, error: null } : { src, url: null, error: r.error });
      },
      (err: unknown) => {
        if (live && (err as { name?: string })?.name !== 'AbortError') setState({ src, url: null, error: { message: 'The image could not be loaded: the app did not answer.', tooLarge: false, size: null } });
      },
    );
    return () => {
      live = false;
      ask.cancel();
      if (url) URL.revokeObjectURL(url);
    };
  }, [src, shownAt]);
  // Bytes that passed the route's checks but do not decode.
  const onDecodeError = useCallback(() => setState({ src, url: null, error: imageFailure(null) }), [src]);
  const mine = state.src === src;
  return { url: mine ? state.url : null, error: mine ? state.error : null, onDecodeError };
}
