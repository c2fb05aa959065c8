/** The small vocabulary every chart is drawn with: escaping, number trimming, text and its estimated size. */

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

/** Trims float noise so labels and coordinates read cleanly. */
export const fmt = (value: number, digits = 2) => String(Number(value.toFixed(digits)));

export const FONT_FAMILY = 'system-ui, sans-serif';

/**
 * An upper bound of the width `text` takes in a sans-serif font of `fontSize` px (bold included).
 * The server cannot measure text, so label placement works on this estimate; tests/dashboard lays the
 * charts out in Chromium and checks the real boxes never overlap.
 */
export function textWidth(text: string, fontSize: number, weight: 'normal' | '600' = 'normal'): number {
  let em = 0;
  for (const ch of text) {
    if (/[il.,:;'|!()\[\] ]/.test(ch)) em += 0.36;
    else if (/[mwMW@%—]/.test(ch)) em += 1;
    else if (/[=+<>~−]/.test(ch)) em += 0.86;
    else if (/[A-Z]/.test(ch)) em += 0.76;
    else em += 0.62;
  }
  // Semi-bold glyphs run about a tenth wider.
  return em * fontSize * (weight === '600' ? 1.12 : 1);
}

/** Splits `text` into lines no wider than `maxWidth` (a single word longer than that is cut). */
export function wrapText(text: string, maxWidth: number, fontSize: number, weight: 'normal' | '600' = 'normal'): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (textWidth(candidate, fontSize, weight) <= maxWidth) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    line = word;
    while (textWidth(line, fontSize, weight) > maxWidth) {
      let cut = line.length - 1;
      while (cut > 1 && textWidth(`${line.slice(0, cut)}…`, fontSize, weight) > maxWidth) cut--;
      lines.push(`${line.slice(0, cut)}…`);
      line = line.slice(cut);
    }
  }
  if (line) lines.push(line);
  return lines;
}

export interface TextOptions {
  size?: number;
  weight?: 'normal' | '600';
  fill?: string;
  anchor?: 'start' | 'middle' | 'end';
  /** Marks the element as a label the layout test checks for overlaps. */
  label?: boolean;
}

export function svgText(x: number, y: number, content: string, { size = 12, weight = 'normal', fill = '#333333', anchor = 'start', label = true }: TextOptions = {}): string {
  const attributes = [
    `x="${fmt(x, 1)}"`,
    `y="${fmt(y, 1)}"`,
    `font-size="${size}"`,
    ...(weight === 'normal' ? [] : [`font-weight="${weight}"`]),
    `fill="${fill}"`,
    ...(anchor === 'start' ? [] : [`text-anchor="${anchor}"`]),
    ...(label ? ['data-label=""'] : []),
  ];
  return `<text ${attributes.join(' ')}>${escapeXml(content)}</text>`;
}

/** Wrapped text, one <text> per line, from baseline `y`; returns the markup and the y below it. */
export function wrappedText(x: number, y: number, content: string, maxWidth: number, options: TextOptions = {}): { svg: string; bottom: number } {
  const size = options.size ?? 12;
  const lineHeight = Math.ceil(size * 1.35);
  const lines = wrapText(content, maxWidth, size, options.weight);
  return {
    svg: lines.map((line, i) => svgText(x, y + i * lineHeight, line, options)).join('\n'),
    bottom: y + (lines.length - 1) * lineHeight + Math.ceil(size * 0.35),
  };
}

/** The standalone SVG root with its accessible name and description. */
export function svgRoot(width: number, height: number, title: string, description: string, body: string[]): string {
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${fmt(height, 0)}" viewBox="0 0 ${width} ${fmt(height, 0)}" role="img" font-family="${FONT_FAMILY}" font-size="13">`,
    `<title>${escapeXml(title)}</title>`,
    `<desc>${escapeXml(description)}</desc>`,
    `<rect width="${width}" height="${fmt(height, 0)}" fill="#ffffff"/>`,
    ...body,
    '</svg>',
  ].join('\n');
}
