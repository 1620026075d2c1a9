/** Operation codes shared with the addon (native/src/elementwise.h, reduce.h); keep in step. */
export enum UnaryOp {
  Relu = 0,
  Relu6 = 1,
  LeakyRelu = 2,
  Step = 3,
  Neg = 4,
  Abs = 5,
  Square = 6,
  Sqrt = 7,
  Rsqrt = 8,
  Exp = 9,
  Log = 10,
  Sigmoid = 11,
  Tanh = 12,
  Elu = 13,
  Reciprocal = 14,
  Linear = 15
}

export enum BinaryOp {
  Add = 0,
  Sub = 1,
  Mul = 2,
  Div = 3,
  Max = 4,
  Min = 5,
  SquaredDifference = 6
}

export enum ReduceOp {
  Sum = 0,
  Max = 1,
  Min = 2,
  Mean = 3
}

export enum CompareOp {
  Greater = 0,
  GreaterEqual = 1,
  Less = 2,
  LessEqual = 3,
  Equal = 4,
  NotEqual = 5
}

export enum LogicalOp {
  And = 0,
  Or = 1
}
