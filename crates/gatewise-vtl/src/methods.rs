//! Property access, indexing and method calls: the Java methods of `String`, `Map`, `List` and
//! numbers that templates use, plus API Gateway's `$input` and `$util`.
//!
//! Velocity answers a method it cannot find, or a property that does not exist, with null
//! (which renders as nothing); so does this module. Where Java would throw (an index out of
//! range, a malformed regex, invalid JSON given to `parseJson`), the render fails with a
//! located error, as the template fails on AWS.

use std::rc::Rc;

use crate::error::{Position, RenderError};
use crate::input::INPUT_JSON_MISSING_PATH_TEXT;
use crate::jsonpath::{self, Selection};
use crate::render::Renderer;
use crate::runtime_value::{ListCell, ListStyle, MapCell, MapStyle, Tool, Val};
use crate::text::{self, TooDeep};
use crate::util;

/// The outcome of a method: a value, or the message of the exception Java would throw.
type MethodResult = Result<Val, String>;

fn int(value: i64) -> Val {
    Val::Int(value)
}

fn count(value: usize) -> Val {
    Val::Int(i64::try_from(value).unwrap_or(i64::MAX))
}

/// Java `equals`: same kind and equal (an `Integer` never equals a `String`).
fn java_equals(left: &Val, right: &Val) -> bool {
    let same_kind = matches!(
        (left, right),
        (Val::Null, Val::Null)
            | (Val::Bool(_), Val::Bool(_))
            | (Val::Int(_), Val::Int(_))
            | (Val::Float(_), Val::Float(_))
            | (Val::Str(_), Val::Str(_))
            | (Val::List(_), Val::List(_))
            | (Val::Map(_), Val::Map(_))
    );
    same_kind && text::values_equal(left, right)
}

/// Converts Java UTF-16 indices, which `length()`, `substring` and `indexOf` use.
fn utf16_index_of_byte(text: &str, byte_index: usize) -> i64 {
    i64::try_from(text[..byte_index].encode_utf16().count()).unwrap_or(i64::MAX)
}

fn byte_index_of_utf16(text: &str, utf16_index: usize) -> usize {
    let mut units = 0;
    for (byte_index, ch) in text.char_indices() {
        if units >= utf16_index {
            return byte_index;
        }
        units += ch.len_utf16();
    }
    text.len()
}

impl Renderer<'_> {
    /// `$value.name`: a map key, `$input.body`, or a bean getter such as `$string.empty`.
    pub(crate) fn property(&mut self, receiver: &Val, name: &str) -> Val {
        match receiver {
            Val::Map(map) => map.entries.borrow().get(name).cloned().unwrap_or(Val::Null),
            Val::Tool(Tool::Input) if name == "body" => Val::Str(self.cached_body_text()),
            Val::Str(text) if name == "empty" => Val::Bool(text.is_empty()),
            Val::List(list) if name == "empty" => Val::Bool(list.items.borrow().is_empty()),
            _ => Val::Null,
        }
    }

    /// `$value[index]`: a list element or a map entry; anything else (or out of range) is null.
    pub(crate) fn index(&mut self, receiver: &Val, index: &Val) -> Val {
        match (receiver, index) {
            (Val::List(list), Val::Int(position)) => usize::try_from(*position)
                .ok()
                .and_then(|position| list.items.borrow().get(position).cloned())
                .unwrap_or(Val::Null),
            (Val::Map(map), key) => match text::render_text(key) {
                Ok(key) => map.entries.borrow().get(&key).cloned().unwrap_or(Val::Null),
                Err(TooDeep) => Val::Null,
            },
            _ => Val::Null,
        }
    }

    pub(crate) fn call_method(
        &mut self,
        receiver: &Val,
        name: &str,
        arguments: &[Val],
        position: Position,
    ) -> Result<Val, RenderError> {
        let result = match receiver {
            Val::Null => return Ok(Val::Null),
            Val::Tool(Tool::Input) => self.input_method(name, arguments),
            Val::Tool(Tool::Util) => self.util_method(name, arguments),
            Val::Str(text) => self.string_method(text, name, arguments),
            Val::Map(map) => self.map_method(map, name, arguments, position)?,
            Val::List(list) => self.list_method(list, name, arguments),
            Val::Defined(_) => Ok(Val::Null),
            Val::Bool(_) | Val::Int(_) | Val::Float(_) => scalar_method(receiver, name, arguments),
        };
        let value =
            result.map_err(|message| RenderError::at(position, format!("{name}(): {message}")))?;
        if let Val::Str(text) = &value {
            self.produced(text.len(), position)?;
        }
        Ok(value)
    }

    fn text_argument(arguments: &[Val], index: usize) -> Result<Option<String>, String> {
        match arguments.get(index) {
            None | Some(Val::Null) => Ok(None),
            Some(value) => text::render_text(value)
                .map(Some)
                .map_err(|TooDeep| TooDeep::message()),
        }
    }

    fn input_method(&mut self, name: &str, arguments: &[Val]) -> MethodResult {
        match (name, arguments.len()) {
            ("params", 0) => Ok(self.input.all_parameters(&mut self.arena)),
            ("params", 1) => {
                let Some(key) = Self::text_argument(arguments, 0)? else {
                    return Ok(Val::Null);
                };
                Ok(self.input.parameter(&key).map_or(Val::Null, Val::str))
            }
            ("path", 1) | ("json", 1) => {
                let path = Self::text_argument(arguments, 0)?.unwrap_or_else(|| "$".to_owned());
                let document = self.cached_body_document();
                let selection = jsonpath::select(&document, &path)?;
                if name == "path" {
                    Ok(match selection {
                        Selection::Missing => Val::Null,
                        Selection::One(value) => self.arena.json_value(value),
                        Selection::Many(values) => {
                            let items = values
                                .into_iter()
                                .map(|value| self.arena.json_value(value))
                                .collect();
                            self.arena.list(items, ListStyle::Json)
                        }
                    })
                } else {
                    let json = match selection {
                        Selection::Missing => INPUT_JSON_MISSING_PATH_TEXT.to_owned(),
                        Selection::One(value) => text::json_text(&self.arena.json_value(value))
                            .map_err(|TooDeep| TooDeep::message())?,
                        Selection::Many(values) => {
                            let items = values
                                .into_iter()
                                .map(|value| self.arena.json_value(value))
                                .collect();
                            text::json_text(&self.arena.list(items, ListStyle::Json))
                                .map_err(|TooDeep| TooDeep::message())?
                        }
                    };
                    Ok(Val::string(json))
                }
            }
            _ => Ok(Val::Null),
        }
    }

    fn util_method(&mut self, name: &str, arguments: &[Val]) -> MethodResult {
        if arguments.len() != 1 {
            return Ok(Val::Null);
        }
        // Null in, null out: `$util.urlEncode($input.body.missing)` renders nothing on AWS.
        let Some(argument) = Self::text_argument(arguments, 0)? else {
            return Ok(Val::Null);
        };
        Ok(match name {
            "escapeJavaScript" => Val::string(util::escape_javascript(&argument)),
            "urlEncode" => Val::string(util::url_encode(&argument)),
            "urlDecode" => Val::string(util::url_decode(&argument)?),
            "base64Encode" => Val::string(util::base64_encode(&argument)),
            "base64Decode" => Val::string(util::base64_decode(&argument)?),
            "parseJson" => {
                let json: serde_json::Value = serde_json::from_str(&argument).map_err(|error| {
                    format!("$util.parseJson: the argument is not JSON ({error})")
                })?;
                self.arena.json_value(&json)
            }
            _ => Val::Null,
        })
    }

    fn regex(&mut self, pattern: &str) -> Result<Rc<fancy_regex::Regex>, String> {
        if let Some(regex) = self.regex_cache.get(pattern) {
            return Ok(Rc::clone(regex));
        }
        let regex = fancy_regex::Regex::new(pattern)
            .map(Rc::new)
            .map_err(|error| format!("PatternSyntaxException: {error} in {pattern:?}"))?;
        self.regex_cache
            .insert(pattern.to_owned(), Rc::clone(&regex));
        Ok(regex)
    }

    fn string_method(&mut self, text: &Rc<str>, name: &str, arguments: &[Val]) -> MethodResult {
        let text: &str = text;
        let argument = |index: usize| -> Result<String, String> {
            match Self::text_argument(arguments, index)? {
                Some(argument) => Ok(argument),
                None => Err(format!(
                    "NullPointerException: argument {} is null",
                    index + 1
                )),
            }
        };
        let int_argument = |index: usize| match arguments.get(index) {
            Some(Val::Int(value)) => Ok(*value),
            _ => Err(format!("argument {} must be an integer", index + 1)),
        };
        let utf16_length = text.encode_utf16().count();
        Ok(match (name, arguments.len()) {
            ("length", 0) => count(utf16_length),
            ("isEmpty", 0) => Val::Bool(text.is_empty()),
            ("toString", 0) | ("intern", 0) => Val::str(text),
            ("trim", 0) => Val::str(text.trim_matches(|ch: char| ch <= ' ')),
            ("toLowerCase", 0) => Val::string(text.to_lowercase()),
            ("toUpperCase", 0) => Val::string(text.to_uppercase()),
            ("contains", 1) => Val::Bool(text.contains(argument(0)?.as_str())),
            ("startsWith", 1) => Val::Bool(text.starts_with(argument(0)?.as_str())),
            ("startsWith", 2) => {
                let offset = int_argument(1)?;
                let start = usize::try_from(offset)
                    .ok()
                    .filter(|offset| *offset <= utf16_length);
                Val::Bool(start.is_some_and(|start| {
                    text[byte_index_of_utf16(text, start)..]
                        .starts_with(argument(0).unwrap_or_default().as_str())
                }))
            }
            ("endsWith", 1) => Val::Bool(text.ends_with(argument(0)?.as_str())),
            ("equals", 1) => {
                Val::Bool(matches!(&arguments[0], Val::Str(other) if **other == *text))
            }
            ("equalsIgnoreCase", 1) => Val::Bool(match &arguments[0] {
                Val::Str(other) => other.to_lowercase() == text.to_lowercase(),
                _ => false,
            }),
            ("concat", 1) => Val::string(format!("{text}{}", argument(0)?)),
            ("indexOf", 1) | ("indexOf", 2) => {
                let needle = argument(0)?;
                let from = if arguments.len() == 2 {
                    int_argument(1)?.max(0)
                } else {
                    0
                };
                let start = byte_index_of_utf16(text, usize::try_from(from).unwrap_or(usize::MAX));
                int(text[start..]
                    .find(needle.as_str())
                    .map_or(-1, |found| utf16_index_of_byte(text, start + found)))
            }
            ("lastIndexOf", 1) | ("lastIndexOf", 2) => {
                let needle = argument(0)?;
                let haystack_end = if arguments.len() == 2 {
                    let from = int_argument(1)?;
                    if from < 0 {
                        return Ok(int(-1));
                    }
                    let start =
                        byte_index_of_utf16(text, usize::try_from(from).unwrap_or(usize::MAX));
                    (start + needle.len()).min(text.len())
                } else {
                    text.len()
                };
                let end = (0..=haystack_end)
                    .rev()
                    .find(|end| text.is_char_boundary(*end))
                    .unwrap_or(0);
                int(text[..end]
                    .rfind(needle.as_str())
                    .map_or(-1, |found| utf16_index_of_byte(text, found)))
            }
            ("charAt", 1) => {
                let index = int_argument(0)?;
                let units: Vec<u16> = text.encode_utf16().collect();
                match usize::try_from(index)
                    .ok()
                    .and_then(|index| units.get(index))
                {
                    Some(unit) => Val::string(String::from_utf16_lossy(&[*unit])),
                    None => {
                        return Err(format!(
                            "StringIndexOutOfBoundsException: index {index}, length {}",
                            units.len()
                        ));
                    }
                }
            }
            ("substring", 1) | ("substring", 2) => {
                let units: Vec<u16> = text.encode_utf16().collect();
                let begin = int_argument(0)?;
                let end = if arguments.len() == 2 {
                    int_argument(1)?
                } else {
                    i64::try_from(units.len()).unwrap_or(i64::MAX)
                };
                let range = usize::try_from(begin)
                    .ok()
                    .zip(usize::try_from(end).ok())
                    .filter(|(begin, end)| begin <= end && *end <= units.len());
                match range {
                    Some((begin, end)) => Val::string(String::from_utf16_lossy(&units[begin..end])),
                    None => {
                        return Err(format!(
                            "StringIndexOutOfBoundsException: begin {begin}, end {end}, length {}",
                            units.len()
                        ));
                    }
                }
            }
            ("replace", 2) => Val::string(text.replace(argument(0)?.as_str(), &argument(1)?)),
            ("replaceAll", 2) | ("replaceFirst", 2) => {
                let regex = self.regex(&argument(0)?)?;
                let replacement = argument(1)?;
                Val::string(replace_regex(
                    &regex,
                    text,
                    &replacement,
                    name == "replaceAll",
                )?)
            }
            ("matches", 1) => {
                let regex = self.regex(&format!("\\A(?:{})\\z", argument(0)?))?;
                Val::Bool(regex.is_match(text).map_err(|error| error.to_string())?)
            }
            ("split", 1) | ("split", 2) => {
                let regex = self.regex(&argument(0)?)?;
                let limit = if arguments.len() == 2 {
                    int_argument(1)?
                } else {
                    0
                };
                let pieces = split_regex(&regex, text, limit)?;
                let items = pieces.into_iter().map(Val::string).collect();
                self.arena.list(items, ListStyle::Java)
            }
            _ => Val::Null,
        })
    }

    fn map_method(
        &mut self,
        map: &Rc<MapCell>,
        name: &str,
        arguments: &[Val],
        position: Position,
    ) -> Result<MethodResult, RenderError> {
        let key = |index: usize| Self::text_argument(arguments, index);
        let result = match (name, arguments.len()) {
            ("get", 1) => key(0).map(|key| {
                key.and_then(|key| map.entries.borrow().get(&key).cloned())
                    .unwrap_or(Val::Null)
            }),
            ("put", 2) => match key(0) {
                Ok(Some(key)) => Ok(self
                    .map_insert(map, &key, arguments[1].clone(), position)?
                    .unwrap_or(Val::Null)),
                Ok(None) => Ok(Val::Null),
                Err(message) => Err(message),
            },
            ("putAll", 1) => {
                if let Val::Map(other) = &arguments[0] {
                    let entries: Vec<(String, Val)> = other
                        .entries
                        .borrow()
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    for (key, value) in entries {
                        self.map_insert(map, &key, value, position)?;
                    }
                }
                Ok(Val::Null)
            }
            ("remove", 1) => key(0).map(|key| {
                key.and_then(|key| map.entries.borrow_mut().shift_remove(&key))
                    .unwrap_or(Val::Null)
            }),
            ("containsKey", 1) => key(0).map(|key| {
                Val::Bool(key.is_some_and(|key| map.entries.borrow().contains_key(&key)))
            }),
            ("containsValue", 1) => Ok(Val::Bool(
                map.entries
                    .borrow()
                    .values()
                    .any(|value| java_equals(value, &arguments[0])),
            )),
            ("size", 0) => Ok(count(map.entries.borrow().len())),
            ("isEmpty", 0) => Ok(Val::Bool(map.entries.borrow().is_empty())),
            ("clear", 0) => {
                map.entries.borrow_mut().clear();
                Ok(Val::Null)
            }
            ("keySet", 0) => {
                let keys = map
                    .entries
                    .borrow()
                    .keys()
                    .map(|key| Val::str(key))
                    .collect();
                Ok(self.arena.list(keys, ListStyle::Java))
            }
            ("values", 0) => {
                let values = map.entries.borrow().values().cloned().collect();
                Ok(self.arena.list(values, ListStyle::Java))
            }
            ("entrySet", 0) => {
                let pairs: Vec<(String, Val)> = map
                    .entries
                    .borrow()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                let entries = pairs
                    .into_iter()
                    .map(|(key, value)| {
                        let entry = [
                            ("key".to_owned(), Val::string(key)),
                            ("value".to_owned(), value),
                        ]
                        .into_iter()
                        .collect();
                        self.arena.map(entry, MapStyle::Java)
                    })
                    .collect();
                Ok(self.arena.list(entries, ListStyle::Java))
            }
            ("toString", 0) => text::render_text(&Val::Map(Rc::clone(map)))
                .map(Val::string)
                .map_err(|TooDeep| TooDeep::message()),
            ("equals", 1) => Ok(Val::Bool(java_equals(
                &Val::Map(Rc::clone(map)),
                &arguments[0],
            ))),
            _ => Ok(Val::Null),
        };
        Ok(result)
    }

    fn list_method(&mut self, list: &Rc<ListCell>, name: &str, arguments: &[Val]) -> MethodResult {
        let index_argument =
            |index: usize, length: usize, inclusive_end: bool| -> Result<usize, String> {
                let limit = if inclusive_end { length + 1 } else { length };
                match arguments.get(index) {
                    Some(Val::Int(value)) => usize::try_from(*value)
                        .ok()
                        .filter(|value| *value < limit)
                        .ok_or_else(|| {
                            format!("IndexOutOfBoundsException: index {value}, size {length}")
                        }),
                    _ => Err(format!("argument {} must be an integer", index + 1)),
                }
            };
        let length = list.items.borrow().len();
        Ok(match (name, arguments.len()) {
            ("size", 0) => count(length),
            ("isEmpty", 0) => Val::Bool(length == 0),
            ("get", 1) => list.items.borrow()[index_argument(0, length, false)?].clone(),
            ("contains", 1) => Val::Bool(
                list.items
                    .borrow()
                    .iter()
                    .any(|item| java_equals(item, &arguments[0])),
            ),
            ("indexOf", 1) => int(list
                .items
                .borrow()
                .iter()
                .position(|item| java_equals(item, &arguments[0]))
                .map_or(-1, |found| i64::try_from(found).unwrap_or(i64::MAX))),
            ("add", 1) => {
                list.items.borrow_mut().push(arguments[0].clone());
                Val::Bool(true)
            }
            ("add", 2) => {
                let index = index_argument(0, length, true)?;
                list.items.borrow_mut().insert(index, arguments[1].clone());
                Val::Null
            }
            ("addAll", 1) => match &arguments[0] {
                Val::List(other) => {
                    let items = other.items.borrow().clone();
                    let changed = !items.is_empty();
                    list.items.borrow_mut().extend(items);
                    Val::Bool(changed)
                }
                _ => Val::Null,
            },
            ("set", 2) => {
                let index = index_argument(0, length, false)?;
                std::mem::replace(&mut list.items.borrow_mut()[index], arguments[1].clone())
            }
            ("remove", 1) => match &arguments[0] {
                Val::Int(_) => {
                    let index = index_argument(0, length, false)?;
                    list.items.borrow_mut().remove(index)
                }
                other => {
                    let found = list
                        .items
                        .borrow()
                        .iter()
                        .position(|item| java_equals(item, other));
                    if let Some(found) = found {
                        list.items.borrow_mut().remove(found);
                    }
                    Val::Bool(found.is_some())
                }
            },
            ("clear", 0) => {
                list.items.borrow_mut().clear();
                Val::Null
            }
            ("toString", 0) => text::render_text(&Val::List(Rc::clone(list)))
                .map(Val::string)
                .map_err(|TooDeep| TooDeep::message())?,
            ("equals", 1) => Val::Bool(java_equals(&Val::List(Rc::clone(list)), &arguments[0])),
            _ => Val::Null,
        })
    }
}

fn scalar_method(receiver: &Val, name: &str, arguments: &[Val]) -> MethodResult {
    Ok(match (name, arguments.len(), receiver) {
        ("toString", 0, _) => Val::string(text::render_text(receiver).unwrap_or_default()),
        ("equals", 1, _) => Val::Bool(java_equals(receiver, &arguments[0])),
        ("intValue" | "longValue", 0, Val::Int(value)) => Val::Int(*value),
        ("intValue" | "longValue", 0, Val::Float(value)) => Val::Int(*value as i64),
        ("doubleValue" | "floatValue", 0, Val::Int(value)) => Val::Float(*value as f64),
        ("doubleValue" | "floatValue", 0, Val::Float(value)) => Val::Float(*value),
        _ => Val::Null,
    })
}

/// Java `Matcher.replaceAll/replaceFirst`: `$n` and `${name}` insert groups, `\x` inserts `x`.
fn replace_regex(
    regex: &fancy_regex::Regex,
    text: &str,
    replacement: &str,
    all: bool,
) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for captures in regex.captures_iter(text) {
        let captures = captures.map_err(|error| error.to_string())?;
        let Some(whole) = captures.get(0) else {
            continue;
        };
        out.push_str(&text[last..whole.start()]);
        expand_replacement(regex, &captures, replacement, &mut out)?;
        last = whole.end();
        if !all {
            break;
        }
    }
    out.push_str(&text[last..]);
    Ok(out)
}

fn expand_replacement(
    regex: &fancy_regex::Regex,
    captures: &fancy_regex::Captures<'_, str>,
    replacement: &str,
    out: &mut String,
) -> Result<(), String> {
    let group_count = captures.len().saturating_sub(1);
    let mut chars = replacement.chars().peekable();
    while let Some(ch) = chars.next() {
        match ch {
            '\\' => match chars.next() {
                Some(escaped) => out.push(escaped),
                None => return Err("character to be escaped is missing".to_owned()),
            },
            '$' => {
                let group = if chars.peek() == Some(&'{') {
                    chars.next();
                    let name: String = chars.by_ref().take_while(|ch| *ch != '}').collect();
                    if !regex
                        .capture_names()
                        .flatten()
                        .any(|existing| existing == name)
                    {
                        return Err(format!("no group with name {{{name}}}"));
                    }
                    captures.name(&name)
                } else {
                    let Some(first) = chars.next().and_then(|ch| ch.to_digit(10)) else {
                        return Err("Illegal group reference".to_owned());
                    };
                    let mut number = first as usize;
                    // Java keeps reading digits while the group number stays valid.
                    while let Some(next) = chars.peek().and_then(|ch| ch.to_digit(10)) {
                        let candidate = number * 10 + next as usize;
                        if candidate > group_count {
                            break;
                        }
                        number = candidate;
                        chars.next();
                    }
                    if number > group_count {
                        return Err(format!("IndexOutOfBoundsException: No group {number}"));
                    }
                    captures.get(number)
                };
                if let Some(group) = group {
                    out.push_str(group.as_str());
                }
            }
            other => out.push(other),
        }
    }
    Ok(())
}

/// Java `String.split(regex, limit)`: a zero-width match at the start adds no leading empty
/// piece; with limit 0 trailing empty pieces are dropped; with limit n > 0 at most n pieces.
fn split_regex(regex: &fancy_regex::Regex, text: &str, limit: i64) -> Result<Vec<String>, String> {
    let mut pieces = Vec::new();
    let mut last = 0;
    let mut matched = false;
    for found in regex.find_iter(text) {
        let found = found.map_err(|error| error.to_string())?;
        if limit > 0 && i64::try_from(pieces.len()).unwrap_or(i64::MAX) >= limit - 1 {
            break;
        }
        if found.end() == 0 {
            continue;
        }
        matched = true;
        pieces.push(text[last..found.start()].to_owned());
        last = found.end();
    }
    if !matched {
        return Ok(vec![text.to_owned()]);
    }
    pieces.push(text[last..].to_owned());
    if limit == 0 {
        while pieces.last().is_some_and(String::is_empty) {
            pieces.pop();
        }
    }
    Ok(pieces)
}
