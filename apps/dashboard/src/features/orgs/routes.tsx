import type { RouteObject } from 'react-router';

/** Org pages: members, settings, audit log, model providers (paths relative to /orgs/:orgId). */
export const orgRoutes: RouteObject[] = [];
