/**
 * Reads a quoted run starting at `open` (the index of its opening `quote`), in which a doubled
 * quote stands for one (SQL's '' and Hive's `` escapes). Returns the unescaped text and the index
 * just past the closing quote, or undefined when the text ends before the run does.
 */
export function readQuoted(text: string, open: number, quote: string): { readonly value: string; readonly next: number } | undefined {
  let value = "";
  let j = open + 1;
  for (;;) {
    if (j >= text.length) return undefined;
    if (text[j] === quote) {
      if (text[j + 1] !== quote) return { value, next: j + 1 };
      value += quote;
      j += 2;
      continue;
    }
    value += text[j];
    j++;
  }
}
