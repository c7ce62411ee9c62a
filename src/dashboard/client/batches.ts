import type { z } from "@hono/zod-openapi";
import type { batchListSchema } from "../../routes/batches/batches.schemas";
import { api } from "./api";

type BatchList = z.infer<typeof batchListSchema>;

/** The batches panel: created on first use at the end of the board, so the page's HTML stays as it is. */
function panel(board: HTMLElement): HTMLElement {
  const existing = document.getElementById("batches");
  if (existing) return existing;
  const section = document.createElement("section");
  section.id = "batches";
  section.innerHTML =
    '<h2>Batches</h2><table><thead><tr><th>Name</th><th>Progress</th><th class="num">Done</th>' +
    '<th class="num">Failed</th><th>State</th><th></th></tr></thead><tbody></tbody></table>';
  board.append(section);
  return section;
}

function state(b: BatchList["batches"][number]): string {
  if (b.finishedAt !== null) return b.cancelledAt !== null ? "cancelled" : "finished";
  return b.cancelledAt !== null ? "cancelling" : "running";
}

/** Fetches the caller's batches and shows each with a progress bar; running ones can be cancelled. */
export async function refreshBatches(board: HTMLElement, onError: (message: string) => void): Promise<void> {
  const { batches } = await api<BatchList>("GET", "/v1/admin/batches?limit=20");
  const body = panel(board).querySelector("tbody")!;
  body.replaceChildren(
    ...batches.map((b) => {
      const row = document.createElement("tr");
      row.dataset.batchId = b.id;
      const cells = [b.name, "", `${b.processed + b.failed + b.skipped} / ${b.total}`, String(b.failed), state(b)];
      for (const text of cells) row.insertCell().textContent = text;
      const bar = document.createElement("progress");
      bar.max = 1;
      bar.value = b.progress;
      row.cells[1]!.append(bar);
      row.cells[2]!.className = "num";
      row.cells[3]!.className = "num";
      const actions = row.insertCell();
      if (b.finishedAt === null && b.cancelledAt === null) {
        const cancel = document.createElement("button");
        cancel.textContent = "Cancel";
        cancel.addEventListener("click", () => {
          api("POST", `/v1/admin/batches/${b.id}/cancel`)
            .then(() => refreshBatches(board, onError))
            .catch((error: Error) => onError(`cancel failed: ${error.message}`));
        });
        actions.append(cancel);
      }
      return row;
    }),
  );
}
