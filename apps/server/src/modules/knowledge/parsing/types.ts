import type { DocumentKind } from './sniff.ts';

/** One page of extracted text. Formats without pages (DOCX, HTML, CSV, …) yield a single page 1. */
export interface ParsedPage {
  /** 1-based page number, as a reader of the original would cite it. */
  page: number;
  text: string;
  /** True when the text came from OCR (no text layer), so it may contain recognition errors. */
  ocr: boolean;
}

export interface ParsedDocument {
  kind: DocumentKind;
  /** MIME sniffed from the content, never the client's claim. */
  mime: string;
  title?: string;
  pages: ParsedPage[];
  /** Non-fatal problems worth showing to the user (pages skipped, low OCR confidence, type mismatch…). */
  warnings: string[];
}

export interface ParseOptions {
  filename: string;
  declaredMime?: string;
  /** Refuse PDFs with more pages than this (default DEFAULT_MAX_PAGES). */
  maxPages?: number;
  /** OCR scanned pages and images (default true). */
  ocr?: boolean;
  /** 0–100, non-decreasing, ends at 100 on success. */
  onProgress?: (pct: number) => void;
}
