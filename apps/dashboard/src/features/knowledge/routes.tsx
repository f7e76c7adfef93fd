import { Navigate, type RouteObject } from 'react-router';
import { DocumentsPage } from './DocumentsPage';
import { DocumentViewer } from './DocumentViewer';
import { FaqsPage } from './FaqsPage';
import { SearchPage } from './SearchPage';

/** Per-chatbot tabs: documents, faqs, search (paths relative to /orgs/:orgId/chatbots/:botId). */
export const knowledgeRoutes: RouteObject[] = [
  { path: 'documents', element: <DocumentsPage /> },
  { path: 'documents/:docId', element: <DocumentViewer /> },
  { path: 'faqs', element: <FaqsPage /> },
  { path: 'search', element: <SearchPage /> },
  { path: 'knowledge', element: <Navigate to="../documents" relative="path" replace /> },
];
