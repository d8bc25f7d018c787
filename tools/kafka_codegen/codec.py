"""The bodies of the generated decode() and encode() functions."""

import re

from cpp_types import non_default
from schema import FIXED_TYPES, GenError
from text import COLUMNS, function


# ---------------------------------------------------------------------------------------------
# Version conditions
# ---------------------------------------------------------------------------------------------

def cond(present, reach):
  """A C++ expression over `version` that is true for the versions in `present` and false for the
  other versions in `reach` (versions outside `reach` never get here, so they may go either way)."""
  present = present & reach
  if present == reach:
    return 'true'
  if not present:
    return 'false'
  lo, hi = min(present), max(present)
  at_least = {v for v in reach if v >= lo}
  at_most = {v for v in reach if v <= hi}
  if at_least == present:
    return f'version >= {lo}'
  if at_most == present:
    return f'version <= {hi}'
  if at_least & at_most == present:
    return f'(version >= {lo} && version <= {hi})'
  runs, run = [], []
  for v in sorted(reach):
    if v in present:
      run.append(v)
    elif run:
      runs.append(run)
      run = []
  if run:
    runs.append(run)
  parts = [f'version == {r[0]}' if len(r) == 1 else f'(version >= {r[0]} && version <= {r[-1]})'
           for r in runs]
  return '(' + ' || '.join(parts) + ')'


def wrap_if(condition, lines, indent):
  """Guards `lines` by `condition` (skipping the if when it is always true)."""
  if condition == 'true':
    return lines
  if condition == 'false':
    return []
  c = condition[1:-1] if condition.startswith('(') and condition.endswith(')') and \
      condition.count('(') == 1 else condition
  if len(lines) == 1 and 'SLUICE_ASSIGN_OR_RETURN' not in lines[0] and \
      not lines[0].lstrip().startswith('for ') and len(indent) + 4 + len(c) + 2 + len(lines[0].strip()) <= COLUMNS:
    return [f'{indent}if ({c}) {lines[0].strip()}']
  if lines[0].strip() == '{' and lines[-1].strip() == '}':
    return [f'{indent}if ({c}) {{'] + lines[1:-1] + [f'{indent}}}']
  return [f'{indent}if ({c}) {{'] + ['  ' + l for l in lines] + [f'{indent}}}']


class Context:
  """Where a field is coded: the versions its struct can appear in and the struct's flexibility."""

  def __init__(self, msg, struct):
    self.msg = msg
    self.reach = struct.reach
    self.flexible = cond(self.msg.flexible.within(self.reach), self.reach)

  def compact(self, f):
    if f.flex_override is not None:
      return cond(f.flex_override.within(self.reach) & self.msg.flexible.within(self.reach), self.reach)
    return 'flexible' if self.flexible not in ('true', 'false') else self.flexible

  def present(self, f):
    return f.versions.within(self.reach)

  def nullable(self, f, present):
    return cond(f.nullable.within(present), present)


# ---------------------------------------------------------------------------------------------
# Wire sizes (for the array-length sanity check before anything is allocated)
# ---------------------------------------------------------------------------------------------

def min_size_of_elem(f, version, compact, msg_flexible):
  k = f.elem_kind
  if k == 'fixed':
    return FIXED_TYPES[f.elem][1]
  if k == 'string':
    return 1 if compact else 2
  if k in ('bytes', 'records'):
    return 1 if compact else 4
  return min_size_of_struct(f.struct, version, msg_flexible)


def min_size_of_struct(s, version, msg_flexible):
  total = 1 if msg_flexible.contains(version) else 0
  for f in s.fields:
    if not f.versions.contains(version) or f.tagged.contains(version):
      continue
    compact = msg_flexible.contains(version) and (f.flex_override is None or
                                                  f.flex_override.contains(version))
    if f.is_array:
      total += 1 if compact else 4
    else:
      total += min_size_of_elem(f, version, compact, msg_flexible)
  return total


def min_elem_size(msg, f, present):
  sizes = []
  for v in present:
    compact = msg.flexible.contains(v) and (f.flex_override is None or f.flex_override.contains(v))
    sizes.append(min_size_of_elem(f, v, compact, msg.flexible))
  size = min(sizes)
  if size < 1:
    raise GenError(f'{f.where}: elements of {f.name} can be empty; the array-length check needs >= 1')
  return size


# ---------------------------------------------------------------------------------------------
# Decode and encode bodies
# ---------------------------------------------------------------------------------------------

def read_call(kind, elem, compact, nullable):
  if kind == 'fixed':
    return {'bool': 'read_bool()', 'float64': 'read_float64()', 'uuid': 'read_uuid()'}.get(
        elem, f'read_{elem}()')
  if kind == 'records':
    return f'read_records({compact})'
  prefix = 'read_nullable_' if nullable == 'true' else 'read_'
  if nullable not in ('true', 'false'):
    return None
  return f'{prefix}{"string" if kind == "string" else "bytes"}({compact})'


def decode_value(f, dst, rd, ctx, present, indent):
  """Lines that decode field `f` (present in `present` versions) from reader `rd` into `dst`."""
  compact = ctx.compact(f)
  nullable = ctx.nullable(f, present)
  if f.is_array:
    size = min_elem_size(ctx.msg, f, present)
    if f.elem_kind == 'struct':
      elem = f'SLUICE_RETURN_IF_ERROR({{v}}emplace_back().decode({rd}, version));'
    else:
      elem = f'SLUICE_ASSIGN_OR_RETURN({{v}}emplace_back(), {rd}.{read_call(f.elem_kind, f.elem, compact, "false")});'
    if not f.nullable_type:
      return [f'{indent}{{',
              f'{indent}  SLUICE_ASSIGN_OR_RETURN(const std::int32_t array_length, {rd}.read_array_length({compact}, {size}));',
              f'{indent}  for (std::int32_t i = 0; i < array_length; ++i) {{',
              f'{indent}    ' + elem.format(v=dst + '.'),
              f'{indent}  }}',
              f'{indent}}}']
    lines = [f'{indent}{{']
    if nullable == 'false':
      lines.append(f'{indent}  SLUICE_ASSIGN_OR_RETURN(const std::int32_t array_length, '
                   f'{rd}.read_array_length({compact}, {size}));')
    else:
      lines.append(f'{indent}  SLUICE_ASSIGN_OR_RETURN(const std::int32_t array_length, '
                   f'{rd}.read_nullable_array_length({compact}, {size}));')
      if nullable != 'true':
        lines.append(f'{indent}  if (array_length < 0 && !({nullable})) return null_in_non_nullable_field();')
    return lines + [f'{indent}  {dst}.reset();',
                    f'{indent}  if (array_length >= 0) {dst}.emplace();',
                    f'{indent}  for (std::int32_t i = 0; i < array_length; ++i) {{',
                    f'{indent}    ' + elem.format(v=dst + '->'),
                    f'{indent}  }}',
                    f'{indent}}}']
  if f.elem_kind == 'struct':
    return [f'{indent}SLUICE_RETURN_IF_ERROR({dst}.decode({rd}, version));']
  call = read_call(f.elem_kind, f.elem, compact, nullable)
  if call is None:
    return [f'{indent}if ({nullable}) {{',
            f'{indent}  SLUICE_ASSIGN_OR_RETURN({dst}, {rd}.{read_call(f.elem_kind, f.elem, compact, "true")});',
            f'{indent}}} else {{',
            f'{indent}  SLUICE_ASSIGN_OR_RETURN({dst}, {rd}.{read_call(f.elem_kind, f.elem, compact, "false")});',
            f'{indent}}}']
  return [f'{indent}SLUICE_ASSIGN_OR_RETURN({dst}, {rd}.{call});']


def write_elem(f, v, wr, compact):
  k = f.elem_kind
  if k == 'fixed':
    name = {'float64': 'float64', 'uuid': 'uuid'}.get(f.elem, f.elem)
    return f'{wr}.write_{name}({v});'
  if k == 'string':
    return f'{wr}.write_string({v}, {compact});'
  if k == 'bytes':
    return f'{wr}.write_bytes({v}, {compact});'
  if k == 'struct':
    return f'{v}.encode({wr}, version);'
  raise GenError(f'{f.where}: cannot write {f.type}')


def encode_value(f, src, wr, ctx, present, indent):
  """Lines that encode member `src` of field `f` to writer `wr`."""
  compact = ctx.compact(f)
  nullable = ctx.nullable(f, present)
  if f.is_array:
    loop_src = src if not f.nullable_type else f'*{src}'
    loop = [f'{indent}for (const auto& e : {loop_src}) {write_elem(f, "e", wr, compact)}']
    if not f.nullable_type:
      return [f'{indent}{wr}.write_array_length({src}.size(), {compact});'] + loop
    if nullable == 'false':
      # A null array in a version that cannot say null: the closest it can say is empty.
      return [f'{indent}{wr}.write_array_length({src} ? {src}->size() : 0, {compact});',
              f'{indent}if ({src}) {{'] + ['  ' + l for l in loop] + [f'{indent}}}']
    null_test = f'!{src}' if nullable == 'true' else f'!{src} && {nullable}'
    return ([f'{indent}if ({null_test}) {{',
             f'{indent}  {wr}.write_null_array({compact});',
             f'{indent}}} else {{',
             f'{indent}  {wr}.write_array_length({src} ? {src}->size() : 0, {compact});',
             f'{indent}  if ({src}) {{'] + ['    ' + l for l in loop] + [f'{indent}  }}', f'{indent}}}'])
  k = f.elem_kind
  if k == 'records':
    return [f'{indent}{wr}.write_records({src}, {compact});']
  if k in ('string', 'bytes') and f.nullable_type:
    what = 'string' if k == 'string' else 'bytes'
    if nullable == 'true':
      return [f'{indent}{wr}.write_nullable_{what}({src}, {compact});']
    # Null where this version cannot say null: written as empty, the closest it can say.
    plain = f'{indent}{wr}.write_{what}(or_empty({src}), {compact});'
    if nullable == 'false':
      return [plain]
    return [f'{indent}if ({nullable}) {{',
            f'{indent}  {wr}.write_nullable_{what}({src}, {compact});',
            f'{indent}}} else {{',
            '  ' + plain,
            f'{indent}}}']
  return [f'{indent}{write_elem(f, src, wr, compact)}']


def decode_body(msg, s):
  ctx = Context(msg, s)
  prefix = []
  if s.top:
    prefix += ['  if (version < min_version || version > max_version) {',
               f'    return unsupported_version("{msg.name}", version);',
               '  }']
  prefix.append('  *this = {};')
  lines = []
  tagged = []
  for f in s.fields:
    present = ctx.present(f)
    if f.tag is not None:
      tagged_present = f.tagged.within(present)
      untagged = present - tagged_present
      if tagged_present:
        tagged.append((f, tagged_present))
    else:
      untagged = present
    if untagged:
      lines += wrap_if(cond(untagged, ctx.reach), decode_value(f, f.cname, 'r', ctx, untagged, '  '), '  ')
  if ctx.flexible != 'false':
    body = decode_tagged(ctx, tagged)
    lines += wrap_if(ctx.flexible if ctx.flexible == 'true' else 'flexible', body, '  ')
  lines.append('  return {};')
  return prefix + flexible_local(ctx, lines) + lines


def decode_tagged(ctx, tagged):
  if not tagged:
    return ['  SLUICE_RETURN_IF_ERROR(r.skip_tagged_fields());']
  lines = ['  SLUICE_ASSIGN_OR_RETURN(const std::uint32_t tag_count, r.read_tag_count());',
           '  for (std::uint32_t tag_index = 0; tag_index < tag_count; ++tag_index) {',
           '    SLUICE_ASSIGN_OR_RETURN(const std::uint32_t tag, r.read_unsigned_varint());',
           '    SLUICE_ASSIGN_OR_RETURN(const bytes_view field, r.read_tagged_field());',
           '    reader field_reader(field);',
           '    switch (tag) {']
  for f, present in sorted(tagged, key=lambda t: t[0].tag):
    body = decode_value(f, f.cname, 'field_reader', ctx, present, '        ')
    lines.append(f'      case {f.tag}: {{')
    lines += wrap_if(cond(present, ctx.reach), body, '        ')
    lines += ['        break;', '      }']
  lines += ['      default:',
            '        break;  // a tag from a newer version: skipped, as the protocol intends',
            '    }',
            '  }']
  return lines


def encode_body(msg, s):
  ctx = Context(msg, s)
  prefix = []
  if s.top:
    prefix.append('  SLUICE_ASSERT(version >= min_version && version <= max_version, "unsupported version");')
  lines = []
  tagged = []
  for f in s.fields:
    present = ctx.present(f)
    if f.tag is not None:
      tagged_present = f.tagged.within(present)
      untagged = present - tagged_present
      if tagged_present:
        tagged.append((f, tagged_present))
    else:
      untagged = present
    # Fields absent from this version are skipped even when set (Kafka's "ignorable" rule; we
    # never fail an encode for it).
    if untagged:
      lines += wrap_if(cond(untagged, ctx.reach), encode_value(f, f.cname, 'w', ctx, untagged, '  '), '  ')
  if ctx.flexible != 'false':
    lines += wrap_if(ctx.flexible if ctx.flexible == 'true' else 'flexible', encode_tagged(ctx, tagged), '  ')
  return prefix + flexible_local(ctx, lines) + lines


def encode_tagged(ctx, tagged):
  if not tagged:
    return ['  w.write_unsigned_varint(0);  // no tagged fields']
  tagged = sorted(tagged, key=lambda t: t[0].tag)
  lines = []
  for f, present in tagged:
    c = cond(present, ctx.reach)
    test = non_default(f, f.cname) if c == 'true' else f'{c} && {non_default(f, f.cname)}'
    lines.append(f'  const bool has_tag_{f.tag} = {test};')
  total = ' + '.join(f'std::uint32_t{{has_tag_{f.tag}}}' for f, _ in tagged)
  lines.append(f'  w.write_unsigned_varint({total});')
  for f, present in tagged:
    lines += [f'  if (has_tag_{f.tag}) {{', '    writer field_writer;']
    lines += encode_value(f, f.cname, 'field_writer', ctx, present, '    ')
    lines += [f'    w.write_tagged_field({f.tag}, field_writer);', '  }']
  return lines


def qualified(msg, s):
  return msg.cname if s.top else f'{msg.cname}::{s.cname}'


def flexible_local(ctx, body):
  """`const bool flexible = ...;` when `body` uses it."""
  if any(re.search(r'\bflexible\b', l) for l in body):
    return [f'  const bool flexible = {ctx.flexible};']
  return []


def message_defs(msg):
  lines = []
  for s in msg.all_structs():
    name = qualified(msg, s)
    lines += function(f'result<void> {name}::decode(reader& r, std::int16_t version)', decode_body(msg, s),
                      ['r', 'version'])
    lines.append('')
    lines += function(f'void {name}::encode(writer& w, std::int16_t version) const', encode_body(msg, s),
                      ['version', 'w'])
    lines.append('')
  return lines
