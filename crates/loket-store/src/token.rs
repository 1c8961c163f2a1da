//! Secret tokens: sessions, the visitor's status and survey links, the signed-out forms'
//! double-submit values. Made and hashed here only; the database keeps the hash alone.

/// An unguessable token: 256 random bits, hex.
pub fn new_token() -> String {
    hex::encode(rand::random::<[u8; 32]>())
}

/// The SHA-256 of a token, hex: what is stored and looked up.
pub fn hash_token(token: &str) -> String {
    crate::sha256_hex(token.as_bytes())
}

/// The hash of a text that has a token's shape (64 hex digits); `None` for anything else, which
/// is then never looked up.
pub fn hash_of_token(text: &str) -> Option<String> {
    (text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit())).then(|| hash_token(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_token_has_the_shape_it_is_looked_up_by() {
        let token = new_token();
        assert_eq!(hash_of_token(&token), Some(hash_token(&token)));
        assert_ne!(new_token(), token);
    }

    #[test]
    fn text_that_is_not_a_token_is_never_hashed() {
        assert_eq!(hash_of_token("abc"), None);
        assert_eq!(hash_of_token(&"g".repeat(64)), None);
    }
}
