"""The generated files: message declarations, samples, api keys, error codes, lists."""

import re

from codec import Context, cond, message_defs, qualified, wrap_if
from cpp_types import default_init, field_cpp, int_default
from schema import INT_TYPES, MAX_VERSION, GenError, snake
from text import GENERATOR, comment_lines, function, header_lines


def describe(v):
  if v.hi == MAX_VERSION:
    return f'v{v.lo}+'
  return f'v{v.lo}' if v.lo == v.hi else f'v{v.lo}-{v.hi}'


def field_comment(f, indent):
  notes = [describe(f.versions)]
  if not f.nullable.empty():
    notes.append('nullable' if f.nullable.spec == f.versions.spec else f'nullable {describe(f.nullable)}')
  if f.tag is not None:
    notes.append(f'tag {f.tag}')
  about = f.about.strip()
  return comment_lines(f'{", ".join(notes)}: {about}' if about else ', '.join(notes), indent)


def struct_decl(msg, s, indent):
  all_field_names = {f.cname for st in msg.all_structs() for f in st.fields}
  lines = []
  for f in s.fields:
    qualify = f.struct is not None and f.struct.cname in all_field_names
    init = default_init(f)
    decl = f'{field_cpp(f, msg, qualify)} {f.cname}'
    lines += field_comment(f, indent)
    if init == 'std::in_place':
      lines.append(f'{indent}{decl}{{std::in_place}};')
    else:
      lines.append(f'{indent}{decl} = {init};' if init is not None else f'{indent}{decl};')
  if s.fields:
    lines.append('')
  lines += [f'{indent}result<void> decode(reader& r, std::int16_t version);',
            f'{indent}void encode(writer& w, std::int16_t version) const;',
            f'{indent}bool operator==(const {s.cname}&) const = default;']
  return lines


def message_decl(msg):
  lines = []
  flex = msg.flexible
  if msg.type in ('request', 'response'):
    lines.append(f'// {msg.name}: api key {msg.api_key}, versions {msg.valid.spec}, flexible {flex.spec}.')
  else:
    lines.append(f'// {msg.name}: versions {msg.valid.spec}, flexible {flex.spec}.')
  lines.append(f'struct {msg.cname} {{')
  if msg.api_key is not None:
    lines.append(f'  static constexpr kafka::api_key api_key = kafka::api_key::{api_enum(msg)};')
  lines.append(f'  static constexpr std::int16_t min_version = {msg.valid.lo};')
  lines.append(f'  static constexpr std::int16_t max_version = {msg.valid.hi};')
  first = 'never_flexible' if flex.empty() else str(flex.lo)
  lines.append(f'  static constexpr std::int16_t first_flexible_version = {first};')
  for s in msg.structs:
    lines.append('')
    lines.append(f'  struct {s.cname} {{')
    lines += struct_decl(msg, s, '    ')
    lines.append('  };')
  lines.append('')
  lines += struct_decl(msg, msg.top, '  ')
  lines.append('};')
  return lines


def sample_value(f):
  """An expression giving a fresh non-default value for a scalar (non-array, non-struct) field."""
  k = f.elem_kind
  if k == 'fixed':
    if f.elem in INT_TYPES:
      return f's.{f.elem}({int_default(f)[0]})'
    if f.elem == 'bool':
      return f's.boolean({default_init(f)})'
    if f.elem == 'float64':
      return f's.float64({default_init(f)})'
    return 's.uuid_value()'
  return {'string': 's.string()', 'bytes': 's.bytes()', 'records': 's.records()'}[k]


def sample_elem(f):
  k = f.elem_kind
  if k == 'fixed':
    if f.elem in INT_TYPES:
      return f's.{f.elem}(0)'
    return {'bool': 's.boolean(false)', 'float64': 's.float64(0.0)', 'uuid': 's.uuid_value()'}[f.elem]
  return {'string': 's.string()', 'bytes': 's.bytes()'}[k]


def sample_field(msg, f, ctx, present, indent):
  m = f'm.{f.cname}'
  nullable = ctx.nullable(f, present)
  lines = []
  if f.is_array:
    acc = f'{m}->' if f.nullable_type else f'{m}.'
    fill_lines = [f'{indent}{m}.emplace();'] if f.nullable_type else []
    push = (f'fill({acc}emplace_back(), version, s);' if f.elem_kind == 'struct'
            else f'{acc}push_back({sample_elem(f)});')
    fill_lines.append(f'{indent}for (int i = 0; i < s.array_size(); ++i) {push}')
    if f.nullable_type and nullable != 'false':
      test = 's.nulls()' if nullable == 'true' else f's.nulls() && {nullable}'
      return ([f'{indent}if ({test}) {{', f'{indent}  {m} = std::nullopt;', f'{indent}}} else {{'] +
              ['  ' + l for l in fill_lines] + [f'{indent}}}'])
    return fill_lines
  if f.elem_kind == 'struct':
    return [f'{indent}fill({m}, version, s);']
  value = sample_value(f)
  if f.nullable_type and nullable != 'false':
    test = 's.nulls()' if nullable == 'true' else f's.nulls() && {nullable}'
    return [f'{indent}if ({test}) {{', f'{indent}  {m} = std::nullopt;', f'{indent}}} else {{',
            f'{indent}  {m} = {value};', f'{indent}}}']
  return lines + [f'{indent}{m} = {value};']


def sample_defs(msg):
  lines = []
  for s in msg.all_structs():
    ctx = Context(msg, s)
    body = []
    for f in s.fields:
      present = ctx.present(f)
      if present:
        body += wrap_if(cond(present, ctx.reach), sample_field(msg, f, ctx, present, '  '), '  ')
    static = '' if s.top else 'static '
    lines += function(f'{static}void fill({qualified(msg, s)}& m, std::int16_t version, sample_values& s)',
                      body, ['m', 'version', 's'])
    lines.append('')
  return lines


def api_enum(msg):
  return snake(re.sub(r'(Request|Response)$', '', msg.name))


class Api:
  def __init__(self, base, request, response):
    self.base = base
    self.cname = snake(base)
    self.request = request
    self.response = response


def unit_name(msgs):
  m = msgs[0]
  return api_enum(m) if m.type in ('request', 'response') else m.cname


def gen_unit(msgs):
  """The header and source for one API (request + response) or one standalone message."""
  name = unit_name(msgs)
  sources = ' and '.join(m.file for m in msgs)
  h = [*header_lines(sources), '#pragma once', '',
       '#include <cstddef>', '#include <cstdint>', '#include <limits>', '#include <optional>',
       '#include <string>', '#include <vector>', '',
       '#include "base/result.h"']
  h.append('#include "kafka/protocol/api_key.h"')
  h += ['#include "kafka/protocol/wire.h"', '', 'namespace sluice::kafka {', '']
  for m in msgs:
    h += message_decl(m) + ['']
  h += ['}  // namespace sluice::kafka']
  c = [*header_lines(sources), f'#include "kafka/protocol/generated/{name}.h"', '',
       '#include <string>', '', '#include "base/assert.h"', '', 'namespace sluice::kafka {', '']
  for m in msgs:
    c += message_defs(m)
  c += ['}  // namespace sluice::kafka']
  sc = [*header_lines(sources), f'#include "kafka/protocol/generated/{name}.h"',
        '#include "kafka/protocol/sample_values.h"', '', 'namespace sluice::kafka {', '']
  for m in msgs:
    sc += sample_defs(m)
  sc += ['}  // namespace sluice::kafka']
  return {f'generated/{name}.h': h, f'generated/{name}.cc': c, f'generated/samples_{name}.cc': sc}


def gen_api_key(apis):
  src = 'the *Request.json files'
  h = [*header_lines(src), '#pragma once', '', '#include <array>', '#include <cstdint>',
       '#include <string_view>', '', 'namespace sluice::kafka {', '',
       "// The APIs this codec implements, by Kafka's numeric key.",
       'enum class api_key : std::int16_t {']
  for a in apis:
    h.append(f'  {a.cname} = {a.request.api_key},')
  h += ['};', '',
        '// The versions of one API the codec decodes and encodes. first_flexible_version is',
        '// never_flexible when no version uses compact encodings and tagged fields.',
        'struct api_version_range {',
        '  kafka::api_key key;',
        '  std::int16_t min_version;',
        '  std::int16_t max_version;',
        '  std::int16_t first_flexible_version;',
        '};', '',
        'inline constexpr std::int16_t never_flexible = -1;', '',
        "// Every API with the full version range of its definition, ordered by key. The broker",
        '// advertises these in ApiVersions and may narrow them (e.g. Fetch v13+ names topics by ID).',
        f'inline constexpr std::array<api_version_range, {len(apis)}> supported_apis{{{{']
  for a in apis:
    flex = 'never_flexible' if a.request.flexible.empty() else str(a.request.flexible.lo)
    h.append(f'    {{api_key::{a.cname}, {a.request.valid.lo}, {a.request.valid.hi}, {flex}}},')
  h += ['}};', '',
        '// The range of `key`, or nullptr when the codec does not implement that API.',
        'const api_version_range* find_api(std::int16_t key);', '',
        '// The API\'s name as Kafka spells it ("Produce", "ApiVersions"); "Unknown" otherwise.',
        'std::string_view api_name(api_key key);', '',
        '}  // namespace sluice::kafka']
  c = [*header_lines(src), '#include "kafka/protocol/api_key.h"', '', 'namespace sluice::kafka {', '',
       'const api_version_range* find_api(std::int16_t key) {',
       '  for (const auto& range : supported_apis) {',
       '    if (static_cast<std::int16_t>(range.key) == key) return &range;',
       '  }',
       '  return nullptr;',
       '}', '',
       'std::string_view api_name(api_key key) {',
       '  switch (key) {']
  for a in apis:
    c.append(f'    case api_key::{a.cname}:')
    c.append(f'      return "{a.base}";')
  c += ['  }', '  return "Unknown";', '}', '', '}  // namespace sluice::kafka']
  return {'api_key.h': h, 'api_key.cc': c}


def gen_error_codes(path):
  codes = [(0, 'NONE', 'No error.')]
  with open(path, encoding='utf-8') as f:
    for line in f:
      if not line.strip():
        continue
      parts = line.rstrip('\n').split('\t')
      codes.append((int(parts[0]), parts[1], parts[2].strip() if len(parts) > 2 else ''))
  codes.sort(key=lambda c: c[0])
  if len({c[0] for c in codes}) != len(codes):
    raise GenError('error-codes.tsv repeats a code')
  src = 'error-codes.tsv'
  h = [*header_lines(src), '#pragma once', '', '#include <cstdint>', '#include <string_view>', '',
       'namespace sluice::kafka {', '',
       "// Kafka's error codes, as carried in responses. Code 0 (none) means success.",
       'enum class error_code : std::int16_t {']
  for code, name, about in codes:
    h += comment_lines(about, '  ')
    h.append(f'  {name.lower()} = {code},')
  h += ['};', '', '// The code\'s name as Kafka spells it ("UNKNOWN_TOPIC_OR_PARTITION"); "UNKNOWN" otherwise.',
        'std::string_view error_code_name(error_code code);', '', '}  // namespace sluice::kafka']
  c = [*header_lines(src), '#include "kafka/protocol/error_code.h"', '', 'namespace sluice::kafka {', '',
       'std::string_view error_code_name(error_code code) {', '  switch (code) {']
  for code, name, _ in codes:
    c += [f'    case error_code::{name.lower()}:', f'      return "{name}";']
  c += ['  }', '  return "UNKNOWN";', '}', '', '}  // namespace sluice::kafka']
  return {'error_code.h': h, 'error_code.cc': c}


def gen_all(apis, extras, units):
  src = 'schemata/'
  h = [*header_lines(src), '#pragma once', '']
  h += [f'#include "kafka/protocol/generated/{u}.h"' for u in sorted(units)]
  h += ['', '// X(api, request_type, response_type) for every API, for code that must cover them all',
        '// (tests, fuzzers, dispatch tables).',
        '#define SLUICE_KAFKA_FOR_EACH_API(X) \\']
  for a in apis:
    h.append(f'  X({a.cname}, {a.request.cname}, {a.response.cname}) \\')
  h[-1] = h[-1][:-2]
  h += ['', '// X(type) for the messages outside request/response pairs.',
        '#define SLUICE_KAFKA_FOR_EACH_OTHER_MESSAGE(X) \\']
  for m in extras:
    h.append(f'  X({m.cname}) \\')
  h[-1] = h[-1][:-2]
  samples = [*header_lines(src), '// Test support: fill(m, version, s) sets every field of m that exists at `version` to a',
             '// value other than its default (or, with s.nulls(), to null where the version allows it).',
             '#pragma once', '', '#include <cstdint>', '', '#include "kafka/protocol/generated/all.h"',
             '#include "kafka/protocol/sample_values.h"', '', 'namespace sluice::kafka {', '']
  for a in apis:
    for m in (a.request, a.response):
      samples.append(f'void fill({m.cname}& m, std::int16_t version, sample_values& s);')
  for m in extras:
    samples.append(f'void fill({m.cname}& m, std::int16_t version, sample_values& s);')
  samples += ['', '}  // namespace sluice::kafka']
  return {'generated/all.h': h, 'generated/samples.h': samples}


def gen_cmake(units):
  lib = ['api_key.cc', 'error_code.cc'] + [f'generated/{u}.cc' for u in units]
  samples = [f'generated/samples_{u}.cc' for u in units]
  lines = [f'# Generated by {GENERATOR} from schemata/ — do not edit.',
           '# Paths are relative to src/kafka/protocol.',
           'set(KAFKA_PROTOCOL_GENERATED_SOURCES']
  lines += [f'  {s}' for s in lib] + [')', 'set(KAFKA_PROTOCOL_SAMPLE_SOURCES']
  lines += [f'  {s}' for s in samples] + [')']
  return {'generated/sources.cmake': lines}
