import { defineConfig } from 'vite';

// One self-contained, minified IIFE: dist/widget.js, which the Kawan server serves at /widget.js.
// KAWAN_UI_OUT builds into <dir>/widget instead (parallel test runs each serve their own build via UI_DIR).
export default defineConfig({
  build: {
    outDir: process.env.KAWAN_UI_OUT ? `${process.env.KAWAN_UI_OUT}/widget` : 'dist',
    emptyOutDir: true,
    sourcemap: false,
    minify: true,
    target: 'es2020',
    copyPublicDir: false,
    lib: {
      entry: 'src/widget.ts',
      formats: ['iife'],
      name: 'KawanWidget', // the one global: window.KawanWidget
      fileName: () => 'widget.js',
    },
  },
});
