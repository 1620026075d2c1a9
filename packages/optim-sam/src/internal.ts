/**
 * @samlab/optim-sam/internal: what samlab's own packages share with optim-sam and users do not
 * need (no compatibility promise): the epsilon in the perturbation's norm, which the gradient
 * decomposition reproduces.
 */
export { NORM_EPS } from "./perturbation.js"
