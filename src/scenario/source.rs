//! The source essay as an instructor pastes it, read into the paragraphs that `¶N` cites.
//!
//! The server keeps one paragraph per line: that is what every client reads. A text copied out
//! of a PDF (or some web pages) comes instead with each paragraph wrapped over several lines and
//! a blank line between paragraphs. Read line by line, it has far more "paragraphs" than the
//! scenario cites, and every ¶ opens the wrong text. So a text is read both ways — one paragraph
//! per line, and one per block between blank lines (its lines joined by spaces) — and the
//! reading that gives the number of paragraphs the scenario cites is kept; line by line when
//! neither does (the upload's answer then shows the count against the one expected).

/// How a text was read into paragraphs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// Each non-blank line is a paragraph.
    Lines,
    /// Paragraphs are separated by blank lines; the lines inside one are joined.
    Blocks,
}

/// `text` as the server keeps it (one paragraph per line), how it was read, and how many
/// paragraphs it holds. A text read line by line is kept as it was given (but for `\r\n`).
pub fn normalize(text: &str, expected: u32) -> (String, Reading, usize) {
    let text = text.replace("\r\n", "\n");
    let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
    let blocks = blocks(&text);
    let expected = usize::try_from(expected).unwrap_or(usize::MAX);
    if lines != expected && blocks.len() == expected {
        let count = blocks.len();
        return (blocks.join("\n"), Reading::Blocks, count);
    }
    (text, Reading::Lines, lines)
}

/// The runs of non-blank lines between blank lines, each joined into one line.
fn blocks(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() {
            if !current.is_empty() {
                out.push(current.join(" "));
                current.clear();
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        out.push(current.join(" "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_paragraph_per_line_is_kept_as_it_was_given() {
        let text = "First paragraph.\nSecond paragraph.\n\nThird, after a blank line.\n";
        assert_eq!(normalize(text, 3), (text.to_string(), Reading::Lines, 3));
        // Windows line ends are the only change.
        let (kept, reading, count) = normalize("One.\r\nTwo.\r\n", 2);
        assert_eq!((kept.as_str(), reading, count), ("One.\nTwo.\n", Reading::Lines, 2));
    }

    #[test]
    fn wrapped_paragraphs_between_blank_lines_become_one_line_each() {
        let text =
            "The first paragraph is\nwrapped over three\nlines.\n\n  The second one\nover two.  \n\n\nThe third.";
        let (kept, reading, count) = normalize(text, 3);
        assert_eq!(reading, Reading::Blocks);
        assert_eq!(count, 3);
        assert_eq!(kept, "The first paragraph is wrapped over three lines.\nThe second one over two.\nThe third.");
    }

    #[test]
    fn when_neither_reading_gives_the_count_the_lines_are_kept() {
        let text = "One\nparagraph\n\nTwo\n";
        // Lines: 3, blocks: 2; the scenario cites 5.
        assert_eq!(normalize(text, 5), (text.to_string(), Reading::Lines, 3));
        // A text whose lines already give the count is kept as it was, whatever its blocks give.
        assert_eq!(normalize("A\n\nB\n", 2), ("A\n\nB\n".to_string(), Reading::Lines, 2));
    }
}
