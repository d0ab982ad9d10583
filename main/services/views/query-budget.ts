// Every query a person's filter drives runs with a time budget (LanceDB's timeoutMs, enforced in the
// native engine) and stops when the view it was for has been replaced: a slow filter must not keep two
// cores busy after the person has moved on. Batches are read one at a time so a replaced view stops
// at the next batch instead of after the whole scan.
import { arrow, type ArrowTable } from '../dataset/lance';
import { errorText, failure } from '../support/errors';
import { readAhead } from '../support/read-ahead';

/** 30 s: a full scan of laion-1m's caption column with a string filter takes about 1-2 s on 2 cores. */
export const DEFAULT_QUERY_BUDGET_MS = 30_000;

export interface QueryBudget {
  timeoutMs: number;
  /** True once a newer request has replaced the one this query serves. */
  superseded(): boolean;
}

type RecordBatch = import('apache-arrow').RecordBatch;
/** LanceDB's query builders all have execute(options); it is `protected` in their typings only. */
interface Executable {
  execute(options?: { timeoutMs?: number; maxBatchLength?: number }): AsyncGenerator<RecordBatch, void, unknown>;
}

const seconds = (ms: number) => (ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${ms} ms`);

/** A timeout or cancellation in LanceDB's words becomes the app's. */
export function budgetFailure(err: unknown, budget: QueryBudget, doing: string): Error | null {
  if (/Query timeout after/i.test(errorText(err))) {
    return failure('TIMEOUT', `${doing} took longer than ${seconds(budget.timeoutMs)}: narrow the filter.`, errorText(err));
  }
  return null;
}

/** Read a query's batches one at a time within the budget; stops at the next batch once superseded. */
export async function eachBatch(query: unknown, budget: QueryBudget, doing: string, take: (b: RecordBatch) => void): Promise<void> {
  try {
    for await (const batch of readAhead((query as Executable).execute({ timeoutMs: budget.timeoutMs }))) {
      if (budget.superseded()) throw failure('CANCELLED', `${doing} stopped: a newer view replaced it.`);
      take(batch);
    }
  } catch (err) {
    throw budgetFailure(err, budget, doing) ?? err;
  }
}

/** Run a query within the budget and collect its batches into one table. */
export async function collectBounded(query: unknown, budget: QueryBudget, doing: string): Promise<ArrowTable> {
  const batches: RecordBatch[] = [];
  await eachBatch(query, budget, doing, (b) => batches.push(b));
  return new arrow.Table(batches);
}

/** How many rows match, within the budget (countRows has no timeout of its own). */
export async function countBounded(query: unknown, budget: QueryBudget, doing: string): Promise<number> {
  let rows = 0;
  await eachBatch(query, budget, doing, (b) => (rows += b.numRows));
  return rows;
}
