// Gate parameter expressions: names bound to the enclosing gate's parameters once, when the
// definition is read, then evaluated as plain arithmetic at every expansion.

import type { BinaryOperator, Expression } from './ast.ts'
import { QasmError } from './errors.ts'

const FUNCTIONS: Readonly<Record<string, (x: number) => number>> = {
  sin: Math.sin,
  cos: Math.cos,
  tan: Math.tan,
  exp: Math.exp,
  ln: Math.log,
  sqrt: Math.sqrt,
  arcsin: Math.asin,
  arccos: Math.acos,
  arctan: Math.atan,
}

/**
 * `expression` with every name replaced by the index of that name in `params`; a name that is
 * not there is refused. `context` completes the message ("in gate 'g'").
 */
export function bindNames(
  expression: Expression,
  params: readonly string[],
  file: string,
  context: string,
): Expression {
  switch (expression.kind) {
    case 'number':
    case 'parameter':
      return expression
    case 'name': {
      const index = params.indexOf(expression.name)
      if (index >= 0) return { kind: 'parameter', index, at: expression.at }
      const { name, at } = expression
      throw new QasmError(
        { code: 'QASM_UNDECLARED', file, line: at.line, column: at.column, name },
        params.length === 0
          ? `unknown name '${name}' ${context}; a parameter here is a number, 'pi', or an expression of them`
          : `unknown name '${name}' ${context}; its parameters are ${params.map((p) => `'${p}'`).join(', ')}`,
      )
    }
    case 'negate':
      return { ...expression, operand: bindNames(expression.operand, params, file, context) }
    case 'binary':
      return {
        ...expression,
        left: bindNames(expression.left, params, file, context),
        right: bindNames(expression.right, params, file, context),
      }
    case 'call':
      return { ...expression, argument: bindNames(expression.argument, params, file, context) }
  }
}

/** The value of a bound expression; `params` are the enclosing gate's parameter values. */
export function evaluate(expression: Expression, params: readonly number[]): number {
  switch (expression.kind) {
    case 'number':
      return expression.value
    case 'parameter':
      return params[expression.index] ?? Number.NaN
    case 'name':
      // Unreachable once bound; NaN is then refused as a non-finite parameter.
      return Number.NaN
    case 'negate':
      return -evaluate(expression.operand, params)
    case 'binary':
      return apply(expression.operator, evaluate(expression.left, params), evaluate(expression.right, params))
    case 'call': {
      const f = FUNCTIONS[expression.name]
      return f === undefined ? Number.NaN : f(evaluate(expression.argument, params))
    }
  }
}

function apply(operator: BinaryOperator, left: number, right: number): number {
  switch (operator) {
    case '+':
      return left + right
    case '-':
      return left - right
    case '*':
      return left * right
    case '/':
      return left / right
    case '^':
      return left ** right
  }
}
