import { z } from "zod";

/**
 * The subset of the Toast APIs we read (https://doc.toasttab.com/openapi):
 * authentication, orders v2, menus v2 and stock v1.
 */

/** POST /authentication/v1/authentication/login → `{ token, status }`. */
export const toastLoginResponseSchema = z.object({
  token: z.object({
    tokenType: z.string(),
    scope: z.string().nullish(),
    /** Seconds the token stays valid. */
    expiresIn: z.number(),
    accessToken: z.string(),
  }),
  status: z.string(),
});
export type ToastLoginResponse = z.infer<typeof toastLoginResponseSchema>;

export const toastFulfillmentStatusSchema = z.enum(["NEW", "HOLD", "SENT", "READY"]);

export const toastPaymentSchema = z.object({
  guid: z.string(),
  externalId: z.string().nullish(),
  type: z.string(),
  amount: z.number(),
  paymentStatus: z.string().nullish(),
});
export type ToastPayment = z.infer<typeof toastPaymentSchema>;

export const toastCheckSchema = z.object({
  guid: z.string(),
  externalId: z.string().nullish(),
  totalAmount: z.number().nullish(),
  paymentStatus: z.string().nullish(),
  closedDate: z.string().nullish(),
  selections: z
    .array(
      z.object({
        guid: z.string(),
        item: z.object({ guid: z.string() }).nullish(),
        quantity: z.number(),
        price: z.number().nullish(),
        fulfillmentStatus: toastFulfillmentStatusSchema.nullish(),
      }),
    )
    .default([]),
  payments: z.array(toastPaymentSchema).default([]),
});
export type ToastCheck = z.infer<typeof toastCheckSchema>;

export const toastOrderSchema = z.object({
  guid: z.string(),
  externalId: z.string().nullish(),
  approvalStatus: z.string().nullish(),
  voided: z.boolean().nullish(),
  closedDate: z.string().nullish(),
  deliveryInfo: z.object({ deliveryState: z.string().nullish() }).nullish(),
  checks: z.array(toastCheckSchema).default([]),
});
export type ToastOrder = z.infer<typeof toastOrderSchema>;

const toastMenuItemSchema = z.object({
  guid: z.string(),
  name: z.string(),
  description: z.string().nullish(),
  /** Dollars; null when the price depends on a size or time pricing rule. */
  price: z.number().nullish(),
});

type ToastMenuGroup = {
  guid: string;
  name: string;
  menuItems: z.infer<typeof toastMenuItemSchema>[];
  menuGroups: ToastMenuGroup[];
};

export const toastMenuGroupSchema: z.ZodType<ToastMenuGroup> = z.lazy(() =>
  z.object({
    guid: z.string(),
    name: z.string(),
    menuItems: z.array(toastMenuItemSchema).default([]),
    menuGroups: z.array(toastMenuGroupSchema).default([]),
  }),
);

/** GET /menus/v2/menus → the restaurant's published menus, fully resolved. */
export const toastMenusResponseSchema = z.object({
  restaurantGuid: z.string(),
  lastUpdated: z.string().nullish(),
  menus: z.array(
    z.object({ guid: z.string(), name: z.string(), menuGroups: z.array(toastMenuGroupSchema).default([]) }),
  ),
});
export type ToastMenusResponse = z.infer<typeof toastMenusResponseSchema>;

/** GET /menus/v2/metadata: when the menus were last published (our health probe). */
export const toastMenusMetadataSchema = z.object({ restaurantGuid: z.string(), lastUpdated: z.string().nullish() });

export const toastStockStatusSchema = z.enum(["IN_STOCK", "QUANTITY", "OUT_OF_STOCK"]);

/** GET /stock/v1/inventory → a MenuItemInventory per item that is limited or out of stock. */
export const toastInventoryResponseSchema = z.array(
  z.object({
    guid: z.string(),
    status: toastStockStatusSchema,
    quantity: z.number().nullish(),
    multiLocationId: z.string().nullish(),
    versionId: z.string().nullish(),
  }),
);
export type ToastInventoryResponse = z.infer<typeof toastInventoryResponseSchema>;

/** Toast's error body. */
export const toastErrorBodySchema = z.object({
  status: z.number().optional(),
  code: z.union([z.number(), z.string()]).optional(),
  message: z.string().optional(),
  messageKey: z.string().nullish(),
  developerMessage: z.string().nullish(),
  requestId: z.string().nullish(),
});
export type ToastErrorBody = z.infer<typeof toastErrorBodySchema>;
