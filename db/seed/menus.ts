/** A dish in its regular size; every dish is also sold as "(Large)" at about 1.35× the price. */
export type Dish = readonly [name: string, priceCents: number];
/** Categories in menu order, each with its dishes. */
export type Menu = readonly (readonly [category: string, dishes: readonly Dish[]])[];

export const HARBOR_NOODLE_MENU: Menu = [
  [
    "Starters",
    [
      ["Pork Dumplings", 799],
      ["Veggie Spring Rolls", 649],
      ["Edamame", 499],
      ["Chicken Satay", 899],
      ["Scallion Pancake", 599],
      ["Crispy Tofu", 699],
    ],
  ],
  [
    "Noodle Soups",
    [
      ["Beef Pho", 1499],
      ["Tonkotsu Ramen", 1599],
      ["Miso Ramen", 1449],
      ["Laksa", 1549],
      ["Chicken Udon Soup", 1399],
      ["Wonton Noodle Soup", 1299],
    ],
  ],
  [
    "Wok Noodles",
    [
      ["Pad Thai", 1399],
      ["Dan Dan Noodles", 1349],
      ["Beef Chow Fun", 1499],
      ["Yaki Udon", 1399],
      ["Singapore Noodles", 1349],
      ["Drunken Noodles", 1449],
    ],
  ],
  [
    "Rice Bowls",
    [
      ["Teriyaki Chicken Bowl", 1299],
      ["Bibimbap", 1449],
      ["Katsu Curry", 1499],
      ["Kung Pao Chicken", 1349],
      ["Mapo Tofu", 1249],
      ["Salmon Poke", 1599],
    ],
  ],
  [
    "Sides",
    [
      ["Steamed Rice", 299],
      ["Kimchi", 399],
      ["Pickled Cucumber", 349],
      ["Garlic Greens", 599],
      ["Soft Egg", 249],
      ["Chili Oil Wontons", 749],
    ],
  ],
  [
    "Drinks",
    [
      ["Thai Iced Tea", 499],
      ["Jasmine Tea", 349],
      ["Lychee Soda", 449],
      ["Yuzu Lemonade", 499],
      ["Sparkling Water", 299],
      ["Matcha Latte", 549],
    ],
  ],
];

export const PIZZERIA_SOLE_MENU: Menu = [
  [
    "Antipasti",
    [
      ["Garlic Knots", 599],
      ["Burrata", 1299],
      ["Arancini", 899],
      ["Fried Calamari", 1399],
      ["Bruschetta", 799],
      ["Meatballs", 1099],
    ],
  ],
  [
    "Classic Pizzas",
    [
      ["Margherita", 1499],
      ["Pepperoni", 1649],
      ["Quattro Formaggi", 1699],
      ["Marinara", 1299],
      ["Funghi", 1599],
      ["Hawaiian", 1649],
    ],
  ],
  [
    "Specialty Pizzas",
    [
      ["Diavola", 1799],
      ["Prosciutto e Rucola", 1899],
      ["Sausage & Fennel", 1849],
      ["Truffle Bianca", 1999],
      ["Veggie Supreme", 1749],
      ["BBQ Chicken", 1799],
    ],
  ],
  [
    "Pasta",
    [
      ["Spaghetti Carbonara", 1599],
      ["Penne Arrabbiata", 1399],
      ["Lasagna", 1699],
      ["Fettuccine Alfredo", 1549],
      ["Gnocchi Pomodoro", 1499],
      ["Rigatoni Bolognese", 1649],
    ],
  ],
  [
    "Salads",
    [
      ["Caesar Salad", 1099],
      ["Caprese", 1199],
      ["Arugula & Parmesan", 999],
      ["Chopped Salad", 1149],
      ["Panzanella", 1049],
      ["Greek Salad", 1099],
    ],
  ],
  [
    "Desserts & Drinks",
    [
      ["Tiramisu", 799],
      ["Cannoli", 599],
      ["Panna Cotta", 699],
      ["San Pellegrino", 349],
      ["Italian Soda", 399],
      ["Espresso", 299],
    ],
  ],
];

export const GREEN_BOWL_MENU: Menu = [
  [
    "Breakfast",
    [
      ["Avocado Toast", 1099],
      ["Acai Bowl", 1199],
      ["Overnight Oats", 799],
      ["Breakfast Burrito", 1149],
      ["Chia Pudding", 749],
      ["Egg White Scramble", 1049],
    ],
  ],
  [
    "Grain Bowls",
    [
      ["Harvest Bowl", 1399],
      ["Falafel Bowl", 1349],
      ["Miso Salmon Bowl", 1599],
      ["Chipotle Chicken Bowl", 1449],
      ["Tofu Power Bowl", 1299],
      ["Mediterranean Bowl", 1399],
    ],
  ],
  [
    "Salads",
    [
      ["Kale Caesar", 1199],
      ["Cobb Salad", 1349],
      ["Quinoa Crunch", 1249],
      ["Beet & Goat Cheese", 1199],
      ["Thai Peanut Salad", 1299],
      ["Nicoise", 1449],
    ],
  ],
  [
    "Wraps",
    [
      ["Chicken Pesto Wrap", 1149],
      ["Hummus Veggie Wrap", 999],
      ["Turkey Club Wrap", 1199],
      ["Buffalo Cauliflower Wrap", 1099],
      ["Steak Wrap", 1349],
      ["Tuna Wrap", 1149],
    ],
  ],
  [
    "Smoothies",
    [
      ["Green Machine", 899],
      ["Berry Blast", 849],
      ["Peanut Butter Banana", 899],
      ["Mango Turmeric", 849],
      ["Cacao Recovery", 949],
      ["Tropical Sunrise", 849],
    ],
  ],
  [
    "Juices & Coffee",
    [
      ["Cold Brew", 499],
      ["Oat Latte", 599],
      ["Fresh Orange Juice", 649],
      ["Ginger Shot", 399],
      ["Celery Juice", 699],
      ["Kombucha", 549],
    ],
  ],
];

export const TACO_LOCO_MENU: Menu = [
  [
    "Tacos",
    [
      ["Al Pastor Taco", 399],
      ["Carnitas Taco", 399],
      ["Baja Fish Taco", 449],
      ["Carne Asada Taco", 449],
      ["Nopales Taco", 349],
      ["Birria Taco", 499],
    ],
  ],
  [
    "Drinks",
    [
      ["Horchata", 349],
      ["Jamaica", 349],
      ["Mexican Coke", 399],
      ["Tamarindo", 349],
      ["Limonada", 349],
      ["Agua Fresca", 349],
    ],
  ],
];
