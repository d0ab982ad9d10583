// The one module that touches window.api. In Electron the preload provides it; over the web bridge
// the same shape is built on fetch. Components never see which.
import type { Api } from '../../../shared/contract';
import { createWebApi } from './web-client';

declare global {
  interface Window {
    api?: Api;
  }
}

export const api: Api = window.api ?? createWebApi();
