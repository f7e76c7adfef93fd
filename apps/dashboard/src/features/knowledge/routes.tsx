import type { RouteObject } from 'react-router';

/** Per-chatbot tabs: documents, faqs, search (paths relative to /orgs/:orgId/chatbots/:botId). */
export const knowledgeRoutes: RouteObject[] = [];
