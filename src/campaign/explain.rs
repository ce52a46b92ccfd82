//! `fidelio campaign explain`: the rules in plain English, French or German, as the campaign
//! manager would describe them to a colleague, so they can confirm the file says what they
//! meant before it pays anyone.

use rust_decimal::Decimal;

use super::messages::{de_date, fr_date, fr_num};
use super::model::{Action, Campaign, Language, Product};

/// The campaign's rules as a short text in its own language.
pub fn explain(campaign: &Campaign) -> String {
    let t = Text {
        lang: campaign.language,
    };
    let mut out = Vec::new();
    out.push(format!("{} ({})", campaign.name, campaign.id));
    out.push(String::new());
    out.push(t.period(campaign));
    out.extend(t.submission(campaign));
    out.extend(t.merchants(campaign));
    out.extend(t.products(campaign));
    out.extend(t.money_rules(campaign));
    out.extend(t.points(campaign));
    out.extend(t.caps(campaign));
    out.extend(t.review(campaign));
    out.extend(t.fraud(campaign));
    out.push(t.pick(
        "- Blurry, dark, glaring or too small photos are refused, telling the member how to retake them; one whose date and total still read clearly goes to a person instead.",
        "- Les photos floues, sombres, avec reflets ou trop petites sont refusées, en expliquant au membre comment la reprendre ; celles dont la date et le total se lisent quand même clairement sont vérifiées par une personne.",
        "- Unscharfe, dunkle, spiegelnde oder zu kleine Fotos werden abgelehnt, mit einem Hinweis, wie das Mitglied sie neu aufnimmt; sind Datum und Summe trotzdem klar lesbar, prüft eine Person.",
    ));
    let mut text = out.join("\n");
    text.push('\n');
    text
}

impl Text {
    /// What happens to a receipt showing signs of doctoring, grouped by the campaign's action.
    fn fraud(&self, c: &Campaign) -> Vec<String> {
        let f = &c.fraud;
        let signals = [
            (
                f.edited_image,
                self.pick(
                    "saved by an image editor",
                    "enregistré par un logiciel de retouche",
                    "mit einer Bildbearbeitung gespeichert",
                ),
            ),
            (
                f.screen_photo,
                self.pick(
                    "photographed on a screen",
                    "photographié sur un écran",
                    "von einem Bildschirm fotografiert",
                ),
            ),
            (
                f.impossible_date,
                self.pick(
                    "dated after it was sent or photographed",
                    "daté d'après son envoi ou sa photo",
                    "nach dem Einsenden oder der Aufnahme datiert",
                ),
            ),
            (
                f.sum_mismatch,
                self.pick(
                    "items that do not add up to the total",
                    "articles qui ne font pas le total",
                    "Artikel ergeben nicht die Summe",
                ),
            ),
            (
                f.changed_region,
                self.pick(
                    "a retouched picture of a receipt sent before",
                    "la photo retouchée d'un ticket déjà envoyé",
                    "das retuschierte Bild eines schon eingesandten Kassenbons",
                ),
            ),
        ];
        let of = |action: Action| -> Vec<String> {
            signals
                .iter()
                .filter(|(a, _)| *a == action)
                .map(|(_, text)| text.clone())
                .collect()
        };
        let mut out = Vec::new();
        let review = of(Action::Review);
        if !review.is_empty() {
            let list = review.join(", ");
            out.push(self.pick(
                format!("- These signs of a doctored receipt send it to a person: {list}."),
                format!("- Ces signes d'un ticket trafiqué le font vérifier par une personne : {list}."),
                format!("- Diese Anzeichen eines manipulierten Kassenbons führen zur Prüfung durch eine Person: {list}."),
            ));
        }
        let reject = of(Action::Reject);
        if !reject.is_empty() {
            let list = reject.join(", ");
            out.push(self.pick(
                format!("- These signs of a doctored receipt get it refused: {list}."),
                format!("- Ces signes d'un ticket trafiqué le font refuser : {list}."),
                format!("- Diese Anzeichen eines manipulierten Kassenbons führen zur Ablehnung: {list}."),
            ));
        }
        out
    }
}

pub(super) struct Text {
    pub(super) lang: Language,
}

impl Text {
    /// The sentence in the campaign's language.
    pub(super) fn pick(
        &self,
        en: impl Into<String>,
        fr: impl Into<String>,
        de: impl Into<String>,
    ) -> String {
        match self.lang {
            Language::En => en.into(),
            Language::Fr => fr.into(),
            Language::De => de.into(),
        }
    }

    pub(super) fn date(&self, d: chrono::NaiveDate) -> String {
        match self.lang {
            Language::En => d.to_string(),
            Language::Fr => fr_date(d),
            Language::De => de_date(d),
        }
    }

    pub(super) fn num(&self, v: Decimal) -> String {
        match self.lang {
            Language::En => v.normalize().to_string(),
            Language::Fr | Language::De => fr_num(v.normalize()),
        }
    }

    pub(super) fn money(&self, v: Decimal, currency: &Option<String>) -> String {
        let unit = currency.clone().unwrap_or_default();
        format!("{} {unit}", self.num(v)).trim_end().to_string()
    }

    fn period(&self, c: &Campaign) -> String {
        let (s, e) = (self.date(c.period.start), self.date(c.period.end));
        self.pick(
            format!("- Purchases from {s} to {e}, both included."),
            format!("- Achats du {s} au {e} inclus."),
            format!("- Einkäufe vom {s} bis einschließlich {e}."),
        )
    }

    fn submission(&self, c: &Campaign) -> Vec<String> {
        let mut out = Vec::new();
        let tz = c.timezone.name();
        if let Some(d) = c.submission.deadline {
            let d = self.date(d);
            out.push(self.pick(
                format!("- Receipts must be sent by {d} ({tz} time)."),
                format!("- Tickets à envoyer au plus tard le {d} (heure {tz})."),
                format!("- Kassenbons bis spätestens {d} einreichen (Zeitzone {tz})."),
            ));
        }
        if let Some(n) = c.submission.max_days_after_purchase {
            out.push(self.pick(
                format!("- Each receipt must be sent within {n} days of the purchase."),
                format!("- Chaque ticket doit être envoyé dans les {n} jours suivant l'achat."),
                format!("- Jeder Kassenbon muss innerhalb von {n} Tagen nach dem Einkauf eingereicht werden."),
            ));
        }
        out
    }

    fn merchants(&self, c: &Campaign) -> Vec<String> {
        let m = &c.merchants;
        let mut out = Vec::new();
        match &m.allow {
            None => out.push(self.pick(
                "- Any merchant.",
                "- Tous les magasins.",
                "- Alle Geschäfte.",
            )),
            Some(allow) => {
                let names: Vec<String> = allow
                    .iter()
                    .map(|p| {
                        if p.aliases.is_empty() {
                            p.name.clone()
                        } else {
                            format!("{} ({})", p.name, p.aliases.join(", "))
                        }
                    })
                    .collect();
                out.push(self.pick(
                    format!("- Partner merchants only: {}.", names.join("; ")),
                    format!("- Magasins partenaires uniquement : {}.", names.join(" ; ")),
                    format!("- Nur Partnergeschäfte: {}.", names.join("; ")),
                ));
            }
        }
        if !m.deny.is_empty() {
            let list = m.deny.join(", ");
            out.push(self.pick(
                format!("- Excluded: {list}."),
                format!("- Exclus : {list}."),
                format!("- Ausgeschlossen: {list}."),
            ));
        }
        if let Some(stores) = &m.stores {
            let list: Vec<String> = stores
                .postcodes
                .iter()
                .chain(&stores.cities)
                .cloned()
                .collect();
            let list = list.join(", ");
            out.push(self.pick(
                format!("- Only stores whose postcode or city starts with: {list}."),
                format!("- Seulement les magasins dont le code postal ou la ville commence par : {list}."),
                format!("- Nur Filialen, deren Postleitzahl oder Ort beginnt mit: {list}."),
            ));
        }
        out
    }

    fn products(&self, c: &Campaign) -> Vec<String> {
        if c.products.is_empty() {
            return Vec::new();
        }
        let mut out = vec![self.pick(
            "- The receipt must show at least one of these products:",
            "- Le ticket doit comporter au moins un de ces produits :",
            "- Der Kassenbon muss mindestens eines dieser Produkte enthalten:",
        )];
        for p in &c.products {
            out.push(format!(
                "  - {}{}",
                p.name,
                self.product_rewards(p, &c.currency)
            ));
        }
        out
    }

    fn product_rewards(&self, p: &Product, currency: &Option<String>) -> String {
        let mut parts = Vec::new();
        if p.min_units() > 1 {
            let n = p.min_units();
            parts.push(self.pick(
                format!("at least {n} units"),
                format!("au moins {n} unités"),
                format!("mindestens {n} Stück"),
            ));
        }
        if let Some(v) = p.points_per_unit {
            let v = self.num(v);
            parts.push(self.pick(
                format!("{v} points per unit bought (a multipack counts as one)"),
                format!("{v} points par unité achetée (un lot compte pour une unité)"),
                format!("{v} Punkte pro gekauftem Stück (eine Mehrfachpackung zählt als eines)"),
            ));
        }
        if let Some(v) = p.points {
            let v = self.num(v);
            parts.push(self.pick(
                format!("{v} points per receipt"),
                format!("{v} points par ticket"),
                format!("{v} Punkte pro Kassenbon"),
            ));
        }
        if let Some(r) = p.cashback_rate {
            let pct = self.num(r * Decimal::ONE_HUNDRED);
            parts.push(self.pick(
                format!("{pct} % of the price refunded"),
                format!("{pct} % du prix remboursé"),
                format!("{pct} % des Preises erstattet"),
            ));
        }
        if let Some(a) = p.cashback_amount {
            let a = self.money(a, currency);
            parts.push(self.pick(
                format!("{a} refunded per receipt"),
                format!("{a} remboursés par ticket"),
                format!("{a} Erstattung pro Kassenbon"),
            ));
        }
        if parts.is_empty() {
            String::new()
        } else {
            let colon = self.pick(": ", " : ", ": ");
            format!("{colon}{}", parts.join(", "))
        }
    }

    fn money_rules(&self, c: &Campaign) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(cur) = &c.currency {
            out.push(self.pick(
                format!("- Purchases in {cur} only."),
                format!("- Achats en {cur} uniquement."),
                format!("- Nur Einkäufe in {cur}."),
            ));
        }
        if let Some(min) = c.min_total {
            let min = self.money(min, &c.currency);
            out.push(self.pick(
                format!("- Minimum receipt total: {min}."),
                format!("- Total minimum du ticket : {min}."),
                format!("- Mindestsumme des Kassenbons: {min}."),
            ));
        }
        out
    }
}
