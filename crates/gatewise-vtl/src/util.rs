//! `$util` string functions whose semantics do not depend on runtime values.

use base64::Engine as _;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

/// `$util.escapeJavaScript`. UNCONFIRMED: follows the AWS documentation ("turn any regular
/// single quotes (') into escaped ones (\')") with Apache Commons Lang 2
/// `StringEscapeUtils.escapeJavaScript` semantics, the likely implementation:
/// `'` → `\'`, `"` → `\"`, `\` → `\\`, `/` → `\/`, `\b \f \n \r \t` as such, other control
/// characters and everything above U+007F as `\uXXXX` (upper-case hex, UTF-16 units).
/// LocalStack instead JSON-escapes and leaves `'` and non-ASCII alone.
pub fn escape_javascript(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for ch in text.chars() {
        match ch {
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' => out.push_str("\\/"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            ch if u32::from(ch) < 0x20 || u32::from(ch) > 0x7f => {
                let mut units = [0u16; 2];
                for unit in ch.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04X}"));
                }
            }
            ch => out.push(ch),
        }
    }
    out
}

/// `$util.urlEncode`: Java `URLEncoder.encode(s, "UTF-8")`, i.e. form encoding: letters,
/// digits and `.-*_` stay, space becomes `+`, every other byte `%XX` (recorded on AWS).
pub(crate) fn url_encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// `$util.urlDecode`: Java `URLDecoder.decode(s, "UTF-8")`; a malformed `%` escape is an error
/// there too.
pub(crate) fn url_decode(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'+' => {
                decoded.push(b' ');
                index += 1;
            }
            b'%' => {
                let hex = bytes.get(index + 1..index + 3).ok_or_else(|| {
                    "URLDecoder: incomplete trailing escape (%) pattern".to_owned()
                })?;
                let value = std::str::from_utf8(hex)
                    .ok()
                    .and_then(|hex| u8::from_str_radix(hex, 16).ok())
                    .ok_or_else(|| {
                        "URLDecoder: illegal hex characters in escape (%) pattern".to_owned()
                    })?;
                decoded.push(value);
                index += 3;
            }
            byte => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    Ok(String::from_utf8_lossy(&decoded).into_owned())
}

/// Standard alphabet; decoding accepts input with or without `=` padding.
const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// `$util.base64Encode`: the UTF-8 bytes, standard alphabet with padding.
pub(crate) fn base64_encode(text: &str) -> String {
    BASE64.encode(text.as_bytes())
}

/// `$util.base64Decode`: bytes decoded as UTF-8 (invalid sequences replaced, as Java does).
pub(crate) fn base64_decode(text: &str) -> Result<String, String> {
    BASE64
        .decode(text.trim().as_bytes())
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
        .map_err(|error| format!("$util.base64Decode: input is not base64 ({error})"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_javascript_follows_commons_lang() {
        let cases = [
            ("it's", "it\\'s"),
            ("say \"hi\"", "say \\\"hi\\\""),
            ("a\\b", "a\\\\b"),
            ("</script>", "<\\/script>"),
            ("line\nbreak\ttab\r", "line\\nbreak\\ttab\\r"),
            ("\u{1}", "\\u0001"),
            ("é", "\\u00E9"),
            ("€", "\\u20AC"),
            ("😀", "\\uD83D\\uDE00"),
            ("plain", "plain"),
        ];
        for (input, expected) in cases {
            assert_eq!(escape_javascript(input), expected, "{input}");
        }
    }

    #[test]
    fn url_encoding_is_java_form_encoding() {
        assert_eq!(
            url_encode("{\"some\": \"value\"}"),
            "%7B%22some%22%3A+%22value%22%7D"
        );
        assert_eq!(url_encode("a*b-c.d_e~f"), "a*b-c.d_e%7Ef");
        assert_eq!(url_encode("é"), "%C3%A9");
        assert_eq!(url_decode("a+b%3D%C3%A9").unwrap(), "a b=é");
        assert!(url_decode("%4").is_err());
        assert!(url_decode("%zz").is_err());
    }

    #[test]
    fn base64_round_trips_utf8() {
        assert_eq!(
            base64_encode("{\"message\": \"path1\"}"),
            "eyJtZXNzYWdlIjogInBhdGgxIn0="
        );
        assert_eq!(
            base64_decode("eyJtZXNzYWdlIjogInBhdGgxIn0").unwrap(),
            "{\"message\": \"path1\"}"
        );
        assert!(base64_decode("not base64!").is_err());
    }
}
