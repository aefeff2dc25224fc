// The email and password rules (src/validate, Rust) as WebAssembly, loaded and called
// without generated glue: the module has two exports that take strings and return a
// number (src/wasm.rs is the other side of this file).
//
// The module travels inside the package's one JS file, gzip-compressed and base64-encoded
// (scripts/build-pkg.sh writes ./wasm-packed.js), so that `init()` needs no second
// request; the browser's DecompressionStream unpacks it.
import packed from "./wasm-packed.js";

// Unicode classes beyond ASCII from the browser's own tables (src/unicode.rs asks):
// bit 1 Lowercase, 2 Uppercase, 4 Alphabetic, 8 Numeric (general category N).
const classes = [/\p{Lowercase}/u, /\p{Uppercase}/u, /\p{Alphabetic}/u, /\p{N}/u];
const imports = {
  c: {
    charClass(c) {
      const s = String.fromCodePoint(c);
      return classes.reduce((m, re, i) => m | (re.test(s) << i), 0);
    },
  },
};

let x; // the instance's exports, once loaded
const ready = (i) => (x = (i.instance || i).exports);
/** `{ [key]: value }` gives the value; anything else is the value itself. */
const arg = (input, key) => (input && Object.getPrototypeOf(input) === Object.prototype ? input[key] : input);

/**
 * Loads the module: by default the copy inside this file; or what is given (bytes, a
 * compiled module, a Response, a URL), as `{ module_or_path }` or directly.
 */
export default async function init(input) {
  if (x) return x;
  // Absent: the copy inside.
  let m = await arg(input, "module_or_path");
  if (m === undefined) {
    m = await unpack();
    // 12 KB compile at once, without a task hop (about 2 ms here); an engine that refuses
    // synchronous compilation on its main thread (older ones did, past 4 KB) gets the async path.
    try {
      return initSync(m);
    } catch {}
  } else if (typeof m == "string" || m instanceof URL || (typeof Request == "function" && m instanceof Request))
    m = await fetch(m);
  if (m instanceof Response) m = await m.arrayBuffer();
  return ready(await WebAssembly.instantiate(m, imports));
}

/**
 * The module inside this file: base64, then gzip. (A stream's own reader, not
 * `new Response(stream).arrayBuffer()`, which costs about 8 ms more at start-up.)
 */
async function unpack() {
  const text = atob(packed);
  const gz = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) gz[i] = text.charCodeAt(i);
  const ds = new DecompressionStream("gzip");
  const w = ds.writable.getWriter();
  // Errors surface through the reader below.
  w.write(gz).catch(() => {});
  w.close().catch(() => {});
  const r = ds.readable.getReader();
  let out = new Uint8Array(0);
  for (let c; !(c = await r.read()).done; ) {
    const next = new Uint8Array(out.length + c.value.length);
    next.set(out);
    next.set(c.value, out.length);
    out = next;
  }
  return out;
}

/** Loads the module from bytes or a compiled module, as `{ module }` or directly. */
export function initSync(input) {
  if (x) return x;
  const m = arg(input, "module");
  return ready(new WebAssembly.Instance(m instanceof WebAssembly.Module ? m : new WebAssembly.Module(m), imports));
}

const encoder = new TextEncoder();
/**
 * Copies texts, one after the other, into one buffer of the module's memory: [pointer,
 * total bytes, bytes of the first] (the callee frees it).
 */
function put(...texts) {
  if (!x) throw new Error("cocobase-auth: call and await init() before validating.");
  const parts = texts.map((t) => encoder.encode(t));
  const n = parts.reduce((sum, b) => sum + b.length, 0);
  let p;
  try {
    p = x.alloc(n);
  } catch {
    throw new Error(`cocobase-auth: no memory for ${n} bytes of text to validate.`);
  }
  const mem = new Uint8Array(x.memory.buffer, p, n);
  let at = 0;
  for (const b of parts) mem.set(b, (at += b.length) - b.length);
  return [p, n, parts[0].length];
}

/** The rules `email` breaks: bit n is ISSUES[n] of index.js. */
export function emailMask(email) {
  const [p, n] = put(email);
  return x.validateEmail(p, n) >>> 0;
}

/** The rules `password` breaks (low 16 bits) and its score (the bits above). */
export function passwordMask(password, email, min, max, flags) {
  const [p, n, first] = put(password, email);
  return x.validatePassword(p, n, first, min, max, flags) >>> 0;
}
