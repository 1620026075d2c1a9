/** CIFAR-10 classes, in label order (batches.meta.txt). */
export const CIFAR10_CLASSES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"] as const

/** CIFAR-100 fine classes, in label order (fine_label_names.txt: alphabetical). */
export const CIFAR100_CLASSES = [
  "apple", "aquarium_fish", "baby", "bear", "beaver", "bed", "bee", "beetle", "bicycle", "bottle",
  "bowl", "boy", "bridge", "bus", "butterfly", "camel", "can", "castle", "caterpillar", "cattle",
  "chair", "chimpanzee", "clock", "cloud", "cockroach", "couch", "crab", "crocodile", "cup", "dinosaur",
  "dolphin", "elephant", "flatfish", "forest", "fox", "girl", "hamster", "house", "kangaroo", "keyboard",
  "lamp", "lawn_mower", "leopard", "lion", "lizard", "lobster", "man", "maple_tree", "motorcycle", "mountain",
  "mouse", "mushroom", "oak_tree", "orange", "orchid", "otter", "palm_tree", "pear", "pickup_truck", "pine_tree",
  "plain", "plate", "poppy", "porcupine", "possum", "rabbit", "raccoon", "ray", "road", "rocket",
  "rose", "sea", "seal", "shark", "shrew", "skunk", "skyscraper", "snail", "snake", "spider",
  "squirrel", "streetcar", "sunflower", "sweet_pepper", "table", "tank", "telephone", "television", "tiger", "tractor",
  "train", "trout", "tulip", "turtle", "wardrobe", "whale", "willow_tree", "wolf", "woman", "worm"
] as const

/** CIFAR-100 superclasses, in coarse label order (coarse_label_names.txt: alphabetical), with their five members. */
const SUPERCLASSES: ReadonlyArray<readonly [string, readonly string[]]> = [
  ["aquatic_mammals", ["beaver", "dolphin", "otter", "seal", "whale"]],
  ["fish", ["aquarium_fish", "flatfish", "ray", "shark", "trout"]],
  ["flowers", ["orchid", "poppy", "rose", "sunflower", "tulip"]],
  ["food_containers", ["bottle", "bowl", "can", "cup", "plate"]],
  ["fruit_and_vegetables", ["apple", "mushroom", "orange", "pear", "sweet_pepper"]],
  ["household_electrical_devices", ["clock", "keyboard", "lamp", "telephone", "television"]],
  ["household_furniture", ["bed", "chair", "couch", "table", "wardrobe"]],
  ["insects", ["bee", "beetle", "butterfly", "caterpillar", "cockroach"]],
  ["large_carnivores", ["bear", "leopard", "lion", "tiger", "wolf"]],
  ["large_man-made_outdoor_things", ["bridge", "castle", "house", "road", "skyscraper"]],
  ["large_natural_outdoor_scenes", ["cloud", "forest", "mountain", "plain", "sea"]],
  ["large_omnivores_and_herbivores", ["camel", "cattle", "chimpanzee", "elephant", "kangaroo"]],
  ["medium_mammals", ["fox", "porcupine", "possum", "raccoon", "skunk"]],
  ["non-insect_invertebrates", ["crab", "lobster", "snail", "spider", "worm"]],
  ["people", ["baby", "boy", "girl", "man", "woman"]],
  ["reptiles", ["crocodile", "dinosaur", "lizard", "snake", "turtle"]],
  ["small_mammals", ["hamster", "mouse", "rabbit", "shrew", "squirrel"]],
  ["trees", ["maple_tree", "oak_tree", "palm_tree", "pine_tree", "willow_tree"]],
  ["vehicles_1", ["bicycle", "bus", "motorcycle", "pickup_truck", "train"]],
  ["vehicles_2", ["lawn_mower", "rocket", "streetcar", "tank", "tractor"]]
]

export const CIFAR100_COARSE_CLASSES: readonly string[] = SUPERCLASSES.map(([name]) => name)

/** Superclass (coarse label) of each CIFAR-100 fine label. */
export const CIFAR100_FINE_TO_COARSE: readonly number[] = (() => {
  const out = new Array<number>(CIFAR100_CLASSES.length).fill(-1)
  SUPERCLASSES.forEach(([, members], coarse) => {
    for (const m of members) out[(CIFAR100_CLASSES as readonly string[]).indexOf(m)] = coarse
  })
  return out
})()
