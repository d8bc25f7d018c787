"""C++ spellings of field types, their defaults, and "differs from the default" tests."""

from schema import FIXED_TYPES, INT_TYPES, GenError


def elem_cpp(f):
  if f.elem_kind == 'fixed':
    return FIXED_TYPES[f.elem][0]
  if f.elem_kind == 'string':
    return 'std::string'
  if f.elem_kind == 'bytes':
    return 'std::vector<std::byte>'
  if f.elem_kind == 'records':
    return 'record_set'
  return f.struct.cname


def field_cpp(f, msg, qualify):
  e = elem_cpp(f)
  if f.elem_kind == 'struct' and qualify:
    e = f'{msg.cname}::{e}'
  t = f'std::vector<{e}>' if f.is_array else e
  return f'std::optional<{t}>' if f.nullable_type else t


def cpp_string_literal(s):
  return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'


def int_default(f):
  cpp, _, lo, hi = INT_TYPES[f.elem]
  d = f.default
  value = 0 if d is None else (d if isinstance(d, int) else int(str(d), 0))
  if not lo <= value <= hi:
    raise GenError(f'{f.where}: default {d} of {f.name} does not fit {f.elem}')
  if value == lo and lo < 0:
    return f'std::numeric_limits<{cpp}>::min()', value
  return str(value), value


def default_init(f):
  """The member initializer (without '= '), or None for a value-initialized member."""
  d = f.default
  if f.is_array:
    if d not in (None, ''):
      if d == 'null' and f.nullable_type:
        return None
      raise GenError(f'{f.where}: unsupported default {d!r} for array {f.name}')
    return 'std::in_place' if f.nullable_type else None
  k = f.elem_kind
  if k == 'fixed':
    if f.elem in INT_TYPES:
      return int_default(f)[0]
    if f.elem == 'bool':
      if d in (None, 'false', False):
        return 'false'
      if d in ('true', True):
        return 'true'
      raise GenError(f'{f.where}: bad bool default {d!r}')
    if f.elem == 'float64':
      return repr(float(d)) if d is not None else '0.0'
    if d not in (None, ''):
      raise GenError(f'{f.where}: uuid defaults are not supported')
    return None
  if k == 'string':
    if d == 'null':
      if not f.nullable_type:
        raise GenError(f'{f.where}: null default for non-nullable {f.name}')
      return None
    return cpp_string_literal(d or '') if (f.nullable_type or d) else None
  if k == 'bytes':
    if d == 'null':
      return None
    if d not in (None, ''):
      raise GenError(f'{f.where}: bytes defaults are not supported')
    return 'std::in_place' if f.nullable_type else None
  if k == 'records' or k == 'struct':
    if d not in (None, '', 'null'):
      raise GenError(f'{f.where}: defaults for {f.type} are not supported')
    return None
  raise GenError(f'{f.where}: unknown kind {k}')


def non_default(f, v):
  """A C++ expression that is true when member `v` differs from its default."""
  init = default_init(f)
  if f.elem == 'bool' and not f.is_array:
    return v if init == 'false' else f'!{v}'
  if f.elem_kind == 'fixed' and not f.is_array and f.elem != 'uuid':
    return f'{v} != {init}'
  if f.is_array and not f.nullable_type:
    return f'!{v}.empty()'
  if f.elem_kind == 'string' and not f.nullable_type and init is None:
    return f'!{v}.empty()'
  if f.nullable_type and init is None:
    return f'{v}.has_value()'
  return f'{v} != decltype({v})({init or ""})'
