import { Outlet, type RouteObject } from 'react-router';

/** Chatbot list and the per-bot tabs settings / keys / embed (paths relative to /orgs/:orgId). */
export const chatbotRoutes: RouteObject[] = [];

/** Header and tab bar of one chatbot; knowledge and chat tabs render in its outlet. */
export function ChatbotShell() {
  return <Outlet />;
}
