import { describe, expect, test } from 'vitest';
import { csvField, csvRecord, neutralizeFormula } from '../../worker/http/csv.ts';

describe('csvField (RFC 4180)', () => {
  test.each([
    ['plain', 'plain'],
    ['', ''],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['"', '""""'],
    ['line\nbreak', '"line\nbreak"'],
    ['carriage\rreturn', '"carriage\rreturn"'],
    ['crlf\r\n', '"crlf\r\n"'],
    ["it's; fine\ttab", "it's; fine\ttab"],
  ])('%j → %j', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  test('null and undefined are empty; numbers and booleans as written', () => {
    expect([null, undefined, 0, 4, true, false].map(csvField)).toEqual(['', '', '0', '4', 'true', 'false']);
  });
});

test('csvRecord joins with commas and ends with CRLF', () => {
  expect(csvRecord(['a', 'b,c', null, 5])).toBe('a,"b,c",,5\r\n');
  expect(csvRecord([])).toBe('\r\n');
});

describe('neutralizeFormula', () => {
  test.each(['=SUM(A1:A9)', '+1', '-1', '@cmd', '\tx', '\rx', '\nx', '\0x', ' =1', '   +1', '\n=HYPERLINK("x")', '\r\n@cmd', ' \t -1', '\u00a0=1'])('prefixes %j with an apostrophe', (text) => {
    expect(neutralizeFormula(text)).toBe(`'${text}`);
  });

  test.each(['fine', 'a=b', ' a=1', 'x\n=1', "'quoted", '', ' '])('leaves %j alone', (text) => {
    expect(neutralizeFormula(text)).toBe(text);
  });

  test('leaves null alone', () => {
    expect(neutralizeFormula(null)).toBeNull();
  });

  test('a neutralized field is still quoted when it must be', () => {
    expect(csvField(neutralizeFormula('=HYPERLINK("x","y")'))).toBe(`"'=HYPERLINK(""x"",""y"")"`);
  });
});
