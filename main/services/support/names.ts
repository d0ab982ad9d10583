// Names that mean something to every JavaScript object. A person may type them, and a file may hold
// them as a column name; the app never takes one as a column, label or tag name.
export const UNSAFE_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
