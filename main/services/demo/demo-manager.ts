// The demo dataset's lifecycle: is it there, build it as a job (once at a time), report its state.
import { isLanceTableDir } from '../dataset/dataset-locate';
import { buildDemo } from './build-demo';
import type { JobRegistry } from '../jobs/jobs';
import type { DemoStatus } from '../../../shared/types';

export class DemoManager {
  private jobId: string | null = null;
  private lastError: string | null = null;
  private rows: number | null = null;

  constructor(
    readonly path: string,
    private readonly jobs: JobRegistry,
    private readonly rowLimit?: number,
  ) {}

  async status(): Promise<DemoStatus> {
    const building = this.jobId !== null && this.jobs.isRunning(this.jobId);
    const ready = !building && (await isLanceTableDir(this.path));
    return {
      state: building ? 'building' : ready ? 'ready' : this.lastError ? 'failed' : 'missing',
      path: this.path,
      rows: this.rows,
      jobId: building ? this.jobId : null,
      error: this.lastError,
    };
  }

  /** Start building unless a build is already running; either way return the job to watch. */
  build(): { jobId: string } {
    if (this.jobId && this.jobs.isRunning(this.jobId)) return { jobId: this.jobId };
    this.lastError = null;
    const { jobId, done } = this.jobs.start('demo', (report, signal) =>
      buildDemo(this.path, { report, signal, ...(this.rowLimit ? { rows: this.rowLimit } : {}) }),
    );
    this.jobId = jobId;
    done.then(
      (r) => {
        this.rows = r.rows;
      },
      (err: Error) => {
        this.lastError = signalOrMessage(err);
      },
    );
    return { jobId };
  }
}

function signalOrMessage(err: Error): string {
  return err.name === 'AppFailure' && /cancelled/i.test(err.message) ? 'The demo build was cancelled.' : err.message;
}
