// Lua scripts are imported as text (`with { type: "text" }`).
declare module "*.lua" {
  const source: string;
  export default source;
}
