/// The language a user reads messages in. Bahasa Indonesia is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Lang {
    #[default]
    Id,
    En,
}

impl Lang {
    /// Picks the language from an HTTP `Accept-Language` value: English only when an `en`
    /// tag ranks above every `id` tag; Indonesian otherwise (also when the header is absent).
    pub fn from_accept_language(header: Option<&str>) -> Lang {
        let Some(header) = header else {
            return Lang::Id;
        };
        let mut best: Option<(f32, Lang)> = None;
        for part in header.split(',') {
            let mut pieces = part.trim().split(';');
            let tag = pieces.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = pieces
                .find_map(|p| {
                    p.trim()
                        .strip_prefix("q=")
                        .and_then(|v| v.parse::<f32>().ok())
                })
                .unwrap_or(1.0);
            let lang = if tag == "en" || tag.starts_with("en-") {
                Lang::En
            } else if tag == "id" || tag.starts_with("id-") || tag == "in" {
                Lang::Id
            } else {
                continue;
            };
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, lang));
            }
        }
        best.map(|(_, l)| l).unwrap_or_default()
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Id => "id",
            Lang::En => "en",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indonesian_is_the_default() {
        assert_eq!(Lang::from_accept_language(None), Lang::Id);
        assert_eq!(Lang::from_accept_language(Some("fr-FR")), Lang::Id);
        assert_eq!(Lang::from_accept_language(Some("")), Lang::Id);
    }

    #[test]
    fn english_when_preferred() {
        assert_eq!(Lang::from_accept_language(Some("en-US,en;q=0.9")), Lang::En);
        assert_eq!(Lang::from_accept_language(Some("id-ID,en;q=0.8")), Lang::Id);
        assert_eq!(
            Lang::from_accept_language(Some("id;q=0.5, en;q=0.9")),
            Lang::En
        );
    }
}
