/** @scalar/api-reference's standalone script, copied by `bun run build:dashboard` for the Workers entry's /docs. */
declare const scalarScript: string;
export default scalarScript;
