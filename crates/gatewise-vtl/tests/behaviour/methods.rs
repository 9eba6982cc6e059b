//! Java methods on strings, maps, lists and numbers, and `$util`.

use gatewise_vtl::{Input, Limits, Template, context_skeleton};

use crate::{assert_renders, render_body};

#[test]
fn string_methods() {
    assert_renders(&[
        ("#set($s = 'Hello World')$s.length()", "11"),
        ("#set($s = 'héllo😀')$s.length()", "7"),
        (
            "#set($s = 'abc')$s.contains('b')$s.contains('z')",
            "truefalse",
        ),
        ("#set($s = 'a.b.c')$s.replace('.', '/')", "a/b/c"),
        ("#set($s = 'a1b22c')$s.replaceAll('[0-9]+', '#')", "a#b#c"),
        (
            "#set($s = 'john smith')$s.replaceAll('(\\w+) (\\w+)', '$2, $1')",
            "smith, john",
        ),
        ("#set($s = 'a1b2')$s.replaceFirst('[0-9]', 'X')", "aXb2"),
        (
            "#set($s = \"it\\'s\")$s.replaceAll(\"\\\\'\",\"'\")",
            "it's",
        ),
        (
            "#set($s = 'abc')$s.matches('[a-c]+')$s.matches('b')",
            "truefalse",
        ),
        ("#set($s = '  pad  ')[$s.trim()]", "[pad]"),
        (
            "#set($s = 'MiXeD')$s.toLowerCase()$s.toUpperCase()",
            "mixedMIXED",
        ),
        (
            "#set($s = 'abcdef')$s.substring(2)|$s.substring(1, 3)",
            "cdef|bc",
        ),
        (
            "#set($s = 'abcabc')$s.indexOf('c')|$s.indexOf('c', 3)|$s.lastIndexOf('a')|$s.indexOf('z')",
            "2|5|3|-1",
        ),
        (
            "#set($s = 'abc')$s.startsWith('ab')$s.endsWith('bc')$s.startsWith('c', 2)",
            "truetruetrue",
        ),
        (
            "#set($s = 'abc')$s.equals('abc')$s.equalsIgnoreCase('ABC')$s.equals(1)",
            "truetruefalse",
        ),
        ("#set($s = '')$s.isEmpty()$s.empty", "truetrue"),
        (
            "#set($s = 'a,b,,c,,')$s.split(',')|$s.split(',').size()",
            "[a, b, , c]|4",
        ),
        ("#set($s = 'a1b2c')$s.split('[0-9]', 2)", "[a, b2c]"),
        ("#set($s = 'abc')$s.charAt(1)$s.toString()", "babc"),
        ("#set($s = 'abc')$s.noSuchMethod()", ""),
    ]);
}

#[test]
fn map_methods() {
    assert_renders(&[
        (
            "#set($m = {'a': 1, 'b': 2})$m.keySet()|$m.values()|$m.size()",
            "[a, b]|[1, 2]|2",
        ),
        (
            "#set($m = {'a': 1})$m.get('a')|$m.get('z')|$m.containsKey('a')|$m.isEmpty()",
            "1||true|false",
        ),
        (
            "#set($m = {'a': 1})$m.put('b', 2)|$m.put('a', 9)|$m",
            "|1|{a=9, b=2}",
        ),
        ("#set($m = {'a': 1, 'b': 2})$m.remove('a')|$m", "1|{b=2}"),
        (
            "#set($m = {'a': 1})#foreach($e in $m.entrySet())$e.key=$e.value#end",
            "a=1",
        ),
        (
            "#set($m = {'a': 1})$m.toString()|$m.containsValue(1)",
            "{a=1}|true",
        ),
        (
            "#set($m = {'a': 1})#set($n = $m)$n.put('b', 2)$m",
            "{a=1, b=2}",
        ),
        ("#set($m = {})$m.putAll({'x': 1})$m", "{x=1}"),
    ]);
}

#[test]
fn list_methods() {
    assert_renders(&[
        (
            "#set($l = [1, 2])$l.size()|$l.get(0)|$l.isEmpty()|$l.contains(2)|$l.contains('2')",
            "2|1|false|true|false",
        ),
        ("#set($l = [])$l.add('x')|$l", "true|[x]"),
        (
            "#set($l = ['a'])#set($ignored = $l.add('b'))$l.indexOf('b')|$l.toString()",
            "1|[a, b]",
        ),
        (
            "#set($l = [1, 2, 3])$l.remove(0)|$l.set(0, 9)|$l",
            "1|2|[9, 3]",
        ),
        ("#set($l = [1])$l[0]|$l[5]|$l[-1]", "1||"),
    ]);
}

#[test]
fn number_methods() {
    assert_renders(&[(
        "#set($n = 5)$n.toString()|$n.equals(5)|$n.doubleValue()",
        "5|true|5.0",
    )]);
}

#[test]
fn util_functions() {
    assert_renders(&[
        (
            "$util.escapeJavaScript(\"it's \\\"q\\\"\")",
            "it\\'s \\\\\\\"q\\\\\\\"",
        ),
        ("$util.urlEncode('a b&c=d')", "a+b%26c%3Dd"),
        ("$util.urlDecode('a+b%26c')", "a b&c"),
        (
            "$util.base64Encode('hello')|$util.base64Decode('aGVsbG8=')",
            "aGVsbG8=|hello",
        ),
        (
            "#set($o = $util.parseJson('{\"key2\": {\"arr\": [1, 2]}}'))$o.key2.arr[0]",
            "1",
        ),
        ("$util.parseJson('[1, {\"a\": 1}]')", "[1,{\"a\":1}]"),
        (
            "$util.escapeJavaScript($undefined)|$util.urlEncode($undefined)",
            "|",
        ),
        ("$util.noSuchFunction('x')", ""),
    ]);
}

#[test]
fn escape_javascript_then_documented_replace_all_idiom() {
    // AWS docs: $util.escapeJavaScript(...).replaceAll("\\'","'") keeps JSON valid.
    let output = render_body(
        r##"{"q": "$util.escapeJavaScript($input.path('$.q')).replaceAll("\\'","'")"}"##,
        r##"{"q": "it's \"x\""}"##,
    );
    assert_eq!(output, r##"{"q": "it's \"x\""}"##);
    let parsed: serde_json::Value = serde_json::from_str(&output).unwrap();
    assert_eq!(parsed["q"], "it's \"x\"");
}

#[test]
fn java_exceptions_fail_the_render_with_a_position() {
    let cases = [
        (
            "#set($s = 'abc')\n$s.substring(5)",
            "StringIndexOutOfBoundsException",
        ),
        ("#set($l = [1])$l.get(3)", "IndexOutOfBoundsException"),
        ("$util.parseJson('{not json')", "not JSON"),
        ("$util.base64Decode('***')", "not base64"),
        ("$util.urlDecode('%G1')", "URLDecoder"),
        (
            "#set($s = 'a')$s.replaceAll('(', 'x')",
            "PatternSyntaxException",
        ),
        ("#set($s = 'a')$s.replaceAll('a', '$3')", "No group 3"),
        (
            "#set($s = 'a')$s.contains($undefined)",
            "NullPointerException",
        ),
    ];
    for (template, expected) in cases {
        let parsed = Template::parse(template).unwrap();
        let error = parsed
            .render(
                &Input::default(),
                &mut context_skeleton(),
                &Limits::default(),
            )
            .unwrap_err();
        assert!(error.message.contains(expected), "{template}: {error}");
        assert!(error.line >= 1 && error.column >= 1);
    }
}
