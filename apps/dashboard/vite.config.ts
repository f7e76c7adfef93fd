import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Built into dist/, which the Kawan server serves at / (API under /api). `npm run dev -w @kawan/dashboard`
// serves it with hot reload and forwards API calls to a Kawan on :2026.
export default defineConfig({
  plugins: [react()],
  build: {
    // KAWAN_UI_OUT: build somewhere else (parallel test runs each serve their own build via UI_DIR).
    outDir: process.env.KAWAN_UI_OUT ? `${process.env.KAWAN_UI_OUT}/dashboard` : 'dist',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: {
      '/api': 'http://localhost:2026',
      '/v1': 'http://localhost:2026',
      '/widget.js': 'http://localhost:2026',
    },
  },
});
