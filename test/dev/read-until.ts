/** Reads a command's output until it matches, failing if the command exits or takes too long. */
export async function readUntil(
  stream: ReadableStream<Uint8Array>,
  pattern: RegExp,
  timeoutMs: number,
): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(text)) {
    if (Date.now() > deadline) throw new Error(`the command did not print ${pattern} in time:\n${text}`);
    const { value, done } = await reader.read();
    // The process ended before saying what we wait for.
    if (done) throw new Error(`the command exited early:\n${text}`);
    text += decoder.decode(value);
  }
  reader.releaseLock();
  return text;
}
