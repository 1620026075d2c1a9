/**
 * The parts of @samlab/data-noisy-cifar that run anywhere JavaScript runs (a browser, a worker,
 * Node): decoding CIFAR binary records from bytes the caller has, label noise, stratified
 * subsets, augmentation, normalisation and seeded batching. Reading folders, downloading and
 * caching are Node-only and live in the main entry. Bundlers that honour the "browser"
 * export condition take this file for `@samlab/data-noisy-cifar`.
 */
export {
  ArchiveChecksumError,
  ArchiveFormatError,
  CacheCorruptError,
  CifarFileMissingError,
  CifarFileSizeError,
  CifarLabelError,
  DatasetUnavailableError,
  InvalidOptionError,
  SubsetError,
  TransitionMatrixError
} from "./errors.js"
export {
  CHANNELS,
  type Dataset,
  type DatasetName,
  type DatasetSplits,
  IMAGE_BYTES,
  IMAGE_SIZE,
  PIXELS,
  type Split,
  classCounts,
  selectExamples
} from "./dataset.js"
export { CIFAR100_CLASSES, CIFAR100_COARSE_CLASSES, CIFAR100_FINE_TO_COARSE, CIFAR10_CLASSES } from "./class-names.js"
export { CIFAR100_RECORD, CIFAR10_RECORD, type DecodedRecords, decodeCifar100Into, decodeCifar10Into, recordCount } from "./format/records.js"
export { type TransitionMatrix, empiricalTransition, pairFlipMatrix, symmetricAllMatrix, symmetricMatrix } from "./noise/transition.js"
export { CIFAR100_ASYMMETRIC_TARGETS, CIFAR10_ASYMMETRIC_TARGETS, asymmetricTargets } from "./noise/asymmetric.js"
export { type NoiseKind, type NoiseModel, type NoiseSpec, noiseModel } from "./noise/model.js"
export { type LabelNoiseOptions, type NoiseMode, type NoisyLabels, applyLabelNoise } from "./noise/apply.js"
export { type SubsetSize, holdOutValidation, randomIndices, stratifiedIndices } from "./subset/stratified.js"
export { type CropFlipDraw, type CropFlipOptions, cropFlipInto, drawCropFlip } from "./augment/crop-flip.js"
export { CIFAR10_STATS, type ChannelStats, channelStats } from "./augment/normalize.js"
export { Batcher, type BatcherOptions, type CifarBatch } from "./batch/batcher.js"
