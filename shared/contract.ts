// The typed contract: for every channel, the request schema (validated in main) and the
// response type (imported type-only by the renderer, so zod never ships in the renderer bundle).
import { z } from 'zod';
import type { Channel, ApiMethod, CHANNELS, EventName } from './channels';
import type {
  AppInfo,
  DatasetInfo,
  DemoStatus,
  InspectResult,
  JobFinished,
  JobProgress,
  RecentEntry,
  RowDetail,
  RowPage,
} from './types';
import type { Result } from './result';

/** Filesystem paths are typed by a person or picked in a dialog: bounded, no NUL bytes. */
const pathString = z
  .string()
  .min(1, 'a path is required')
  .max(4096, 'the path is too long')
  .refine((s) => !s.includes('\0'), 'the path contains a NUL byte');

/** Dataset session ids are minted by main: short, url-safe. */
const datasetId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a dataset session id');
/** Row ids are unsigned 64-bit integers written in decimal. */
const rowId = z.string().regex(/^\d{1,20}$/, 'not a row id');
const tableName = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[^/\\\0]+$/, 'a table name cannot contain slashes')
  .refine((s) => s !== '.' && s !== '..', 'not a table name');

export const MAX_PAGE = 1000;

export const requestSchemas = {
  'app:info': z.object({}).strict(),
  'dataset:inspect': z.object({ path: pathString }).strict(),
  'dataset:open': z.object({ path: pathString, table: tableName.optional() }).strict(),
  'dataset:close': z.object({ id: datasetId }).strict(),
  'rows:page': z
    .object({
      id: datasetId,
      offset: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
      limit: z.number().int().min(1).max(MAX_PAGE),
    })
    .strict(),
  'rows:get': z.object({ id: datasetId, rowId }).strict(),
  'recent:list': z.object({}).strict(),
  'recent:forget': z.object({ path: pathString, table: tableName }).strict(),
  'demo:status': z.object({}).strict(),
  'demo:build': z.object({ force: z.boolean().optional() }).strict(),
  'job:cancel': z.object({ jobId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }).strict(),
  'dialog:pick-dataset': z.object({}).strict(),
} satisfies Record<Channel, z.ZodType>;

export interface Responses {
  'app:info': AppInfo;
  'dataset:inspect': InspectResult;
  'dataset:open': DatasetInfo;
  'dataset:close': { closed: boolean };
  'rows:page': RowPage;
  'rows:get': RowDetail;
  'recent:list': RecentEntry[];
  'recent:forget': RecentEntry[];
  'demo:status': DemoStatus;
  'demo:build': { jobId: string };
  'job:cancel': { cancelled: boolean };
  /** null when the person closed the dialog. */
  'dialog:pick-dataset': { path: string } | null;
}

export type Requests = { [C in Channel]: z.input<(typeof requestSchemas)[C]> };

export interface EventPayloads {
  'job:progress': JobProgress;
  'job:finished': JobFinished;
}

/** The API the renderer sees: one function per channel plus `on` for events. */
export type Api = {
  [M in ApiMethod]: (req: Requests[(typeof CHANNELS)[M]]) => Promise<Result<Responses[(typeof CHANNELS)[M]]>>;
} & {
  on<E extends EventName>(event: E, listener: (payload: EventPayloads[E]) => void): () => void;
};
