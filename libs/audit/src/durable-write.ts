import { open } from 'node:fs/promises';

/**
 * Writes `text` to `path` (flag `a` appends, `w` replaces) and fsyncs before resolving, so a
 * crash right after never loses what the caller then reports as stored.
 */
export async function writeDurably(path: string, text: string, flag: 'a' | 'w', mode: number): Promise<void> {
  const file = await open(path, flag, mode);
  try {
    await file.writeFile(text, 'utf8');
    await file.sync();
  } finally {
    await file.close();
  }
}
