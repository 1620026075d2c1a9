/** True once the module has run: tfjs-core's gradient functions are registered. */
export declare const tfjsGradientsRegistered: boolean
