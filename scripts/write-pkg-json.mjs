// Writes pkg/package.json from Cargo.toml's metadata (over wasm-pack's own), listing
// exactly the files wasm-pack made.
import { existsSync, readFileSync, writeFileSync } from "node:fs";

const cargo = readFileSync(new URL("../Cargo.toml", import.meta.url), "utf8");
const field = (name) => cargo.match(new RegExp(`^${name} = "([^"]*)"`, "m"))?.[1];
const pkgDir = new URL("../pkg/", import.meta.url);

const files = [
  "cocobase_auth.js",
  "cocobase_auth_bg.wasm",
  "cocobase_auth.d.ts",
  "cocobase_auth_bg.wasm.d.ts",
  "README.md",
  "LICENSE-MIT",
  "LICENSE-APACHE",
].filter((f) => existsSync(new URL(f, pkgDir)));

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
    "./cocobase_auth_bg.wasm": "./cocobase_auth_bg.wasm",
  },
  files,
  sideEffects: false,
  keywords: ["auth", "cocobase", "wasm", "session", "oauth"],
};
writeFileSync(new URL("package.json", pkgDir), JSON.stringify(pkg, null, 2) + "\n");
