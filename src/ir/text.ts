/**
 * C spelling of IR types, shared by every writer that prints C declarations (cffi,
 * cython, lua, prompt). Function pointers come out as valid C, which the original
 * got wrong (B-BE-7: `int (**cb)(int)`, `int(*)(int) fn`).
 */
import type {Parameter, TypeExpr} from './types.js'

function quals(list: string[] | undefined): string {
  return list && list.length > 0 ? `${list.join(' ')} ` : ''
}

/**
 * Declares `name` with type `t` in C: `declareC({pointer to int}, 'p')` -> `int *p`;
 * an empty name gives the abstract declarator (`int (*)(int)`).
 */
export function declareC(t: TypeExpr, name: string): string {
  return render(t, name)
}

export function typeToC(t: TypeExpr): string {
  return render(t, '')
}

function paramsToC(params: Parameter[], variadic: boolean, noPrototype?: boolean): string {
  if (noPrototype) return ''
  const list = params.map((p) => declareC(p.type, p.name ?? ''))
  if (variadic) list.push('...')
  return list.length === 0 ? 'void' : list.join(', ')
}

function render(t: TypeExpr, inner: string): string {
  switch (t.kind) {
    case 'ctype':
      return `${quals(t.qualifiers)}${t.name}${inner ? ` ${inner}` : ''}`
    case 'pointer': {
      const q = t.qualifiers && t.qualifiers.length > 0 ? `${t.qualifiers.join(' ')}${inner ? ' ' : ''}` : ''
      const decl = `*${q}${inner}`
      const needsParens = t.pointee.kind === 'array' || t.pointee.kind === 'function_pointer'
      return render(t.pointee, needsParens ? `(${decl})` : decl)
    }
    case 'array': {
      const size = t.size === undefined ? '' : String(t.size)
      return render(t.element_type, `${inner}[${size}]`)
    }
    case 'function_pointer':
      return render(t.return_type, `${inner}(${paramsToC(t.parameters, t.is_variadic, t.no_prototype)})`)
  }
}
