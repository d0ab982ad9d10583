// The raw text behind an error message (LanceDB's own words), for the "Details" disclosure next to
// it. Errors travel through the renderer as the sentences people read (in state, in props, in job
// outcomes); rather than carry a second string through every one of those paths, the client notes
// each reply's detail by its message here, and the place that shows the message looks it up.
const MAX = 100;
const details = new Map<string, string>();

export function noteDetail(message: string, detail: string | undefined): void {
  if (!detail || detail === message) return;
  details.delete(message);
  details.set(message, detail);
  if (details.size > MAX) details.delete(details.keys().next().value as string);
}

/** The detail noted for a message shown somewhere, also when the message was wrapped ("Export failed: …"). */
export function detailFor(shown: string): string | undefined {
  const exact = details.get(shown);
  if (exact) return exact;
  for (const [message, detail] of [...details].reverse()) if (message.length > 20 && shown.includes(message)) return detail;
  return undefined;
}
