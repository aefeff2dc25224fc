// Unicode character classes for the Rust core (src/unicode.rs), from the browser's own
// tables: bit 1 Lowercase, 2 Uppercase, 4 Alphabetic, 8 Numeric (general category N).
const classes = [/\p{Lowercase}/u, /\p{Uppercase}/u, /\p{Alphabetic}/u, /\p{N}/u];
export function charClass(c) {
  const s = String.fromCodePoint(c);
  return classes.reduce((m, re, i) => m | (re.test(s) << i), 0);
}
