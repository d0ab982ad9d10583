// What the window shows before a dataset is open: starting, opening, the first-start demo build, or
// why nothing could be opened, with the ways on.
import { DemoBuildScreen } from './DemoBuildScreen';
import { api } from '../api/client';
import type { Session } from '../hooks/useSession';
import { ErrorText } from './ErrorText';

export function StartScreen({ session, onOpenOther }: { session: Session; onOpenOther(): void }) {
  const { phase } = session;
  switch (phase.kind) {
    case 'starting':
      return <div className="center-panel muted">Starting…</div>;
    case 'opening':
      return (
        <div className="center-panel" role="status" data-testid="opening">
          Opening {phase.path}…
        </div>
      );
    case 'failed':
      return (
        <div className="center-panel" data-testid="startup-error">
          <h2>Nothing to show yet</h2>
          {phase.choose ? (
            <div className="tables" data-testid="start-table-choice">
              <p>{phase.choose.path} holds several tables. Choose one:</p>
              {phase.choose.tables.map((t) => (
                <button key={t} type="button" onClick={() => void session.open((phase.choose as { path: string }).path, t)}>
                  {t}
                </button>
              ))}
            </div>
          ) : (
            <div className="error-box" role="alert">
              <ErrorText text={phase.message} />
            </div>
          )}
          <div className="row">
            <button type="button" className="primary" onClick={onOpenOther}>
              Open a dataset…
            </button>
            <button type="button" onClick={session.startDemo}>
              Open the demo
            </button>
          </div>
        </div>
      );
    case 'demo':
      return (
        <DemoBuildScreen
          progress={session.demoJob.progress}
          error={phase.error}
          onRetry={session.startDemo}
          onCancel={() => phase.jobId && void api.cancelJob({ jobId: phase.jobId })}
          onOpenOther={onOpenOther}
        />
      );
    default:
      return null;
  }
}
