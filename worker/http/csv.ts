/** RFC 4180 CSV: CRLF line ends; a field with a comma, quote, CR or LF is quoted, quotes doubled. */

export type CsvValue = string | number | boolean | null | undefined;

const NEEDS_QUOTES = /[",\r\n]/;

/** One field; null and undefined are empty. */
export function csvField(value: CsvValue): string {
  const text = value == null ? '' : String(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record with its CRLF terminator. */
export function csvRecord(values: readonly CsvValue[]): string {
  return `${values.map(csvField).join(',')}\r\n`;
}

/**
 * Free text that a spreadsheet could run as a formula gets a leading apostrophe, which spreadsheets
 * show as plain text: OWASP's "CSV injection" triggers `=`, `+`, `-`, `@`, tab, CR (and ASVS's NUL)
 * first, and also `=`, `+`, `-`, `@` after leading spaces or line breaks, which some spreadsheets
 * skip before deciding that a cell is a formula.
 */
const FORMULA = /^(?:[\t\r\n\0]|[\s\0]*[=+\-@])/;

export function neutralizeFormula(text: string | null): string | null {
  return text !== null && FORMULA.test(text) ? `'${text}` : text;
}
