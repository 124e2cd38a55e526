//! The join link as a QR code, for the projector: a student points a phone's camera at it and
//! lands on the join screen with the code typed (`…/#/join/CODE`).

use qrcode::render::svg;
use qrcode::QrCode;

/// The longest link drawn: a join link is well under it, and a QR code of more is hard to scan
/// from the back of a room.
pub(crate) const MAX_URL: usize = 512;

/// Why a link was not drawn.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub(crate) enum QrError {
    #[error("the link must be an http:// or https:// address of at most {MAX_URL} bytes, without spaces")]
    NotALink,
    #[error("the link does not fit in a QR code")]
    TooLong,
}

/// `url` as a black-on-white SVG QR code (error correction M, its quiet zone included).
pub(crate) fn svg(url: &str) -> Result<String, QrError> {
    let is_link = (url.starts_with("http://") || url.starts_with("https://"))
        && url.len() <= MAX_URL
        && !url.chars().any(|c| c.is_whitespace() || c.is_control());
    if !is_link {
        return Err(QrError::NotALink);
    }
    let code = QrCode::new(url.as_bytes()).map_err(|_| QrError::TooLong)?;
    Ok(code
        .render::<svg::Color<'_>>()
        .min_dimensions(256, 256)
        .dark_color(svg::Color("#000"))
        .light_color(svg::Color("#fff"))
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_join_link_is_drawn_as_an_svg() {
        let drawn = svg("http://192.168.1.20:8080/#/join/K7QX3MPA").expect("a QR code");
        assert!(drawn.contains("<svg") && drawn.contains("</svg>"), "{drawn}");
        // The same link gives the same picture; another link another one.
        assert_eq!(svg("http://192.168.1.20:8080/#/join/K7QX3MPA"), Ok(drawn.clone()));
        assert_ne!(svg("http://192.168.1.20:8080/#/join/K7QX3MPB"), Ok(drawn));
    }

    #[test]
    fn anything_but_a_link_is_refused() {
        for text in ["javascript:alert(1)", "ftp://x", "http://a b", "", "http://x/\n"] {
            assert_eq!(svg(text), Err(QrError::NotALink), "{text:?}");
        }
        assert_eq!(svg(&format!("https://x/{}", "a".repeat(MAX_URL))), Err(QrError::NotALink));
    }
}
