/** The dashboard's browser script, bundled by `bun run build:dashboard` (scripts/build-dashboard.ts). */
declare const dashboardScript: string;
export default dashboardScript;
