//! Text -> tokens: words, numbers, URLs, e-mail addresses, @handles, #hashtags,
//! punctuation and symbols, each a byte span into the input.
//!
//! # Why this module exists
//!
//! Every later stage works on words. `train` counts character n-grams inside words,
//! `score` measures how surprising each word is, and `lexicon`/`correct` look words up.
//! So this module decides what a "word" is, and it must decide the same way when
//! training and when checking. Two choices matter most for finding corrupted words:
//!
//! - Digits glued to letters stay in the word (`he11o`, `off1cial`, `1ike`, `Iw0rd`),
//!   because that is what OCR noise looks like. Splitting them would hide the damage.
//! - Things that are not prose (numbers, URLs, e-mail addresses, handles, hashtags) get
//!   their own [`TokenKind`], so the scorer can skip them instead of flagging them.
//!
//! # How it fits the pipeline
//!
//! [`tokenize`] yields [`Token`]s (byte span, kind, `sentence_start` flag) for `score`.
//! [`for_each_word`] is the fast path `train` runs over gigabytes of text: the same
//! segmentation, but it only hands out the word texts. [`shape`] and [`has_digit`] are
//! small helpers the scorer applies to word texts.
//!
//! # Rules
//!
//! - Whitespace (`char::is_whitespace`) separates tokens and is never part of one. Every
//!   other char belongs to exactly one token, and no token crosses whitespace.
//! - **Word**: a maximal run of letters (`char::is_alphabetic`, any script), with the
//!   combining marks that follow them. Digits glued to letters stay in the word. An
//!   apostrophe (`'` or `’`) between two letters stays in the word (`don't`,
//!   `O'Sullivan`, `rock'n'roll`); a leading or trailing one is Punct (`students'`). A
//!   soft hyphen (U+00AD), zero-width non-joiner or joiner (U+200C, U+200D, which Persian
//!   and Indic scripts need) or word joiner (U+2060) between letters also stays. Hyphens
//!   and dashes split: `long-range` -> `long` `-` `range`.
//! - **Number**: the same kind of run with no letters (`42`, `3.14`, `1,000,000`; `.`
//!   and `,` only join digits to digits), or an ordinal/decade with the right suffix
//!   (`1st`, `22nd`, `113th`, `1990s`). A wrong suffix (`2th`) is a Word, since it may be
//!   OCR damage. A sign is not part of a number: `-5` is Punct `-`, Number `5`.
//! - **Url**: `http://`, `https://` or `www.` up to whitespace, minus trailing
//!   punctuation (a `)` or `]` is kept when it closes a bracket opened inside the URL).
//!   A bare `host.tld/path` is a Url when the TLD is 2-6 ASCII letters and a `/` follows.
//! - **Email**: `local@domain.tld`. **Handle**: `@name`, **Hashtag**: `#name` (a hashtag
//!   needs a letter), both only when the sigil is not glued to a preceding word.
//! - **Punct**: one punctuation char (plus any combining marks after it): Unicode
//!   general category P*, except that `%` is a Symbol. **Symbol**: any other single char
//!   (`$ % + < = > ^ | ~`, currency, emoji, controls), plus marks after it.
//!
//! `Token::sentence_start` is set on the first Word of the text and on the first Word
//! after (a) a sentence-ending mark (`. ! ?`, `…`, `。` and kin), possibly followed by
//! closing quotes or brackets; (b) a blank line; or (c) a single line break when the line
//! ended in a sentence end, a colon, or no punctuation at all (a headline). A line that
//! ends in `,`, `;`, `-` and the like continues its sentence on the next line. A full
//! stop after a title or an initial (`Dr.`, `Mr.`, `Gen.`, `W.`) does not end the
//! sentence: a name follows, and its capital is evidence that it is one. So the word
//! after `U.S.` is not a sentence start either, even where a sentence did end there.
//! The scorer uses the flag to discount capitals, which mean little there.
//!
//! # Example
//!
//! ```text
//! Don't panic: he11o-world costs $4.2 at https://x.io/a.
//!
//! Word "Don't" (sentence start), Punct ":", Word "he11o", Punct "-", Word "world",
//! Word "costs", Symbol "$", Number "4.2", Word "at", Url "https://x.io/a", Punct "."
//! ```

use std::iter::FusedIterator;
use std::ops::Range;
use std::sync::OnceLock;

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// Letters in any script, possibly with digits, marks and internal apostrophes.
    Word,
    /// Digits with `.`/`,` between them, or an ordinal/decade such as `19th`, `1990s`.
    Number,
    /// `http(s)://...`, `www....`, or a bare `host.tld/path`.
    Url,
    /// `local@domain.tld`.
    Email,
    /// `@name`.
    Handle,
    /// `#name`.
    Hashtag,
    /// A single punctuation char (plus following combining marks).
    Punct,
    /// A single other char: currency, math, emoji, control (plus following marks).
    Symbol,
}

/// One token: a byte span into the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// Byte offset of the first byte (on a char boundary).
    pub start: usize,
    /// Byte offset one past the last byte (on a char boundary); always `> start`.
    pub end: usize,
    /// What the token is.
    pub kind: TokenKind,
    /// True for a Word that starts a sentence, line or paragraph (see the module docs).
    /// Always false for other kinds.
    pub sentence_start: bool,
}

impl Token {
    /// The token's text in `input`, the string it came from.
    ///
    /// Returns `""` when the span does not fit `input` (e.g. the token came from a
    /// different string) instead of panicking.
    pub fn text<'a>(&self, input: &'a str) -> &'a str {
        input.get(self.start..self.end).unwrap_or("")
    }

    /// The token's byte range in the input.
    pub fn byte_span(&self) -> Range<usize> {
        self.start..self.end
    }
}

/// Iterator over the tokens of a text; created by [`tokenize`].
///
/// Whitespace is skipped; every other char is covered by exactly one token, and tokens
/// come out in order without overlapping.
///
/// # Performance considerations
///
/// The scanner walks bytes: runs of ASCII letters and digits are checked 8 bytes at a
/// time, other ASCII bytes through a lookup table, and only non-ASCII chars are decoded
/// (with a bitmap for common scripts' letters). It allocates nothing. The e-mail and
/// bare-URL checks look at most a few hundred bytes ahead, so time is linear in the
/// input even for pathological lines. On English text [`for_each_word`] runs at roughly
/// half the speed of `str::split_ascii_whitespace` (150-240 MB/s per core on the
/// development VM), and this iterator a little slower; the ignored `throughput` test
/// measures both (`cargo test --release -- --ignored --nocapture throughput`).
#[derive(Debug, Clone)]
pub struct Tokens<'a> {
    text: &'a str,
    pos: usize,
    /// The next Word starts a sentence.
    at_boundary: bool,
    /// Span of the last Word, for the abbreviation rule.
    last_word: (usize, usize),
    /// How the current line ends so far, for the line-break rule.
    line_end: LineEnd,
}

/// What the last token that matters for the line-break rule was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineEnd {
    /// Sentence end, colon, or no punctuation (a word, number, symbol...): a line break
    /// after it starts a new sentence.
    Breaks,
    /// Other punctuation (`,` `;` `-` `(`...): the sentence goes on after a line break.
    Continues,
}

impl<'a> Iterator for Tokens<'a> {
    type Item = Token;

    fn next(&mut self) -> Option<Token> {
        let (breaks, raw) = next_raw(self.text, &mut self.pos)?;
        if breaks >= 2 || (breaks == 1 && self.line_end == LineEnd::Breaks) {
            self.at_boundary = true;
        }
        let mut sentence_start = false;
        match raw.kind {
            TokenKind::Word => {
                sentence_start = self.at_boundary;
                self.at_boundary = false;
                self.line_end = LineEnd::Breaks;
                self.last_word = (raw.start, raw.end);
            }
            TokenKind::Punct => {
                let c = char_at(self.text, raw.start).unwrap_or(' ');
                let (from, to) = self.last_word;
                let abbreviation =
                    c == '.' && to == raw.start && is_name_abbreviation(&self.text[from..to]);
                if abbreviation {
                    self.line_end = LineEnd::Breaks;
                } else if is_sentence_end(c) {
                    self.at_boundary = true;
                    self.line_end = LineEnd::Breaks;
                } else if matches!(c, ':' | '\u{FF1A}') {
                    self.line_end = LineEnd::Breaks;
                } else if !is_closer(c) {
                    // Closing quotes and brackets are transparent: `"Stop."` still
                    // ends a sentence, `(2020)` still ends a headline.
                    self.line_end = LineEnd::Continues;
                }
            }
            _ => self.line_end = LineEnd::Breaks,
        }
        Some(Token {
            start: raw.start,
            end: raw.end,
            kind: raw.kind,
            sentence_start,
        })
    }
}

impl FusedIterator for Tokens<'_> {}

/// Whether `span` overlaps any of `spans`, which are in text order and do not overlap
/// each other (as a report's flags are): a binary search.
pub(crate) fn overlaps_any(spans: &[Range<usize>], span: &Range<usize>) -> bool {
    let after = spans.partition_point(|s| s.end <= span.start);
    spans.get(after).is_some_and(|s| s.start < span.end)
}

/// Splits `text` into tokens (see the module docs for the rules). Never panics.
pub fn tokenize(text: &str) -> Tokens<'_> {
    Tokens {
        text,
        pos: 0,
        at_boundary: true,
        last_word: (0, 0),
        line_end: LineEnd::Breaks,
    }
}

/// Calls `f` with the text of every Word token of `text`, in order.
///
/// Same segmentation as [`tokenize`] (the same scanner runs underneath), without the
/// sentence-start bookkeeping or building [`Token`] values. This is what training uses.
/// The word slices borrow from `text`, so `f` may keep them.
pub fn for_each_word<'a>(text: &'a str, mut f: impl FnMut(&'a str)) {
    let mut pos = 0;
    while let Some((_, raw)) = next_raw(text, &mut pos) {
        if raw.kind == TokenKind::Word {
            if let Some(word) = text.get(raw.start..raw.end) {
                f(word);
            }
        }
    }
}

/// The capitalisation pattern of a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// All cased letters are lowercase: `hello`, `he11o`, `don't`.
    Lower,
    /// The first cased letter is uppercase and the rest lowercase: `Hello`, `I`, `A`.
    /// A single capital after a one-letter prefix and apostrophe is allowed too:
    /// `O'Sullivan`, `L’Oréal`.
    Capitalized,
    /// Two or more cased letters, all uppercase: `NASA`, `DON'T`.
    AllCaps,
    /// Anything else with cased letters: `iPhone`, `McDonald`, `hELLo`.
    MixedCase,
    /// No cased letters: scripts without case (`我爱你`), or no letters (`42`, `-`).
    NoCase,
}

/// The capitalisation pattern of `word`. Letters without case are ignored, so
/// `1ike` is [`Shape::Lower`]. Never panics.
pub fn shape(word: &str) -> Shape {
    let mut upper = 0usize;
    let mut lower = 0usize;
    // Uppercase letters other than the first cased letter, except one allowed by the
    // `O'Sullivan` rule.
    let mut extra_upper = 0usize;
    let mut first_is_upper = None;
    let mut prefix = [' '; 2];
    for (i, c) in word.chars().enumerate() {
        if c.is_uppercase() {
            upper += 1;
            match first_is_upper {
                None => first_is_upper = Some(true),
                Some(_) => {
                    let irish = i == 2 && prefix[0].is_uppercase() && is_apostrophe(prefix[1]);
                    if !irish {
                        extra_upper += 1;
                    }
                }
            }
        } else if c.is_lowercase() {
            lower += 1;
            first_is_upper.get_or_insert(false);
        }
        if i < 2 {
            prefix[i] = c;
        }
    }
    match (upper, lower) {
        (0, 0) => Shape::NoCase,
        (0, _) => Shape::Lower,
        (1, 0) => Shape::Capitalized,
        (_, 0) => Shape::AllCaps,
        _ if first_is_upper == Some(true) && extra_upper == 0 => Shape::Capitalized,
        _ => Shape::MixedCase,
    }
}

/// The capitalisation pattern of `word` without its possessive or acronym-plural
/// ending: `TSMC's`, `NGOs` and `CPUs'` are [`Shape::AllCaps`], `Kenya's` is
/// [`Shape::Capitalized`]. This is the shape a reader judges a word by; [`shape`] is the
/// shape of the exact string (what the corruption generator keeps). Never panics.
pub fn stem_shape(word: &str) -> Shape {
    let stem = possessive_stem(word).unwrap_or(word);
    match stem.strip_suffix('s') {
        Some(acronym) if shape(acronym) == Shape::AllCaps => Shape::AllCaps,
        _ => shape(stem),
    }
}

/// A possessive's stem: `word` without a final `'s` or `'` (either apostrophe),
/// `chatbot's` -> `chatbot`, `students’` -> `students`; `None` for any other word.
/// Never panics.
pub fn possessive_stem(word: &str) -> Option<&str> {
    let stem = word.strip_suffix('s').unwrap_or(word);
    stem.strip_suffix(is_apostrophe)
}

/// True if `word` contains a digit (ASCII or any other script's), the same notion of
/// digit the tokenizer uses. Never panics.
pub fn has_digit(word: &str) -> bool {
    if word.is_ascii() {
        word.bytes().any(|b| b.is_ascii_digit())
    } else {
        word.chars().any(is_digit)
    }
}

// ---------------------------------------------------------------------------------------
// The scanner.
//
// Idea: one left-to-right pass with no backtracking past whitespace. At each token start
// the first byte picks a path: a letter or digit starts a "run" (letters, digits, marks,
// plus apostrophes/joiners between letters and `.`/`,` between digits); `@`/`#` try a
// handle/hashtag; anything else is a one-char Punct or Symbol. Runs that start with
// `h`/`w` first try a URL prefix, and runs that stop at `@ . _ % + -` try an e-mail
// address and then a bare `host.tld/` URL. Those checks look at most LOOKAHEAD_BYTES
// past the token start (an address or host longer than that is not recognised), so even
// adversarial input like a megabyte of `a.a.a.a` stays linear. A plain word followed by
// a space costs one 8-byte-at-a-time scan, a few table lookups and a handful of
// branches; see `ascii_alnum_run`.
//
// Known weaknesses: no abbreviation list (`e.g.` is `e` `.` `g` `.`); `.`/`,` between
// digits always join (`in 2020.5 people` gives Number `2020.5`); URL detection is
// heuristic (bare `file.txt/x` counts as a URL); punctuation that some scripts use
// inside words (Hebrew geresh, Catalan middle dot) splits them.
//
// References: a much simplified take on the word boundaries of Unicode UAX #29 (Text
// Segmentation), which also keeps `'` between letters and `.`/`,` between digits; the
// 8-bytes-at-a-time range test is the "bytes in range" trick from Hacker's Delight,
// chapter 6.
// ---------------------------------------------------------------------------------------

/// How far past a token's start the e-mail and bare-URL checks may look. Covers the
/// RFC 5321 limits (64-byte local part, 253-byte host) and bounds the rescanning a
/// failed check can cause.
const LOOKAHEAD_BYTES: usize = 320;
/// Longest e-mail local part we accept (RFC 5321).
const MAX_LOCAL_PART_BYTES: usize = 64;
/// Longest host name we accept (RFC 1035).
const MAX_HOST_BYTES: usize = 253;

/// A token before sentence bookkeeping.
#[derive(Debug, Clone, Copy)]
struct Raw {
    start: usize,
    end: usize,
    kind: TokenKind,
}

// Byte classes, as bits so a run can OR them together.
const SPACE: u8 = 1;
const LETTER: u8 = 2;
const DIGIT: u8 = 4;
const PUNCT: u8 = 8;
const SYMBOL: u8 = 16;
/// A byte of a multi-byte char: decode and classify the char on the slow path.
const HIGH: u8 = 32;

/// Class of each byte. ASCII whitespace matches `char::is_whitespace`; punctuation is
/// Unicode general category P*, except `%` (a Symbol, so `50%` is Number + Symbol).
static BYTE_CLASS: [u8; 256] = byte_classes();

#[inline]
fn class(b: u8) -> u8 {
    BYTE_CLASS[usize::from(b)]
}

const fn byte_classes() -> [u8; 256] {
    let mut table = [SYMBOL; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        table[i] = if !b.is_ascii() {
            HIGH
        } else if b.is_ascii_alphabetic() {
            LETTER
        } else if b.is_ascii_digit() {
            DIGIT
        } else if matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r') {
            SPACE
        } else if matches!(
            b,
            b'!' | b'"'
                | b'#'
                | b'&'
                | b'\''
                | b'('
                | b')'
                | b'*'
                | b','
                | b'-'
                | b'.'
                | b'/'
                | b':'
                | b';'
                | b'?'
                | b'@'
                | b'['
                | b'\\'
                | b']'
                | b'_'
                | b'{'
                | b'}'
        ) {
            PUNCT
        } else {
            SYMBOL
        };
        i += 1;
    }
    table
}

/// The char starting at byte `i`, or `None` at the end (or off a char boundary, which
/// the scanner never produces).
#[inline]
fn char_at(text: &str, i: usize) -> Option<char> {
    text.get(i..)?.chars().next()
}

/// Skips whitespace from `*pos`; returns how many line breaks it crossed (capped at 2,
/// which means "paragraph break"). `\r\n` counts once; U+2029 counts as a paragraph.
#[inline(always)]
fn skip_space(text: &str, pos: &mut usize) -> u8 {
    let bytes = text.as_bytes();
    let mut i = *pos;
    let mut breaks = 0u8;
    while let Some(&b) = bytes.get(i) {
        let byte_class = class(b);
        if byte_class == SPACE {
            let is_break = match b {
                b'\n' | 0x0B | 0x0C => true,
                b'\r' => bytes.get(i + 1) != Some(&b'\n'),
                _ => false,
            };
            if is_break {
                breaks = breaks.saturating_add(1);
            }
            i += 1;
        } else if byte_class == HIGH {
            let Some(c) = char_at(text, i) else { break };
            if !c.is_whitespace() {
                break;
            }
            match c {
                '\u{85}' | '\u{2028}' => breaks = breaks.saturating_add(1),
                '\u{2029}' => breaks = breaks.saturating_add(2),
                _ => {}
            }
            i += c.len_utf8();
        } else {
            break;
        }
    }
    *pos = i;
    breaks.min(2)
}

/// Skips whitespace, then scans one token starting at `*pos` and moves `*pos` past it.
/// Returns the line breaks skipped before the token, and the token.
#[inline(always)]
fn next_raw(text: &str, pos: &mut usize) -> Option<(u8, Raw)> {
    let breaks = skip_space(text, pos);
    let start = *pos;
    let &b = text.as_bytes().get(start)?;
    let (end, kind) = if b.is_ascii() {
        match class(b) {
            LETTER | DIGIT => scan_wordlike(text, start),
            PUNCT => match b {
                b'@' => match tag_end(text, start, TagRule::Handle) {
                    Some(end) => (end, TokenKind::Handle),
                    None => (single_end(text, start, 1), TokenKind::Punct),
                },
                b'#' => match tag_end(text, start, TagRule::Hashtag) {
                    Some(end) => (end, TokenKind::Hashtag),
                    None => (single_end(text, start, 1), TokenKind::Punct),
                },
                _ => (single_end(text, start, 1), TokenKind::Punct),
            },
            _ => (single_end(text, start, 1), TokenKind::Symbol),
        }
    } else {
        let c = char_at(text, start)?;
        if is_letter(c) || is_digit(c) {
            scan_wordlike(text, start)
        } else {
            let kind = if is_punctuation(c) {
                TokenKind::Punct
            } else {
                TokenKind::Symbol
            };
            (single_end(text, start, c.len_utf8()), kind)
        }
    };
    debug_assert!(end > start, "the scanner must always make progress");
    *pos = end;
    Some((breaks, Raw { start, end, kind }))
}

/// End of a one-char token of `len` bytes at `start`, with the combining marks after it.
fn single_end(text: &str, start: usize, len: usize) -> usize {
    let mut end = start + len;
    while let Some(c) = mark_at(text, end) {
        end += c.len_utf8();
    }
    end
}

/// The combining mark at byte `i`, if there is one (cheap for ASCII).
#[inline]
fn mark_at(text: &str, i: usize) -> Option<char> {
    match text.as_bytes().get(i) {
        Some(&b) if b >= 0x80 => char_at(text, i).filter(|&c| is_mark(c)),
        _ => None,
    }
}

/// Scans a token that starts with a letter or digit: a Url, Email, Word or Number.
#[inline(always)]
fn scan_wordlike(text: &str, start: usize) -> (usize, TokenKind) {
    let bytes = text.as_bytes();
    // Two-byte test first: most words that start with h or w ("he", "was") stop here.
    if matches!(
        bytes.get(start..start + 2),
        Some([b'h' | b'H', b't' | b'T'] | [b'w' | b'W', b'w' | b'W'])
    ) {
        if let Some(end) = prefixed_url_end(text, start) {
            return (end, TokenKind::Url);
        }
    }
    let run = scan_run(text, start);
    if let Some(b'@' | b'.' | b'_' | b'%' | b'+' | b'-') = bytes.get(run.end) {
        // Cheap look-ahead over the ASCII chars an address or host may contain: an
        // e-mail address needs an `@` where they stop, a bare URL a `/`. Sentence-final
        // periods and hyphenated words fail here after a byte or two.
        // Stopping at the limit leaves `stop` on an allowed byte, so nothing is tried.
        let limit = bytes.len().min(start + LOOKAHEAD_BYTES);
        let stop = bytes.get(run.end..limit).map_or(run.end, |ahead| {
            run.end
                + ahead
                    .iter()
                    .take_while(|&&b| {
                        b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'%' | b'+' | b'-')
                    })
                    .count()
        });
        match bytes.get(stop) {
            Some(b'@') => {
                if let Some(end) = email_end(text, start) {
                    return (end, TokenKind::Email);
                }
            }
            // A non-ASCII char may continue the local part (`bob.müller@...`).
            Some(b) if !b.is_ascii() => {
                if let Some(end) = email_end(text, start) {
                    return (end, TokenKind::Email);
                }
            }
            Some(b'/') => {
                if let Some(end) = bare_url_end(text, start) {
                    return (end, TokenKind::Url);
                }
            }
            _ => {}
        }
    }
    let kind = if !run.letters
        || (run.digits && is_counted_number(bytes.get(start..run.end).unwrap_or(b"")))
    {
        TokenKind::Number
    } else {
        TokenKind::Word
    };
    (run.end, kind)
}

/// A maximal run of letters/digits, and what it contained.
struct Run {
    end: usize,
    letters: bool,
    digits: bool,
}

/// What came before the current position inside a run. Marks leave it unchanged, so a
/// letter with a combining accent still counts as a letter.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Prev {
    Letter,
    Digit,
    Joiner,
}

#[inline(always)]
fn scan_run(text: &str, start: usize) -> Run {
    let bytes = text.as_bytes();
    let mut i = start;
    let mut seen = 0u8;
    let mut prev = Prev::Joiner;
    loop {
        // Fast path: ASCII letters and digits, the bulk of any English text.
        let (len, classes) = ascii_alnum_run(bytes.get(i..).unwrap_or_default());
        if len > 0 {
            seen |= classes;
            i += len;
            prev = if bytes.get(i - 1).map(|&b| class(b)) == Some(LETTER) {
                Prev::Letter
            } else {
                Prev::Digit
            };
        }
        let Some(&b) = bytes.get(i) else { break };
        match b {
            b'\'' if prev == Prev::Letter && letter_at(text, i + 1) => {
                prev = Prev::Joiner;
                i += 1;
            }
            b'.' | b','
                if prev == Prev::Digit && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) =>
            {
                prev = Prev::Joiner;
                i += 1;
            }
            _ if !b.is_ascii() => {
                let Some(c) = char_at(text, i) else { break };
                let len = c.len_utf8();
                if is_letter(c) {
                    seen |= LETTER;
                    prev = Prev::Letter;
                } else if is_digit(c) {
                    seen |= DIGIT;
                    prev = Prev::Digit;
                } else if is_mark(c) {
                    // Attached to whatever came before; `prev` stays.
                } else if (is_apostrophe(c) || is_word_joiner(c))
                    && prev == Prev::Letter
                    && letter_at(text, i + len)
                {
                    prev = Prev::Joiner;
                } else {
                    break;
                }
                i += len;
            }
            _ => break,
        }
    }
    Run {
        end: i,
        letters: seen & LETTER != 0,
        digits: seen & DIGIT != 0,
    }
}

/// Length of the run of ASCII letters and digits at the start of `bytes`, and which of
/// the two it contained (`LETTER | DIGIT` bits).
///
/// Looks at 8 bytes at a time (SWAR): for bytes below 0x80, adding `0x80 - lo` sets a
/// byte's top bit iff the byte is `>= lo`, and adding `0x7F - hi` iff it is `> hi`, with no
/// carry into the next byte. A word then costs one well-predicted branch per 8 bytes
/// instead of a hard-to-predict loop exit, which was the tokenizer's main cost.
#[inline]
fn ascii_alnum_run(bytes: &[u8]) -> (usize, u8) {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const TOPS: u64 = 0x8080_8080_8080_8080;
    let in_range = |x: u64, lo: u8, hi: u8| {
        (x + u64::from(0x80 - lo) * ONES) & !(x + u64::from(0x7F - hi) * ONES) & TOPS
    };
    let mut n = 0;
    let mut seen = 0u8;
    while let Some(chunk) = bytes.get(n..n + 8) {
        let Ok(chunk) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let x = u64::from_le_bytes(chunk);
        let ascii = !x & TOPS;
        let low7 = x & !TOPS;
        let letters = in_range(low7 | (0x20 * ONES), b'a', b'z') & ascii;
        let digits = in_range(low7, b'0', b'9') & ascii;
        let alnum = letters | digits;
        // Only the bytes before the first non-alphanumeric one count.
        let (take, keep) = if alnum == TOPS {
            (8, u64::MAX)
        } else {
            let take = (!alnum & TOPS).trailing_zeros() as usize / 8;
            (take, (1u64 << (8 * take)) - 1)
        };
        if letters & keep != 0 {
            seen |= LETTER;
        }
        if digits & keep != 0 {
            seen |= DIGIT;
        }
        n += take;
        if take < 8 {
            return (n, seen);
        }
    }
    while let Some(&b) = bytes.get(n) {
        let byte_class = class(b);
        if byte_class & (LETTER | DIGIT) == 0 {
            break;
        }
        seen |= byte_class;
        n += 1;
    }
    (n, seen)
}

/// True if a letter starts at byte `i`.
#[inline]
fn letter_at(text: &str, i: usize) -> bool {
    match text.as_bytes().get(i) {
        Some(&b) if b < 0x80 => b.is_ascii_alphabetic(),
        Some(_) => char_at(text, i).is_some_and(is_letter),
        None => false,
    }
}

/// True for an ordinal or decade written with digits and the right suffix: `1st`,
/// `22nd`, `113th`, `1,000th`, `1990s`, `90S`. `run` has letters and digits.
fn is_counted_number(run: &[u8]) -> bool {
    let split = run
        .iter()
        .position(|&b| !(b.is_ascii_digit() || b == b'.' || b == b','))
        .unwrap_or(run.len());
    let (number, suffix) = run.split_at(split);
    let Some(&last) = number.last() else {
        return false;
    };
    if suffix.eq_ignore_ascii_case(b"s") {
        return true;
    }
    if number.contains(&b'.') || !last.is_ascii_digit() {
        return false;
    }
    let tens = number.len().checked_sub(2).and_then(|i| number.get(i));
    let expected: &[u8] = match (tens, last) {
        (Some(b'1'), _) => b"th",
        (_, b'1') => b"st",
        (_, b'2') => b"nd",
        (_, b'3') => b"rd",
        _ => b"th",
    };
    suffix.eq_ignore_ascii_case(expected)
}

/// ASCII-case-insensitive prefix test.
fn starts_with_ignore_case(haystack: &[u8], prefix: &[u8]) -> bool {
    haystack
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// End of a URL starting with `http://`, `https://` or `www.` at `start`.
#[inline(never)]
fn prefixed_url_end(text: &str, start: usize) -> Option<usize> {
    let rest = text.as_bytes().get(start..)?;
    let prefix_len = if starts_with_ignore_case(rest, b"https://") {
        8
    } else if starts_with_ignore_case(rest, b"http://") {
        7
    } else if starts_with_ignore_case(rest, b"www.") {
        4
    } else {
        return None;
    };
    let body = start + prefix_len;
    // "www." or "http://" followed by nothing useful is not a URL.
    if !char_at(text, body).is_some_and(char::is_alphanumeric) {
        return None;
    }
    Some(trim_url_end(text, start, end_of_nonspace(text, body)))
}

/// End of a bare URL such as `example.com/path` starting at `start`.
#[inline(never)]
fn bare_url_end(text: &str, start: usize) -> Option<usize> {
    let host_end = domain_end(text, start, DomainRule::BareUrl)?;
    if text.as_bytes().get(host_end) != Some(&b'/') {
        return None;
    }
    Some(trim_url_end(text, start, end_of_nonspace(text, host_end)))
}

/// End of an e-mail address starting at `start`.
#[inline(never)]
fn email_end(text: &str, start: usize) -> Option<usize> {
    let mut i = start;
    while let Some(c) = char_at(text, i) {
        if !(c.is_alphanumeric() || matches!(c, '.' | '_' | '%' | '+' | '-')) {
            break;
        }
        i += c.len_utf8();
        if i - start > MAX_LOCAL_PART_BYTES {
            return None;
        }
    }
    let bytes = text.as_bytes();
    if i == start || bytes.get(i) != Some(&b'@') || bytes.get(i - 1) == Some(&b'.') {
        return None;
    }
    domain_end(text, i + 1, DomainRule::Email)
}

/// Which hosts [`domain_end`] accepts.
#[derive(Clone, Copy, PartialEq, Eq)]
enum DomainRule {
    /// Any alphanumeric labels; the TLD is 2+ letters.
    Email,
    /// ASCII labels; the TLD is 2-6 ASCII letters.
    BareUrl,
}

/// End of a `label(.label)+` domain at `start`, without trailing `.`/`-`, if it is valid
/// under `rule`.
fn domain_end(text: &str, start: usize, rule: DomainRule) -> Option<usize> {
    let mut end = start;
    while let Some(c) = char_at(text, end) {
        let ok = match rule {
            DomainRule::Email => c.is_alphanumeric(),
            DomainRule::BareUrl => c.is_ascii_alphanumeric(),
        };
        if !(ok || c == '.' || c == '-') {
            break;
        }
        end += c.len_utf8();
        if end - start > MAX_HOST_BYTES + 1 {
            // Longer than any host name, even counting a trailing dot.
            return None;
        }
    }
    let bytes = text.as_bytes();
    while end > start && matches!(bytes.get(end - 1), Some(b'.' | b'-')) {
        end -= 1;
    }
    let domain = text.get(start..end)?;
    let mut labels = 0usize;
    let mut tld = "";
    for label in domain.split('.') {
        if label.is_empty() || label.starts_with('-') || label.ends_with('-') {
            return None;
        }
        labels += 1;
        tld = label;
    }
    let tld_ok = match rule {
        DomainRule::Email => tld.chars().count() >= 2 && tld.chars().all(is_letter),
        DomainRule::BareUrl => {
            (2..=6).contains(&tld.len()) && tld.bytes().all(|b| b.is_ascii_alphabetic())
        }
    };
    (labels >= 2 && tld_ok).then_some(end)
}

/// Index of the next whitespace char at or after `i` (or the end of the text).
fn end_of_nonspace(text: &str, mut i: usize) -> usize {
    let bytes = text.as_bytes();
    while let Some(&b) = bytes.get(i) {
        if b.is_ascii() {
            if class(b) == SPACE {
                break;
            }
            i += 1;
        } else {
            match char_at(text, i) {
                Some(c) if !c.is_whitespace() => i += c.len_utf8(),
                _ => break,
            }
        }
    }
    i
}

/// Drops trailing punctuation from the URL `text[start..end]`. A `)` or `]` stays when
/// it closes a bracket opened inside the URL (`.../Rust_(language)`).
fn trim_url_end(text: &str, start: usize, mut end: usize) -> usize {
    let Some(url) = text.get(start..end) else {
        return end;
    };
    let count = |b: u8| url.bytes().filter(|&x| x == b).count();
    let (open_paren, mut close_paren) = (count(b'('), count(b')'));
    let (open_bracket, mut close_bracket) = (count(b'['), count(b']'));
    while let Some(c) = text.get(start..end).and_then(|s| s.chars().next_back()) {
        let trim = match c {
            ')' => close_paren > open_paren,
            ']' => close_bracket > open_bracket,
            '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '"' | '}' | '>' | '*' | '\u{2019}'
            | '\u{201D}' | '\u{00BB}' | '\u{203A}' | '\u{2026}' | '\u{3001}' | '\u{3002}'
            | '\u{FF0C}' => true,
            _ => false,
        };
        if !trim {
            break;
        }
        match c {
            ')' => close_paren -= 1,
            ']' => close_bracket -= 1,
            _ => {}
        }
        end -= c.len_utf8();
    }
    end
}

/// Which sigil [`tag_end`] is scanning.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TagRule {
    /// `@name`: needs one letter or digit.
    Handle,
    /// `#name`: needs one letter, so `#1` stays Punct + Number.
    Hashtag,
}

/// End of `@name` / `#name` at `start`, if the sigil is not glued to a preceding word
/// (`a@b`, `C#`) and is followed by letters, digits or `_`.
fn tag_end(text: &str, start: usize, rule: TagRule) -> Option<usize> {
    let before = text.get(..start).and_then(|s| s.chars().next_back());
    if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || is_mark(c)) {
        return None;
    }
    let mut end = start + 1;
    let mut letter = false;
    let mut alphanumeric = false;
    while let Some(c) = char_at(text, end) {
        if is_letter(c) {
            letter = true;
            alphanumeric = true;
        } else if is_digit(c) {
            alphanumeric = true;
        } else if !(c == '_' || (alphanumeric && is_mark(c))) {
            break;
        }
        end += c.len_utf8();
    }
    let ok = match rule {
        TagRule::Handle => alphanumeric,
        TagRule::Hashtag => letter,
    };
    ok.then_some(end)
}

/// `char::is_alphabetic`, with a fast path for the scripts most text is written in.
///
/// std's lookup for non-ASCII chars was 70% of the time on Cyrillic text. Code points
/// below U+0800 (Latin, Greek, Cyrillic, Armenian, Hebrew, Arabic...) are answered from a
/// bitmap built from std once, and blocks that are letters throughout (CJK ideographs,
/// Hangul syllables, kana) by a range test; a test checks every code point against std.
#[inline]
fn is_letter(c: char) -> bool {
    let cp = u32::from(c);
    if cp < 0x800 {
        let word = below_0800_letters().get((cp >> 6) as usize).copied();
        word.is_some_and(|bits| bits >> (cp & 63) & 1 == 1)
    } else if matches!(cp, 0x3041..=0x3096 | 0x30A1..=0x30FA | 0x4E00..=0x9FFF | 0xAC00..=0xD7A3) {
        true
    } else {
        c.is_alphabetic()
    }
}

/// Bitmap of `char::is_alphabetic` over U+0000..U+07FF, computed on first use.
fn below_0800_letters() -> &'static [u64; 32] {
    static TABLE: OnceLock<[u64; 32]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = [0u64; 32];
        for (cp, c) in (0..0x800u32).filter_map(|cp| Some((cp, char::from_u32(cp)?))) {
            if c.is_alphabetic() {
                table[(cp >> 6) as usize] |= 1 << (cp & 63);
            }
        }
        table
    })
}

/// A digit for tokenizing: ASCII `0-9`, or any other numeric char that is not a letter
/// (`٣`, `５`, `²`, `½`). Letter-like numerals such as `Ⅻ` count as letters.
#[inline]
fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric() && !c.is_alphabetic())
}

/// `'` and `’`, the apostrophes that may sit inside a word.
#[inline]
pub(crate) fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}')
}

/// Invisible chars that belong inside a word when they sit between letters: soft
/// hyphen, zero-width non-joiner and joiner (needed in Persian and Indic scripts), and
/// word joiner.
#[inline]
fn is_word_joiner(c: char) -> bool {
    matches!(c, '\u{00AD}' | '\u{200C}' | '\u{200D}' | '\u{2060}')
}

/// Punctuation that ends a sentence, in the scripts we are likely to meet.
/// A title or an initial that a full stop follows inside a sentence, before a name:
/// `Dr. Hanitra`, `Mr. Smith`, `George W. Bush`. The word after one is not a sentence
/// start, so a name there keeps the evidence of its capital.
fn is_name_abbreviation(word: &str) -> bool {
    const TITLES: &[&str] = &[
        "mr", "mrs", "ms", "dr", "prof", "st", "mt", "gen", "sen", "rep", "gov", "lt", "col",
        "capt", "sgt", "cpl", "adm", "maj", "brig", "cmdr", "rev", "hon", "fr", "jr", "sr",
        "messrs", "mme", "mlle", "pres", "supt", "insp",
    ];
    let mut chars = word.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => c.is_uppercase(),
        (Some(_), Some(_)) if word.len() <= 6 => {
            TITLES.iter().any(|t| t.eq_ignore_ascii_case(word))
        }
        _ => false,
    }
}

fn is_sentence_end(c: char) -> bool {
    matches!(
        c,
        '.' | '!'
            | '?'
            | '\u{037E}' // Greek question mark
            | '\u{0589}' // Armenian full stop
            | '\u{061F}' // Arabic question mark
            | '\u{06D4}' // Arabic full stop
            | '\u{0964}' // Devanagari danda
            | '\u{0965}' // Devanagari double danda
            | '\u{2026}' // horizontal ellipsis
            | '\u{203C}' // double exclamation mark
            | '\u{203D}' // interrobang
            | '\u{2047}'
            ..='\u{2049}' // double question marks
            | '\u{3002}' // ideographic full stop
            | '\u{FF01}' // fullwidth exclamation mark
            | '\u{FF0E}' // fullwidth full stop
            | '\u{FF1F}' // fullwidth question mark
            | '\u{FF61}' // halfwidth ideographic full stop
    )
}

/// Closing quotes and brackets, which do not change how a sentence or line ends.
fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\''
            | ')'
            | ']'
            | '}'
            | '\u{00BB}' // »
            | '\u{2019}' // ’
            | '\u{201D}' // ”
            | '\u{203A}' // ›
            | '\u{300D}' // 」
            | '\u{300F}' // 』
            | '\u{3011}' // 】
            | '\u{FF09}' // ）
            | '\u{FF3D}' // ］
    )
}

/// True for a combining mark (general category M*) that `char::is_alphabetic` does not
/// already accept: accents written as separate chars, viramas, variation selectors.
fn is_mark(c: char) -> bool {
    !c.is_ascii() && in_table(MARKS, c)
}

/// True for non-ASCII punctuation (general category P*): quotes, dashes, `…`, `¿`, `。`.
fn is_punctuation(c: char) -> bool {
    !c.is_ascii() && in_table(PUNCTUATION, c)
}

fn in_table(table: &[(u32, u32)], c: char) -> bool {
    let cp = u32::from(c);
    table
        .binary_search_by(|&(lo, hi)| {
            if hi < cp {
                std::cmp::Ordering::Less
            } else if lo > cp {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

// Sorted, non-overlapping inclusive code point ranges, non-ASCII only. Generated from the
// Unicode 16.0 General_Category tables (Mark, Punctuation) as shipped in regex-syntax
// 0.8 (`src/unicode_tables/general_category.rs`), keeping only chars for which std's
// `char::is_alphabetic` and `char::is_whitespace` are false (so the tables only add to
// what std already knows) and merging adjacent ranges. To regenerate: walk those tables,
// apply the same filter, merge, print.
#[rustfmt::skip]
const MARKS: &[(u32, u32)] = &[
    (0x0300, 0x0344), (0x0346, 0x0362), (0x0483, 0x0489), (0x0591, 0x05AF), (0x0658, 0x0658), (0x06DF, 0x06E0),
    (0x06EA, 0x06EC), (0x0740, 0x074A), (0x07EB, 0x07F3), (0x07FD, 0x07FD), (0x0818, 0x0819), (0x082D, 0x082D),
    (0x0859, 0x085B), (0x0898, 0x089F), (0x08CA, 0x08D3), (0x08E0, 0x08E1), (0x08EA, 0x08EF), (0x093C, 0x093C),
    (0x094D, 0x094D), (0x0951, 0x0954), (0x09BC, 0x09BC), (0x09CD, 0x09CD), (0x09FE, 0x09FE), (0x0A3C, 0x0A3C),
    (0x0A4D, 0x0A4D), (0x0ABC, 0x0ABC), (0x0ACD, 0x0ACD), (0x0AFD, 0x0AFF), (0x0B3C, 0x0B3C), (0x0B4D, 0x0B4D),
    (0x0B55, 0x0B55), (0x0BCD, 0x0BCD), (0x0C3C, 0x0C3C), (0x0C4D, 0x0C4D), (0x0CBC, 0x0CBC), (0x0CCD, 0x0CCD),
    (0x0D3B, 0x0D3C), (0x0D4D, 0x0D4D), (0x0DCA, 0x0DCA), (0x0E47, 0x0E4C), (0x0E4E, 0x0E4E), (0x0EBA, 0x0EBA),
    (0x0EC8, 0x0ECC), (0x0ECE, 0x0ECE), (0x0F18, 0x0F19), (0x0F35, 0x0F35), (0x0F37, 0x0F37), (0x0F39, 0x0F39),
    (0x0F3E, 0x0F3F), (0x0F84, 0x0F84), (0x0F86, 0x0F87), (0x0FC6, 0x0FC6), (0x1037, 0x1037), (0x1039, 0x103A),
    (0x135D, 0x135F), (0x1714, 0x1715), (0x1734, 0x1734), (0x17B4, 0x17B5), (0x17C9, 0x17D3), (0x17DD, 0x17DD),
    (0x180B, 0x180D), (0x180F, 0x180F), (0x1939, 0x193B), (0x1A60, 0x1A60), (0x1A75, 0x1A7C), (0x1A7F, 0x1A7F),
    (0x1AB0, 0x1ABE), (0x1AC1, 0x1ACB), (0x1B34, 0x1B34), (0x1B44, 0x1B44), (0x1B6B, 0x1B73), (0x1BAA, 0x1BAB),
    (0x1BE6, 0x1BE6), (0x1BF2, 0x1BF3), (0x1C37, 0x1C37), (0x1CD0, 0x1CD2), (0x1CD4, 0x1CE8), (0x1CED, 0x1CED),
    (0x1CF4, 0x1CF4), (0x1CF7, 0x1CF9), (0x1DC0, 0x1DD2), (0x1DF5, 0x1DFF), (0x20D0, 0x20F0), (0x2CEF, 0x2CF1),
    (0x2D7F, 0x2D7F), (0x302A, 0x302F), (0x3099, 0x309A), (0xA66F, 0xA672), (0xA67C, 0xA67D), (0xA6F0, 0xA6F1),
    (0xA806, 0xA806), (0xA82C, 0xA82C), (0xA8C4, 0xA8C4), (0xA8E0, 0xA8F1), (0xA92B, 0xA92D), (0xA953, 0xA953),
    (0xA9B3, 0xA9B3), (0xA9C0, 0xA9C0), (0xAABF, 0xAABF), (0xAAC1, 0xAAC1), (0xAAF6, 0xAAF6), (0xABEC, 0xABED),
    (0xFE00, 0xFE0F), (0xFE20, 0xFE2F), (0x101FD, 0x101FD), (0x102E0, 0x102E0), (0x10A38, 0x10A3A), (0x10A3F, 0x10A3F),
    (0x10AE5, 0x10AE6), (0x10D6A, 0x10D6D), (0x10EFD, 0x10EFF), (0x10F46, 0x10F50), (0x10F82, 0x10F85), (0x11046, 0x11046),
    (0x11070, 0x11070), (0x1107F, 0x1107F), (0x110B9, 0x110BA), (0x11133, 0x11134), (0x11173, 0x11173), (0x111C0, 0x111C0),
    (0x111C9, 0x111CC), (0x11235, 0x11236), (0x112E9, 0x112EA), (0x1133B, 0x1133C), (0x1134D, 0x1134D), (0x11366, 0x1136C),
    (0x11370, 0x11374), (0x113CE, 0x113D0), (0x113D2, 0x113D2), (0x113E1, 0x113E2), (0x11442, 0x11442), (0x11446, 0x11446),
    (0x1145E, 0x1145E), (0x114C2, 0x114C3), (0x115BF, 0x115C0), (0x1163F, 0x1163F), (0x116B6, 0x116B7), (0x1172B, 0x1172B),
    (0x11839, 0x1183A), (0x1193D, 0x1193E), (0x11943, 0x11943), (0x119E0, 0x119E0), (0x11A33, 0x11A34), (0x11A47, 0x11A47),
    (0x11A98, 0x11A99), (0x11C3F, 0x11C3F), (0x11D42, 0x11D42), (0x11D44, 0x11D45), (0x11D97, 0x11D97), (0x11F41, 0x11F42),
    (0x11F5A, 0x11F5A), (0x13440, 0x13440), (0x13447, 0x13455), (0x1612F, 0x1612F), (0x16AF0, 0x16AF4), (0x16B30, 0x16B36),
    (0x16FE4, 0x16FE4), (0x1BC9D, 0x1BC9D), (0x1CF00, 0x1CF2D), (0x1CF30, 0x1CF46), (0x1D165, 0x1D169), (0x1D16D, 0x1D172),
    (0x1D17B, 0x1D182), (0x1D185, 0x1D18B), (0x1D1AA, 0x1D1AD), (0x1D242, 0x1D244), (0x1DA00, 0x1DA36), (0x1DA3B, 0x1DA6C),
    (0x1DA75, 0x1DA75), (0x1DA84, 0x1DA84), (0x1DA9B, 0x1DA9F), (0x1DAA1, 0x1DAAF), (0x1E130, 0x1E136), (0x1E2AE, 0x1E2AE),
    (0x1E2EC, 0x1E2EF), (0x1E4EC, 0x1E4EF), (0x1E5EE, 0x1E5EF), (0x1E8D0, 0x1E8D6), (0x1E944, 0x1E946), (0x1E948, 0x1E94A),
    (0xE0100, 0xE01EF),
];
#[rustfmt::skip]
const PUNCTUATION: &[(u32, u32)] = &[
    (0x00A1, 0x00A1), (0x00A7, 0x00A7), (0x00AB, 0x00AB), (0x00B6, 0x00B7), (0x00BB, 0x00BB), (0x00BF, 0x00BF),
    (0x037E, 0x037E), (0x0387, 0x0387), (0x055A, 0x055F), (0x0589, 0x058A), (0x05BE, 0x05BE), (0x05C0, 0x05C0),
    (0x05C3, 0x05C3), (0x05C6, 0x05C6), (0x05F3, 0x05F4), (0x0609, 0x060A), (0x060C, 0x060D), (0x061B, 0x061B),
    (0x061D, 0x061F), (0x066A, 0x066D), (0x06D4, 0x06D4), (0x0700, 0x070D), (0x07F7, 0x07F9), (0x0830, 0x083E),
    (0x085E, 0x085E), (0x0964, 0x0965), (0x0970, 0x0970), (0x09FD, 0x09FD), (0x0A76, 0x0A76), (0x0AF0, 0x0AF0),
    (0x0C77, 0x0C77), (0x0C84, 0x0C84), (0x0DF4, 0x0DF4), (0x0E4F, 0x0E4F), (0x0E5A, 0x0E5B), (0x0F04, 0x0F12),
    (0x0F14, 0x0F14), (0x0F3A, 0x0F3D), (0x0F85, 0x0F85), (0x0FD0, 0x0FD4), (0x0FD9, 0x0FDA), (0x104A, 0x104F),
    (0x10FB, 0x10FB), (0x1360, 0x1368), (0x1400, 0x1400), (0x166E, 0x166E), (0x169B, 0x169C), (0x16EB, 0x16ED),
    (0x1735, 0x1736), (0x17D4, 0x17D6), (0x17D8, 0x17DA), (0x1800, 0x180A), (0x1944, 0x1945), (0x1A1E, 0x1A1F),
    (0x1AA0, 0x1AA6), (0x1AA8, 0x1AAD), (0x1B4E, 0x1B4F), (0x1B5A, 0x1B60), (0x1B7D, 0x1B7F), (0x1BFC, 0x1BFF),
    (0x1C3B, 0x1C3F), (0x1C7E, 0x1C7F), (0x1CC0, 0x1CC7), (0x1CD3, 0x1CD3), (0x2010, 0x2027), (0x2030, 0x2043),
    (0x2045, 0x2051), (0x2053, 0x205E), (0x207D, 0x207E), (0x208D, 0x208E), (0x2308, 0x230B), (0x2329, 0x232A),
    (0x2768, 0x2775), (0x27C5, 0x27C6), (0x27E6, 0x27EF), (0x2983, 0x2998), (0x29D8, 0x29DB), (0x29FC, 0x29FD),
    (0x2CF9, 0x2CFC), (0x2CFE, 0x2CFF), (0x2D70, 0x2D70), (0x2E00, 0x2E2E), (0x2E30, 0x2E4F), (0x2E52, 0x2E5D),
    (0x3001, 0x3003), (0x3008, 0x3011), (0x3014, 0x301F), (0x3030, 0x3030), (0x303D, 0x303D), (0x30A0, 0x30A0),
    (0x30FB, 0x30FB), (0xA4FE, 0xA4FF), (0xA60D, 0xA60F), (0xA673, 0xA673), (0xA67E, 0xA67E), (0xA6F2, 0xA6F7),
    (0xA874, 0xA877), (0xA8CE, 0xA8CF), (0xA8F8, 0xA8FA), (0xA8FC, 0xA8FC), (0xA92E, 0xA92F), (0xA95F, 0xA95F),
    (0xA9C1, 0xA9CD), (0xA9DE, 0xA9DF), (0xAA5C, 0xAA5F), (0xAADE, 0xAADF), (0xAAF0, 0xAAF1), (0xABEB, 0xABEB),
    (0xFD3E, 0xFD3F), (0xFE10, 0xFE19), (0xFE30, 0xFE52), (0xFE54, 0xFE61), (0xFE63, 0xFE63), (0xFE68, 0xFE68),
    (0xFE6A, 0xFE6B), (0xFF01, 0xFF03), (0xFF05, 0xFF0A), (0xFF0C, 0xFF0F), (0xFF1A, 0xFF1B), (0xFF1F, 0xFF20),
    (0xFF3B, 0xFF3D), (0xFF3F, 0xFF3F), (0xFF5B, 0xFF5B), (0xFF5D, 0xFF5D), (0xFF5F, 0xFF65), (0x10100, 0x10102),
    (0x1039F, 0x1039F), (0x103D0, 0x103D0), (0x1056F, 0x1056F), (0x10857, 0x10857), (0x1091F, 0x1091F), (0x1093F, 0x1093F),
    (0x10A50, 0x10A58), (0x10A7F, 0x10A7F), (0x10AF0, 0x10AF6), (0x10B39, 0x10B3F), (0x10B99, 0x10B9C), (0x10D6E, 0x10D6E),
    (0x10EAD, 0x10EAD), (0x10F55, 0x10F59), (0x10F86, 0x10F89), (0x11047, 0x1104D), (0x110BB, 0x110BC), (0x110BE, 0x110C1),
    (0x11140, 0x11143), (0x11174, 0x11175), (0x111C5, 0x111C8), (0x111CD, 0x111CD), (0x111DB, 0x111DB), (0x111DD, 0x111DF),
    (0x11238, 0x1123D), (0x112A9, 0x112A9), (0x113D4, 0x113D5), (0x113D7, 0x113D8), (0x1144B, 0x1144F), (0x1145A, 0x1145B),
    (0x1145D, 0x1145D), (0x114C6, 0x114C6), (0x115C1, 0x115D7), (0x11641, 0x11643), (0x11660, 0x1166C), (0x116B9, 0x116B9),
    (0x1173C, 0x1173E), (0x1183B, 0x1183B), (0x11944, 0x11946), (0x119E2, 0x119E2), (0x11A3F, 0x11A46), (0x11A9A, 0x11A9C),
    (0x11A9E, 0x11AA2), (0x11B00, 0x11B09), (0x11BE1, 0x11BE1), (0x11C41, 0x11C45), (0x11C70, 0x11C71), (0x11EF7, 0x11EF8),
    (0x11F43, 0x11F4F), (0x11FFF, 0x11FFF), (0x12470, 0x12474), (0x12FF1, 0x12FF2), (0x16A6E, 0x16A6F), (0x16AF5, 0x16AF5),
    (0x16B37, 0x16B3B), (0x16B44, 0x16B44), (0x16D6D, 0x16D6F), (0x16E97, 0x16E9A), (0x16FE2, 0x16FE2), (0x1BC9F, 0x1BC9F),
    (0x1DA87, 0x1DA8B), (0x1E5FF, 0x1E5FF), (0x1E95E, 0x1E95F),
];

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use TokenKind::{Email, Handle, Hashtag, Number, Punct, Symbol, Url, Word};

    /// `(text, kind)` for every token of `input`.
    fn toks(input: &str) -> Vec<(&str, TokenKind)> {
        tokenize(input).map(|t| (t.text(input), t.kind)).collect()
    }

    /// The texts of the Words flagged `sentence_start`.
    fn starts(input: &str) -> Vec<&str> {
        tokenize(input)
            .filter(|t| t.sentence_start)
            .map(|t| t.text(input))
            .collect()
    }

    /// `case!(name, input => [Kind "text", ...])`: the exact token list.
    macro_rules! case {
        ($name:ident, $input:expr => [$($kind:ident $text:expr),* $(,)?]) => {
            #[test]
            fn $name() {
                let expected: Vec<(&str, TokenKind)> = vec![$(($text, TokenKind::$kind)),*];
                assert_eq!(toks($input), expected, "input: {:?}", $input);
            }
        };
    }

    /// `sentence!(name, input => [words flagged sentence_start])`.
    macro_rules! sentence {
        ($name:ident, $input:expr => [$($word:expr),* $(,)?]) => {
            #[test]
            fn $name() {
                let expected: Vec<&str> = vec![$($word),*];
                assert_eq!(starts($input), expected, "input: {:?}", $input);
            }
        };
    }

    // Words.
    case!(empty, "" => []);
    case!(only_whitespace, " \t\r\n\u{A0}\u{3000} " => []);
    case!(simple_words, "Hello world" => [Word "Hello", Word "world"]);
    case!(contraction, "don't" => [Word "don't"]);
    case!(possessive, "Russia's" => [Word "Russia's"]);
    case!(irish_name, "O'Sullivan" => [Word "O'Sullivan"]);
    case!(rock_n_roll, "rock'n'roll" => [Word "rock'n'roll"]);
    case!(curly_apostrophe, "don\u{2019}t" => [Word "don\u{2019}t"]);
    case!(trailing_apostrophe_is_punct, "students' books" => [
        Word "students", Punct "'", Word "books",
    ]);
    case!(leading_apostrophe_is_punct, "'tis" => [Punct "'", Word "tis"]);
    case!(single_quoted_word, "'hello'" => [Punct "'", Word "hello", Punct "'"]);
    case!(apostrophe_needs_letters_both_sides, "1's o'" => [
        Number "1", Punct "'", Word "s", Word "o", Punct "'",
    ]);
    case!(ocr_digits_stay_in_words, "he11o off1cial 1ike Iw0rd" => [
        Word "he11o", Word "off1cial", Word "1ike", Word "Iw0rd",
    ]);
    case!(hyphen_splits, "long-range" => [Word "long", Punct "-", Word "range"]);
    case!(en_dash_splits, "long\u{2013}range 1990\u{2013}2000" => [
        Word "long", Punct "\u{2013}", Word "range", Number "1990", Punct "\u{2013}",
        Number "2000",
    ]);
    case!(covid_19, "COVID-19" => [Word "COVID", Punct "-", Number "19"]);
    case!(abbreviation_splits, "U.S. e.g." => [
        Word "U", Punct ".", Word "S", Punct ".", Word "e", Punct ".", Word "g", Punct ".",
    ]);
    case!(underscore_splits, "snake_case" => [Word "snake", Punct "_", Word "case"]);

    // Other scripts, marks and joiners.
    case!(cyrillic, "Привет, мир" => [Word "Привет", Punct ",", Word "мир"]);
    case!(greek, "Καλημέρα κόσμε" => [Word "Καλημέρα", Word "κόσμε"]);
    case!(cjk_run, "我爱你。" => [Word "我爱你", Punct "。"]);
    case!(precomposed_accents, "naïve résumé" => [Word "naïve", Word "résumé"]);
    case!(combining_marks_stay, "cafe\u{301}'s nai\u{308}ve" => [
        Word "cafe\u{301}'s", Word "nai\u{308}ve",
    ]);
    case!(zero_width_non_joiner_in_persian, "می\u{200C}خواهم" => [Word "می\u{200C}خواهم"]);
    case!(soft_hyphen_inside_word, "co\u{AD}operate" => [Word "co\u{AD}operate"]);
    case!(soft_hyphen_at_word_end, "co\u{AD} op" => [Word "co", Symbol "\u{AD}", Word "op"]);
    case!(stray_mark_is_symbol, " \u{301}x" => [Symbol "\u{301}", Word "x"]);
    case!(emoji_keeps_variation_selector, "\u{2764}\u{FE0F}\u{1F600}" => [
        Symbol "\u{2764}\u{FE0F}", Symbol "\u{1F600}",
    ]);

    // Numbers.
    case!(plain_numbers, "42 3.14 1,000,000 4.2" => [
        Number "42", Number "3.14", Number "1,000,000", Number "4.2",
    ]);
    case!(negative_number, "-5" => [Punct "-", Number "5"]);
    case!(
        ordinals_and_decades,
        "1st 2nd 3rd 19th 1990s 11th 12th 13th 21ST 112th 1,000th 90s" => [
        Number "1st", Number "2nd", Number "3rd", Number "19th", Number "1990s", Number "11th",
        Number "12th", Number "13th", Number "21ST", Number "112th", Number "1,000th",
        Number "90s",
    ]);
    case!(wrong_ordinal_suffix_is_a_word, "2th 1nd 11st 3.5th" => [
        Word "2th", Word "1nd", Word "11st", Word "3.5th",
    ]);
    case!(dollars, "$4.2" => [Symbol "$", Number "4.2"]);
    case!(percent, "50%" => [Number "50", Symbol "%"]);
    case!(separator_needs_digits_both_sides, "5. 5,a .5" => [
        Number "5", Punct ".", Number "5", Punct ",", Word "a", Punct ".", Number "5",
    ]);
    case!(arabic_indic_digits, "٣٤" => [Number "٣٤"]);

    // URLs, e-mail, handles, hashtags.
    case!(https_url_drops_trailing_period, "see https://example.com/a?b=1." => [
        Word "see", Url "https://example.com/a?b=1", Punct ".",
    ]);
    case!(url_keeps_balanced_paren, "(https://en.wikipedia.org/wiki/Rust_(language))" => [
        Punct "(", Url "https://en.wikipedia.org/wiki/Rust_(language)", Punct ")",
    ]);
    case!(url_in_quotes, "\"http://a.io/x\"," => [
        Punct "\"", Url "http://a.io/x", Punct "\"", Punct ",",
    ]);
    case!(www_url, "WWW.Example.com, then" => [Url "WWW.Example.com", Punct ",", Word "then"]);
    case!(bare_prefix_is_not_url, "www. http://" => [
        Word "www", Punct ".", Word "http", Punct ":", Punct "/", Punct "/",
    ]);
    case!(bare_domain_with_path, "example.com/path" => [Url "example.com/path"]);
    case!(bare_domain_without_path_is_not_url, "example.com" => [
        Word "example", Punct ".", Word "com",
    ]);
    case!(slash_without_domain_is_not_url, "and/or e.g./i.e." => [
        Word "and", Punct "/", Word "or", Word "e", Punct ".", Word "g", Punct ".", Punct "/",
        Word "i", Punct ".", Word "e", Punct ".",
    ]);
    case!(email, "mail bob.smith+x@mail.example.co.uk." => [
        Word "mail", Email "bob.smith+x@mail.example.co.uk", Punct ".",
    ]);
    case!(not_email_without_tld, "a@b" => [Word "a", Punct "@", Word "b"]);
    case!(handle, "@jack_d hi (@jill)" => [
        Handle "@jack_d", Word "hi", Punct "(", Handle "@jill", Punct ")",
    ]);
    case!(lone_at_sign, "@ 5" => [Punct "@", Number "5"]);
    case!(hashtags, "#RustLang #1 C# #2020goals" => [
        Hashtag "#RustLang", Punct "#", Number "1", Word "C", Punct "#", Hashtag "#2020goals",
    ]);

    // Punctuation and symbols.
    case!(punctuation_one_char_each, "Wait... what?!" => [
        Word "Wait", Punct ".", Punct ".", Punct ".", Word "what", Punct "?", Punct "!",
    ]);
    case!(symbols, "a+b = c \u{1F600} \u{20AC}5" => [
        Word "a", Symbol "+", Word "b", Symbol "=", Word "c", Symbol "\u{1F600}",
        Symbol "\u{20AC}", Number "5",
    ]);
    case!(curly_quotes, "\u{201C}Hi,\u{201D} she said\u{2026}" => [
        Punct "\u{201C}", Word "Hi", Punct ",", Punct "\u{201D}", Word "she", Word "said",
        Punct "\u{2026}",
    ]);
    case!(control_char_is_symbol, "a\u{0}b" => [Word "a", Symbol "\u{0}", Word "b"]);
    case!(unicode_whitespace_separates, "a\u{A0}b\u{3000}c\u{2029}d" => [
        Word "a", Word "b", Word "c", Word "d",
    ]);

    // Sentence starts.
    sentence!(first_word, "hello there" => ["hello"]);
    sentence!(after_terminal_marks, "One. Two three! Four? Five" => ["One", "Two", "Four", "Five"]);
    sentence!(through_closing_quote, "He said \"stop.\" Then left." => ["He", "Then"]);
    sentence!(through_closing_paren, "(See above.) Next" => ["See", "Next"]);
    sentence!(opening_quote_is_skipped, "\u{201C}Hi\u{201D}" => ["Hi"]);
    sentence!(initials_do_not_end_sentences, "the U.S. army" => ["the"]);
    sentence!(
        titles_do_not_end_sentences,
        "said Dr. Hanitra Rakoto. Mr. Bush met George W. Bush. Then he left." =>
            ["said", "Mr", "Then"]
    );
    sentence!(other_words_end_sentences, "It ended at a. The next" => ["It", "The"]);
    sentence!(paragraph_break, "Some text,\n\nnew para" => ["Some", "new"]);
    sentence!(paragraph_break_with_spaces, "text,\n \t\nnew" => ["text", "new"]);
    sentence!(line_after_comma_continues, "first line,\nsecond" => ["first"]);
    sentence!(line_after_hyphen_continues, "long-\nrange word" => ["long"]);
    sentence!(headline_line, "Breaking News\nThe mayor said" => ["Breaking", "The"]);
    sentence!(headline_ending_in_paren, "Results (2020)\nThe data" => ["Results", "The"]);
    sentence!(colon_at_line_end, "Ingredients:\nflour and" => ["Ingredients", "flour"]);
    sentence!(colon_inside_line, "Note: the cat" => ["Note"]);
    sentence!(crlf_counts_once, "a,\r\nb" => ["a"]);
    sentence!(crlf_paragraph, "a,\r\n\r\nb" => ["a", "b"]);
    sentence!(headline_crlf, "Title\r\nbody text" => ["Title", "body"]);
    sentence!(numbers_do_not_take_the_flag, "3 men. 5 Then" => ["men", "Then"]);
    sentence!(cjk_full_stop, "终于。然后" => ["终于", "然后"]);
    sentence!(ellipsis_char, "Wait\u{2026} then" => ["Wait", "then"]);
    sentence!(decimal_point_is_not_an_end, "pi is 3.14 today" => ["pi"]);

    /// A failed e-mail/URL check must not rescan the rest of a long non-space stretch for
    /// every token in it, or one long line of `a.a.a.a` or base64 would take quadratic
    /// time. These finish instantly when the look-ahead is bounded and take minutes when
    /// it is not.
    #[test]
    fn long_lines_stay_linear() {
        let n = 24 * 1024;
        for unit in ["a.", "a.\u{FC}.", "ab+", "a-", "x_"] {
            let line = unit.repeat(n / unit.len());
            let count = tokenize(&line).count();
            assert!(count >= n / unit.len(), "{unit:?}: {count} tokens");
        }
    }

    #[test]
    fn overlong_addresses_are_not_emails() {
        let local = "a".repeat(MAX_LOCAL_PART_BYTES + 1);
        let input = format!("{local}@example.com");
        assert!(toks(&input).iter().all(|&(_, kind)| kind != Email));
        let ok = format!("{}@example.com", &local[1..]);
        assert_eq!(toks(&ok), [(ok.as_str(), Email)]);
    }

    #[test]
    fn only_words_get_sentence_start() {
        let input = "1. \"Go\" #now @me http://x.io $";
        for t in tokenize(input) {
            assert_eq!(t.sentence_start, t.kind == Word, "{:?}", t.text(input));
        }
    }

    #[test]
    fn is_letter_agrees_with_std_everywhere() {
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            assert_eq!(is_letter(c), c.is_alphabetic(), "U+{:04X}", u32::from(c));
        }
    }

    #[test]
    fn token_accessors() {
        let input = "ab cd";
        let t = tokenize(input).nth(1).expect("two tokens");
        assert_eq!(t.byte_span(), 3..5);
        assert_eq!(t.text(input), "cd");
        assert_eq!(t.text("abc"), "", "a span that does not fit gives \"\"");
        assert_eq!(
            t.text("ab c\u{e9}"),
            "",
            "a span off a char boundary gives \"\""
        );
    }

    #[test]
    fn for_each_word_examples() {
        let mut words = Vec::new();
        for_each_word("He11o, world! 42 #tag don't", |w| words.push(w.to_owned()));
        assert_eq!(words, ["He11o", "world", "don't"]);
    }

    /// Asserts that `f` gives each word of `cases` its shape.
    fn assert_shapes(f: fn(&str) -> Shape, cases: &[(&str, Shape)]) {
        for &(word, expected) in cases {
            assert_eq!(f(word), expected, "{word:?}");
        }
    }

    #[test]
    fn shapes() {
        let cases = [
            ("hello", Shape::Lower),
            ("he11o", Shape::Lower),
            ("1ike", Shape::Lower),
            ("don't", Shape::Lower),
            ("мир", Shape::Lower),
            ("Hello", Shape::Capitalized),
            ("I", Shape::Capitalized),
            ("Iw0rd", Shape::Capitalized),
            ("Don't", Shape::Capitalized),
            ("O'Sullivan", Shape::Capitalized),
            ("L\u{2019}Oréal", Shape::Capitalized),
            ("Émile", Shape::Capitalized),
            ("Привет", Shape::Capitalized),
            ("NASA", Shape::AllCaps),
            ("DON'T", Shape::AllCaps),
            ("I'M", Shape::AllCaps),
            ("МИР", Shape::AllCaps),
            ("iPhone", Shape::MixedCase),
            ("McDonald", Shape::MixedCase),
            ("hELLO", Shape::MixedCase),
            ("Don'T", Shape::MixedCase),
            ("HeLLo", Shape::MixedCase),
            ("o'Sullivan", Shape::MixedCase),
            ("", Shape::NoCase),
            ("42", Shape::NoCase),
            ("-", Shape::NoCase),
            ("我爱你", Shape::NoCase),
        ];
        assert_shapes(shape, &cases);
    }

    #[test]
    fn possessive_stems() {
        assert_eq!(possessive_stem("chatbot's"), Some("chatbot"));
        assert_eq!(possessive_stem("Korvex\u{2019}s"), Some("Korvex"));
        assert_eq!(possessive_stem("students'"), Some("students"));
        assert_eq!(possessive_stem("'s"), Some(""));
        assert_eq!(possessive_stem("students"), None);
        assert_eq!(possessive_stem("don't"), None);
        assert_eq!(possessive_stem(""), None);
    }

    #[test]
    fn stem_shapes_ignore_possessive_and_acronym_plural() {
        let cases = [
            ("TSMC's", Shape::AllCaps),
            ("TSMC\u{2019}s", Shape::AllCaps),
            ("NGOs", Shape::AllCaps),
            ("CPUs'", Shape::AllCaps),
            ("Kenya's", Shape::Capitalized),
            ("students'", Shape::Lower),
            ("Is", Shape::Capitalized),
            ("iPhone's", Shape::MixedCase),
            ("McDonald's", Shape::MixedCase),
            ("TSMc's", Shape::MixedCase),
            ("s", Shape::Lower),
            ("'", Shape::NoCase),
            ("", Shape::NoCase),
        ];
        assert_shapes(stem_shape, &cases);
    }

    #[test]
    fn digits() {
        assert!(has_digit("he11o"));
        assert!(has_digit("٣"));
        assert!(has_digit("m\u{B2}"));
        assert!(!has_digit("hello"));
        assert!(!has_digit(""));
        assert!(!has_digit("\u{216B}"), "Roman numeral twelve is a letter");
    }

    /// Every invariant a token stream must satisfy, for any input.
    fn check_invariants(input: &str) -> Result<(), TestCaseError> {
        let tokens: Vec<Token> = tokenize(input).collect();
        let mut prev_end = 0;
        let mut first_word = true;
        for t in &tokens {
            prop_assert!(t.start < t.end && t.end <= input.len(), "{t:?}");
            prop_assert!(input.is_char_boundary(t.start) && input.is_char_boundary(t.end));
            prop_assert!(prev_end <= t.start, "overlap or out of order: {t:?}");
            let gap = &input[prev_end..t.start];
            prop_assert!(gap.chars().all(char::is_whitespace), "gap {gap:?}");
            let text = t.text(input);
            prop_assert!(!text.chars().any(char::is_whitespace), "token {text:?}");
            prop_assert!(!t.sentence_start || t.kind == Word);
            if t.kind == Word {
                prop_assert!(text.chars().any(char::is_alphabetic), "word {text:?}");
                prop_assert_eq!(t.sentence_start || !first_word, true);
                first_word = false;
            }
            let first = text.chars().next().unwrap_or(' ');
            match t.kind {
                Number => prop_assert!(is_digit(first), "number {text:?}"),
                Handle => prop_assert!(first == '@'),
                Hashtag => prop_assert!(first == '#'),
                Email => prop_assert!(text.contains('@')),
                Punct | Symbol => {
                    prop_assert!(text.chars().skip(1).all(is_mark), "one char: {text:?}")
                }
                Word | Url => {}
            }
            prev_end = t.end;
        }
        let tail = &input[prev_end..];
        prop_assert!(tail.chars().all(char::is_whitespace), "tail {tail:?}");

        let mut words = Vec::new();
        for_each_word(input, |w| words.push(w));
        let expected: Vec<&str> = tokens
            .iter()
            .filter(|t| t.kind == Word)
            .map(|t| t.text(input))
            .collect();
        prop_assert_eq!(words, expected);
        Ok(())
    }

    /// Pieces that exercise the tokenizer's special cases when glued together at random.
    const FRAGMENTS: &[&str] = &[
        "a",
        "Z",
        "é",
        "e\u{301}",
        "\u{301}",
        "日本",
        "Я",
        "1",
        "42",
        "3.",
        ",",
        ".",
        "'",
        "\u{2019}",
        "-",
        "\u{2013}",
        "@",
        "#",
        "_",
        "http://",
        "https://",
        "www.",
        "com",
        "/",
        "(",
        ")",
        "[",
        "]",
        "\"",
        "st",
        "th",
        "s",
        " ",
        "\n",
        "\r\n",
        "\n\n",
        "\u{2029}",
        "\t",
        "\u{A0}",
        "\u{AD}",
        "\u{200C}",
        "\u{200D}",
        "\u{FE0F}",
        "\u{1F600}",
        "$",
        "%",
        "!",
        "?",
        ":",
        "\u{3002}",
        "٣",
        "\u{0}",
        "x@y.io",
    ];

    fn fragments() -> impl Strategy<Value = String> {
        prop::collection::vec(prop::sample::select(FRAGMENTS), 0..32).prop_map(|v| v.concat())
    }

    fn any_chars() -> impl Strategy<Value = String> {
        prop::collection::vec(any::<char>(), 0..48).prop_map(String::from_iter)
    }

    proptest! {
        #[test]
        fn invariants_hold_on_printable_strings(s in any::<String>()) {
            check_invariants(&s)?;
        }

        #[test]
        fn invariants_hold_on_any_chars(s in any_chars()) {
            check_invariants(&s)?;
        }

        #[test]
        fn invariants_hold_on_tricky_fragments(s in fragments()) {
            check_invariants(&s)?;
        }

        /// No token crosses whitespace and nothing looks past it, so joining two texts
        /// with a space joins their segmentations (sentence flags aside).
        #[test]
        fn whitespace_is_a_hard_boundary(a in fragments(), b in fragments()) {
            let spans = |s: &str, offset: usize| -> Vec<(usize, usize, TokenKind)> {
                tokenize(s).map(|t| (t.start + offset, t.end + offset, t.kind)).collect()
            };
            let joined = format!("{a} {b}");
            let mut expected = spans(&a, 0);
            expected.extend(spans(&b, a.len() + 1));
            prop_assert_eq!(spans(&joined, 0), expected);
        }

        /// The 8-bytes-at-a-time scanner agrees with a plain byte loop, on any bytes
        /// (long runs, non-ASCII bytes, and bytes just outside the letter/digit ranges).
        #[test]
        fn ascii_alnum_run_matches_byte_loop(
            bytes in prop::collection::vec(
                prop_oneof![
                    4 => prop::sample::select(b"aAzZ09@[`{/:_\x7f\x80\xc3\xff".to_vec()),
                    1 => any::<u8>(),
                ],
                0..40,
            )
        ) {
            let len = bytes.iter().take_while(|b| b.is_ascii_alphanumeric()).count();
            let mut seen = 0;
            if bytes[..len].iter().any(u8::is_ascii_alphabetic) {
                seen |= LETTER;
            }
            if bytes[..len].iter().any(u8::is_ascii_digit) {
                seen |= DIGIT;
            }
            prop_assert_eq!(ascii_alnum_run(&bytes), (len, seen));
        }

        #[test]
        fn shape_and_has_digit_never_panic(s in any_chars()) {
            let _ = shape(&s);
            prop_assert_eq!(has_digit(&s), s.chars().any(is_digit));
        }
    }

    /// Synthetic English-like ASCII text: common words, capitals after full stops,
    /// commas, some numbers and contractions, newlines. Deterministic.
    fn synthetic_english(target_bytes: usize) -> String {
        const VOCAB: &[&str] = &[
            "the",
            "of",
            "and",
            "to",
            "in",
            "a",
            "is",
            "that",
            "for",
            "it",
            "as",
            "was",
            "with",
            "be",
            "by",
            "on",
            "not",
            "he",
            "this",
            "are",
            "or",
            "his",
            "from",
            "at",
            "which",
            "but",
            "have",
            "an",
            "had",
            "they",
            "you",
            "were",
            "their",
            "one",
            "all",
            "we",
            "can",
            "her",
            "has",
            "there",
            "been",
            "if",
            "more",
            "when",
            "will",
            "would",
            "who",
            "so",
            "no",
            "government",
            "information",
            "development",
            "international",
            "between",
            "because",
            "people",
            "through",
            "however",
            "children",
            "important",
            "don't",
            "it's",
            "Russia's",
            "London",
            "2019",
            "3.5",
            "long-range",
            "e-mail",
            "twenty",
            "thousand",
            "company",
            "said",
            "reported",
        ];
        let mut out = String::with_capacity(target_bytes + 64);
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let mut capitalize = true;
        while out.len() < target_bytes {
            let r = next();
            let word = VOCAB[(r % VOCAB.len() as u64) as usize];
            if capitalize {
                let mut chars = word.chars();
                if let Some(c) = chars.next() {
                    out.push(c.to_ascii_uppercase());
                    out.push_str(chars.as_str());
                }
            } else {
                out.push_str(word);
            }
            capitalize = false;
            match (r >> 32) % 40 {
                0..=2 => {
                    out.push_str(". ");
                    capitalize = true;
                }
                3..=4 => out.push_str(", "),
                5 => out.push_str(".\n"),
                6 => out.push('\n'),
                _ => out.push(' '),
            }
        }
        out
    }

    /// CPU time this thread has used, from Linux's `/proc/thread-self/schedstat`, so a
    /// busy machine does not drag the per-core figure down. `None` elsewhere.
    fn thread_cpu_seconds() -> Option<f64> {
        let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
        let nanos: u64 = stat.split_whitespace().next()?.parse().ok()?;
        Some(nanos as f64 / 1e9)
    }

    /// Throughput check, not a correctness test. Run with
    /// `cargo test --release -- --ignored --nocapture throughput`.
    #[test]
    #[ignore]
    fn throughput() {
        let text = synthetic_english(64 << 20);
        let mb = text.len() as f64 / 1e6;
        let time = |label: &str, f: &dyn Fn() -> usize| {
            let (mut best_wall, mut best_cpu) = (f64::INFINITY, f64::INFINITY);
            let mut count = 0;
            for _ in 0..5 {
                let cpu_before = thread_cpu_seconds();
                let started = std::time::Instant::now();
                count = std::hint::black_box(f());
                best_wall = best_wall.min(started.elapsed().as_secs_f64());
                if let (Some(before), Some(after)) = (cpu_before, thread_cpu_seconds()) {
                    best_cpu = best_cpu.min(after - before);
                }
            }
            println!(
                "{label}: {:.0} MB/s wall, {:.0} MB/s per CPU-second ({count} items, {mb:.0} MB)",
                mb / best_wall,
                mb / best_cpu
            );
        };
        time("baseline str::split_ascii_whitespace", &|| {
            text.split_ascii_whitespace().map(str::len).sum()
        });
        time("for_each_word", &|| {
            let mut n = 0usize;
            for_each_word(&text, |w| n += w.len());
            n
        });
        time("tokenize", &|| {
            tokenize(&text).filter(|t| t.sentence_start).count()
        });
    }
}
