//! Regular English inflection: the words an unknown word could be a spelt-by-the-rules
//! inflection of.
//!
//! A lexicon lists "foldable" but not "foldables", "fab" but not "fabs": a reader who
//! knows a word knows its plural, past and "-ing" form. So an unknown word that is a
//! regular inflection of a known word is probably a new word, not damage. The rules
//! matter as much as the suffix: English spelling drops a final e before "-ed" and
//! "-ing", turns a consonant's y into "ie", adds "es" after a hissing sound and doubles
//! a final consonant. What an in-word synonym swap leaves behind ("giveed" from give +
//! "ed", "arouseing", "dutys", "touchs", "cultivateers") breaks those rules, and gets
//! no stem here.
//!
//! [`inflection_stems`] only proposes stems; the caller asks its lexicon which exist
//! ([`crate::lexicon::Lexicon::best_inflection_count`]).
//!
//! The other way round, [`inflect`] spells a stem with a suffix, and [`analyses`] says
//! which stem and suffix a word is: a spinner that swaps "sanctions" looks up
//! "sanction" and writes the synonym's plural, "endorsements", so the real-word check
//! ([`crate::confusion`]) and the corrupter that imitates spinners
//! ([`crate::corrupt`]) need both. The rules allow more than one spelling at times (a
//! doubled consonant or not: "visited", "stopped"), so [`inflect`] gives each and the
//! caller keeps those its lexicon knows.

/// Shortest stem considered, in bytes: shorter ones ("a" + "s") explain anything.
const MIN_STEM: usize = 3;

/// Calls `f` with every stem that `word` (folded to lowercase) is a regular inflection
/// of: plural or third person (`-s`, `-es`, `-ies`), past (`-ed`, `-ied`), `-ing`,
/// comparative and superlative (`-er`, `-est`), `-ly`, `-ness`, and a plural of any of
/// these ("hyperscalers" -> "hyperscaler" -> "hyperscale"). A stem can be proposed more
/// than once; proposals need not be words.
pub fn inflection_stems(word: &str, mut f: impl FnMut(&str)) {
    let mut buf = String::new();
    let mut emit = |stem: &str, tail: &str| {
        if stem.len() + tail.len() >= MIN_STEM {
            buf.clear();
            buf.push_str(stem);
            buf.push_str(tail);
            f(&buf);
        }
    };
    if let Some(singular) = plural_stems(word, &mut emit) {
        suffix_stems(singular, &mut emit);
    }
    suffix_stems(word, &mut emit);
}

/// A regular inflectional suffix: what a word keeps when a spinner swaps its stem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Inflection {
    /// Plural or third person: "-s", "-es", "-ies".
    S,
    /// Past: "-ed", "-d", "-ied".
    Ed,
    /// "-ing".
    Ing,
}

impl Inflection {
    /// Every inflection, in a fixed order.
    pub const ALL: [Inflection; 3] = [Inflection::S, Inflection::Ed, Inflection::Ing];
}

/// Calls `f` with each spelling of `stem` (lowercase) with `inflection` that the rules
/// allow: "city" + S = "cities", "like" + Ed = "liked", "lie" + Ing = "lying", and both
/// "stoped" and "stopped" for "stop" + Ed, since only a dictionary knows whether a final
/// consonant doubles. Nothing for stems under three bytes.
pub fn inflect(stem: &str, inflection: Inflection, mut f: impl FnMut(&str)) {
    if stem.len() < MIN_STEM {
        return;
    }
    let mut buf = String::new();
    let mut emit = |base: &str, tail: &str| {
        buf.clear();
        buf.push_str(base);
        buf.push_str(tail);
        f(&buf);
    };
    let without_last = &stem[..stem.len() - stem.chars().last().map_or(0, char::len_utf8)];
    match inflection {
        Inflection::S => {
            if consonant_y(stem) {
                emit(without_last, "ies");
            } else if hisses(stem) {
                emit(stem, "es");
            } else {
                if stem.ends_with('o') {
                    emit(stem, "es");
                }
                emit(stem, "s");
            }
        }
        Inflection::Ed => {
            if stem.ends_with('e') {
                emit(stem, "d");
            } else if consonant_y(stem) {
                emit(without_last, "ied");
            } else {
                emit(stem, "ed");
                if let Some(last) = doubles(stem) {
                    emit_doubled(stem, last, "ed", &mut emit);
                }
            }
        }
        Inflection::Ing => {
            if let Some(base) = stem.strip_suffix("ie") {
                emit(base, "ying");
            } else if stem.ends_with('e') && !keeps_e_before_ing(stem) {
                emit(without_last, "ing");
            } else {
                emit(stem, "ing");
                if let Some(last) = doubles(stem) {
                    emit_doubled(stem, last, "ing", &mut emit);
                }
            }
        }
    }
}

/// Emits `stem`, its last letter `last` again, and `suffix`.
fn emit_doubled(stem: &str, last: char, suffix: &str, emit: &mut impl FnMut(&str, &str)) {
    let mut tail = String::with_capacity(suffix.len() + 1);
    tail.push(last);
    tail.push_str(suffix);
    emit(stem, &tail);
}

/// The final consonant of a stem that may double before a vowel suffix: one consonant
/// (not w, x or y) after one vowel ("stop", "refer"; not "need", "help").
fn doubles(stem: &str) -> Option<char> {
    let mut rev = stem.chars().rev();
    let (last, vowel, before) = (rev.next()?, rev.next()?, rev.next());
    (last.is_ascii_lowercase()
        && !is_vowel(last)
        && !matches!(last, 'w' | 'x' | 'y')
        && is_vowel(vowel)
        && !before.is_some_and(is_vowel))
    .then_some(last)
}

/// "see" + "-ing" is "seeing", "dye" + "-ing" "dyeing": these keep their e.
fn keeps_e_before_ing(stem: &str) -> bool {
    stem.ends_with("ee") || stem.ends_with("ye") || stem.ends_with("oe")
}

/// Calls `f` once with each `(stem, inflection)` such that `word` (lowercase) is a
/// spelling [`inflect`] gives of `stem` with `inflection`: "sanctions" is "sanction" +
/// S, "lives" is "live" + S, "stopped" is "stop" + Ed. Stems need not be words.
pub fn analyses(word: &str, mut f: impl FnMut(&str, Inflection)) {
    let mut stems: Vec<String> = Vec::new();
    inflection_stems(word, |s| {
        if !stems.iter().any(|t| t == s) {
            stems.push(s.to_string());
        }
    });
    for stem in &stems {
        for inflection in Inflection::ALL {
            let mut spelt = false;
            inflect(stem, inflection, |w| spelt |= w == word);
            if spelt {
                f(stem, inflection);
            }
        }
    }
}

/// Stems of a plural or third-person form. Returns the plain `-s` stem when there is
/// one, so that the caller can undo a second suffix under it ("-ers", "-ings").
fn plural_stems<'a>(word: &'a str, emit: &mut impl FnMut(&str, &str)) -> Option<&'a str> {
    if let Some(b) = word.strip_suffix("ies") {
        if ends_with_consonant(b) {
            emit(b, "y");
        }
    }
    if let Some(b) = word.strip_suffix("es") {
        if hisses(b) || b.ends_with('o') {
            emit(b, "");
        }
    }
    let b = word.strip_suffix('s')?;
    if b.ends_with('s') || hisses(b) || consonant_y(b) {
        return None;
    }
    emit(b, "");
    Some(b)
}

/// Stems under one suffix other than a plural.
fn suffix_stems(word: &str, emit: &mut impl FnMut(&str, &str)) {
    // Past, comparative, superlative: "-ied"/"-ier"/"-iest" from y, a dropped e
    // ("liked", "nicer"), a doubled consonant ("stopped"), or the plain stem.
    for (suffix, y_form) in [("ed", "ied"), ("er", "ier"), ("est", "iest")] {
        if let Some(b) = word.strip_suffix(y_form) {
            if ends_with_consonant(b) {
                emit(b, "y");
            }
        }
        if let Some(b) = word.strip_suffix(suffix) {
            ed_like_stems(b, emit);
        }
    }
    if let Some(b) = word.strip_suffix("ing") {
        // "seeing", "dyeing" keep their e; "making" dropped it.
        if !b.ends_with('e') || keeps_e_before_ing(b) {
            emit(b, "");
        }
        if !b.ends_with('e') {
            emit(b, "e");
        }
        if let Some(single) = undoubled(b) {
            emit(single, "");
        }
    }
    if let Some(b) = word.strip_suffix("ly") {
        if let Some(c) = b.strip_suffix('i') {
            if ends_with_consonant(c) {
                emit(c, "y");
            }
        } else if !consonant_y(b) {
            emit(b, "");
        }
        // "simply" from "simple".
        if ends_with_consonant(b) {
            emit(b, "le");
        }
    }
    if let Some(b) = word.strip_suffix("ness") {
        if let Some(c) = b.strip_suffix('i') {
            if ends_with_consonant(c) {
                emit(c, "y");
            }
        } else {
            emit(b, "");
        }
    }
}

/// Stems under a suffix that starts with e ("-ed", "-er", "-est"), `b` being what is
/// left: the stem's own e merged with the suffix's ("liked" -> "like"), the plain stem
/// when it does not end in e or a consonant's y, or a doubled consonant undone.
fn ed_like_stems(b: &str, emit: &mut impl FnMut(&str, &str)) {
    emit(b, "e");
    if !b.ends_with('e') && !consonant_y(b) {
        emit(b, "");
    }
    if let Some(single) = undoubled(b) {
        emit(single, "");
    }
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'a' | 'e' | 'i' | 'o' | 'u')
}

fn ends_with_consonant(s: &str) -> bool {
    s.ends_with(|c: char| c.is_alphabetic() && !is_vowel(c))
}

/// Ends in a sound that takes "-es": s, x, z, ch, sh.
fn hisses(s: &str) -> bool {
    s.ends_with(['s', 'x', 'z']) || s.ends_with("ch") || s.ends_with("sh")
}

/// Ends in a y after a consonant ("duty"), which inflects as "ie".
fn consonant_y(s: &str) -> bool {
    s.strip_suffix('y').is_some_and(ends_with_consonant)
}

/// `s` without its last letter when it ends in a doubled consonant ("stopp" -> "stop").
fn undoubled(s: &str) -> Option<&str> {
    let mut rev = s.chars().rev();
    let (last, before) = (rev.next()?, rev.next()?);
    (last == before && last.is_ascii_alphabetic() && !is_vowel(last))
        .then(|| &s[..s.len() - last.len_utf8()])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has_stem(word: &str, stem: &str) -> bool {
        stems(word).iter().any(|s| s == stem)
    }

    fn stems(word: &str) -> Vec<String> {
        let mut out = Vec::new();
        inflection_stems(word, |s| out.push(s.to_string()));
        out.sort();
        out.dedup();
        out
    }

    #[test]
    fn regular_inflections_find_their_stem() {
        let cases = [
            ("foldables", "foldable"),
            ("fabs", "fab"),
            ("cities", "city"),
            ("boxes", "box"),
            ("watches", "watch"),
            ("heroes", "hero"),
            ("liked", "like"),
            ("agreed", "agree"),
            ("carried", "carry"),
            ("stopped", "stop"),
            ("called", "call"),
            ("making", "make"),
            ("seeing", "see"),
            ("running", "run"),
            ("nicer", "nice"),
            ("happiest", "happy"),
            ("bigger", "big"),
            ("quickly", "quick"),
            ("happily", "happy"),
            ("simply", "simple"),
            ("kindness", "kind"),
            ("emptiness", "empty"),
            ("hyperscalers", "hyperscaler"),
            ("hyperscalers", "hyperscale"),
            ("chipmakings", "chipmaking"),
        ];
        for (word, stem) in cases {
            assert!(has_stem(word, stem), "{word} -> {stem}: {:?}", stems(word));
        }
    }

    #[test]
    fn rule_breaking_forms_get_no_stem() {
        let cases = [
            ("giveed", "give"),
            ("arouseing", "arouse"),
            ("dutys", "duty"),
            ("touchs", "touch"),
            ("processs", "process"),
            ("englishs", "english"),
            ("cultivateers", "cultivate"),
            ("minuteing", "minute"),
        ];
        for (word, stem) in cases {
            assert!(!has_stem(word, stem), "{word} -> {stem}: {:?}", stems(word));
        }
    }

    fn spellings(stem: &str, inflection: Inflection) -> Vec<String> {
        let mut out = Vec::new();
        inflect(stem, inflection, |w| out.push(w.to_string()));
        out
    }

    #[test]
    fn stems_are_spelt_with_each_suffix_by_the_rules() {
        use Inflection::*;
        let cases: [(&str, Inflection, &[&str]); 16] = [
            ("sanction", S, &["sanctions"]),
            ("city", S, &["cities"]),
            ("day", S, &["days"]),
            ("box", S, &["boxes"]),
            ("watch", S, &["watches"]),
            ("hero", S, &["heroes", "heros"]),
            ("like", Ed, &["liked"]),
            ("carry", Ed, &["carried"]),
            ("stop", Ed, &["stoped", "stopped"]),
            ("help", Ed, &["helped"]),
            ("need", Ed, &["needed"]),
            ("make", Ing, &["making"]),
            ("see", Ing, &["seeing"]),
            ("lie", Ing, &["lying"]),
            ("run", Ing, &["runing", "running"]),
            ("show", Ing, &["showing"]),
        ];
        for (stem, inflection, want) in cases {
            assert_eq!(spellings(stem, inflection), want, "{stem} {inflection:?}");
        }
        assert!(
            spellings("go", S).is_empty(),
            "stems under MIN_STEM are left alone"
        );
    }

    #[test]
    fn analyses_undo_exactly_what_inflect_does() {
        let of = |word: &str| {
            let mut out = Vec::new();
            analyses(word, |s, i| out.push((s.to_string(), i)));
            out
        };
        assert!(of("sanctions").contains(&("sanction".into(), Inflection::S)));
        assert!(of("lives").contains(&("live".into(), Inflection::S)));
        assert!(of("stopped").contains(&("stop".into(), Inflection::Ed)));
        assert!(of("encountering").contains(&("encounter".into(), Inflection::Ing)));
        assert!(of("cities").contains(&("city".into(), Inflection::S)));
        // Suffixes other than the three, and rule-breaking forms, are no analysis.
        assert!(of("quickly").is_empty());
        assert!(of("dutys").is_empty());
        for word in [
            "sanctions",
            "lives",
            "stopped",
            "encountering",
            "cities",
            "agreed",
        ] {
            for (stem, inflection) in of(word) {
                assert!(spellings(&stem, inflection).iter().any(|w| w == word));
            }
        }
    }

    #[test]
    fn short_and_odd_input_is_safe() {
        for word in [
            "", "s", "es", "ing", "ed", "ly", "ness", "ss", "ééés", "日本s",
        ] {
            for s in stems(word) {
                assert!(s.len() >= MIN_STEM, "{word} -> {s}");
            }
        }
        assert!(stems("as").is_empty());
    }
}
