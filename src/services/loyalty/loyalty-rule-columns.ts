/**
 * The columns of a loyalty rule that clients see (the cached `loyalty-rules` read and its
 * documented schema); owners' admin reads add the program and the active flag.
 */
export const publicRuleColumns = {
  id: true,
  name: true,
  ruleType: true,
  points: true,
  minOrderCents: true,
  rewardDescription: true,
  rewardValueCents: true,
} as const;

export const adminRuleColumns = { ...publicRuleColumns, programId: true, active: true } as const;
