/** CORS_ORIGINS: `*` for any origin, or a comma-separated list of exact origins. */
export function corsOrigins(setting: string): true | string[] {
  const origins = setting
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
  return origins.length === 0 || origins.includes('*') ? true : origins;
}
