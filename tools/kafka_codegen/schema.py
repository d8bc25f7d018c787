"""The model of Kafka's message definitions: versions, fields, structs and messages."""

import json
import os
import re

MAX_VERSION = 0x7FFF

# Locals the generated functions use; a field with one of these names would shadow them.
RESERVED_LOCALS = {'r', 'w', 'version', 'flexible', 'array_length', 'i', 'e', 'tag', 'tag_count', 'tag_index',
                   'field', 'field_reader', 'field_writer', 'm', 's', 'reader', 'writer', 'uuid', 'record_set',
                   'bytes_view', 'or_empty'}
RESERVED_MEMBERS = {'decode', 'encode', 'api_key', 'min_version', 'max_version', 'first_flexible_version'}


class GenError(Exception):
  pass


# ---------------------------------------------------------------------------------------------
# Reading the JSON
# ---------------------------------------------------------------------------------------------

def strip_comments(text):
  """Removes // comments outside string literals (the definitions' "about" texts hold URLs)."""
  out = []
  i, n = 0, len(text)
  in_string = False
  while i < n:
    c = text[i]
    if in_string:
      out.append(c)
      if c == '\\' and i + 1 < n:
        out.append(text[i + 1])
        i += 2
        continue
      if c == '"':
        in_string = False
      i += 1
    elif c == '"':
      in_string = True
      out.append(c)
      i += 1
    elif text.startswith('//', i):
      while i < n and text[i] != '\n':
        i += 1
    else:
      out.append(c)
      i += 1
  return ''.join(out)


def load_json(path):
  with open(path, encoding='utf-8') as f:
    return json.loads(strip_comments(f.read()))


class Versions:
  """A version range from the JSON: "3+", "0-7", "5" or "none"."""

  def __init__(self, spec):
    spec = str(spec).strip()
    self.spec = spec
    if spec == 'none':
      self.lo, self.hi = 1, 0
    elif spec.endswith('+'):
      self.lo, self.hi = int(spec[:-1]), MAX_VERSION
    elif '-' in spec:
      lo, hi = spec.split('-')
      self.lo, self.hi = int(lo), int(hi)
    else:
      self.lo = self.hi = int(spec)

  def contains(self, v):
    return self.lo <= v <= self.hi

  def empty(self):
    return self.lo > self.hi

  def within(self, versions):
    return {v for v in versions if self.contains(v)}


NONE = Versions('none')

INT_TYPES = {
    'int8': ('std::int8_t', 1, -(1 << 7), (1 << 7) - 1),
    'int16': ('std::int16_t', 2, -(1 << 15), (1 << 15) - 1),
    'uint16': ('std::uint16_t', 2, 0, (1 << 16) - 1),
    'int32': ('std::int32_t', 4, -(1 << 31), (1 << 31) - 1),
    'uint32': ('std::uint32_t', 4, 0, (1 << 32) - 1),
    'int64': ('std::int64_t', 8, -(1 << 63), (1 << 63) - 1),
}
FIXED_TYPES = {'bool': ('bool', 1), 'float64': ('double', 8), 'uuid': ('uuid', 16)}
FIXED_TYPES.update({k: (v[0], v[1]) for k, v in INT_TYPES.items()})
VARIABLE_TYPES = {'string', 'bytes', 'records'}


def snake(name):
  s = re.sub(r'([A-Z]+)([A-Z][a-z])', r'\1_\2', name)
  s = re.sub(r'([a-z0-9])([A-Z])', r'\1_\2', s)
  return s.lower()


def kind_of(type_name):
  if type_name in FIXED_TYPES:
    return 'fixed'
  if type_name in VARIABLE_TYPES:
    return type_name
  return 'struct'


class Field:
  def __init__(self, j, where):
    self.name = j['name']
    self.cname = snake(self.name)
    self.where = where
    self.about = j.get('about', '')
    if 'versions' not in j:
      raise GenError(f'{where}: field {self.name} has no versions')
    self.versions = Versions(j['versions'])
    self.nullable = Versions(j['nullableVersions']) if 'nullableVersions' in j else NONE
    self.tag = j.get('tag')
    self.tagged = Versions(j['taggedVersions']) if 'taggedVersions' in j else NONE
    if (self.tag is None) != self.tagged.empty():
      raise GenError(f'{where}: field {self.name} needs both tag and taggedVersions')
    self.flex_override = Versions(j['flexibleVersions']) if 'flexibleVersions' in j else None
    self.default = j.get('default')
    self.ignorable = j.get('ignorable', False)
    t = j['type']
    self.type = t
    self.is_array = t.startswith('[]')
    self.elem = t[2:] if self.is_array else t
    self.elem_kind = kind_of(self.elem)
    self.struct = None  # the Struct, for struct or array-of-struct fields
    self.nullable_type = not self.nullable.empty() or self.elem_kind == 'records'
    if self.elem_kind == 'records' and self.is_array:
      raise GenError(f'{where}: arrays of records are not supported')
    if not self.nullable.empty() and not self.is_array and self.elem_kind in ('fixed', 'struct'):
      raise GenError(f'{where}: nullable {t} field {self.name} is not supported')


class Struct:
  def __init__(self, name, cname):
    self.name = name
    self.cname = cname
    self.fields = []
    self.reach = set()  # versions of the message in which this struct can appear
    self.top = False


class Message:
  def __init__(self, path):
    j = load_json(path)
    self.file = os.path.basename(path)
    self.name = j['name']
    self.cname = snake(self.name)
    self.type = j['type']
    self.api_key = j.get('apiKey')
    self.valid = Versions(j['validVersions'])
    self.flexible = Versions(j['flexibleVersions'])
    self.valid_set = set(range(self.valid.lo, self.valid.hi + 1))
    self.structs = []  # nested structs, children before parents
    self.by_name = {}
    common = {cs['name']: cs for cs in j.get('commonStructs', [])}
    self.top = Struct(self.name, self.cname)
    self.top.top = True
    self.top.fields = self._fields(j['fields'], common, self.name)
    self.top.reach = set(self.valid_set)
    for s in [self.top] + list(reversed(self.structs)):
      for f in s.fields:
        if f.struct:
          f.struct.reach |= f.versions.within(s.reach)
    # A top-level field named like its struct type would hide the type (C++ lets a data member hide
    # a class of the same name in one scope), so such a struct takes Kafka's "Data" suffix.
    for f in self.top.fields:
      if f.struct and f.struct.cname == f.cname:
        f.struct.cname += '_data'
    self._check_names()

  def _fields(self, fields, common, where):
    out = []
    for fj in fields:
      f = Field(fj, f'{self.file} {where}')
      if f.elem_kind == 'struct':
        if 'fields' in fj or (f.elem in common and f.elem not in self.by_name):
          if f.elem in self.by_name:
            raise GenError(f'{self.file}: struct {f.elem} is defined twice')
          s = Struct(f.elem, snake(f.elem))
          self.by_name[f.elem] = s
          body = fj['fields'] if 'fields' in fj else common[f.elem]['fields']
          s.fields = self._fields(body, common, f.elem)
          self.structs.append(s)
        elif f.elem not in self.by_name:
          raise GenError(f'{self.file}: unknown type {f.type} of field {f.name}')
        f.struct = self.by_name[f.elem]
      out.append(f)
    return out

  def _check_names(self):
    struct_names = {s.cname for s in self.structs}
    if self.cname in struct_names:
      raise GenError(f'{self.file}: a nested struct is named like the message')
    for s in [self.top] + self.structs:
      seen = set()
      for f in s.fields:
        if f.cname in seen:
          raise GenError(f'{self.file}: two fields named {f.cname} in {s.name}')
        seen.add(f.cname)
        if f.cname in RESERVED_LOCALS:
          raise GenError(f'{self.file}: field {f.cname} collides with a generated local variable')
        if s.top and f.cname in RESERVED_MEMBERS:
          raise GenError(f'{self.file}: field {f.cname} collides with a generated member')
        if s.top and f.cname in struct_names:
          raise GenError(f'{self.file}: top-level field {f.cname} hides the nested struct of that name')

  def all_structs(self):
    return self.structs + [self.top]
