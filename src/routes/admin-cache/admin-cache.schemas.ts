import { z } from "@hono/zod-openapi";
import { cacheFamilies } from "../../cache/cache-keys";
import { dbId } from "../../http/schemas";

export const cacheFamilySchema = z.enum(cacheFamilies).openapi("CacheFamily");

const familyStatsSchema = z.object({
  family: cacheFamilySchema,
  ttlSeconds: z.number().int(),
  hits: z.number().int(),
  misses: z.number().int(),
  fallbacks: z.number().int().openapi({ description: "Reads served from the database while Redis was down" }),
  hitRate: z.number().nullable().openapi({ description: "hits / (hits + misses); null before any read" }),
  keys: z.number().int().openapi({ description: "Stored entries not yet expired" }),
});

export const cacheStatsSchema = z
  .object({
    scope: z.union([z.literal("all"), z.array(z.number().int())]).openapi({
      description: '"all" (admins): the whole cache; else the restaurants whose entries are counted',
    }),
    families: z.array(familyStatsSchema),
    totals: familyStatsSchema.omit({ family: true, ttlSeconds: true }),
    redis: z.object({
      available: z.boolean(),
      usedMemoryBytes: z.number().int().nullable().openapi({ description: "Admins only (cache-wide); else null" }),
      usedMemoryHuman: z.string().nullable(),
      failures: z.number().int().openapi({ description: "Redis errors this instance has seen (admins; else 0)" }),
    }),
  })
  .openapi("CacheStats");

const restaurantIdField = dbId;

export const warmUpBodySchema = z
  .object({
    restaurantId: restaurantIdField
      .optional()
      .openapi({ description: "Omit to warm every active restaurant (admins)" }),
  })
  .strict()
  .openapi("CacheWarmUpRequest");

export const warmUpResultSchema = z
  .object({ restaurants: z.array(z.number().int()), entries: z.number().int() })
  .openapi("CacheWarmUpResult");

export const invalidateBodySchema = z
  .object({
    restaurantId: restaurantIdField
      .optional()
      .openapi({ description: "Omit to invalidate across restaurants (admins)" }),
    family: cacheFamilySchema.optional().openapi({ description: "Omit to invalidate every family" }),
  })
  .strict()
  .openapi("CacheInvalidateRequest");

export const invalidateResultSchema = z
  .object({ restaurantId: z.number().int().nullable(), family: cacheFamilySchema.nullable() })
  .openapi("CacheInvalidateResult");
