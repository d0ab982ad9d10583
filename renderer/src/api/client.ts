// The one module that touches window.api. In Electron the preload provides it; over the web bridge
// the same shape is built on fetch. Components never see which.
import type { Api } from '../../../shared/contract';
import type { Result } from '../../../shared/result';
import { createWebApi } from './web-client';

declare global {
  interface Window {
    api?: Api;
  }
}

export const api: Api = window.api ?? createWebApi();

/** Unwrap a Result, turning errors into exceptions for hooks that prefer try/catch. */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export function unwrap<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  throw new ApiError(r.error.code, r.error.message);
}
