#!/usr/bin/env python3
# Regenerates features.json: small templates, one language feature each, rendered by Jinja2 with the
# settings transformers uses (see make_cases.py). The Swift tests render each and compare.
# Run: python3 make_features.py   (needs the jinja2 package)
import json, os
import jinja2
from make_cases import env, HERE

CASES = [
    # output, literals, comments, whitespace control
    ("text and expression", "Hello {{ name }}!", {"name": "world"}),
    ("comment", "a{# a comment with {{ braces }} #}b", {}),
    ("string escapes", r"""{{ 'tab\there' }}|{{ "q\"uote" }}|{{ 'new\nline' }}|{{ 'back\\slash' }}|{{ '\u00e9\x41' }}""", {}),
    ("adjacent strings join", "{{ 'a' 'b' \"c\" }}", {}),
    ("integers and floats", "{{ 42 }} {{ 1_000 }} {{ 3.25 }} {{ 1e3 }} {{ -7 }} {{ 0.1 + 0.2 }}", {}),
    ("booleans and none both cases", "{{ true }} {{ True }} {{ false }} {{ False }} {{ none }} {{ None }}", {}),
    ("list and dict literals", "{{ [1, 'a', none, true, 1.5] }} {{ {'k': 'v', 'n': [1, 2]} }}", {}),
    ("trailing commas", "{{ [1, 2,] }} {{ {'a': 1,} }}", {}),
    ("strip before and after", "a  {{- ' b ' -}}  c", {}),
    ("statement strip", "x\n  {%- if true -%}\n  y\n  {%- endif -%}\n  z", {}),
    ("trim_blocks removes one newline", "{% if true %}\nline\n{% endif %}\nafter", {}),
    ("lstrip_blocks removes indentation", "start\n    {% if true %}\n    inside\n    {% endif %}\nend", {}),
    ("lstrip keeps text before tag", "a {% if true %}b{% endif %}", {}),
    ("plus disables lstrip", "start\n    {%+ if true %}x{% endif %}", {}),
    ("plus disables trim", "{% if true +%}\nx{% endif %}", {}),
    ("comment lines vanish", "a\n{# note #}\nb", {}),
    ("expression does not trim", "{{ 'x' }}\n{{ 'y' }}\n", {}),
    ("raw block", "{% raw %}{{ not evaluated }} {% if %}{% endraw %}", {}),
    ("trailing newline dropped", "line\n", {}),
    ("crlf normalized", "a\r\nb\rc", {}),
    # if
    ("if elif else", "{% for n in [1, 2, 3] %}{% if n == 1 %}one{% elif n == 2 %}two{% else %}many{% endif %} {% endfor %}", {}),
    ("truthiness", "{% for v in [0, 1, '', 'x', [], [0], {}, none, 0.0] %}{{ 'T' if v else 'F' }}{% endfor %}", {}),
    ("undefined is falsy", "{% if missing %}yes{% else %}no{% endif %}", {}),
    # for
    ("loop variables", "{% for x in ['a', 'b', 'c'] %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}{{ loop.revindex }}{{ loop.revindex0 }} {% endfor %}", {}),
    ("loop previtem nextitem cycle", "{% for x in 'abc' %}[{{ loop.previtem }}{{ x }}{{ loop.nextitem }}{{ loop.cycle('o', 'e') }}]{% endfor %}", {}),
    ("for else", "{% for x in [] %}{{ x }}{% else %}empty{% endfor %}", {}),
    ("for with filter condition", "{% for x in range(10) if x % 3 == 0 %}{{ x }}/{{ loop.length }} {% endfor %}", {}),
    ("tuple unpacking items", "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", {"d": {"b": 1, "a": 2}}),
    ("tuple unpacking in parentheses", "{% for (a, b) in [[1, 2], [3, 4]] %}{{ a + b }} {% endfor %}", {}),
    ("iterate dict keys", "{% for k in {'x': 1, 'y': 2} %}{{ k }}{% endfor %}", {}),
    ("iterate string", "{% for c in 'héllo' %}{{ c }}.{% endfor %}", {}),
    ("nested loops and outer loop", "{% for a in [1, 2] %}{% set outer = loop %}{% for b in [1, 2] %}{{ outer.index }}{{ loop.index }} {% endfor %}{% endfor %}", {}),
    ("break and continue", "{% for i in range(10) %}{% if i == 2 %}{% continue %}{% endif %}{% if i == 5 %}{% break %}{% endif %}{{ i }}{% endfor %}", {}),
    ("loop scope does not leak", "{% set x = 'outer' %}{% for i in [1, 2] %}{{ x }}{% set x = i %}{{ x }}{% endfor %}{{ x }}", {}),
    ("iteration scope is fresh", "{% for i in range(3) %}{% if i == 0 %}{% set y = 'a' %}{% endif %}[{{ y }}]{% endfor %}", {}),
    ("if does not scope", "{% if true %}{% set z = 5 %}{% endif %}{{ z }}", {}),
    ("loop over undefined is empty", "[{% for x in missing %}{{ x }}{% endfor %}]", {}),
    ("range forms", "{{ range(3)|list }} {{ range(2, 5)|list }} {{ range(10, 0, -3)|list }} {{ range(0)|list }}", {}),
    # set, namespace
    ("set and tuple set", "{% set a = 1 %}{% set b, c = 2, 3 %}{{ a }}{{ b }}{{ c }}", {}),
    ("block set", "{% set greeting %}Hello {{ name }}{% endset %}[{{ greeting }}]", {"name": "Bob"}),
    ("block set with filter", "{% set s | upper %}shout{% endset %}{{ s }}", {}),
    ("namespace carries state out of loop", "{% set ns = namespace(count=0, found=false) %}{% for m in msgs %}{% if m.role == 'user' %}{% set ns.count = ns.count + 1 %}{% set ns.found = true %}{% endif %}{% endfor %}{{ ns.count }} {{ ns.found }}", {"msgs": [{"role": "user"}, {"role": "assistant"}, {"role": "user"}]}),
    ("namespace without arguments", "{% set ns = namespace() %}{% set ns.index = 0 %}{% set ns.index = ns.index + 2 %}{{ ns.index }}", {}),
    ("with block", "{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}[{{ a }}]", {}),
    ("filter block", "{% filter upper %}quiet {{ 'words' }}{% endfilter %}", {}),
    # macros
    ("macro with defaults and keywords", "{% macro tag(name, value='none', sep=': ') %}<{{ name }}{{ sep }}{{ value }}>{% endmacro %}{{ tag('a') }}{{ tag('b', 2) }}{{ tag('c', sep='=', value=3) }}", {}),
    ("macro sees top-level variables at call time", "{% macro m() %}{{ y }}{% endmacro %}{% set y = 1 %}{{ m() }}{% set y = 2 %}{{ m() }}", {}),
    ("macro recursion", "{% macro fact(n) %}{% if n <= 1 %}1{% else %}{{ n * (fact(n - 1)|int) }}{% endif %}{% endmacro %}{{ fact(6) }}", {}),
    ("macro varargs and kwargs", "{% macro m(a) %}{{ a }}{{ varargs }}{{ kwargs }}{% endmacro %}{{ m(1, 2, 3, x=4) }}", {}),
    ("call block", "{% macro box(title) %}[{{ title }}: {{ caller() }}]{% endmacro %}{% call box('T') %}body {{ 1 + 1 }}{% endcall %}", {}),
    ("call block with arguments", "{% macro each(items) %}{% for i in items %}{{ caller(i) }}{% endfor %}{% endmacro %}{% call(x) each([1, 2]) %}<{{ x }}>{% endcall %}", {}),
    ("macro output is a string", "{% macro m() %}  padded  {% endmacro %}[{{ m()|trim }}]", {}),
    # operators
    ("arithmetic", "{{ 7 + 3 }} {{ 7 - 10 }} {{ 6 * 7 }} {{ 7 / 2 }} {{ 7 // 2 }} {{ -7 // 2 }} {{ 7 % 3 }} {{ -7 % 3 }} {{ 2 ** 10 }} {{ 2.5 * 2 }}", {}),
    ("precedence", "{{ 1 + 2 * 3 }} {{ (1 + 2) * 3 }} {{ 2 ** 3 ** 2 }} {{ -2 ** 2 }} {{ 10 - 2 - 3 }}", {}),
    ("string and list operators", "{{ 'ab' + 'cd' }} {{ 'ab' * 3 }} {{ [1] + [2, 3] }} {{ [0] * 3 }} {{ 1 ~ 'x' ~ none ~ true }}", {}),
    ("concat binds tighter than plus", "{{ 1 + 2 ~ 3 + 4 }}", {}),
    ("concat of sums", "{{ (1 + 2) ~ (3 + 4) }}", {}),
    ("comparisons", "{{ 1 == 1.0 }} {{ 1 != 2 }} {{ 1 < 2 }} {{ 2 <= 2 }} {{ 'b' > 'a' }} {{ 3 >= 4 }} {{ [1, 2] < [1, 3] }} {{ true == 1 }}", {}),
    ("chained comparison", "{{ 1 < 2 < 3 }} {{ 1 < 3 < 2 }} {{ 'a' == 'a' == 'a' }}", {}),
    ("in and not in", "{{ 'ell' in 'hello' }} {{ 2 in [1, 2] }} {{ 'k' in {'k': 1} }} {{ 'z' not in 'abc' }} {{ 5 not in [5] }}", {}),
    ("logic returns operands", "{{ true and 'x' }} {{ false or 'y' }} {{ 0 or [] }} {{ none and 1 }} {{ not 0 }} {{ not 'a' }}", {}),
    ("not binds looser than comparison", "{{ not 1 == 2 }} {{ not 'a' in 'abc' }}", {}),
    ("inline if", "{{ 'yes' if 1 > 0 else 'no' }} {{ 'yes' if 0 else 'no' }} [{{ 'only' if false }}]", {}),
    ("unary minus and filters", "{{ -3|abs }} {{ -(3) }} {{ +4 }} {{ - 2.5 }}", {}),
    ("filter binds tighter than plus", "{{ 'a' + ' b '|trim + 'c' }}", {}),
    # subscripts, attributes, slices
    ("subscripts and attributes", "{{ d['a'] }} {{ d.a }} {{ d.l[1] }} {{ d.l[-1] }} {{ d['l'][0] }} {{ s[0] }} {{ s[-1] }}", {"d": {"a": "A", "l": [1, 2, 3]}, "s": "xyz"}),
    ("missing attributes are undefined", "[{{ d.missing }}][{{ d['missing'] }}][{{ l[10] }}][{{ none.x }}]", {"d": {}, "l": []}),
    ("slices", "{{ l[1:] }} {{ l[:2] }} {{ l[::-1] }} {{ l[1:-1] }} {{ l[::2] }} {{ s[1:3] }} {{ s[::-1] }} {{ l[-2:] }} {{ l[5:] }}", {"l": [1, 2, 3, 4], "s": "hello"}),
    ("messages slice like templates do", "{% for m in messages[1:] %}{{ m.role }} {% endfor %}", {"messages": [{"role": "system"}, {"role": "user"}, {"role": "assistant"}]}),
    ("dotted integer index", "{{ l.0 }}{{ l.1 }}", {"l": ["a", "b"]}),
    # tests
    ("tests defined none string", "{{ a is defined }} {{ b is defined }} {{ b is undefined }} {{ n is none }} {{ a is not none }} {{ a is string }} {{ 1 is string }}", {"a": "x", "n": None}),
    ("tests types", "{{ {} is mapping }} {{ [] is mapping }} {{ [] is iterable }} {{ 'x' is iterable }} {{ 3 is iterable }} {{ 3 is number }} {{ 2.5 is number }} {{ 'x' is number }} {{ [] is sequence }} {{ 3 is integer }} {{ 3.0 is float }} {{ true is boolean }}", {}),
    ("tests true false", "{{ true is true }} {{ 1 is true }} {{ false is false }} {{ 0 is false }} {{ none is false }}", {}),
    ("tests equalto odd even divisibleby", "{{ 3 is equalto 3 }} {{ 3 is eq(4) }} {{ 3 is odd }} {{ 3 is even }} {{ 4 is not odd }} {{ 9 is divisibleby 3 }} {{ 'a' is in 'abc' }} {{ 5 is gt 3 }} {{ 5 is lt(3) }}", {}),
    ("tests sameas callable lower upper", "{{ none is sameas none }} {{ range is callable }} {{ 'abc' is lower }} {{ 'ABC' is upper }} {{ 'aBc' is lower }}", {}),
    # filters
    ("string filters", "{{ '  hi  '|trim }}|{{ 'xxhixx'|trim('x') }}|{{ 'Hi'|upper }}|{{ 'Hi'|lower }}|{{ 'hELLO wORLD'|capitalize }}|{{ 'hello big-world (again)'|title }}", {}),
    ("length count", "{{ 'héllo'|length }} {{ [1, 2]|count }} {{ {'a': 1}|length }} {{ missing|length }}", {}),
    ("default", "{{ missing|default('d') }} {{ ''|default('d') }} {{ ''|default('d', true) }} {{ none|default('d') }} {{ missing|d('x') }} {{ 0|default(5, boolean=true) }}", {}),
    ("first last join", "{{ [1, 2, 3]|first }} {{ [1, 2, 3]|last }} {{ 'abc'|first }} {{ [1, 2, 3]|join(', ') }} {{ ['a', 'b']|join }} {{ users|join(', ', attribute='name') }}", {"users": [{"name": "ann"}, {"name": "bo"}]}),
    ("replace", "{{ 'hello'|replace('l', 'L') }} {{ 'hello'|replace('l', 'L', 1) }} {{ 'abc'|replace('', '-') }}", {}),
    ("list string int float abs round", "{{ 'ab'|list }} {{ 12|string + 'x' }} {{ '42'|int + 1 }} {{ 3.9|int }} {{ 'x'|int }} {{ '3.5'|int }} {{ 'x'|int(7) }} {{ '2.5'|float }} {{ 'q'|float }} {{ -4|abs }} {{ 2.567|round(2) }} {{ 2.5|round }} {{ 3.5|round }} {{ 2.1|round(0, 'ceil') }} {{ 2.9|round(method='floor') }}", {}),
    ("items filter", "{% for k, v in d|items %}{{ k }}{{ v }}{% endfor %} {{ d|items|list }}", {"d": {"x": 1, "y": [2]}}),
    ("selectattr rejectattr", "{{ ms|selectattr('role', 'equalto', 'user')|map(attribute='content')|join(',') }} {{ ms|rejectattr('role', 'equalto', 'user')|list|length }} {{ ms|selectattr('tool')|list|length }} {{ ms|selectattr('tool', 'defined')|list|length }} {{ ms|rejectattr('tool', 'defined')|map(attribute='content')|list }}", {"ms": [{"role": "user", "content": "a"}, {"role": "assistant", "content": "b", "tool": "t"}, {"role": "user", "content": "c"}]}),
    ("select reject", "{{ [1, 2, 3, 4]|select('odd')|list }} {{ [1, 2, 3, 4]|reject('odd')|list }} {{ [0, 1, '', 'a']|select|list }} {{ ['a', 'code', 'b']|reject('equalto', 'code')|join(',') }}", {}),
    ("map", "{{ [1, 2]|map('string')|join('-') }} {{ ['a', 'b']|map('upper')|list }} {{ ds|map(attribute='f.n')|list }} {{ ds|map(attribute='zz', default='?')|list }}", {"ds": [{"f": {"n": 1}}, {"f": {"n": 2}}]}),
    ("sort unique reverse sum min max", "{{ [3, 1, 2]|sort }} {{ ['b', 'A', 'c']|sort }} {{ ['b', 'A', 'c']|sort(case_sensitive=true) }} {{ [3, 1, 2]|sort(reverse=true) }} {{ ds|sort(attribute='k')|map(attribute='k')|list }} {{ [1, 2, 1, 3]|unique|list }} {{ [1, 2, 3]|reverse|list }} {{ 'abc'|reverse }} {{ [1, 2, 3]|sum }} {{ [4, 2, 8]|min }} {{ [4, 2, 8]|max }}", {"ds": [{"k": 2}, {"k": 1}]}),
    ("dictsort", "{{ {'b': 1, 'a': 2}|dictsort }} {{ {'b': 1, 'a': 2}|dictsort(by='value') }}", {}),
    ("tojson", "{{ d|tojson }}|{{ d|tojson(indent=2) }}|{{ 'é\"\n'|tojson }}|{{ [1.5, none, true]|tojson }}|{{ {}|tojson }}|{{ []|tojson(indent=4) }}", {"d": {"b": [1, {"c": "x"}], "a": "ü"}}),
    ("tojson separators and sort_keys", "{{ d|tojson(separators=(',', ':')) }} {{ d|tojson(sort_keys=true) }}", {"d": {"b": 1, "a": [1, 2]}}),
    ("safe escape", "{{ '<b>&'|safe }} {{ '<b>\"&\\''|escape }} {{ '<i>'|e }}", {}),
    ("indent", "{{ 'a\nb\n\nc'|indent }}|{{ 'a\nb'|indent(2, true) }}|{{ 'a\n\nb'|indent(2, blank=true) }}|{{ 'x\ny'|indent('> ') }}", {}),
    ("wordcount center format", "{{ 'one two  three'|wordcount }} [{{ 'ab'|center(6) }}] {{ '%s is %d'|format('x', 3) }} {{ '%s%%'|format(5) }}", {}),
    ("filter chains", "{{ '  Mixed Case  '|trim|lower|replace(' ', '_') }}", {}),
    ("batch like truncate", "{{ 'hello world foo bar baz'|truncate(9) }}", {}),
    # string methods
    ("strip methods", "[{{ '  x  '.strip() }}][{{ '  x  '.lstrip() }}][{{ '  x  '.rstrip() }}][{{ '\n\nx\n'.strip('\n') }}][{{ 'xxaxx'.lstrip('x') }}]", {}),
    ("startswith endswith", "{{ 'hello'.startswith('he') }} {{ 'hello'.endswith('lo') }} {{ 'hello'.startswith(('x', 'h')) }} {{ 'hello'.endswith('x') }}", {}),
    ("split", "{{ 'a b  c'.split() }} {{ 'a,b,,c'.split(',') }} {{ 'a,b,c'.split(',', 1) }} {{ 'x</think>y</think>z'.split('</think>')[-1] }} {{ 'a b c'.rsplit(' ', 1) }} {{ '  lead trail  '.split() }}", {}),
    ("case methods", "{{ 'Hi'.upper() }} {{ 'Hi'.lower() }} {{ \"they're bill's\".title() }} {{ 'hELLO'.capitalize() }}", {}),
    ("replace find count format", "{{ 'aaa'.replace('a', 'b', 2) }} {{ 'hello'.find('l') }} {{ 'hello'.find('z') }} {{ 'hello'.rfind('l') }} {{ 'hello'.count('l') }} {{ '{} and {}'.format(1, 'two') }} {{ '{0}{0}{name}'.format('x', name='y') }} {{ '-'.join(['a', 'b']) }}", {}),
    ("string predicates", "{{ '123'.isdigit() }} {{ 'abc'.isalpha() }} {{ ' '.isspace() }} {{ 'ab1'.isalnum() }} {{ 'abc'.islower() }}", {}),
    # dict methods
    ("dict methods", "{{ d.keys()|list }} {{ d.values()|list }} {{ d.items()|list }} {{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 'dflt') }}", {"d": {"a": 1, "b": 2}}),
    ("dict method wins over key", "{% for k, v in d.items() %}{{ k }}{% endfor %}", {"d": {"items": "shadow", "x": 1}}),
    # globals
    ("raise_exception", "before{{ raise_exception('Bad input: ' ~ n) }}after", {"n": 3}),
    ("strftime_now", "{{ strftime_now('%d %b %Y') }} {{ strftime_now('%Y-%m-%d %H:%M:%S %A %B %a %j %I%p') }}", {}),
    ("dict global", "{{ dict(a=1, b=2) }}", {}),
    # content as parts, the way multimodal templates see messages
    ("content parts", "{% for m in messages %}{% if m.content is string %}{{ m.content }}{% else %}{% for p in m.content %}{% if p.type == 'text' %}{{ p.text }}{% else %}<{{ p.type }}>{% endif %}{% endfor %}{% endif %}|{% endfor %}", {"messages": [{"role": "user", "content": "plain"}, {"role": "user", "content": [{"type": "text", "text": "look "}, {"type": "image"}, {"type": "text", "text": " here"}]}]}),
    # code points, as Python counts and compares them
    ("decomposed unicode", "{{ 'e' in s }} {{ s|length }} {{ s == t }} {{ s[0] }}|{{ t|upper }}", {"s": "e\u0301", "t": "\u00e9"}),
    # common idioms
    ("whitespace control mix", "<{%- for x in [1, 2] -%}\n  {{- x -}}\n{%- endfor -%}>", {}),
    ("is not", "{{ 1 is not string }} {{ none is not none }} {{ x is not defined }}", {}),
    ("last message check", "{% if messages|length > 0 and messages[-1].role == 'user' %}ok{% endif %}", {"messages": [{"role": "user", "content": "x"}]}),
    ("set inside macro stays local", "{% set v = 'top' %}{% macro m() %}{% set v = 'inner' %}{{ v }}{% endmacro %}{{ m() }}{{ v }}", {}),
    ("loop inside macro", "{% macro items(xs) %}{% for x in xs %}{{ loop.index }}{{ x }}{% endfor %}{% endmacro %}{{ items('ab') }}", {}),
    ("string comparison in loop filter", "{% for m in messages if m.role != 'system' %}{{ m.role[0] }}{% endfor %}", {"messages": [{"role": "system"}, {"role": "user"}, {"role": "assistant"}]}),
    ("content text parts joined", "{{ parts|selectattr('type', 'equalto', 'text')|map(attribute='text')|join(' ') }}", {"parts": [{"type": "text", "text": "a"}, {"type": "image"}, {"type": "text", "text": "b"}]}),
    ("tojson of strings in a template", "{{ 'He said \"hi\"'|tojson }} {{ none|tojson }} {{ 1.0|tojson }} {{ [1, 'é']|tojson(ensure_ascii=true) }}", {}),
    # errors Jinja raises
    ("arithmetic on undefined fails", "{{ missing + 1 }}", {}),
    ("attribute of undefined fails", "{{ missing.attribute }}", {}),
    ("calling undefined fails", "{{ missing() }}", {}),
    ("string plus int fails", "{{ 'a' + 1 }}", {}),
    ("division by zero fails", "{{ 1 / 0 }}", {}),
    ("unknown filter fails", "{{ 1|no_such_filter }}", {}),
    ("unpacking mismatch fails", "{% for a, b in [[1, 2, 3]] %}{% endfor %}", {}),
    ("list append is refused", "{% set l = [] %}{{ l.append(1) }}", {}),
    ("assigning attribute of non-namespace fails", "{% set d = {} %}{% set d.x = 1 %}", {}),
]

cases = []
for name, source, context in CASES:
    case = {"name": name, "source": source, "context": context}
    try:
        case["expected"] = env.from_string(source).render(**context)
    except jinja2.exceptions.TemplateError as e:
        if type(e) is jinja2.exceptions.TemplateError:   # what raise_exception throws
            case["error"] = str(e)
        else:
            case["failure"] = type(e).__name__
    except Exception as e:
        case["failure"] = type(e).__name__
    cases.append(case)

with open(os.path.join(HERE, "features.json"), "w", encoding="utf-8") as f:
    json.dump({"generator": "make_features.py with jinja2 " + jinja2.__version__, "cases": cases}, f, ensure_ascii=False, indent=1)
    f.write("\n")
print(len(cases), "cases")
for c in cases:
    print(c["name"], "=>", repr(c.get("expected", c.get("error", c.get("failure")))))
