// Bundles the VS Code extension and the pi extension; `--watch` rebuilds on change.
import * as esbuild from "esbuild";

const watch = process.argv.includes("--watch");
const production = process.argv.includes("--production");

/** @type {esbuild.BuildOptions[]} */
const builds = [
  {
    entryPoints: ["src/extension.ts"],
    outfile: "dist/extension.js",
    format: "cjs",
    platform: "node",
    target: "node20",
    external: ["vscode"],
  },
  {
    // pi loads extensions through jiti, which accepts CommonJS with a default export.
    entryPoints: ["src/pi/extension.ts"],
    outfile: "dist/pi-extension.js",
    format: "cjs",
    platform: "node",
    target: "node20",
  },
];

for (const options of builds) {
  const full = {
    bundle: true,
    sourcemap: !production,
    minify: production,
    logLevel: "info",
    ...options,
  };
  if (watch) {
    const ctx = await esbuild.context(full);
    await ctx.watch();
  } else {
    await esbuild.build(full);
  }
}
