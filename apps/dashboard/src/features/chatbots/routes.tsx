import { Navigate, type RouteObject } from 'react-router';
import { ChatbotList } from './ChatbotList';
import { ChatbotShell } from './ChatbotShell';
import { EmbedTab } from './EmbedTab';
import { KeysTab } from './KeysTab';
import { SettingsTab } from './SettingsTab';

export { ChatbotShell };

/** This feature's tabs of one chatbot (paths relative to /orgs/:orgId/chatbots/:botId). */
export const chatbotTabRoutes: RouteObject[] = [
  { index: true, element: <Navigate to="playground" replace /> },
  { path: 'settings', element: <SettingsTab /> },
  { path: 'keys', element: <KeysTab /> },
  { path: 'embed', element: <EmbedTab /> },
];

/**
 * Chatbot list and the per-bot tabs settings / keys / embed (paths relative to /orgs/:orgId). The tabs hang
 * under their own ChatbotShell route; App.tsx declares the same path for the knowledge and chat tabs, and the
 * router picks whichever branch has the tab, so every tab renders inside the same header and tab bar.
 */
export const chatbotRoutes: RouteObject[] = [
  { path: 'chatbots', element: <ChatbotList /> },
  { path: 'chatbots/:botId', element: <ChatbotShell />, children: chatbotTabRoutes },
];
