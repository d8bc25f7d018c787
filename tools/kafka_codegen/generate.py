#!/usr/bin/python3
"""Generates Sluice's Kafka protocol codec (C++) from Apache Kafka's message definitions.

Inputs (committed, so the build never needs anything outside the repo):
  src/kafka/protocol/schemata/*.json     Kafka's message definitions (JSON with // comments)
  src/kafka/protocol/schemata/error-codes.tsv

Outputs (committed too; never edit them by hand):
  src/kafka/protocol/api_key.h, api_key.cc        the api_key enum and the supported-version table
  src/kafka/protocol/error_code.h, error_code.cc  Kafka's error codes
  src/kafka/protocol/generated/<api>.h, .cc       one struct per message, decode/encode bodies
  src/kafka/protocol/generated/all.h              every message header plus X-macro lists
  src/kafka/protocol/generated/samples*.{h,cc}    test-only: fill every field with a non-default value
  src/kafka/protocol/generated/sources.cmake      the generated source lists for CMake

Usage (Python 3 standard library only):
  /usr/bin/python3 tools/kafka_codegen/generate.py            regenerate in place
  /usr/bin/python3 tools/kafka_codegen/generate.py --check    exit 1 if the committed output is stale (CI)
  /usr/bin/python3 tools/kafka_codegen/generate.py --import-from DIR [Name ...]
      copy <Name>Request.json and <Name>Response.json (default: every API already in schemata/)
      from a Kafka checkout's clients/src/main/resources/common/message into schemata/, then regenerate

Modules beside this one: schema.py (reading the definitions), cpp_types.py (C++ types, defaults),
codec.py (decode/encode bodies), emit.py (the files), text.py (comments, wrapping).
"""

import argparse
import difflib
import filecmp
import os
import shutil
import sys
import tempfile

sys.dont_write_bytecode = True  # the sibling modules below must not leave __pycache__ in the tree

from emit import Api, gen_all, gen_api_key, gen_cmake, gen_error_codes, gen_unit
from schema import GenError, Message
from text import GENERATOR, wrap_long

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PROTOCOL_DIR = os.path.join(ROOT, 'src', 'kafka', 'protocol')
SCHEMATA_DIR = os.path.join(PROTOCOL_DIR, 'schemata')

# Files that are not request/response pairs but that we generate as well.
EXTRA_MESSAGES = ['RequestHeader', 'ResponseHeader', 'ConsumerProtocolSubscription',
                  'ConsumerProtocolAssignment']


def generate(schemata):
  names = sorted(os.listdir(schemata))
  requests = [n[:-len('Request.json')] for n in names if n.endswith('Request.json') and
              n != 'RequestHeader.json']
  apis = []
  for base in requests:
    if f'{base}Response.json' not in names:
      raise GenError(f'{base}Request.json has no {base}Response.json')
    req = Message(os.path.join(schemata, f'{base}Request.json'))
    resp = Message(os.path.join(schemata, f'{base}Response.json'))
    if req.api_key != resp.api_key or req.valid.spec != resp.valid.spec or \
        req.flexible.spec != resp.flexible.spec:
      raise GenError(f'{base}: request and response disagree on api key or versions')
    apis.append(Api(base, req, resp))
  apis.sort(key=lambda a: a.request.api_key)
  extras = [Message(os.path.join(schemata, f'{n}.json')) for n in EXTRA_MESSAGES
            if f'{n}.json' in names]
  files = {}
  units = []
  for a in apis:
    u = gen_unit([a.request, a.response])
    files.update(u)
    units.append(a.cname)
  for m in extras:
    files.update(gen_unit([m]))
    units.append(m.cname)
  files.update(gen_api_key(apis))
  files.update(gen_error_codes(os.path.join(schemata, 'error-codes.tsv')))
  files.update(gen_all(apis, extras, units))
  files.update(gen_cmake(units))
  out = {}
  for path, lines in files.items():
    if path.endswith(('.h', '.cc')):
      # The generator owns the layout (lines stay within COLUMNS); clang-format would only
      # re-indent continuation lines, and the check in --check must not depend on its version.
      header = next(i for i, line in enumerate(lines) if not line.startswith('//'))
      lines = lines[:header] + ['// clang-format off'] + lines[header:]
      lines = [piece for line in lines for piece in wrap_long(line)]
    out[path] = '\n'.join(lines) + '\n'
  return out


def write_tree(files, out_dir):
  os.makedirs(os.path.join(out_dir, 'generated'), exist_ok=True)
  for path, text in files.items():
    full = os.path.join(out_dir, path)
    old = None
    if os.path.exists(full):
      with open(full, encoding='utf-8') as f:
        old = f.read()
    if old != text:
      with open(full, 'w', encoding='utf-8') as f:
        f.write(text)
  gen_dir = os.path.join(out_dir, 'generated')
  for name in os.listdir(gen_dir):
    if f'generated/{name}' not in files:
      os.remove(os.path.join(gen_dir, name))


def check(files):
  """Regenerates into a temporary directory and compares with the committed output."""
  stale = []
  with tempfile.TemporaryDirectory() as tmp:
    write_tree(files, tmp)
    for path in sorted(files):
      committed = os.path.join(PROTOCOL_DIR, path)
      fresh = os.path.join(tmp, path)
      if not os.path.exists(committed):
        stale.append(path)
        print(f'missing: src/kafka/protocol/{path}')
      elif not filecmp.cmp(committed, fresh, shallow=False):
        stale.append(path)
        with open(committed, encoding='utf-8') as a, open(fresh, encoding='utf-8') as b:
          sys.stdout.writelines(difflib.unified_diff(a.readlines(), b.readlines(),
                                                     f'committed/{path}', f'generated/{path}'))
    gen_dir = os.path.join(PROTOCOL_DIR, 'generated')
    for name in sorted(os.listdir(gen_dir)) if os.path.isdir(gen_dir) else []:
      if f'generated/{name}' not in files:
        stale.append(name)
        print(f'not generated any more: src/kafka/protocol/generated/{name}')
  if stale:
    print(f'{len(stale)} generated file(s) are stale; run /usr/bin/python3 {GENERATOR}', file=sys.stderr)
    return 1
  print(f'{len(files)} generated files are up to date')
  return 0


def import_schemata(source, names):
  if not names:
    names = sorted(n[:-len('Request.json')] for n in os.listdir(SCHEMATA_DIR)
                   if n.endswith('Request.json') and n != 'RequestHeader.json')
  files = [f'{n}{kind}.json' for n in names for kind in ('Request', 'Response')]
  files += [f'{n}.json' for n in EXTRA_MESSAGES]
  for f in files:
    shutil.copyfile(os.path.join(source, f), os.path.join(SCHEMATA_DIR, f))
  for f in ('error-codes.tsv', 'LICENSE-apache-kafka', 'NOTICE-apache-kafka'):
    if os.path.exists(os.path.join(source, f)):
      shutil.copyfile(os.path.join(source, f), os.path.join(SCHEMATA_DIR, f))
  print(f'copied {len(files)} definitions from {source}')


def main():
  parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
  parser.add_argument('--check', action='store_true', help='compare with the committed output; exit 1 if stale')
  parser.add_argument('--import-from', metavar='DIR', help='copy message definitions from DIR first')
  parser.add_argument('names', nargs='*', help='API names to import (e.g. Produce); default: the present ones')
  args = parser.parse_args()
  try:
    if args.import_from:
      import_schemata(args.import_from, args.names)
    files = generate(SCHEMATA_DIR)
    if args.check:
      return check(files)
    write_tree(files, PROTOCOL_DIR)
    print(f'wrote {len(files)} files under src/kafka/protocol')
    return 0
  except GenError as e:
    print(f'generate.py: {e}', file=sys.stderr)
    return 2


if __name__ == '__main__':
  sys.exit(main())
