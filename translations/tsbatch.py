#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Batch translation of a Qt Linguist catalogue without Qt Linguist.

  tsbatch.py dump LANG [--open] [--context NAME]
      Lists the messages of dermlabel_LANG.ts, one a line:
      <number> TAB <context> TAB <source>  (numerus messages marked "[n]", line breaks as "\\n").
      --open lists only the messages that are still unfinished.
  tsbatch.py apply LANG MAPPING...
      Writes translations into dermlabel_LANG.ts. A mapping file holds one line per message,
      "<number> TAB-or-space <translation>" (everything after the first tab or
      space is the translation, leading and trailing spaces included), numerus forms separated by " || ", line breaks as "\\n".
      Lines starting with "#" are comments. The message numbers are those of "dump" (the order
      of the messages in the .ts, the same in every language after one lupdate run).
      Each line is checked against its source (placeholders, mnemonic, numerus form count)
      before anything is written; a mismatch stops the run.
  tsbatch.py stats LANG
      Counts finished and unfinished messages.

Only the <translation> elements are rewritten, in lupdate's own layout, so that the next
lupdate run leaves the file as it is.
"""
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

MESSAGE = re.compile(r'(?P<open>    <message(?P<attrs>[^>]*)>\n)(?P<body>.*?)(?P<close>    </message>\n)', re.S)
CONTEXT = re.compile(r'<context>\n    <name>(?P<name>.*?)</name>\n(?P<body>.*?)</context>\n', re.S)
SOURCE = re.compile(r'<source>(.*?)</source>', re.S)
TRANSLATION = re.compile(r'        <translation[^>]*?(?:/>|>.*?</translation>)\n', re.S)
NUMERUS = re.compile(r'<numerusform>(.*?)</numerusform>', re.S)
PLACEHOLDER = re.compile(r'%L?(?:\d+|n)')


def unescape(text):
    text = re.sub(r'&#x([0-9a-fA-F]+);', lambda m: chr(int(m.group(1), 16)), text)
    return (text.replace('&lt;', '<').replace('&gt;', '>').replace('&quot;', '"')
            .replace('&apos;', "'").replace('&amp;', '&'))


def escape(text):
    return (text.replace('&', '&amp;').replace('<', '&lt;').replace('>', '&gt;')
            .replace('"', '&quot;').replace("'", '&apos;'))


def ts_path(lang):
    return HERE / f'dermlabel_{lang}.ts'


def messages(text):
    """Yields (number, context, source, numerus, finished, match) in file order."""
    number = 0
    for ctx in CONTEXT.finditer(text):
        for msg in MESSAGE.finditer(ctx.group('body')):
            number += 1
            body = msg.group('body')
            source = unescape(SOURCE.search(body).group(1))
            numerus = 'numerus="yes"' in msg.group('attrs')
            translation = TRANSLATION.search(body).group(0)
            finished = 'type="unfinished"' not in translation and 'type="vanished"' not in translation
            yield number, ctx.group('name'), source, numerus, finished, (ctx, msg)


def placeholders(text):
    return sorted(set(PLACEHOLDER.findall(text)))


def mnemonics(text):
    return len(re.findall(r'&(?![& ])', text.replace('&&', '')))


def check(source, forms, numerus):
    problems = []
    for form in forms:
        if not form.strip():
            problems.append('empty translation')
        expected = placeholders(source)
        got = placeholders(form)
        if numerus:
            # a singular form may spell the number out instead of %n
            expected = [p for p in expected if p != '%n']
            got = [p for p in got if p != '%n']
        if expected != got:
            problems.append(f'placeholders {got} != {expected}')
        if mnemonics(form) != mnemonics(source):
            problems.append(f'mnemonics {mnemonics(form)} != {mnemonics(source)}')
        if re.findall(r'</?\w+', form) != re.findall(r'</?\w+', source) and '<' in source:
            problems.append('HTML tags differ')
    if numerus and len(forms) != 2:
        problems.append(f'{len(forms)} numerus forms, 2 expected')
    if not numerus and len(forms) != 1:
        problems.append('numerus forms on a plain message')
    return problems


def render(forms, numerus):
    if numerus:
        inner = ''.join(f'            <numerusform>{escape(f)}</numerusform>\n' for f in forms)
        return f'        <translation>\n{inner}        </translation>\n'
    return f'        <translation>{escape(forms[0])}</translation>\n'


def read_mapping(paths):
    mapping = {}
    for path in paths:
        for lineno, line in enumerate(Path(path).read_text(encoding='utf-8').splitlines(), 1):
            if not line.strip() or line.startswith('#'):
                continue
            match = re.match(r'(\d+)[\t ](.*)$', line)
            if not match:
                sys.exit(f'{path}:{lineno}: no message number')
            mapping[int(match.group(1))] = match.group(2).replace('\\n', '\n')
    return mapping


def apply(lang, paths):
    path = ts_path(lang)
    text = path.read_text(encoding='utf-8')
    mapping = read_mapping(paths)
    replacements = []
    failures = 0
    seen = set()
    for number, context, source, numerus, _, (ctx, msg) in messages(text):
        if number not in mapping:
            continue
        seen.add(number)
        forms = mapping[number].split(' || ') if numerus else [mapping[number]]
        problems = check(source, forms, numerus)
        if problems:
            failures += 1
            print(f'{number} [{context}] {source!r} -> {mapping[number]!r}: {"; ".join(problems)}')
            continue
        start = ctx.start('body') + msg.start('body')
        body = msg.group('body')
        old = TRANSLATION.search(body)
        replacements.append((start + old.start(), start + old.end(), render(forms, numerus)))
    unknown = set(mapping) - seen
    if unknown:
        sys.exit(f'unknown message numbers: {sorted(unknown)[:10]}')
    if failures:
        sys.exit(f'{failures} translations rejected, nothing written')
    for begin, end, new in sorted(replacements, reverse=True):
        text = text[:begin] + new + text[end:]
    path.write_text(text, encoding='utf-8')
    print(f'{len(replacements)} translations written to {path.name}')


def dump(lang, only_open, context_name):
    text = ts_path(lang).read_text(encoding='utf-8')
    for number, context, source, numerus, finished, _ in messages(text):
        if only_open and finished:
            continue
        if context_name and context != context_name:
            continue
        mark = ' [n]' if numerus else ''
        print(f'{number}\t{context}{mark}\t{source.replace(chr(10), chr(92) + "n")}')


def stats(lang):
    text = ts_path(lang).read_text(encoding='utf-8')
    total = done = 0
    for _, _, _, _, finished, _ in messages(text):
        total += 1
        done += finished
    print(f'{lang}: {done} finished, {total - done} unfinished, {total} messages')


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__)
    command, lang = argv[1], argv[2]
    if command == 'dump':
        context_name = argv[argv.index('--context') + 1] if '--context' in argv else None
        dump(lang, '--open' in argv, context_name)
    elif command == 'apply':
        apply(lang, argv[3:])
    elif command == 'stats':
        stats(lang)
    else:
        sys.exit(__doc__)


if __name__ == '__main__':
    main(sys.argv)
