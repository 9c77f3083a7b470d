import { defineConfig } from "vitest/config";

// The bundle is one script and one stylesheet with stable names, served by Quinoa under /ui/
// and included by the Qute layout: <link href="/ui/app.css"> and <script type="module" src="/ui/app.js">.
// Pages lazy-load their own chunk from /ui/chunks/. Nothing is fetched from outside the studio.
export default defineConfig({
  base: "/ui/",
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
    target: "es2020",
    cssCodeSplit: false,
    rollupOptions: {
      input: { app: "src/main.ts" },
      output: {
        entryFileNames: "[name].js",
        chunkFileNames: "chunks/[name]-[hash].js",
        assetFileNames: (info) => (info.names?.some((n) => n.endsWith(".css")) ? "app.css" : "assets/[name]-[hash][extname]"),
      },
    },
  },
  test: {
    include: ["test/**/*.test.ts"],
    environment: "node",
  },
});
