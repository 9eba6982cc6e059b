//! Directives, references, literals and operators.

use gatewise_vtl::{Input, Template, context_skeleton};

use crate::{assert_renders, render, render_body, render_with};

#[test]
fn set_and_references() {
    assert_renders(&[
        ("#set($a = 1)$a", "1"),
        ("#set($a = 'x')${a}y", "xy"),
        ("#set($a = 'x')$!a", "x"),
        ("$undefined|$!undefined|${undefined}|$!{undefined}", "|||"),
        ("#set($m = {})#set($m.k = 'v')$m.k", "v"),
        ("#set($m = {})#set($k = 'key')#set($m[$k] = 'v')$m.key", "v"),
        (
            "#set($m = {'a': {'b': 1}})#set($m['a'].c = 2)$m",
            "{a={b=1, c=2}}",
        ),
        ("#set($l = [1, 2])#set($l[1] = 'x')$l", "[1, x]"),
        ("#set($a = 1)#set($a = $undefined)$a", "1"),
        ("#set( $a = \"spaced\" )$a", "spaced"),
        ("#{set}($a = 1)$a", "1"),
        ("$a.b.c.d", ""),
        (
            "email@example.com costs $5 #notadirective",
            "email@example.com costs $5 #notadirective",
        ),
        ("$.json and $ alone", "$.json and $ alone"),
        ("#set($foo-bar = 'h')$foo-bar", "h"),
        ("#set($a = 'x')$a-", "x-"),
    ]);
}

#[test]
fn escapes_comments_and_unparsed_blocks() {
    assert_renders(&[
        ("#set($a = 1)\\$a", "$a"),
        ("#set($a = 1)\\\\$a", "\\1"),
        ("\\#if(true)", "#if(true)"),
        ("a\\b", "a\\b"),
        ("a## comment\nb", "ab"),
        ("a#* block\ncomment *#b", "ab"),
        ("#[[ $raw #if ]]#", " $raw #if "),
    ]);
}

#[test]
fn conditionals() {
    assert_renders(&[
        ("#if(true)yes#end", "yes"),
        ("#if(false)yes#else no#end", " no"),
        ("#if(false)1#elseif(true)2#else 3#end", "2"),
        ("#if($undefined)set#else unset#end", " unset"),
        (
            "#if('')empty string is true in Velocity 1.7#end",
            "empty string is true in Velocity 1.7",
        ),
        ("#if(0)zero is true#end", "zero is true"),
        (
            "#if($undefined == '')null equals empty#end",
            "null equals empty",
        ),
        ("#if($undefined != '')x#else y#end", " y"),
        ("#if(1 == 1.0)num#end", "num"),
        ("#if('1' == 1)text#end", "text"),
        ("#if(2 > 1 && 1 < 2 && 2 >= 2 && 2 <= 2)cmp#end", "cmp"),
        (
            "#if(2 gt 1 and 1 lt 2 and 2 ge 2 and 2 le 2 and 1 eq 1 and 1 ne 2)words#end",
            "words",
        ),
        ("#if(!false && not false)not#end", "not"),
        ("#if(false || true)or#end#if(false or false)x#end", "or"),
        ("#if('b' > 'a')strings#end", "strings"),
        (
            "#if([1] == [1])lists#end#if({'a':1} == {'a':1})maps#end",
            "listsmaps",
        ),
        ("#{if}(true)formal#{else}no#{end}", "formal"),
    ]);
}

#[test]
fn arithmetic_follows_java() {
    assert_renders(&[
        ("#set($a = 7 / 2)$a", "3"),
        ("#set($a = -7 / 2)$a", "-3"),
        ("#set($a = 7 % 3)$a", "1"),
        ("#set($a = 7.0 / 2)$a", "3.5"),
        ("#set($a = 2 * 3 + 4)$a", "10"),
        ("#set($a = 2 * (3 + 4))$a", "14"),
        ("#set($n = 5)#set($a = $n - 1)$a", "4"),
        ("#set($a = 1 / 0)$a", ""),
        ("#set($a = 'a' + 1)$a", "a1"),
        ("#set($a = 1.5 + 1)$a", "2.5"),
        (
            "#set($a = 9223372036854775807 + 1)$a",
            "9.223372036854776E18",
        ),
        ("#set($x = 3)#set($a = -$x)$a", "-3"),
        ("#set($a = [] + 1)$a", ""),
    ]);
}

#[test]
fn foreach_loops() {
    assert_renders(&[
        (
            "#foreach($i in [1, 2, 3])$i#if($foreach.hasNext),#end#end",
            "1,2,3",
        ),
        ("#foreach($i in [0..3])$i#end", "0123"),
        ("#foreach($i in [3..1])$i#end", "321"),
        ("#set($n = 2)#foreach($i in [0..$n])$i#end", "012"),
        (
            "#foreach($i in ['a', 'b'])$foreach.index$foreach.count$velocityCount$i#end",
            "011a122b",
        ),
        (
            "#foreach($i in ['a', 'b'])#if($foreach.first)F#end#if($foreach.last)L#end#end",
            "FL",
        ),
        ("#foreach($i in [1, 2, 3])#if($i == 2)#break#end$i#end", "1"),
        ("#foreach($k in {'a': 1, 'b': 2})$k#end", "12"),
        ("#foreach($x in $undefined)never#end", ""),
        ("#set($i = 'kept')#foreach($i in [1])$i#end$i", "1kept"),
        (
            "#foreach($a in [1, 2])#foreach($b in ['x'])$foreach.parent.index$b#end#end",
            "0x1x",
        ),
    ]);
}

#[test]
fn stop_define_and_literals() {
    assert_renders(&[
        ("before#stop after", "before"),
        ("#foreach($i in [1, 2])$i#stop#end after", "1"),
        (
            "#define($block)hello $name#end#set($name = 'you')$block",
            "hello you",
        ),
        ("#define($d)x#end$d.length()", "1"),
        (
            "#set($l = [1, 'a', true, 1.5, [2], {'k': 'v'}])$l",
            "[1, a, true, 1.5, [2], {k=v}]",
        ),
        (
            "#set($m = {'a': 1, 'b': 'two', 'c': $undefined})$m",
            "{a=1, b=two, c=null}",
        ),
        ("#set($l = [])$l#set($m = {})$m", "[]{}"),
        (
            "#set($s = 'single $notInterpolated')$s",
            "single $notInterpolated",
        ),
        (
            "#set($n = 'x')#set($s = \"double $n ${n}y\")$s",
            "double x xy",
        ),
        ("#set($s = \"#if(true)dir#end\")$s", "dir"),
        ("#set($s = \"a\\\"b\")$s", "a\\\"b"),
        (
            "#set($idx = 1)#set($p = \"$.records[${idx}]\")$p",
            "$.records[1]",
        ),
    ]);
}

#[test]
fn whitespace_gobbling_follows_velocity_1_7() {
    assert_renders(&[
        ("#set($a = 1)\nline", "line"),
        ("    #set($a = 1)\nline", "line"),
        ("x  #set($a = 1)\nline", "x  line"),
        ("#if(true)\nyes\n#end\nafter", "yes\nafter"),
        ("  #if(true)\n  yes\n  #end\nafter", "    yes\n  after"),
        ("#foreach($i in [1, 2])\n$i\n#end\n", "1\n2\n"),
        ("#if(false)\nno\n#else\nyes\n#end\n", "yes\n"),
        ("#if(true) text#end", " text"),
        ("a\r\n#set($a = 1)\r\nb", "a\r\nb"),
    ]);
}

#[test]
fn stage_variables_three_forms() {
    let stage_variables = [("name", "prod"), ("url", "https://x")];
    let input = Input {
        stage_variables: &stage_variables,
        ..Input::default()
    };
    let output = render_with(
        "$stageVariables.name|$stageVariables['name']|${stageVariables['name']}|$stageVariables.keySet()",
        &input,
        &mut context_skeleton(),
    );
    assert_eq!(output, "prod|prod|prod|[name, url]");
}

#[test]
fn parameters_search_path_then_query_then_header() {
    let path = [("id", "from-path")];
    let query = [("id", "from-query"), ("q", "query"), ("q", "last")];
    let header = [("Id", "from-header"), ("X-Trace", "trace")];
    let input = Input {
        path: &path,
        querystring: &query,
        header: &header,
        ..Input::default()
    };
    let output = render_with(
        "$input.params('id')|$input.params('q')|$input.params('x-trace')|$input.params('missing')|#if($input.params('missing'))t#else f#end|$input.params()",
        &input,
        &mut context_skeleton(),
    );
    assert_eq!(
        output,
        "from-path|last|trace|| f|{path={id=from-path}, querystring={id=from-query, q=last}, header={Id=from-header, X-Trace=trace}}"
    );
}

#[test]
fn input_json_and_path() {
    let body = r##"{"message": "foobar", "id": 1, "price": 1.0, "big": 1e3, "list": [1, 2], "obj": {"a": "b/c"}, "dash-key": "d"}"##;
    let cases = [
        ("$input.json('$.message')", r##""foobar""##),
        ("$input.json('$.id')", "1"),
        ("$input.json('$.list')", "[1,2]"),
        ("$input.json('$.obj')", r##"{"a":"b/c"}"##),
        ("$input.json('$.missing')", r##""""##),
        ("$input.path('$.message')", "foobar"),
        ("$input.path('$.price')", "1.0"),
        ("$input.path('$.big')", "1000.0"),
        ("$input.path('$.obj')", "{a=b/c}"),
        ("$input.path('$.dash-key')", "d"),
        ("$input.path('message')", "foobar"),
        ("$input.path('$.list').size()", "2"),
        ("$input.path('$.list[0]')", "1"),
        ("$input.path('$..a')", r##"["b/c"]"##),
        ("$input.path('$.list[*]')", "[1,2]"),
        (
            "#set($id = $input.path('$.id'))#set($next = $id + 1)$next",
            "2",
        ),
        ("$input.path('$').message", "foobar"),
    ];
    for (template, expected) in cases {
        assert_eq!(render_body(template, body), expected, "{template}");
    }
    assert_eq!(render_body("$input.json('$')", ""), "{}");
    assert_eq!(
        render_body("$input.path('$')", "some raw data"),
        "some raw data"
    );
    assert_eq!(
        render_body("$input.path('$.a')|$input.json('$')", "some raw data"),
        "|\"some raw data\""
    );
}

#[test]
fn invalid_jsonpath_is_a_located_render_error() {
    let template = Template::parse("ok\n  $input.path('$[')").unwrap();
    let error = template
        .render(
            &Input {
                body: b"{}",
                ..Input::default()
            },
            &mut context_skeleton(),
            &Default::default(),
        )
        .unwrap_err();
    assert_eq!((error.line, error.column), (2, 10));
    assert!(error.message.contains("JSONPath"), "{error}");
}

#[test]
fn variables_do_not_leak_between_renders() {
    let template = Template::parse("$x#set($x = 'set')").unwrap();
    for _ in 0..2 {
        let output = template
            .render(
                &Input::default(),
                &mut context_skeleton(),
                &Default::default(),
            )
            .unwrap();
        assert_eq!(output, "");
    }
    assert_eq!(render("#set($x = 1)$x"), "1");
}
