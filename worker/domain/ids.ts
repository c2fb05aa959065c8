/** The largest value of the 12-bit `rand_a` field, here a counter. */
const MAX_COUNTER = 0xfff;

/** A source of UUIDv7 ids whose every id is greater than the one before it. */
export type Uuidv7Generator = (now?: number) => string;

/**
 * A UUIDv7 generator (RFC 9562 §5.7): 48-bit Unix milliseconds, a 12-bit counter, then 62 random
 * bits. The counter is §6.2's Method 1: seeded at random each new millisecond with its top bit
 * clear (a guard bit, so at least 2,048 ids fit in one millisecond), incremented for each further id
 * in the same millisecond; should it overflow, the timestamp moves 1 ms ahead. A clock (or `now`)
 * that goes back keeps counting on the last timestamp. So its ids strictly increase, also within one
 * millisecond — and workerd's clock stands still while a request computes, so a request's ids
 * would otherwise share one millisecond and sort at random.
 */
export function createUuidv7Generator(): Uuidv7Generator {
  let lastMs = -Infinity;
  let counter = 0;
  return function uuidv7(now = Date.now()) {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    const seed = ((bytes[6]! << 8) | bytes[7]!) & (MAX_COUNTER >> 1);
    if (now > lastMs) [lastMs, counter] = [now, seed];
    else if (counter < MAX_COUNTER) counter++;
    else [lastMs, counter] = [lastMs + 1, seed];
    let ms = lastMs;
    for (let i = 5; i >= 0; i--) {
      bytes[i] = ms % 256;
      ms = Math.floor(ms / 256);
    }
    bytes[6] = 0x70 | (counter >> 8); // version 7, then the counter's top 4 bits
    bytes[7] = counter & 0xff;
    bytes[8] = (bytes[8]! & 0x3f) | 0x80; // variant 10
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
}

/**
 * A UUIDv7 from the isolate's one generator: ids made in the same isolate sort in the order they
 * were made. Time-ordered ids keep new rows at the right edge of the primary-key index and let
 * cursors order by id alone. `now` (milliseconds) is for tests.
 */
export const uuidv7: Uuidv7Generator = createUuidv7Generator();
