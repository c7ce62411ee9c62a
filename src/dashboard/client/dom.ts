/** Small DOM builders shared by the panels. Text always goes in as text, never as HTML. */
export type Cell = string | number | Node | null;

export const el = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

/** A table row from cells; numeric columns are right-aligned. */
export function row(cells: Cell[], numeric: readonly number[] = []): HTMLTableRowElement {
  const tr = document.createElement("tr");
  cells.forEach((cell, i) => {
    const td = document.createElement("td");
    if (numeric.includes(i)) td.className = "num";
    if (cell instanceof Node) td.append(cell);
    else td.textContent = cell === null ? "—" : String(cell);
    tr.append(td);
  });
  return tr;
}

export function headRow(labels: readonly string[], numeric: readonly number[] = []): HTMLTableRowElement {
  const tr = document.createElement("tr");
  labels.forEach((label, i) => {
    const th = document.createElement("th");
    th.textContent = label;
    if (numeric.includes(i)) th.className = "num";
    tr.append(th);
  });
  return tr;
}

export function empty(columns: number, text: string): HTMLTableRowElement {
  const tr = document.createElement("tr");
  const td = document.createElement("td");
  td.colSpan = columns;
  td.className = "muted";
  td.textContent = text;
  tr.append(td);
  return tr;
}

export function tagged(text: string | number, testId: string, className = ""): HTMLSpanElement {
  const span = document.createElement("span");
  span.textContent = String(text);
  span.dataset.testid = testId;
  if (className) span.className = className;
  return span;
}

export function button(label: string, data: Record<string, string>, onClick: () => void, danger = false) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  Object.assign(b.dataset, data);
  if (danger) b.className = "danger";
  b.addEventListener("click", onClick);
  return b;
}

export const duration = (ms: number | null) =>
  ms === null
    ? "—"
    : ms < 1000
      ? `${Math.round(ms)} ms`
      : ms < 120_000
        ? `${(ms / 1000).toFixed(1)} s`
        : `${Math.round(ms / 60_000)} min`;

export const time = (at: number | null) => (at === null ? "—" : new Date(at).toLocaleString());

export const percent = (rate: number | null) => (rate === null ? "—" : `${(rate * 100).toFixed(1)} %`);

export function fill(id: string, rows: HTMLElement[]): void {
  document.getElementById(id)?.replaceChildren(...rows);
}
