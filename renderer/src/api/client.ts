// The one module that touches window.api. In Electron the preload provides it; over the web bridge
// the same shape is built on fetch. Components never see which.
import type { Api } from '../../../shared/contract';
import { IMAGE_ROUTE } from '../../../shared/channels';
import { createWebApi } from './web-client';

declare global {
  interface Window {
    api?: Api;
  }
}

export const api: Api = window.api ?? createWebApi();

/**
 * A row's image, relative to the page: the web bridge serves the page under a per-run path (its
 * cookie is scoped to it), Electron from the root of its own scheme. Both resolve this the same way.
 */
export const imageUrl = (datasetId: string, rowId: string): string => `${IMAGE_ROUTE.slice(1)}${datasetId}/${rowId}`;
