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

/** The chatbot list (path relative to /orgs/:orgId); the bot's tabs hang under ChatbotShell in App.tsx. */
export const chatbotRoutes: RouteObject[] = [{ path: 'chatbots', element: <ChatbotList /> }];
