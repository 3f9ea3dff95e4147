import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

/** Preact escapes every interpolated value, so user input can never become markup. */
export function renderDocument(node: VNode): string {
  return `<!doctype html>${renderToString(node)}`;
}
