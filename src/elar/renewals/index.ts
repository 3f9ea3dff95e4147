/** Renewing a Professional license: for now, the page that says when and how. */
export { registerRenewalRoutes, type RenewalRouteOptions } from './routes.tsx';
export { renewalWindow, type RenewalWindowState } from './rules.ts';
