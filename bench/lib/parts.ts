/** The parts of the request pipeline the breakdown leaves out one at a time (bench/service-entry.ts). */
export const PARTS = [
  'logging',
  'metrics',
  'security-headers',
  'cors',
  'guards',
  'validation',
  'serialization',
] as const;
export type Part = (typeof PARTS)[number];
