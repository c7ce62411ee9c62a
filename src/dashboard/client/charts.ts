import {
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";
import type { Metrics } from "./api";

// Only what two line charts need, so the bundle stays small.
Chart.register(LineController, LineElement, PointElement, LinearScale, CategoryScale, Legend, Tooltip);

const COLORS = ["#d1495b", "#2e86ab", "#66a182", "#edae49", "#8e6c8a"];

const label = (at: number) => new Date(at).toISOString().slice(11, 16);

function lineChart(canvas: HTMLCanvasElement): Chart<"line", Array<number | null>, string> {
  return new Chart(canvas, {
    type: "line",
    data: { labels: [], datasets: [] },
    options: {
      animation: false,
      maintainAspectRatio: false,
      scales: { y: { beginAtZero: true } },
      elements: { point: { radius: 2 } },
    },
  });
}

/** The throughput and runtime charts, updated in place on every refresh. */
export class QueueCharts {
  readonly #throughput: Chart<"line", Array<number | null>, string>;
  readonly #runtime: Chart<"line", Array<number | null>, string>;

  constructor(throughput: HTMLCanvasElement, runtime: HTMLCanvasElement) {
    this.#throughput = lineChart(throughput);
    this.#runtime = lineChart(runtime);
  }

  update(metrics: Metrics): void {
    const labels = metrics.queues[0]?.points.map((p) => label(p.at)) ?? [];
    this.#throughput.data.labels = labels;
    this.#throughput.data.datasets = metrics.queues.map((s, i) => ({
      label: s.queue,
      data: s.points.map((p) => p.throughputPerMinute),
      borderColor: COLORS[i % COLORS.length],
    }));
    this.#runtime.data.labels = labels;
    this.#runtime.data.datasets = metrics.queues.flatMap((s, i) => [
      { label: `${s.queue} p50`, data: s.points.map((p) => p.runtimeP50Ms), borderColor: COLORS[i % COLORS.length] },
      {
        label: `${s.queue} p95`,
        data: s.points.map((p) => p.runtimeP95Ms),
        borderColor: COLORS[i % COLORS.length],
        borderDash: [4, 4],
      },
    ]);
    this.#throughput.update();
    this.#runtime.update();
  }
}
