import { createBrowserRouter, RouterProvider, type RouteObject } from 'react-router';
import { Layout } from './Layout';
import { HomeRedirect, RequireAuth } from './guards';
import { NotFound } from './NotFound';
import { publicRoutes, accountRoutes } from '../features/auth/routes';
import { orgRoutes } from '../features/orgs/routes';
import { chatbotRoutes, chatbotTabRoutes, ChatbotShell } from '../features/chatbots/routes';
import { knowledgeRoutes } from '../features/knowledge/routes';
import { chatRoutes } from '../features/chat/routes';

/**
 * URL map. Each feature exports its routes; a chatbot's tabs (settings, keys, embed from chatbots; documents,
 * FAQs, search from knowledge; playground from chat) hang under one chatbot shell.
 *   /signin /signup /forgot-password /reset-password /verify-email /invitations/accept   (public)
 *   /profile                                                                              (account)
 *   /orgs/:orgId/{chatbots,providers,members,settings,audit}
 *   /orgs/:orgId/chatbots/:botId/{settings,keys,embed,documents,faqs,search,playground}
 */
const routes: RouteObject[] = [
  ...publicRoutes,
  {
    element: <RequireAuth />,
    children: [
      { index: true, element: <HomeRedirect /> },
      {
        element: <Layout />,
        children: [
          ...accountRoutes,
          {
            path: 'orgs/:orgId',
            children: [
              ...orgRoutes,
              ...chatbotRoutes,
              {
                path: 'chatbots/:botId',
                element: <ChatbotShell />,
                children: [...chatbotTabRoutes, ...knowledgeRoutes, ...chatRoutes],
              },
            ],
          },
          { path: '*', element: <NotFound /> },
        ],
      },
    ],
  },
];

const router = createBrowserRouter(routes);

export function App() {
  return <RouterProvider router={router} />;
}
