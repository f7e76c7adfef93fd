/**
 * Why a document could not be parsed. The code is stable (stored as documents.error_code and shown to the user
 * through the API); the message is for people and may change.
 */
export type ParseErrorCode =
  | 'unsupported_type' // bytes are not one of the kinds we parse, whatever the name or declared MIME says
  | 'encrypted' // password-protected PDF or encrypted zip entries
  | 'corrupt' // structurally broken file (bad PDF xref, broken zip, invalid JSON, undecodable image)
  | 'too_many_pages' // more pages than the caller's maxPages
  | 'too_large_uncompressed' // zip (DOCX) or image would expand past the decompression caps
  | 'too_many_entries' // zip with more entries than the cap (zip bombs made of many small files)
  | 'empty' // parsed fine but there is no text (blank pages, image without text, OCR disabled)
  | 'ocr_failed'; // the OCR engine could not start or timed out

export class ParseError extends Error {
  override readonly name = 'ParseError';
  constructor(
    readonly code: ParseErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const isParseError = (err: unknown): err is ParseError => err instanceof ParseError;
