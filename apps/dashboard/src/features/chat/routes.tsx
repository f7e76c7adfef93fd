import type { RouteObject } from 'react-router';

/** Per-chatbot playground (paths relative to /orgs/:orgId/chatbots/:botId). */
export const chatRoutes: RouteObject[] = [];
