//! Temporary stand-in (replaced by the real tokenizer).
/// Calls `f` for every word.
pub fn for_each_word(text: &str, mut f: impl FnMut(&str)) {
    for w in text.split(|c: char| !(c.is_alphanumeric() || c == '\'')) {
        if !w.is_empty() {
            f(w)
        }
    }
}
