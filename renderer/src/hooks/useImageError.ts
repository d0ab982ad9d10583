// Why an image did not load. An <img> error says nothing, so the image route's answer is asked for
// again, as text: "is not a JPEG, PNG, GIF or WebP file", or "claims 20,000 x 20,000 pixels, over the
// limit". Only after an error, so working images cost nothing extra.
import { useCallback, useState } from 'react';
import { imageFailure, type ImageFailure } from '../image-queue';

export type ImageError = ImageFailure;

export function useImageError(src: string): { error: ImageError | null; onError(): void } {
  // Kept with the image it is about: a tile showing another row starts without it.
  const [state, setState] = useState<{ src: string; error: ImageError } | null>(null);
  const onError = useCallback(() => {
    const setError = (error: ImageError) => setState({ src, error });
    setError(imageFailure(null));
    void fetch(src)
      .then(async (r) => (r.ok ? null : (await r.text()).slice(0, 500)))
      .then((text) => text && setError(imageFailure(text)))
      .catch(() => {});
  }, [src]);
  return { error: state && state.src === src ? state.error : null, onError };
}
