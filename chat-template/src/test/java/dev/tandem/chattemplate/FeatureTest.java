package dev.tandem.chattemplate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.LocalDateTime;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each feature on a small template of its own. Every expected text here is what Jinja2 3.1 renders with Hugging
 * Face's chat-template environment (trim_blocks, lstrip_blocks, loop controls, immutable sandbox, json.dumps
 * tojson, strftime_now on 2026-12-07T12:00:00), so these pin the engine to Jinja2, not to itself.
 */
class FeatureTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @SuppressWarnings("unchecked")
    private static Map<String, Object> vars(String json) {
        try {
            return (Map<String, Object>) Json.fromJackson(JSON.readTree(json));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static String render(String template, String variables) {
        return Template.parse(template).withClock(() -> LocalDateTime.of(2026, 12, 7, 12, 0, 0))
                .render(vars(variables));
    }

    private static void assertRenders(String expected, String template, String variables) {
        assertEquals(expected, render(template, variables), template);
    }

    private static void assertFails(TemplateException.Kind kind, String template, String variables) {
        TemplateException e = assertThrows(TemplateException.class, () -> render(template, variables), template);
        assertEquals(kind, e.kind(), e.getMessage());
    }

    @Test
    void dashStripsBothSides() {
        assertRenders("axb", "a  \n  {{- 'x' -}}  \n  b", "{}");
    }

    @Test
    void dashOnBlockAndComment() {
        assertRenders("abcd", "a \n {%- if true -%} \n b \n {%- endif -%} \n c {#- note -#} \n d", "{}");
    }

    @Test
    void trimBlocksDropsOneNewline() {
        assertRenders("yes\n\nend", "{% if true %}\nyes\n{% endif %}\n\nend", "{}");
    }

    @Test
    void lstripBlocksIndentation() {
        assertRenders("<ul>\n    <li>1</li>\n    <li>2</li>\n</ul>", "<ul>\n    {% for x in xs %}\n    <li>{{ x }}</li>\n    {% endfor %}\n</ul>", "{\"xs\": [1, 2]}");
    }

    @Test
    void lstripNotForVariables() {
        assertRenders("    v\nz", "    {{ 'v' }}\n  {# c #}\nz", "{}");
    }

    @Test
    void plusKeepsIndentation() {
        assertRenders("  x", "  {%+ if true %}x{% endif %}", "{}");
    }

    @Test
    void trailingNewlineDropped() {
        assertRenders("text", "text\n", "{}");
    }

    @Test
    void namespaceAcrossLoop() {
        assertRenders("6 False", "{% set ns = namespace(n=0, seen=false) %}{% for x in [1, 2, 3] %}{% set ns.n = ns.n + x %}{% set local = x %}{% endfor %}{{ ns.n }} {{ local is defined }}", "{}");
    }

    @Test
    void loopVariables() {
        assertRenders("1032TrueFalse3|2121FalseFalse3|3210FalseTrue3|", "{% for x in 'abc' %}{{ loop.index }}{{ loop.index0 }}{{ loop.revindex }}{{ loop.revindex0 }}{{ loop.first }}{{ loop.last }}{{ loop.length }}|{% endfor %}", "{}");
    }

    @Test
    void loopNeighbours() {
        assertRenders("False-2-a;1-3-b;2--a;", "{% for x in [1, 2, 3] %}{{ loop.previtem is defined and loop.previtem }}-{{ loop.nextitem }}-{{ loop.cycle('a', 'b') }};{% endfor %}", "{}");
    }

    @Test
    void breakContinueElse() {
        assertRenders("0246empty", "{% for x in range(10) %}{% if x is odd %}{% continue %}{% endif %}{% if x > 6 %}{% break %}{% endif %}{{ x }}{% endfor %}{% for y in [] %}{{ y }}{% else %}empty{% endfor %}", "{}");
    }

    @Test
    void forWithFilterAndUnpack() {
        assertRenders("a=1;c=3;False", "{% for k, v in d.items() if v %}{{ k }}={{ v }};{% endfor %}{{ loop is defined }}", "{\"d\": {\"a\": 1, \"b\": 0, \"c\": 3}}");
    }

    @Test
    void tojsonDefaults() {
        assertRenders("{\"a\": [1, 2.5, true, null], \"s\": \"\u00e9 \\\"q\\\"\\n\", \"e\": {}}", "{{ v | tojson }}", "{\"v\": {\"a\": [1, 2.5, true, null], \"s\": \"\\u00e9 \\\"q\\\"\\n\", \"e\": {}}}");
    }

    @Test
    void tojsonIndentAndSort() {
        assertRenders("{\n  \"a\": \"z\",\n  \"b\": [\n    1,\n    {\n      \"x\": []\n    }\n  ]\n}", "{{ v | tojson(indent=2, sort_keys=true) }}", "{\"v\": {\"b\": [1, {\"x\": []}], \"a\": \"z\"}}");
    }

    @Test
    void tojsonSeparatorsAscii() {
        assertRenders("{\"k\":\"\\u65e5\\u672c \\ud83d\\ude42\"}", "{{ v | tojson(separators=(',', ':'), ensure_ascii=true) }}", "{\"v\": {\"k\": \"\\u65e5\\u672c \\ud83d\\ude42\"}}");
    }

    @Test
    void pythonPrinting() {
        assertRenders("[1, 'a', None, True, 1.5, {'k': \"it's\"}] (1,) 1e+20 0.0001 1e-05 2.5 3 2", "{{ [1, 'a', none, true, 1.5, {'k': \"it's\"}] }} {{ (1,) }} {{ 1e20 }} {{ 0.0001 }} {{ 1e-5 }} {{ 10 / 4 }} {{ 7 // 2 }} {{ -7 % 3 }}", "{}");
    }

    @Test
    void stringMethods() {
        assertRenders("Hi There|hixx|['a', 'b', '', 'c']|['a', 'b']|Hello World|TrueTrue|a+b-c|ABCabc|['a', 'b']", "{{ '  Hi There  '.strip() }}|{{ 'xxhixx'.lstrip('x') }}|{{ 'a,b,,c'.split(',') }}|{{ ' a  b '.split() }}|{{ 'hello world'.title() }}|{{ 'abc'.startswith('ab') }}{{ 'abc'.endswith(('x', 'c')) }}|{{ 'a-b-c'.replace('-', '+', 1) }}|{{ 'AbC'.upper() }}{{ 'AbC'.lower() }}|{{ 'a b'.rsplit(' ', 1) }}", "{}");
    }

    @Test
    void dictMethods() {
        assertRenders("1 None dflt ['a', 'b'] [1, 2] a1b2", "{{ d.get('a') }} {{ d.get('z') }} {{ d.get('z', 'dflt') }} {{ d.keys() | list }} {{ d.values() | list }} {% for k, v in d.items() %}{{ k }}{{ v }}{% endfor %}", "{\"d\": {\"a\": 1, \"b\": 2}}");
    }

    @Test
    void slicing() {
        assertRenders("[2, 3, 4] [1, 2, 3] [4, 3, 2, 1] el 4 hlo", "{{ xs[1:] }} {{ xs[:-1] }} {{ xs[::-1] }} {{ 'hello'[1:3] }} {{ xs[-1] }} {{ 'hello'[::2] }}", "{\"xs\": [1, 2, 3, 4]}");
    }

    @Test
    void filters() {
        assertRenders("x|3|3, 1, 2|32|abAB|Noneue|3430|[2, 1, 3]|['b', 'A']|a_b", "{{ '  x ' | trim }}|{{ xs | length }}|{{ xs | join(', ') }}|{{ xs | first }}{{ xs | last }}|{{ 'Ab' | lower }}{{ 'Ab' | upper }}|{{ none | default('d') }}{{ undefined_var | default('u') }}{{ '' | default('e', true) }}|{{ 3 | string }}{{ '42' | int + 1 }}{{ 'x' | int }}|{{ xs | reverse | list }}|{{ ['b', 'A', 'a'] | unique | list }}|{{ 'a b' | replace(' ', '_') }}", "{\"xs\": [3, 1, 2]}");
    }

    @Test
    void attributeFilters() {
        assertRenders("al,bo|['al']|['al']|[2, 4]|[1, 3]|['-', '-']", "{{ users | map(attribute='name') | join(',') }}|{{ users | selectattr('admin') | map(attribute='name') | list }}|{{ users | rejectattr('name', 'equalto', 'bo') | map(attribute='name') | list }}|{{ [1, 2, 3, 4] | select('even') | list }}|{{ [1, 2, 3] | reject('equalto', 2) | list }}|{{ users | map(attribute='missing', default='-') | list }}", "{\"users\": [{\"name\": \"al\", \"admin\": true}, {\"name\": \"bo\", \"admin\": false}]}");
    }

    @Test
    void indentFilter() {
        assertRenders("a\n  b\n\n  c|    a\n    b|a\n> \n> b", "{{ 'a\\nb\\n\\nc' | indent(2) }}|{{ 'a\\nb' | indent(4, first=true) }}|{{ 'a\\n\\nb' | indent('> ', blank=true) }}", "{}");
    }

    @Test
    void tests() {
        assertRenders("TrueTrueTrueTrueTrueTrueTrueTrueTrueTrueTrueTrueTrueTrueTrueTrueTrue", "{{ x is defined }}{{ y is undefined }}{{ none is none }}{{ 's' is string }}{{ {} is mapping }}{{ [] is iterable }}{{ 's' is sequence }}{{ 1 is number }}{{ 1.5 is float }}{{ 1 is integer }}{{ true is boolean }}{{ 3 is odd }}{{ 4 is even }}{{ 2 is in [1, 2] }}{{ 'a' is equalto 'a' }}{{ 1 is not string }}{{ 6 is divisibleby 3 }}", "{\"x\": 1}");
    }

    @Test
    void operators() {
        assertRenders("19 a1None True True True False x y no [1, 2] abab 2 True", "{{ 1 + 2 * 3 ** 2 }} {{ 'a' ~ 1 ~ none }} {{ 'b' in 'abc' }} {{ 2 not in [1] }} {{ 1 < 2 < 3 }} {{ not 1 == 1 }} {{ 0 or 'x' }} {{ 1 and 'y' }} {{ 'yes' if 0 else 'no' }} {{ [1] + [2] }} {{ 'ab' * 2 }} {{ true + 1 }} {{ 1 == 1.0 }}", "{}");
    }

    @Test
    void macros() {
        assertRenders("Hello, Ann! Hi, Bob! Yo, Cy!", "{% macro greet(name, greeting='Hello') %}{{ greeting }}, {{ name }}!{% endmacro %}{{ greet('Ann') }} {{ greet('Bob', greeting='Hi') }} {{ greet('Cy', 'Yo') }}", "{}");
    }

    @Test
    void setBlockAndFilterBlock() {
        assertRenders("[Hi you]SHOUT YOU", "{% set body %}\n  Hi {{ who }}  \n{% endset %}[{{ body | trim }}]{% filter upper %}shout {{ who }}{% endfilter %}", "{\"who\": \"you\"}");
    }

    @Test
    void setScopesInIf() {
        assertRenders("22", "{% set x = 1 %}{% if true %}{% set x = 2 %}{% endif %}{{ x }}{% for i in [1] %}{% set x = 3 %}{% endfor %}{{ x }}", "{}");
    }

    @Test
    void withBlock() {
        assertRenders("3False", "{% with a = 1, b = 2 %}{{ a + b }}{% endwith %}{{ a is defined }}", "{}");
    }

    @Test
    void undefinedPrintsEmpty() {
        assertRenders("[][][][0][True]", "[{{ missing }}][{{ d.missing }}][{% for x in missing %}{{ x }}{% endfor %}][{{ missing | length }}][{{ missing is iterable }}]", "{\"d\": {}}");
    }

    @Test
    void strftime() {
        assertRenders("07 Dec 2026 2026-12-07 12:00:00 Monday December", "{{ strftime_now('%d %b %Y') }} {{ strftime_now('%Y-%m-%d %H:%M:%S %A %B') }}", "{}");
    }

    @Test
    void markupEscapesConcatenation() {
        assertRenders("<b>&lt;i&gt;", "{{ '<b>' | safe + '<i>' }}", "{}");
    }

    @Test
    void undefinedAttributeRaises() {
        assertFails(TemplateException.Kind.UNDEFINED, "{{ missing.attr }}", "{}");
    }

    @Test
    void undefinedInArithmeticRaises() {
        assertFails(TemplateException.Kind.UNDEFINED, "{{ 'a' + d.missing }}", "{\"d\": {}}");
    }

    @Test
    void raiseException() {
        assertFails(TemplateException.Kind.RAISED, "{{ raise_exception('No way') }}", "{}");
    }

    @Test
    void typeErrorRaises() {
        assertFails(TemplateException.Kind.TYPE, "{{ 'a' + 1 }}", "{}");
    }

    @Test
    void unknownFilterRaises() {
        assertFails(TemplateException.Kind.SYNTAX, "{{ 1 | nosuchfilter }}", "{}");
    }

    @Test
    void numbersKeepTheirType() {
        assertRenders("3 -3 3 1.5 -1 -6 -3.0 0.5 2.0 3.5 2",
                "{{ -x }} {{ +x }} {{ x | abs }} {{ -1.5 | abs }} {{ -true }} {{ x * 2 }} {{ x / 1 }} {{ 2 ** -1 }}"
                        + " {{ 7 % 2.5 }} {{ '3.5' | float }} {{ 2.0 | int }}", "{\"x\": -3}");
    }
}
