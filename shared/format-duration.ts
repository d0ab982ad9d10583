// Durations as people read them, the same in the dialogs, the status bar and the main process's
// progress messages: "42 s", "3 min 05 s", "1 h 02 min"; `approximate` gives whole minutes ("about 5 min").
export function formatDuration(seconds: number, opts: { approximate?: boolean } = {}): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (opts.approximate && s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}
