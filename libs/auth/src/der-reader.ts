/**
 * Just enough DER (X.690) to read a certificate revocation list: tag, length, contents, and the
 * whole element's bytes (signatures cover the exact encoding). Lengths are bounded by the input,
 * so hostile input can only make `DerError`s, never reads past the buffer.
 */
export class DerError extends Error {
  override readonly name = 'DerError';
}

export interface DerElement {
  readonly tag: number;
  /** The contents octets. */
  readonly value: Buffer;
  /** Tag, length and contents: what a signature over this element covers. */
  readonly encoded: Buffer;
}

export const DER_TAG = {
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OID: 0x06,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
} as const;

/** The element at `offset`; throws DerError on truncated or malformed input. */
export function readDer(buffer: Buffer, offset = 0): DerElement {
  if (offset + 2 > buffer.length) throw new DerError('truncated element');
  const tag = buffer[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tags are not used here');
  let length = buffer[offset + 1]!;
  let header = 2;
  if (length & 0x80) {
    const octets = length & 0x7f;
    if (octets === 0 || octets > 4 || offset + 2 + octets > buffer.length) throw new DerError('bad length');
    length = 0;
    for (let i = 0; i < octets; i++) length = length * 256 + buffer[offset + 2 + i]!;
    header += octets;
  }
  const end = offset + header + length;
  if (end > buffer.length) throw new DerError('element longer than its input');
  return { tag, value: buffer.subarray(offset + header, end), encoded: buffer.subarray(offset, end) };
}

/** The elements one after another inside a constructed element's contents. */
export function readDerChildren(contents: Buffer): DerElement[] {
  const children: DerElement[] = [];
  for (let offset = 0; offset < contents.length; ) {
    const child = readDer(contents, offset);
    children.push(child);
    offset += child.encoded.length;
  }
  return children;
}

export function expectTag(element: DerElement | undefined, tag: number, what: string): DerElement {
  if (!element || element.tag !== tag) throw new DerError(`${what}: unexpected element`);
  return element;
}

/** Dotted OID text, e.g. `1.2.840.10045.4.3.2`. */
export function oidText(value: Buffer): string {
  if (value.length === 0) throw new DerError('empty OID');
  const parts = [Math.floor(value[0]! / 40), value[0]! % 40];
  let current = 0;
  for (let i = 1; i < value.length; i++) {
    current = current * 128 + (value[i]! & 0x7f);
    if (!(value[i]! & 0x80)) {
      parts.push(current);
      current = 0;
    }
  }
  return parts.join('.');
}

/** UTCTime (YYMMDDHHMMSSZ, years 1950–2049) or GeneralizedTime (YYYYMMDDHHMMSSZ), in ms. */
export function derTimeMs(element: DerElement): number {
  const text = element.value.toString('latin1');
  const match =
    element.tag === DER_TAG.UTC_TIME ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
    : element.tag === DER_TAG.GENERALIZED_TIME ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(text)
    : null;
  if (!match) throw new DerError('bad time');
  let year = Number(match[1]);
  if (element.tag === DER_TAG.UTC_TIME) year += year < 50 ? 2000 : 1900;
  return Date.UTC(year, Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6]));
}
