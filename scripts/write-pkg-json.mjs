// Writes pkg/package.json from Cargo.toml's metadata.
import { readFileSync, writeFileSync } from "node:fs";

const cargo = readFileSync(new URL("../Cargo.toml", import.meta.url), "utf8");
const field = (name) => cargo.match(new RegExp(`^${name} = "([^"]*)"`, "m"))?.[1];

const pkg = {
  name: "cocobase-auth",
  version: field("version"),
  description: field("description"),
  license: field("license"),
  repository: { type: "git", url: `git+${field("repository")}.git` },
  type: "module",
  main: "cocobase_auth.js",
  module: "cocobase_auth.js",
  types: "cocobase_auth.d.ts",
  exports: {
    ".": { types: "./cocobase_auth.d.ts", default: "./cocobase_auth.js" },
  },
  files: ["cocobase_auth.js", "cocobase_auth.d.ts", "README.md"],
  sideEffects: false,
  keywords: ["auth", "cocobase", "wasm", "session", "oauth"],
};
writeFileSync(new URL("../pkg/package.json", import.meta.url), JSON.stringify(pkg, null, 2) + "\n");
