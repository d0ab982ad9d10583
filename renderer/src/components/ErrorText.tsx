// An error's sentence, and LanceDB's raw words behind a "Details" disclosure when there are any
// (native <details>: keyboard and screen readers work without help). Every error box uses it.
import { detailFor } from '../error-details';

export function ErrorText({ text }: { text: string | null | undefined }) {
  if (!text) return null;
  const detail = detailFor(text);
  return (
    <>
      <span data-testid="error-message">{text}</span>
      {detail && (
        <details className="error-details" data-testid="error-details">
          <summary>Details</summary>
          <pre>{detail}</pre>
        </details>
      )}
    </>
  );
}
