/** Base64 (RFC 4648) of bytes with Web APIs only; `btoa`/`atob` work on binary strings. */
export const toBase64 = (bytes: Uint8Array): string => btoa(String.fromCharCode(...bytes));

/** The bytes of base64 text; throws on text that is not base64. */
export const fromBase64 = (text: string): Uint8Array => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** The URL- and filename-safe alphabet, without padding (RFC 4648 §5). */
export const toBase64url = (bytes: Uint8Array): string => toBase64(bytes).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
