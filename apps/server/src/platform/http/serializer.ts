import fastJson from 'fast-json-stringify';
import { z } from 'zod';
import type { FastifySerializerCompiler } from 'fastify';

/**
 * Responses are written by fast-json-stringify from the JSON Schema of each route's zod response schema
 * (the same document /openapi.json publishes). Like the zod serializer it only emits declared properties, so a
 * row with extra columns (a key hash, a password hash) can never leak; unlike it, it does not re-validate
 * every response at run time, which measured as the largest CPU cost of a cached read (bench/http).
 * Request validation stays with zod.
 */
export const serializerCompiler: FastifySerializerCompiler<z.ZodType> = ({ schema }) => {
  if (!(schema instanceof z.ZodType)) return (data) => JSON.stringify(data);
  const jsonSchema = z.toJSONSchema(schema, { io: 'output', target: 'draft-7', unrepresentable: 'any' });
  return fastJson(jsonSchema as Parameters<typeof fastJson>[0]);
};
