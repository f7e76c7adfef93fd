-- drizzle-kit does not emit CREATE EXTENSION. pgvector ships with the embedded database (PGlite);
-- a PostgreSQL server needs it installed (e.g. the postgresql-NN-pgvector package). Where it is missing the
-- server still starts and everything but vector search works; the knowledge area checks for it.
DO $$
BEGIN
  CREATE EXTENSION IF NOT EXISTS vector;
EXCEPTION WHEN OTHERS THEN
  RAISE WARNING 'pgvector is not available on this server: %', SQLERRM;
END
$$;
