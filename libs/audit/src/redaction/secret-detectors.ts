import { isPaymentCardNumber } from './luhn.js';

/** One kind of secret found in free text. `pattern` must be global; `accept` filters candidates. */
export interface SecretDetector {
  readonly name: string;
  readonly pattern: RegExp;
  readonly accept?: (match: string) => boolean;
}

/**
 * Built-in detectors, always on. Patterns follow the providers' documented token formats; each
 * is linear-time (no nested quantifiers) so hostile input cannot stall the proxy.
 */
export const builtInDetectors: readonly SecretDetector[] = [
  { name: 'private_key', pattern: /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----[^-]*-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g },
  // AWS access key ids (long-term AKIA, temporary ASIA, …) and secret keys named as such.
  { name: 'aws_access_key_id', pattern: /\b(?:AKIA|ASIA|ABIA|ACCA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b/g },
  { name: 'aws_secret_access_key', pattern: /\baws_?secret_?access_?key["']?\s*[:=]\s*["']?[A-Za-z0-9/+=]{40}/gi },
  { name: 'gcp_api_key', pattern: /\bAIza[0-9A-Za-z_-]{35}\b/g },
  { name: 'azure_storage_key', pattern: /\bAccountKey=[A-Za-z0-9+/]{86}==/g },
  { name: 'github_token', pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g },
  { name: 'gitlab_token', pattern: /\bgl(?:pat|dt|ptt|rt|cbt|oas)-[A-Za-z0-9_-]{20,}/g },
  { name: 'slack_token', pattern: /\bxox[abposre]-[A-Za-z0-9-]{10,}/g },
  { name: 'slack_webhook', pattern: /https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]+/g },
  { name: 'mcpg_api_key', pattern: /\bmcpg_[A-Za-z0-9]{30,}/g },
  { name: 'jwt', pattern: /\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+/g },
  { name: 'bearer_token', pattern: /\b[Bb]earer\s+[A-Za-z0-9._~+/-]{16,}=*/g },
  // 13–19 digits, optionally grouped by single spaces or dashes, with an issuer prefix and Luhn.
  { name: 'credit_card', pattern: /\b\d(?:[ -]?\d){12,18}\b/g, accept: isPaymentCardNumber },
];

/** Object keys whose values are secrets whatever they look like (matched case-insensitively). */
export const SENSITIVE_KEY = /^(?:password|passwd|pwd|secret|client_?secret|api_?key|apikey|access_?token|refresh_?token|token|auth|authorization|private_?key|credentials?)$/i;
