import { defineConfig } from 'drizzle-kit';

// Only used to generate migrations from src/platform/db/schema.ts; no database connection needed.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/platform/db/schema.ts',
  out: './migrations',
});
