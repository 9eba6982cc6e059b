//! The Terraform functions real API Gateway configurations call, for `hcl::eval`.
//!
//! hcl-rs evaluates expressions but ships no Terraform functions, and takes each as a plain
//! `fn` pointer. The file functions (`file`, `templatefile`, `filebase64sha256`…) resolve
//! relative paths against the folder `terraform` runs in (the root module's), which is
//! per-load state: it lives in a thread-local set by [`with_working_dir`] for the duration of
//! one load, because a `fn` pointer cannot carry it.

use std::cell::RefCell;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use hcl::eval::{Context, FuncArgs, FuncDef, ParamType};
use hcl::{Number, Value};
use md5::Digest as _;

thread_local! {
    static WORKING_DIR: RefCell<PathBuf> = RefCell::new(PathBuf::from("."));
}

/// Runs `f` with relative paths in file functions resolved against `dir`.
pub fn with_working_dir<T>(dir: &Path, f: impl FnOnce() -> T) -> T {
    let previous = WORKING_DIR.with(|d| d.replace(dir.to_path_buf()));
    let out = f();
    WORKING_DIR.with(|d| *d.borrow_mut() = previous);
    out
}

/// The names of every function [`declare`] provides, so a call to anything else can be found
/// before evaluation and reported once, with its location.
pub const NAMES: &[&str] = &[
    "abs",
    "abspath",
    "base64decode",
    "base64encode",
    "base64sha256",
    "basename",
    "can",
    "ceil",
    "chomp",
    "coalesce",
    "coalescelist",
    "compact",
    "concat",
    "contains",
    "dirname",
    "distinct",
    "element",
    "endswith",
    "file",
    "filebase64",
    "filebase64sha256",
    "fileexists",
    "filemd5",
    "filesha1",
    "filesha256",
    "flatten",
    "floor",
    "format",
    "formatlist",
    "index",
    "join",
    "jsondecode",
    "jsonencode",
    "keys",
    "length",
    "lookup",
    "lower",
    "max",
    "md5",
    "merge",
    "min",
    "range",
    "replace",
    "reverse",
    "sha1",
    "sha256",
    "slice",
    "sort",
    "split",
    "startswith",
    "substr",
    "templatefile",
    "timestamp",
    "title",
    "tobool",
    "tolist",
    "tomap",
    "tonumber",
    "toset",
    "tostring",
    "trim",
    "trimprefix",
    "trimspace",
    "trimsuffix",
    "try",
    "upper",
    "urlencode",
    "values",
    "yamlencode",
    "zipmap",
];

/// Declares the functions in `ctx` (`try` and `can` are handled before evaluation, since they
/// must see their arguments fail).
pub fn declare(ctx: &mut Context<'_>) {
    use ParamType::{Any, String as Str};
    let one = |f| FuncDef::builder().param(Any).build(f);
    let string = |f| FuncDef::builder().param(Str).build(f);
    let two = |f| FuncDef::builder().param(Any).param(Any).build(f);
    let three = |f| FuncDef::builder().param(Any).param(Any).param(Any).build(f);
    let variadic = |f| FuncDef::builder().variadic_param(Any).build(f);
    let table = [
        ("abs", one(abs)),
        ("abspath", string(abspath)),
        ("base64decode", string(base64decode)),
        ("base64encode", string(base64encode)),
        ("base64sha256", string(base64sha256)),
        ("basename", string(basename)),
        ("ceil", one(ceil)),
        ("chomp", string(chomp)),
        ("coalesce", variadic(coalesce)),
        ("coalescelist", variadic(coalescelist)),
        ("compact", one(compact)),
        ("concat", variadic(concat)),
        ("contains", two(contains)),
        ("dirname", string(dirname)),
        ("distinct", one(distinct)),
        ("element", two(element)),
        ("endswith", two(endswith)),
        ("file", string(file)),
        ("filebase64", string(filebase64)),
        ("filebase64sha256", string(filebase64sha256)),
        ("fileexists", string(fileexists)),
        ("filemd5", string(filemd5)),
        ("filesha1", string(filesha1)),
        ("filesha256", string(filesha256)),
        ("flatten", one(flatten)),
        ("floor", one(floor)),
        ("format", variadic(format)),
        ("formatlist", variadic(formatlist)),
        ("index", two(index)),
        ("join", variadic(join)),
        ("jsondecode", string(jsondecode)),
        ("jsonencode", one(jsonencode)),
        ("keys", one(keys)),
        ("length", one(length)),
        ("lookup", variadic(lookup)),
        ("lower", string(lower)),
        ("max", variadic(max)),
        ("md5", string(md5)),
        ("merge", variadic(merge)),
        ("min", variadic(min)),
        ("range", variadic(range)),
        ("replace", three(replace)),
        ("reverse", one(reverse)),
        ("sha1", string(sha1)),
        ("sha256", string(sha256)),
        ("slice", three(slice)),
        ("sort", one(sort)),
        ("split", two(split)),
        ("startswith", two(startswith)),
        ("substr", three(substr)),
        ("templatefile", two(templatefile)),
        ("timestamp", variadic(timestamp)),
        ("title", string(title)),
        ("tobool", one(tobool)),
        ("tolist", one(tolist)),
        ("tomap", one(identity)),
        ("tonumber", one(tonumber)),
        ("toset", one(toset)),
        ("tostring", one(tostring)),
        ("trim", two(trim)),
        ("trimprefix", two(trimprefix)),
        ("trimspace", string(trimspace)),
        ("trimsuffix", two(trimsuffix)),
        ("upper", string(upper)),
        ("urlencode", string(urlencode)),
        ("values", one(values)),
        ("yamlencode", one(jsonencode)),
        ("zipmap", two(zipmap)),
    ];
    for (name, def) in table {
        ctx.declare_func(name, def);
    }
}

type Out = Result<Value, String>;

fn arg_str<'a>(args: &'a FuncArgs, i: usize, name: &str) -> Result<&'a str, String> {
    args.get(i)
        .and_then(Value::as_str)
        .ok_or_else(|| format!("{name}: argument {} must be a string", i + 1))
}

fn arg_number(value: &Value, name: &str) -> Result<f64, String> {
    match value {
        Value::Number(n) => n.as_f64().ok_or_else(|| format!("{name}: not a number")),
        Value::String(s) => s
            .parse()
            .map_err(|_| format!("{name}: '{s}' is not a number")),
        _ => Err(format!("{name}: expected a number")),
    }
}

fn number(f: f64) -> Value {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        #[allow(clippy::cast_possible_truncation)]
        Value::Number(Number::from(f as i64))
    } else {
        Number::from_f64(f).map_or(Value::Null, Value::Number)
    }
}

fn list<'a>(value: &'a Value, name: &str) -> Result<&'a [Value], String> {
    match value {
        Value::Array(items) => Ok(items),
        _ => Err(format!("{name}: expected a list")),
    }
}

/// Terraform's string form of a primitive (numbers without a trailing `.0`).
pub fn to_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn abs(args: FuncArgs) -> Out {
    Ok(number(arg_number(&args[0], "abs")?.abs()))
}
fn ceil(args: FuncArgs) -> Out {
    Ok(number(arg_number(&args[0], "ceil")?.ceil()))
}
fn floor(args: FuncArgs) -> Out {
    Ok(number(arg_number(&args[0], "floor")?.floor()))
}
fn max(args: FuncArgs) -> Out {
    let mut best: Option<f64> = None;
    for v in args.iter() {
        let n = arg_number(v, "max")?;
        best = Some(best.map_or(n, |b: f64| b.max(n)));
    }
    best.map(number)
        .ok_or_else(|| "max: needs at least one number".to_owned())
}
fn min(args: FuncArgs) -> Out {
    let mut best: Option<f64> = None;
    for v in args.iter() {
        let n = arg_number(v, "min")?;
        best = Some(best.map_or(n, |b: f64| b.min(n)));
    }
    best.map(number)
        .ok_or_else(|| "min: needs at least one number".to_owned())
}

fn resolve(path: &str) -> PathBuf {
    let path = Path::new(path);
    if path.is_absolute() {
        path.to_path_buf()
    } else {
        WORKING_DIR.with(|d| d.borrow().join(path))
    }
}

fn read_bytes(path: &str, name: &str) -> Result<Vec<u8>, String> {
    let full = resolve(path);
    let what = format!("{name}(\"{path}\") ({})", full.display());
    crate::source_file::read_capped(&full, crate::source_file::MAX_TEMPLATE_FILE_BYTES, &what)
        .map_err(|e| e.message)
}

fn abspath(args: FuncArgs) -> Out {
    let full =
        std::path::absolute(resolve(arg_str(&args, 0, "abspath")?)).map_err(|e| e.to_string())?;
    Ok(Value::String(full.to_string_lossy().into_owned()))
}
fn basename(args: FuncArgs) -> Out {
    let path = arg_str(&args, 0, "basename")?;
    Ok(Value::String(
        Path::new(path)
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned()),
    ))
}
fn dirname(args: FuncArgs) -> Out {
    let path = arg_str(&args, 0, "dirname")?;
    let parent = Path::new(path)
        .parent()
        .map(|p| p.to_string_lossy().into_owned());
    Ok(Value::String(match parent {
        Some(p) if p.is_empty() => ".".to_owned(),
        Some(p) => p,
        None => path.to_owned(),
    }))
}
fn file(args: FuncArgs) -> Out {
    let bytes = read_bytes(arg_str(&args, 0, "file")?, "file")?;
    String::from_utf8(bytes)
        .map(Value::String)
        .map_err(|_| "file: the file is not UTF-8 text; use filebase64".to_owned())
}
fn filebase64(args: FuncArgs) -> Out {
    let bytes = read_bytes(arg_str(&args, 0, "filebase64")?, "filebase64")?;
    Ok(Value::String(
        base64::engine::general_purpose::STANDARD.encode(bytes),
    ))
}
fn fileexists(args: FuncArgs) -> Out {
    Ok(Value::Bool(
        resolve(arg_str(&args, 0, "fileexists")?).is_file(),
    ))
}
fn filemd5(args: FuncArgs) -> Out {
    Ok(hex(&md5::Md5::digest(read_bytes(
        arg_str(&args, 0, "filemd5")?,
        "filemd5",
    )?)))
}
fn filesha1(args: FuncArgs) -> Out {
    Ok(hex(&sha1::Sha1::digest(read_bytes(
        arg_str(&args, 0, "filesha1")?,
        "filesha1",
    )?)))
}
fn filesha256(args: FuncArgs) -> Out {
    Ok(hex(&sha2::Sha256::digest(read_bytes(
        arg_str(&args, 0, "filesha256")?,
        "filesha256",
    )?)))
}
fn filebase64sha256(args: FuncArgs) -> Out {
    let bytes = read_bytes(arg_str(&args, 0, "filebase64sha256")?, "filebase64sha256")?;
    Ok(Value::String(
        base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(bytes)),
    ))
}
fn hex(bytes: &[u8]) -> Value {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    Value::String(out)
}
fn md5(args: FuncArgs) -> Out {
    Ok(hex(&md5::Md5::digest(arg_str(&args, 0, "md5")?.as_bytes())))
}
fn sha1(args: FuncArgs) -> Out {
    Ok(hex(&sha1::Sha1::digest(
        arg_str(&args, 0, "sha1")?.as_bytes(),
    )))
}
fn sha256(args: FuncArgs) -> Out {
    Ok(hex(&sha2::Sha256::digest(
        arg_str(&args, 0, "sha256")?.as_bytes(),
    )))
}
fn base64sha256(args: FuncArgs) -> Out {
    let digest = sha2::Sha256::digest(arg_str(&args, 0, "base64sha256")?.as_bytes());
    Ok(Value::String(
        base64::engine::general_purpose::STANDARD.encode(digest),
    ))
}
fn base64encode(args: FuncArgs) -> Out {
    Ok(Value::String(
        base64::engine::general_purpose::STANDARD.encode(arg_str(&args, 0, "base64encode")?),
    ))
}
fn base64decode(args: FuncArgs) -> Out {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(arg_str(&args, 0, "base64decode")?)
        .map_err(|e| format!("base64decode: {e}"))?;
    String::from_utf8(bytes)
        .map(Value::String)
        .map_err(|_| "base64decode: the result is not UTF-8".to_owned())
}

/// `templatefile(path, vars)`: the file is an HCL template evaluated with only `vars` (and the
/// functions) in scope, as Terraform does.
fn templatefile(args: FuncArgs) -> Out {
    let path = arg_str(&args, 0, "templatefile")?;
    let bytes = read_bytes(path, "templatefile")?;
    let text = String::from_utf8(bytes)
        .map_err(|_| format!("templatefile(\"{path}\"): not UTF-8 text"))?;
    let template: hcl::template::Template = text
        .parse()
        .map_err(|e| format!("templatefile(\"{path}\"): cannot parse the template: {e}"))?;
    let mut ctx = Context::new();
    declare(&mut ctx);
    match &args[1] {
        Value::Object(vars) => {
            for (k, v) in vars {
                ctx.declare_var(k.as_str(), v.clone());
            }
        }
        Value::Null => {}
        _ => return Err("templatefile: the second argument must be a map of variables".to_owned()),
    }
    use hcl::eval::Evaluate as _;
    template
        .evaluate(&ctx)
        .map(Value::String)
        .map_err(|e| format!("templatefile(\"{path}\"): {e}"))
}

fn chomp(args: FuncArgs) -> Out {
    Ok(Value::String(
        arg_str(&args, 0, "chomp")?
            .trim_end_matches(['\n', '\r'])
            .to_owned(),
    ))
}
fn coalesce(args: FuncArgs) -> Out {
    args.iter()
        .find(|v| !matches!(v, Value::Null) && v.as_str() != Some(""))
        .cloned()
        .ok_or_else(|| "coalesce: no non-null, non-empty argument".to_owned())
}
fn coalescelist(args: FuncArgs) -> Out {
    args.iter()
        .find(|v| matches!(v, Value::Array(a) if !a.is_empty()))
        .cloned()
        .ok_or_else(|| "coalescelist: no non-empty list".to_owned())
}
fn compact(args: FuncArgs) -> Out {
    Ok(Value::Array(
        list(&args[0], "compact")?
            .iter()
            .filter(|v| !matches!(v, Value::Null) && v.as_str() != Some(""))
            .cloned()
            .collect(),
    ))
}
fn concat(args: FuncArgs) -> Out {
    let mut out = Vec::new();
    for v in args.iter() {
        out.extend(list(v, "concat")?.iter().cloned());
    }
    Ok(Value::Array(out))
}
fn contains(args: FuncArgs) -> Out {
    Ok(Value::Bool(list(&args[0], "contains")?.contains(&args[1])))
}
fn distinct(args: FuncArgs) -> Out {
    let mut out: Vec<Value> = Vec::new();
    for v in list(&args[0], "distinct")? {
        if !out.contains(v) {
            out.push(v.clone());
        }
    }
    Ok(Value::Array(out))
}
fn element(args: FuncArgs) -> Out {
    let items = list(&args[0], "element")?;
    let i = arg_number(&args[1], "element")?;
    if items.is_empty() {
        return Err("element: the list is empty".to_owned());
    }
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Ok(items[(i as usize) % items.len()].clone())
}
fn index(args: FuncArgs) -> Out {
    list(&args[0], "index")?
        .iter()
        .position(|v| v == &args[1])
        .map(|i| number(i as f64))
        .ok_or_else(|| "index: the value is not in the list".to_owned())
}
fn endswith(args: FuncArgs) -> Out {
    Ok(Value::Bool(
        arg_str(&args, 0, "endswith")?.ends_with(arg_str(&args, 1, "endswith")?),
    ))
}
fn startswith(args: FuncArgs) -> Out {
    Ok(Value::Bool(
        arg_str(&args, 0, "startswith")?.starts_with(arg_str(&args, 1, "startswith")?),
    ))
}
fn flatten(args: FuncArgs) -> Out {
    fn walk(v: &Value, out: &mut Vec<Value>) {
        match v {
            Value::Array(items) => items.iter().for_each(|i| walk(i, out)),
            other => out.push(other.clone()),
        }
    }
    let mut out = Vec::new();
    walk(&args[0], &mut out);
    Ok(Value::Array(out))
}

/// `format` with the verbs configurations use: `%s`, `%d`, `%v`, `%q`, `%%` (and widths are
/// refused rather than ignored).
fn format(args: FuncArgs) -> Out {
    format_values(&args.into_values())
}

fn format_values(values: &[Value]) -> Out {
    let Some(Value::String(spec)) = values.first() else {
        return Err("format: the first argument must be a format string".to_owned());
    };
    let mut out = String::new();
    let mut rest = values[1..].iter();
    let mut chars = spec.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some(verb @ ('s' | 'd' | 'v' | 'q')) => {
                let v = rest
                    .next()
                    .ok_or_else(|| format!("format: not enough arguments for \"{spec}\""))?;
                let text = match v {
                    Value::Array(_) | Value::Object(_) => {
                        serde_json::to_string(v).unwrap_or_default()
                    }
                    other => to_string(other).unwrap_or_else(|| "null".to_owned()),
                };
                if verb == 'q' {
                    out.push_str(&serde_json::Value::String(text).to_string());
                } else {
                    out.push_str(&text);
                }
            }
            other => {
                return Err(format!(
                    "format: the verb %{} in \"{spec}\" is not supported here; use %s, %d, %v or %q",
                    other.map(String::from).unwrap_or_default()
                ));
            }
        }
    }
    Ok(Value::String(out))
}
fn formatlist(args: FuncArgs) -> Out {
    let values = args.into_values();
    let len = values
        .iter()
        .filter_map(|v| match v {
            Value::Array(a) => Some(a.len()),
            _ => None,
        })
        .max()
        .unwrap_or(1);
    let mut out = Vec::new();
    for i in 0..len {
        let row: Vec<Value> = values
            .iter()
            .map(|v| match v {
                Value::Array(a) => a.get(i).cloned().unwrap_or(Value::Null),
                other => other.clone(),
            })
            .collect();
        out.push(format_values(&row)?);
    }
    Ok(Value::Array(out))
}

fn join(args: FuncArgs) -> Out {
    let values = args.into_values();
    let Some(Value::String(separator)) = values.first() else {
        return Err("join: the first argument must be the separator string".to_owned());
    };
    let mut parts = Vec::new();
    for v in &values[1..] {
        for item in list(v, "join")? {
            parts.push(to_string(item).ok_or("join: list elements must be strings")?);
        }
    }
    Ok(Value::String(parts.join(separator)))
}
fn jsondecode(args: FuncArgs) -> Out {
    let parsed: serde_json::Value = serde_json::from_str(arg_str(&args, 0, "jsondecode")?)
        .map_err(|e| format!("jsondecode: {e}"))?;
    hcl::to_value(parsed).map_err(|e| e.to_string())
}
fn jsonencode(args: FuncArgs) -> Out {
    serde_json::to_string(&args[0])
        .map(Value::String)
        .map_err(|e| e.to_string())
}
fn keys(args: FuncArgs) -> Out {
    match &args[0] {
        Value::Object(map) => Ok(Value::Array(
            sorted_keys(map).into_iter().map(Value::String).collect(),
        )),
        _ => Err("keys: expected a map".to_owned()),
    }
}
fn values(args: FuncArgs) -> Out {
    match &args[0] {
        Value::Object(map) => Ok(Value::Array(
            sorted_keys(map)
                .iter()
                .map(|k| map[k.as_str()].clone())
                .collect(),
        )),
        _ => Err("values: expected a map".to_owned()),
    }
}
/// Terraform iterates maps in lexical key order.
fn sorted_keys(map: &hcl::Map<String, Value>) -> Vec<String> {
    let mut keys: Vec<String> = map.keys().cloned().collect();
    keys.sort();
    keys
}
fn length(args: FuncArgs) -> Out {
    let n = match &args[0] {
        Value::Array(a) => a.len(),
        Value::Object(m) => m.len(),
        Value::String(s) => s.chars().count(),
        _ => return Err("length: expected a list, map or string".to_owned()),
    };
    Ok(number(n as f64))
}
fn lookup(args: FuncArgs) -> Out {
    let values = args.into_values();
    let (Some(Value::Object(map)), Some(key)) = (values.first(), values.get(1)) else {
        return Err("lookup: expected a map and a key".to_owned());
    };
    let key = to_string(key).ok_or("lookup: the key must be a string")?;
    match (map.get(&key), values.get(2)) {
        (Some(v), _) => Ok(v.clone()),
        (None, Some(default)) => Ok(default.clone()),
        (None, None) => Err(format!(
            "lookup: the map has no key \"{key}\" and no default was given"
        )),
    }
}
fn lower(args: FuncArgs) -> Out {
    Ok(Value::String(arg_str(&args, 0, "lower")?.to_lowercase()))
}
fn upper(args: FuncArgs) -> Out {
    Ok(Value::String(arg_str(&args, 0, "upper")?.to_uppercase()))
}
fn title(args: FuncArgs) -> Out {
    let mut out = String::new();
    let mut at_start = true;
    for c in arg_str(&args, 0, "title")?.chars() {
        if at_start {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        at_start = !c.is_alphanumeric();
    }
    Ok(Value::String(out))
}
fn merge(args: FuncArgs) -> Out {
    let mut out = hcl::Map::new();
    for v in args.iter() {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    out.insert(k.clone(), v.clone());
                }
            }
            Value::Null => {}
            _ => return Err("merge: every argument must be a map".to_owned()),
        }
    }
    Ok(Value::Object(out))
}
fn range(args: FuncArgs) -> Out {
    let n: Vec<f64> = args
        .iter()
        .map(|v| arg_number(v, "range"))
        .collect::<Result<_, _>>()?;
    let (start, end, step) = match n.as_slice() {
        [end] => (0.0, *end, 1.0),
        [start, end] => (*start, *end, if end >= start { 1.0 } else { -1.0 }),
        [start, end, step] if *step != 0.0 => (*start, *end, *step),
        _ => return Err("range: expected 1 to 3 numbers and a non-zero step".to_owned()),
    };
    let mut out = Vec::new();
    let mut i = start;
    while (step > 0.0 && i < end) || (step < 0.0 && i > end) {
        out.push(number(i));
        i += step;
        if out.len() > 1024 * 1024 {
            return Err("range: more than a million elements".to_owned());
        }
    }
    Ok(Value::Array(out))
}

/// `replace(string, substring, replacement)`; a `/regex/` substring is refused with a message
/// rather than replaced literally.
fn replace(args: FuncArgs) -> Out {
    let s = arg_str(&args, 0, "replace")?;
    let from = arg_str(&args, 1, "replace")?;
    let to = arg_str(&args, 2, "replace")?;
    if from.len() > 1 && from.starts_with('/') && from.ends_with('/') {
        return Err("replace: regular-expression patterns (/…/) are not supported here".to_owned());
    }
    Ok(Value::String(s.replace(from, to)))
}
fn reverse(args: FuncArgs) -> Out {
    let mut items = list(&args[0], "reverse")?.to_vec();
    items.reverse();
    Ok(Value::Array(items))
}
fn slice(args: FuncArgs) -> Out {
    let items = list(&args[0], "slice")?;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let (from, to) = (
        arg_number(&args[1], "slice")? as usize,
        arg_number(&args[2], "slice")? as usize,
    );
    items
        .get(from..to)
        .map(|s| Value::Array(s.to_vec()))
        .ok_or_else(|| "slice: indices out of range".to_owned())
}
fn sort(args: FuncArgs) -> Out {
    let mut items: Vec<String> = list(&args[0], "sort")?
        .iter()
        .map(|v| to_string(v).ok_or("sort: elements must be strings"))
        .collect::<Result<_, _>>()?;
    items.sort();
    Ok(Value::Array(items.into_iter().map(Value::String).collect()))
}
fn split(args: FuncArgs) -> Out {
    let separator = arg_str(&args, 0, "split")?;
    let s = arg_str(&args, 1, "split")?;
    Ok(Value::Array(
        s.split(separator)
            .map(|p| Value::String(p.to_owned()))
            .collect(),
    ))
}
fn substr(args: FuncArgs) -> Out {
    let s: Vec<char> = arg_str(&args, 0, "substr")?.chars().collect();
    #[allow(clippy::cast_possible_truncation)]
    let offset = arg_number(&args[1], "substr")? as i64;
    #[allow(clippy::cast_possible_truncation)]
    let length = arg_number(&args[2], "substr")? as i64;
    let len = i64::try_from(s.len()).unwrap_or(i64::MAX);
    let start = if offset < 0 {
        (len + offset).max(0)
    } else {
        offset.min(len)
    };
    let end = if length < 0 {
        len
    } else {
        (start + length).min(len)
    };
    #[allow(clippy::cast_sign_loss, clippy::cast_possible_truncation)]
    Ok(Value::String(
        s[start as usize..end as usize].iter().collect(),
    ))
}

/// `timestamp()`: the time of the load (Terraform's is the time of the apply; both change on
/// every run, which is what configurations use it for).
fn timestamp(_args: FuncArgs) -> Out {
    Ok(Value::String(
        jiff::Timestamp::now()
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string(),
    ))
}
fn tobool(args: FuncArgs) -> Out {
    match &args[0] {
        Value::Bool(b) => Ok(Value::Bool(*b)),
        Value::String(s) if s == "true" => Ok(Value::Bool(true)),
        Value::String(s) if s == "false" => Ok(Value::Bool(false)),
        Value::Null => Ok(Value::Null),
        _ => Err("tobool: expected true or false".to_owned()),
    }
}
fn tolist(args: FuncArgs) -> Out {
    list(&args[0], "tolist").map(|l| Value::Array(l.to_vec()))
}
fn identity(args: FuncArgs) -> Out {
    Ok(args[0].clone())
}
fn tonumber(args: FuncArgs) -> Out {
    match &args[0] {
        Value::Null => Ok(Value::Null),
        v => arg_number(v, "tonumber").map(number),
    }
}
/// Sets are lists of distinct elements here; Terraform orders string sets lexically.
fn toset(args: FuncArgs) -> Out {
    let mut out: Vec<Value> = Vec::new();
    for v in list(&args[0], "toset")? {
        if !out.contains(v) {
            out.push(v.clone());
        }
    }
    if out.iter().all(|v| matches!(v, Value::String(_))) {
        out.sort_by(|a, b| a.as_str().cmp(&b.as_str()));
    }
    Ok(Value::Array(out))
}
fn tostring(args: FuncArgs) -> Out {
    match &args[0] {
        Value::Null => Ok(Value::Null),
        v => to_string(v)
            .map(Value::String)
            .ok_or_else(|| "tostring: expected a primitive value".to_owned()),
    }
}
fn trim(args: FuncArgs) -> Out {
    let cut: Vec<char> = arg_str(&args, 1, "trim")?.chars().collect();
    Ok(Value::String(
        arg_str(&args, 0, "trim")?
            .trim_matches(cut.as_slice())
            .to_owned(),
    ))
}
fn trimprefix(args: FuncArgs) -> Out {
    let s = arg_str(&args, 0, "trimprefix")?;
    let p = arg_str(&args, 1, "trimprefix")?;
    Ok(Value::String(s.strip_prefix(p).unwrap_or(s).to_owned()))
}
fn trimsuffix(args: FuncArgs) -> Out {
    let s = arg_str(&args, 0, "trimsuffix")?;
    let p = arg_str(&args, 1, "trimsuffix")?;
    Ok(Value::String(s.strip_suffix(p).unwrap_or(s).to_owned()))
}
fn trimspace(args: FuncArgs) -> Out {
    Ok(Value::String(
        arg_str(&args, 0, "trimspace")?.trim().to_owned(),
    ))
}
fn urlencode(args: FuncArgs) -> Out {
    Ok(Value::String(
        percent_encoding::utf8_percent_encode(
            arg_str(&args, 0, "urlencode")?,
            percent_encoding::NON_ALPHANUMERIC,
        )
        .to_string(),
    ))
}
fn zipmap(args: FuncArgs) -> Out {
    let keys = list(&args[0], "zipmap")?;
    let values = list(&args[1], "zipmap")?;
    let mut out = hcl::Map::new();
    for (k, v) in keys.iter().zip(values) {
        out.insert(
            to_string(k).ok_or("zipmap: keys must be strings")?,
            v.clone(),
        );
    }
    Ok(Value::Object(out))
}
