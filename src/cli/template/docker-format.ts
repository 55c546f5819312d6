/**
 * `--format` as the docker CLI applies it to a list (docker/cli cli/command/formatter/formatter.go):
 * `json` is `{{json .}}` per row; `table TEMPLATE` (or `table` alone: the command's default) prints a
 * header row, made by running the template on the column names, and the rows through Go's tabwriter
 * (minwidth 10, padding 3); anything else is a template run once per row. A literal `\t` or `\n` in
 * the format is a tab or a newline, as docker reads it.
 */
import { checkTemplate, ESCAPE_HTML, executeTemplate, type TemplateOptions } from './exec.js';

export interface ListFormat {
  /** The command's default table, e.g. `table {{.Repository}}\t{{.Tag}}...`. */
  defaultTable: string;
  /** Column names by field, for the header of a table (`ID` -> `IMAGE ID`). */
  headers: Record<string, string>;
}

/** A row as docker's formatter contexts give it: `{{json .}}` escapes <, > and & as json.Marshal does. */
export function rowContext<T extends object>(row: T): T {
  Object.defineProperty(row, ESCAPE_HTML, { value: true, enumerable: false });
  return row;
}

export function formatList(format: string, rows: object[], list: ListFormat, opts: TemplateOptions = {}): string {
  const isTable = format.startsWith('table');
  let tmpl = format === 'json' ? '{{json .}}' : isTable ? format.slice('table'.length) : format;
  tmpl = tmpl.trim();
  if (isTable && tmpl === '') tmpl = list.defaultTable.slice('table'.length).trim();
  tmpl = tmpl.replace(/\\t/g, '\t').replace(/\\n/g, '\n');
  checkTemplate(tmpl);
  let out = '';
  if (isTable) out += executeTemplate(tmpl, list.headers) + '\n';
  for (const r of rows) out += executeTemplate(tmpl, r, opts) + '\n';
  return isTable ? tabwrite(out) : out;
}

/**
 * Go's text/tabwriter with docker's settings (minwidth 10, tabwidth 1, padding 3, padchar ' '): a
 * cell is text ended by a tab; a column's width is set per block of consecutive lines that have it.
 */
export function tabwrite(text: string, minwidth = 10, padding = 3): string {
  const lines = text.split('\n').map((l) => l.split('\t'));
  const widths: number[] = [];
  const out: string[] = new Array<string>(lines.length).fill('');
  const runeLen = (s: string) => [...s].length;
  const writeLines = (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const cells = lines[i]!;
      out[i] = cells.map((c, j) => (j < cells.length - 1 ? c + ' '.repeat(Math.max(0, (widths[j] ?? 0) - runeLen(c))) : c)).join('');
    }
  };
  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    for (let self = line0; self < line1; self++) {
      if (column >= lines[self]!.length - 1) continue;
      writeLines(line0, self);
      line0 = self;
      let width = minwidth;
      for (; self < line1; self++) {
        const line = lines[self]!;
        if (column >= line.length - 1) break;
        width = Math.max(width, runeLen(line[column]!) + padding);
      }
      widths.push(width);
      format(line0, self);
      widths.pop();
      line0 = self;
      self--;
    }
    writeLines(line0, line1);
  };
  format(0, lines.length);
  return out.join('\n');
}
