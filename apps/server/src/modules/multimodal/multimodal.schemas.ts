import { z } from 'zod';
import { flag } from './read-image-request.ts';
import { FITS, MAX_OUTPUT_SIDE, OUTPUT_FORMATS } from './process-image.ts';
import { OCR_LANGS } from './recognize-text.ts';

// ---- request fields (multipart text fields, or JSON properties next to `image`)

const side = z.coerce.number().int().min(1).max(MAX_OUTPUT_SIDE);
const langs = z.enum(OCR_LANGS).optional().describe('OCR languages (default eng+ind)');

export const ocrFields = z.object({ langs });

export const processFields = z.object({
  width: side.optional().describe('Target width, px'),
  height: side.optional().describe('Target height, px'),
  fit: z
    .enum(FITS)
    .optional()
    .describe('How width × height is filled (default inside: keep aspect, fit within)'),
  thumbnail: z.coerce
    .number()
    .int()
    .min(8)
    .max(1024)
    .optional()
    .describe('Square thumbnail of this side, centre-cropped (instead of width/height)'),
  format: z
    .enum(OUTPUT_FORMATS)
    .optional()
    .describe('Output format (default: the input format; GIF/TIFF → png)'),
  quality: z.coerce.number().int().min(1).max(100).optional().describe('JPEG/WebP/AVIF quality'),
  rotate: z
    .union([z.enum(['auto', '0', '90', '180', '270']), z.literal([0, 90, 180, 270])])
    .optional()
    .transform((v) => (v === undefined || v === 'auto' ? 0 : (Number(v) as 0 | 90 | 180 | 270)))
    .describe(
      'The image is always turned upright from its EXIF orientation; 90/180/270 rotate further, clockwise',
    ),
  stripMetadata: flag
    .optional()
    .transform((v) => v ?? true)
    .describe('Remove EXIF (GPS, camera), XMP and ICC metadata (default true)'),
});

export const analyzeFields = z.object({
  prompt: z.string().trim().max(4000).optional().describe('What to look for or ask about the image'),
  model: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe('Vision model reference; default: the installation default model'),
  langs,
});

// ---- responses

const box = z.object({ x0: z.number(), y0: z.number(), x1: z.number(), y1: z.number() });
const word = z.object({ text: z.string(), confidence: z.number(), bbox: box });

export const ocrResponse = z.object({
  text: z.string(),
  confidence: z.number().describe('Mean word confidence, 0–100'),
  language: z
    .enum(['en', 'id'])
    .nullable()
    .describe('Language of the recognised text; null when there is none'),
  langs: z.enum(OCR_LANGS),
  words: z.array(word).describe('Boxes in pixels of the upright image'),
  lines: z.array(word.extend({ wordCount: z.number().int() })),
  width: z.number().int(),
  height: z.number().int(),
  durationMs: z.number().int(),
});

export const factsSchema = z.object({
  format: z.string(),
  mimeType: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  size: z.number().int().describe('bytes'),
  hasAlpha: z.boolean(),
  exifPresent: z.boolean(),
});

export const processResponse = z
  .object({
    input: factsSchema,
    output: factsSchema.optional(),
    data: z.string().optional().describe('The processed image, base64 (output=json)'),
  })
  .describe(
    'output=image (default): the processed image bytes with their content type. output=json: input and output ' +
      'facts plus the image as base64. output=metadata: the input facts only, nothing processed.',
  );

export const processQuery = z.object({
  output: z.enum(['image', 'json', 'metadata']).default('image'),
});

export const analyzeResponse = z.object({
  method: z
    .enum(['vision', 'offline'])
    .describe('vision: described by a model; offline: OCR and image statistics'),
  model: z.string().nullable(),
  description: z.string(),
  text: z.string().nullable().describe('Recognised text (offline)'),
  ocr: z
    .object({
      confidence: z.number(),
      language: z.string().nullable(),
      wordCount: z.number().int(),
      textCoverage: z.number().describe('Share of the image covered by confidently read words, 0–1'),
    })
    .nullable(),
  facts: factsSchema.extend({
    kind: z.enum(['document', 'photo', 'graphic']).nullable(),
    colours: z.array(z.object({ hex: z.string(), name: z.string(), share: z.number() })),
    brightness: z.number(),
    entropy: z.number(),
  }),
  note: z.string().nullable(),
  usage: z
    .object({ promptTokens: z.number(), completionTokens: z.number(), totalTokens: z.number() })
    .nullable(),
  durationMs: z.number().int(),
});
