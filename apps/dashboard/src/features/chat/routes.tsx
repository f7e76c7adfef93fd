import { lazy, Suspense } from 'react';
import type { RouteObject } from 'react-router';
import { Loading } from '../../ui/states';

// Markdown, GFM and highlight.js are only needed here: load them with the playground, not with the app.
const Playground = lazy(() => import('./Playground').then((m) => ({ default: m.Playground })));

/**
 * Per-chatbot playground (paths relative to /orgs/:orgId/chatbots/:botId). One route with an optional
 * conversation id, so the page (and an answer being streamed) survives the jump from a new thread to its URL.
 */
export const chatRoutes: RouteObject[] = [
  {
    path: 'playground/:convId?',
    element: (
      <Suspense fallback={<Loading />}>
        <Playground />
      </Suspense>
    ),
  },
];
