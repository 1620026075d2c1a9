import type { GradientTransformation } from "@samlab/core-tensor"
import { type JacobianRegularizedMethod, jacobianRegularized } from "./method.js"
import type { JacobianPenaltyOptions } from "./options.js"

export interface MakeJacobianRegOptions<S> extends Partial<JacobianPenaltyOptions> {
  readonly base: GradientTransformation<S>
}

/** The lambdas of the reference runs (best of 1e-3..3e-2 in the reference results, `../shared/reference` beside the repository). */
export const defaultLambdas = { lambdaFeatures: 1e-2, lambdaHead: 1e-2 } as const

/**
 * The method the benchmark and pipelines build by key "jacreg": `jacobianRegularized` with
 * `defaultLambdas` for any lambda left out.
 */
export const makeJacobianRegMethod = <S>(options: MakeJacobianRegOptions<S>): JacobianRegularizedMethod<S> =>
  jacobianRegularized({ ...options, lambdaFeatures: options.lambdaFeatures ?? defaultLambdas.lambdaFeatures, lambdaHead: options.lambdaHead ?? defaultLambdas.lambdaHead })
