import { relations } from "drizzle-orm";
import {
  branches,
  customers,
  deliveries,
  loyaltyPrograms,
  loyaltyRules,
  menuCategories,
  menuItemBranchOverrides,
  menuItems,
  orderItems,
  orders,
  payments,
  posConnections,
  restaurantMembers,
  restaurants,
  users,
} from "./schema";

export const restaurantsRelations = relations(restaurants, ({ many }) => ({
  branches: many(branches),
  categories: many(menuCategories),
  members: many(restaurantMembers),
  posConnections: many(posConnections),
}));

export const usersRelations = relations(users, ({ many }) => ({ memberships: many(restaurantMembers) }));

export const restaurantMembersRelations = relations(restaurantMembers, ({ one }) => ({
  restaurant: one(restaurants, { fields: [restaurantMembers.restaurantId], references: [restaurants.id] }),
  user: one(users, { fields: [restaurantMembers.userId], references: [users.id] }),
}));

export const branchesRelations = relations(branches, ({ one }) => ({
  restaurant: one(restaurants, { fields: [branches.restaurantId], references: [restaurants.id] }),
}));

export const menuCategoriesRelations = relations(menuCategories, ({ one, many }) => ({
  restaurant: one(restaurants, { fields: [menuCategories.restaurantId], references: [restaurants.id] }),
  items: many(menuItems),
}));

export const menuItemsRelations = relations(menuItems, ({ one, many }) => ({
  category: one(menuCategories, { fields: [menuItems.categoryId], references: [menuCategories.id] }),
  branchOverrides: many(menuItemBranchOverrides),
}));

export const menuItemBranchOverridesRelations = relations(menuItemBranchOverrides, ({ one }) => ({
  item: one(menuItems, { fields: [menuItemBranchOverrides.menuItemId], references: [menuItems.id] }),
}));

export const ordersRelations = relations(orders, ({ one, many }) => ({
  restaurant: one(restaurants, { fields: [orders.restaurantId], references: [restaurants.id] }),
  customer: one(customers, { fields: [orders.customerId], references: [customers.id] }),
  items: many(orderItems),
  payments: many(payments),
  delivery: one(deliveries, { fields: [orders.id], references: [deliveries.orderId] }),
}));

export const orderItemsRelations = relations(orderItems, ({ one }) => ({
  order: one(orders, { fields: [orderItems.orderId], references: [orders.id] }),
}));

export const paymentsRelations = relations(payments, ({ one }) => ({
  order: one(orders, { fields: [payments.orderId], references: [orders.id] }),
}));

export const deliveriesRelations = relations(deliveries, ({ one }) => ({
  order: one(orders, { fields: [deliveries.orderId], references: [orders.id] }),
}));

export const posConnectionsRelations = relations(posConnections, ({ one }) => ({
  restaurant: one(restaurants, { fields: [posConnections.restaurantId], references: [restaurants.id] }),
}));

export const loyaltyProgramsRelations = relations(loyaltyPrograms, ({ many }) => ({ rules: many(loyaltyRules) }));

export const loyaltyRulesRelations = relations(loyaltyRules, ({ one }) => ({
  program: one(loyaltyPrograms, { fields: [loyaltyRules.programId], references: [loyaltyPrograms.id] }),
}));
