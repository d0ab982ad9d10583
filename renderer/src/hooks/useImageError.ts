// Why an image did not load. An <img> error says nothing, so the image route's answer is asked for
// again, as text: "is not a JPEG, PNG, GIF or WebP file", or "claims 20,000 x 20,000 pixels, over the
// limit". Only after an error, so working images cost nothing extra.
import { useCallback, useState } from 'react';

export interface ImageError {
  /** The route's sentence, or a generic one when it could not be read. */
  message: string;
  /** Refused for its claimed size (rather than not being an image at all). */
  tooLarge: boolean;
  /** "20,000 x 20,000", when the route named the claimed size. */
  size: string | null;
}

export function useImageError(src: string): { error: ImageError | null; onError(): void } {
  // Kept with the image it is about: a tile showing another row starts without it.
  const [state, setState] = useState<{ src: string; error: ImageError } | null>(null);
  const onError = useCallback(() => {
    const setError = (error: ImageError) => setState({ src, error });
    setError({ message: 'The bytes are not a JPEG, PNG, GIF or WebP image.', tooLarge: false, size: null });
    void fetch(src)
      .then(async (r) => (r.ok ? null : (await r.text()).slice(0, 500)))
      .then((text) => {
        if (!text) return;
        const size = /claims ([\d,]+ x [\d,]+) pixels/.exec(text)?.[1] ?? null;
        setError({ message: text, tooLarge: size !== null, size });
      })
      .catch(() => {});
  }, [src]);
  return { error: state && state.src === src ? state.error : null, onError };
}
