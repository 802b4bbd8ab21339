//! Stemming that does not merge unrelated words. Snowball's Italian
//! stemmer cuts `pagamenti` to `pag`, which is also what it leaves of
//! `pages` in an English text filed under `it`: the two would match. A
//! **guarded** stem keeps Snowball's stem when it is at least
//! [`MIN_STEM`] characters long, and otherwise takes a light stem (the
//! word without its final vowel or plural `s`): `pagamenti` and `pagamento`
//! both become `pagament`, `pages` becomes `page`.

use std::borrow::Cow;

use frostem::Algorithm;
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// The shortest Snowball stem kept as it is.
pub const MIN_STEM: usize = 5;

/// The guarded stem of a lower-cased word.
pub fn guarded(stemmer: &frostem::Stemmer, word: &str) -> String {
    let snowball = stemmer.stem(word);
    if snowball.chars().count() >= MIN_STEM || snowball.len() == word.len() {
        return snowball.into_owned();
    }
    light(word).into_owned()
}

/// The word without a final vowel (Italian gender and number) or plural `s`.
fn light(word: &str) -> Cow<'_, str> {
    let trimmed = word.strip_suffix('s').unwrap_or(word);
    let trimmed = trimmed.strip_suffix(['a', 'e', 'i', 'o']).unwrap_or(trimmed);
    if trimmed.chars().count() >= 3 { trimmed.into() } else { word.into() }
}

/// The token filter: every token replaced by its guarded stem.
#[derive(Clone, Copy, Debug)]
pub struct GuardedStemmer(pub Algorithm);

impl TokenFilter for GuardedStemmer {
    type Tokenizer<T: Tokenizer> = Guarded<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> Guarded<T> {
        Guarded { algorithm: self.0, inner }
    }
}

/// A tokenizer whose tokens are stemmed, guarded.
#[derive(Clone)]
pub struct Guarded<T> {
    algorithm: Algorithm,
    inner: T,
}

impl<T: Tokenizer> Tokenizer for Guarded<T> {
    type TokenStream<'a> = GuardedStream<T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        GuardedStream { stemmer: frostem::Stemmer::new(self.algorithm), inner: self.inner.token_stream(text) }
    }
}

/// The stream of stemmed tokens.
pub struct GuardedStream<S> {
    stemmer: frostem::Stemmer,
    inner: S,
}

impl<S: TokenStream> TokenStream for GuardedStream<S> {
    fn advance(&mut self) -> bool {
        if !self.inner.advance() {
            return false;
        }
        let token = self.inner.token_mut();
        token.text = guarded(&self.stemmer, &token.text);
        true
    }

    fn token(&self) -> &Token {
        self.inner.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.inner.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_snowball_stems_give_way_to_light_ones() {
        let it = frostem::Stemmer::new(Algorithm::Italian);
        assert_eq!(guarded(&it, "pagamenti"), guarded(&it, "pagamento"));
        assert_ne!(guarded(&it, "pagamenti"), guarded(&it, "pages"), "payments are not pages");
        assert_eq!(guarded(&it, "protocollo"), guarded(&it, "protocolli"));
        assert_eq!(guarded(&it, "comunale"), guarded(&it, "comunali"));
        let en = frostem::Stemmer::new(Algorithm::English);
        assert_eq!(guarded(&en, "payments"), guarded(&en, "payment"));
        assert_eq!(guarded(&en, "bookings"), guarded(&en, "booking"));
    }
}
