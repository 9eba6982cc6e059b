//! How values print, byte for byte, and how they compare.
//!
//! Recorded on AWS (`test_input_path_template_formatting`): null prints as nothing, maps print
//! like Java's `AbstractMap.toString` (`{k=v, k2=v2}`, strings unquoted), JSON lists print as
//! compact JSON with everything inside them as JSON. Numbers print like Java's
//! `Long.toString` / `Double.toString` (see [`java_double_to_string`]).

use std::fmt::Write as _;

use crate::runtime_value::{ListStyle, MapStyle, Val};

/// How deeply nested a value may be when printed or compared; deeper means a structure that
/// contains itself, which Java would answer with a `StackOverflowError`.
pub const MAX_VALUE_DEPTH: usize = 64;

/// A value nested deeper than [`MAX_VALUE_DEPTH`], almost certainly a map or list containing
/// itself.
#[derive(Debug)]
pub(crate) struct TooDeep;

impl TooDeep {
    pub fn message() -> String {
        format!(
            "a value nests deeper than {MAX_VALUE_DEPTH} levels (does a map or list contain itself?)"
        )
    }
}

/// The text a reference renders to: what `$value` outputs.
pub(crate) fn render_text(value: &Val) -> Result<String, TooDeep> {
    let mut out = String::new();
    match value {
        Val::Null | Val::Defined(_) | Val::Tool(_) => {}
        _ => write_java(value, &mut out, MAX_VALUE_DEPTH)?,
    }
    Ok(out)
}

/// Java `String.valueOf` of a value nested inside a Java collection (null prints `null`).
fn write_java(value: &Val, out: &mut String, depth_left: usize) -> Result<(), TooDeep> {
    let depth_left = depth_left.checked_sub(1).ok_or(TooDeep)?;
    match value {
        Val::Null | Val::Defined(_) => out.push_str("null"),
        Val::Tool(_) => {}
        Val::Bool(flag) => out.push_str(if *flag { "true" } else { "false" }),
        Val::Int(int) => {
            let _ = write!(out, "{int}");
        }
        Val::Float(float) => out.push_str(&java_double_to_string(*float)),
        Val::Str(text) => out.push_str(text),
        Val::List(list) => match list.style {
            ListStyle::Json => write_json(value, out, depth_left + 1)?,
            ListStyle::Java => {
                out.push('[');
                for (index, item) in list.items.borrow().iter().enumerate() {
                    if index > 0 {
                        out.push_str(", ");
                    }
                    write_java(item, out, depth_left)?;
                }
                out.push(']');
            }
        },
        Val::Map(map) => match map.style {
            MapStyle::HiddenContextObject => {}
            MapStyle::Java => {
                out.push('{');
                for (index, (key, item)) in map.entries.borrow().iter().enumerate() {
                    if index > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(key);
                    out.push('=');
                    write_java(item, out, depth_left)?;
                }
                out.push('}');
            }
        },
    }
    Ok(())
}

/// Compact JSON, as json-smart writes it for `$input.json` and for JSON lists.
pub(crate) fn json_text(value: &Val) -> Result<String, TooDeep> {
    let mut out = String::new();
    write_json(value, &mut out, MAX_VALUE_DEPTH)?;
    Ok(out)
}

fn write_json(value: &Val, out: &mut String, depth_left: usize) -> Result<(), TooDeep> {
    let depth_left = depth_left.checked_sub(1).ok_or(TooDeep)?;
    match value {
        Val::Null | Val::Defined(_) | Val::Tool(_) => out.push_str("null"),
        Val::Bool(_) | Val::Int(_) | Val::Float(_) => write_java(value, out, depth_left + 1)?,
        Val::Str(text) => write_json_string(text, out),
        Val::List(list) => {
            out.push('[');
            for (index, item) in list.items.borrow().iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_json(item, out, depth_left)?;
            }
            out.push(']');
        }
        Val::Map(map) => {
            out.push('{');
            for (index, (key, item)) in map.entries.borrow().iter().enumerate() {
                if index > 0 {
                    out.push(',');
                }
                write_json_string(key, out);
                out.push(':');
                write_json(item, out, depth_left)?;
            }
            out.push('}');
        }
    }
    Ok(())
}

fn write_json_string(text: &str, out: &mut String) {
    out.push('"');
    for ch in text.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ch if u32::from(ch) < 0x20 => {
                let _ = write!(out, "\\u{:04X}", u32::from(ch));
            }
            ch => out.push(ch),
        }
    }
    out.push('"');
}

/// Java's `Double.toString`: plain decimal with at least one fractional digit for magnitudes in
/// [10^-3, 10^7), otherwise computerized scientific notation (`1.0E10`), always with the
/// shortest digits that round-trip. Chosen because json-smart (under Jayway) parses JSON
/// decimals to `Double`; UNCONFIRMED on AWS for `$input.path` numbers.
pub fn java_double_to_string(number: f64) -> String {
    if number.is_nan() {
        return "NaN".to_owned();
    }
    if number.is_infinite() {
        return if number > 0.0 {
            "Infinity"
        } else {
            "-Infinity"
        }
        .to_owned();
    }
    if number == 0.0 {
        return if number.is_sign_negative() {
            "-0.0"
        } else {
            "0.0"
        }
        .to_owned();
    }
    let magnitude = number.abs();
    if (1e-3..1e7).contains(&magnitude) {
        let text = format!("{number}");
        if text.contains('.') {
            text
        } else {
            format!("{text}.0")
        }
    } else {
        let text = format!("{number:e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((text.as_str(), "0"));
        if mantissa.contains('.') {
            format!("{mantissa}E{exponent}")
        } else {
            format!("{mantissa}.0E{exponent}")
        }
    }
}

fn as_number(value: &Val) -> Option<f64> {
    match value {
        Val::Int(int) => Some(*int as f64),
        Val::Float(float) => Some(*float),
        _ => None,
    }
}

/// Velocity 1.7's `==`: numbers compare by value, values of the same kind by Java `equals`,
/// anything else by their printed text. Because null prints as nothing, `null == ""` holds,
/// as recorded on AWS.
pub(crate) fn values_equal(left: &Val, right: &Val) -> bool {
    equal_at_depth(left, right, MAX_VALUE_DEPTH)
}

fn equal_at_depth(left: &Val, right: &Val, depth_left: usize) -> bool {
    let Some(depth_left) = depth_left.checked_sub(1) else {
        return false;
    };
    match (left, right) {
        (Val::Int(a), Val::Int(b)) => a == b,
        (Val::Bool(a), Val::Bool(b)) => a == b,
        (Val::Str(a), Val::Str(b)) => a == b,
        (Val::List(a), Val::List(b)) => {
            let (a, b) = (a.items.borrow(), b.items.borrow());
            a.len() == b.len()
                && a.iter()
                    .zip(b.iter())
                    .all(|(x, y)| equal_at_depth(x, y, depth_left))
        }
        (Val::Map(a), Val::Map(b)) => {
            let (a, b) = (a.entries.borrow(), b.entries.borrow());
            a.len() == b.len()
                && a.iter()
                    .all(|(key, x)| b.get(key).is_some_and(|y| equal_at_depth(x, y, depth_left)))
        }
        _ => match (as_number(left), as_number(right)) {
            (Some(a), Some(b)) => a == b,
            _ => match (render_text(left), render_text(right)) {
                (Ok(a), Ok(b)) => a == b,
                _ => false,
            },
        },
    }
}

/// Velocity's `<`, `>`, `<=`, `>=`: numbers by value, strings lexicographically; anything else
/// is not comparable (Velocity logs and answers false).
pub(crate) fn compare(left: &Val, right: &Val) -> Option<std::cmp::Ordering> {
    match (left, right) {
        (Val::Int(a), Val::Int(b)) => Some(a.cmp(b)),
        (Val::Str(a), Val::Str(b)) => Some(a.cmp(b)),
        _ => as_number(left)?.partial_cmp(&as_number(right)?),
    }
}

#[cfg(test)]
mod tests {
    use super::java_double_to_string;

    #[test]
    fn doubles_print_like_java() {
        let cases = [
            (1.0, "1.0"),
            (1000.0, "1000.0"),
            (0.5, "0.5"),
            (1.25e-5, "1.25E-5"),
            (1e7, "1.0E7"),
            (12345678.9, "1.23456789E7"),
            (0.001, "0.001"),
            (-2.5, "-2.5"),
            (0.0, "0.0"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "Infinity"),
        ];
        for (number, expected) in cases {
            assert_eq!(java_double_to_string(number), expected, "{number}");
        }
    }
}
