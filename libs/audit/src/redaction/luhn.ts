/** ISO/IEC 7812 Luhn check over the digits of `text` (separators ignored). */
export function passesLuhn(text: string): boolean {
  let sum = 0;
  let digits = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    const code = text.charCodeAt(i) - 48;
    if (code < 0 || code > 9) continue;
    let d = code;
    if (digits % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    digits++;
  }
  return digits > 0 && sum % 10 === 0;
}

/**
 * A payment card number: 13–19 digits (separators ignored) with a known issuer prefix (Visa,
 * Mastercard, Amex, Discover, JCB, Diners, UnionPay, Maestro) and a valid Luhn check digit. The
 * prefix check keeps epoch-millisecond timestamps and order numbers from being redacted by chance.
 */
export function isPaymentCardNumber(text: string): boolean {
  const digits = text.replace(/[ -]/g, '');
  if (digits.length < 13 || digits.length > 19) return false;
  if (!/^(?:4|5[1-5]|2[2-7]|3[47]|3[068]|35|6011|64[4-9]|65|62|50|5[6-9]|6[0-9])/.test(digits)) return false;
  return passesLuhn(digits);
}
