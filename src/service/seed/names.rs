//! Built-in word lists for generated data. Names are grouped by culture so a generated person's
//! first and last name belong together; places carry their own time zone and currency so an
//! account's details agree with each other.

/// First and last names that are common together, with a relative weight.
/// Names are space-separated words (see [`word`]) so the lists stay one line each.
pub struct Culture {
    pub first: &'static str,
    pub last: &'static str,
    pub weight: u32,
}

pub const CULTURES: &[Culture] = &[
    Culture {
        first: "James Olivia Emma Liam Noah Ava Michael Emily Grace Henry",
        last: "Smith Johnson Williams Brown Taylor Anderson Clarke Walker Hughes Bennett",
        weight: 22,
    },
    Culture {
        first: "Lukas Anna Felix Lea Jonas Marie Maximilian Sophie Paul Hannah",
        last: "Müller Schmidt Schneider Fischer Weber Wagner Becker Hoffmann Schäfer Koch",
        weight: 10,
    },
    Culture {
        first: "Camille Louis Chloé Hugo Léa Arthur Manon Jules Inès Gabriel",
        last: "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau",
        weight: 8,
    },
    Culture {
        first: "Sofía Mateo Lucía Santiago Valentina Diego Isabella Javier Camila Alejandro",
        last: "García Fernández González Rodríguez López Martínez Sánchez Pérez Gómez Díaz",
        weight: 9,
    },
    Culture {
        first: "Giulia Francesco Chiara Alessandro Martina Lorenzo Sara Matteo Elena Marco",
        last: "Rossi Russo Ferrari Esposito Bianchi Romano Colombo Ricci Marino Greco",
        weight: 6,
    },
    Culture {
        first: "Søren Ingrid Lars Astrid Erik Freja Magnus Sigrid Nils Maja",
        last: "Jensen Nielsen Hansen Andersson Johansson Larsen Lindqvist Berg Dahl Eriksson",
        weight: 5,
    },
    Culture {
        first: "Łukasz Zofia Jakub Julia Piotr Katarzyna Tomasz Agnieszka Michał Aleksandra",
        last: "Nowak Kowalczyk Wiśniewski Wójcik Kamiński Lewandowski Zieliński Szymański Woźniak Dąbrowski",
        weight: 4,
    },
    Culture {
        first: "Aarav Priya Rohan Ananya Vikram Divya Arjun Kavya Rahul Sneha",
        last: "Sharma Patel Iyer Reddy Gupta Nair Singh Mehta Rao Kapoor",
        weight: 9,
    },
    Culture {
        first: "Wei Xiuying Jun Lina Hao Mei Jian Yan Lei Fang",
        last: "Wang Li Zhang Liu Chen Yang Huang Zhao Wu Zhou",
        weight: 7,
    },
    Culture {
        first: "Haruto Yui Sota Hina Ren Aoi Takumi Sakura Kenji Yuki",
        last: "Sato Suzuki Takahashi Tanaka Watanabe Ito Yamamoto Nakamura Kobayashi Kato",
        weight: 5,
    },
    Culture {
        first: "Chinedu Ngozi Oluwaseun Adaeze Emeka Funmilayo Tunde Amara Ifeanyi Yetunde",
        last: "Okafor Adeyemi Okonkwo Balogun Eze Nwosu Adebayo Obi Oyelaran Chukwu",
        weight: 5,
    },
    Culture {
        first: "João Ana Pedro Beatriz Gabriel Larissa Rafael Mariana Thiago Juliana",
        last: "Silva Santos Oliveira Souza Costa Pereira Almeida Carvalho Ribeiro Ferreira",
        weight: 6,
    },
    Culture {
        first: "Omar Layla Youssef Fatima Karim Nour Hassan Amira Tariq Salma",
        last: "Haddad Khalil Mansour Nasser Saleh Hamdan Aziz Farouk Rahman Qureshi",
        weight: 4,
    },
];

pub const HONORIFICS: &[&str] = &["Dr.", "Mr.", "Ms.", "Mrs.", "Prof."];

pub const JOB_TITLES: &[&str] = &[
    "Chief Executive Officer",
    "Chief Technology Officer",
    "Head of Operations",
    "Head of Customer Service",
    "IT Administrator",
    "Procurement Manager",
    "Office Manager",
    "Finance Director",
    "Accounts Payable Clerk",
    "Facilities Coordinator",
    "Product Manager",
    "Software Engineer",
    "Support Team Lead",
    "Logistics Coordinator",
    "Marketing Manager",
    "Sales Representative",
    "Quality Assurance Lead",
    "Data Analyst",
    "HR Business Partner",
    "Project Manager",
    "Warehouse Supervisor",
    "Legal Counsel",
];

/// Promotions used by the generated UPDATE audit entries.
pub const PROMOTED_TITLES: &[&str] = &[
    "Senior Project Manager",
    "Director of Operations",
    "VP Customer Experience",
    "Head of IT",
    "Lead Data Analyst",
];

/// A place an account can be; its contacts mostly share its time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Location {
    pub city: &'static str,
    pub state: Option<&'static str>,
    /// ISO 3166 code, also the region of the account's switchboard number.
    pub country: &'static str,
    pub postal_code: &'static str,
    pub street: &'static str,
    pub timezone: &'static str,
}

/// `city|state|country|postal code|street|time zone`, one place per line; an empty state means
/// none. A table rather than struct literals keeps it one line per place.
const PLACES: &str = "\
Berlin|Berlin|DE|10117|Friedrichstraße|Europe/Berlin
Munich|Bavaria|DE|80331|Leopoldstraße|Europe/Berlin
Paris|Île-de-France|FR|75001|Rue de Rivoli|Europe/Paris
Lyon|Auvergne-Rhône-Alpes|FR|69002|Rue de la République|Europe/Paris
London|England|GB|EC2A 4NE|Old Street|Europe/London
Manchester|England|GB|M3 3EB|Deansgate|Europe/London
Madrid|Madrid|ES|28014|Calle de Alcalá|Europe/Madrid
Milan|Lombardy|IT|20123|Via Torino|Europe/Rome
Amsterdam|North Holland|NL|1015 CJ|Keizersgracht|Europe/Amsterdam
Stockholm|Stockholm County|SE|111 57|Drottninggatan|Europe/Stockholm
Warsaw|Masovia|PL|00-001|Ulica Marszałkowska|Europe/Warsaw
New York|NY|US|10013|Hudson Street|America/New_York
Boston|MA|US|02110|Atlantic Avenue|America/New_York
Austin|TX|US|78701|Congress Avenue|America/Chicago
Chicago|IL|US|60606|Wacker Drive|America/Chicago
Denver|CO|US|80202|Larimer Street|America/Denver
San Francisco|CA|US|94105|Mission Street|America/Los_Angeles
Seattle|WA|US|98101|Pike Street|America/Los_Angeles
Toronto|ON|CA|M5H 2N2|Bay Street|America/Toronto
São Paulo|SP|BR|01310-100|Avenida Paulista|America/Sao_Paulo
Mexico City|CDMX|MX|06600|Paseo de la Reforma|America/Mexico_City
Bengaluru|Karnataka|IN|560001|MG Road|Asia/Kolkata
Singapore||SG|018956|Marina Boulevard|Asia/Singapore
Tokyo|Tokyo|JP|100-0005|Marunouchi|Asia/Tokyo
Shanghai|Shanghai|CN|200002|Nanjing Road|Asia/Shanghai
Sydney|NSW|AU|2000|George Street|Australia/Sydney
Lagos|Lagos|NG|101233|Adeola Odeku Street|Africa/Lagos
Dubai|Dubai|AE|00000|Sheikh Zayed Road|Asia/Dubai";

/// The places of [`PLACES`].
pub fn locations() -> Vec<Location> {
    PLACES
        .lines()
        .filter_map(|line| {
            let mut cells = line.split('|');
            Some(Location {
                city: cells.next()?,
                state: cells.next().filter(|state| !state.is_empty()),
                country: cells.next()?,
                postal_code: cells.next()?,
                street: cells.next()?,
                timezone: cells.next()?,
            })
        })
        .collect()
}

impl Location {
    /// The street line in local order ("12 Old Street" or "Friedrichstraße 12").
    pub fn street_line(&self, number: u32) -> String {
        match self.country {
            "US" | "CA" | "GB" | "AU" | "SG" => format!("{number} {}", self.street),
            _ => format!("{} {number}", self.street),
        }
    }

    /// The currency opportunities with this account are usually quoted in.
    pub fn currency(&self) -> &'static str {
        match self.country {
            "GB" => "GBP",
            "DE" | "FR" | "ES" | "IT" | "NL" | "SE" | "PL" => "EUR",
            _ => "USD",
        }
    }

    pub fn legal_form(&self) -> &'static str {
        match self.country {
            "US" => "Inc.",
            "GB" => "Ltd",
            "AU" => "Pty Ltd",
            "DE" => "GmbH",
            "FR" => "SAS",
            "ES" => "S.L.",
            "IT" => "S.p.A.",
            "NL" => "B.V.",
            "SE" => "AB",
            "PL" => "sp. z o.o.",
            "IN" => "Pvt. Ltd.",
            "JP" => "K.K.",
            _ => "Ltd.",
        }
    }
}

/// First halves of coined company names ("Blue" + "wave" + " Logistics").
pub const NAME_STARTS: &str = "Blue North Silver Iron Bright Cedar Red Stone Clear Swift Green Oak Summit Harbor Sun Lake Pine Gold Star River";

pub const NAME_ENDS: &str =
    "wave field point bridge stone gate works line path leaf peak ridge light well brook";

pub const INDUSTRIES: &str = "Logistics Pharmaceuticals Robotics Analytics Foods Energy Health Insurance Media Textiles Software Engineering Retail Telecom Biotech Consulting Manufacturing Travel Motors Finance Architects Hotels Labs Security Electronics Packaging Aerospace Furniture Recycling Learning";

pub const PARTNER_KINDS: &[&str] = &[
    "Support Partners",
    "Service Group",
    "IT Services",
    "Customer Care",
    "Managed Services",
    "Solutions",
];

/// The `index`-th space-separated word of `words` (wrapping around).
pub fn word(words: &'static str, index: usize) -> &'static str {
    let count = word_count(words).max(1);
    words.split(' ').nth(index % count).unwrap_or(words)
}

pub fn word_count(words: &str) -> usize {
    words.split(' ').count()
}

pub const ACCOUNT_NOTES: &[&str] = &[
    "Key account: quarterly business review with the customer success team.",
    "Prefers e-mail over phone calls; invoices go to accounts payable.",
    "Renewal negotiations usually start in September.",
    "Has a dedicated support line under the premium plan.",
    "Ask for the site manager before scheduling on-site visits.",
];

pub const CONTACT_NOTES: &[&str] = &[
    "Met at the spring trade fair.",
    "Prefers to be called in the morning, local time.",
    "Decision maker for renewals.",
    "Works part-time; mostly reachable Tuesday to Thursday.",
];

pub const INCIDENT_SUBJECTS: &[&str] = &[
    "Cannot log in to the customer portal",
    "Invoice shows the wrong VAT rate",
    "Delivery arrived damaged",
    "Password reset e-mail never arrives",
    "Request to change the billing address",
    "Order is stuck in processing",
    "Question about the renewal quote",
    "Mobile app crashes on start",
    "Data export is missing the last month",
    "Duplicate charge on credit card",
    "Please add two more user licences",
    "API returns 500 for bulk uploads",
    "Shipment tracking number not working",
    "Wrong item delivered",
    "Need a copy of the signed contract",
    "Two-factor codes arrive late",
    "Report dashboard loads very slowly",
    "Cancel the scheduled maintenance visit",
    "Integration with the ERP stopped syncing",
    "Printer firmware update failed",
    "Request for a GDPR data export",
    "Webhook deliveries are delayed",
    "Single sign-on setup help",
    "Refund not received yet",
];

pub const INCIDENT_DESCRIPTIONS: &[&str] = &[
    "Customer reports the problem started after yesterday's update.",
    "Happens for several users at the same site; screenshots attached.",
    "Customer needs this resolved before the end of the month.",
    "Could not reproduce on our side yet; asked for more details.",
    "Workaround shared; waiting for the customer to confirm.",
];

pub const OPPORTUNITY_PRODUCTS: &[&str] = &[
    "Premium Support",
    "Analytics Suite",
    "Field Service",
    "Cloud Migration",
    "Contact Center",
    "Training Package",
    "Hardware Refresh",
];

pub const OPPORTUNITY_KINDS: &[&str] = &["renewal", "expansion", "pilot", "rollout", "upgrade"];

/// Lower-case ASCII letters and digits of `text`, with common accents folded, for e-mail local
/// parts, domains and social handles (which must stay ASCII).
pub fn ascii_slug(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars().flat_map(char::to_lowercase) {
        let folded = match c {
            'a'..='z' | '0'..='9' => c,
            'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'ą' => 'a',
            'ç' | 'ć' => 'c',
            'é' | 'è' | 'ê' | 'ë' | 'ę' => 'e',
            'í' | 'ì' | 'î' | 'ï' => 'i',
            'ł' => 'l',
            'ñ' | 'ń' => 'n',
            'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' => 'o',
            'ś' | 'š' => 's',
            'ú' | 'ù' | 'û' | 'ü' => 'u',
            'ź' | 'ż' | 'ž' => 'z',
            _ => continue,
        };
        out.push(folded);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_ascii() {
        assert_eq!(ascii_slug("Łukasz"), "lukasz");
        assert_eq!(ascii_slug("Müller-Lüdenscheidt"), "mullerludenscheidt");
        assert_eq!(ascii_slug("São Paulo"), "saopaulo");
    }

    #[test]
    fn every_place_parses() {
        let places = locations();
        assert_eq!(places.len(), PLACES.lines().count());
        assert!(
            places
                .iter()
                .all(|p| p.country.len() == 2 && p.timezone.contains('/'))
        );
        assert_eq!(word("a b c", 4), "b");
    }

    #[test]
    fn every_word_slugs_to_something() {
        for culture in CULTURES {
            for name in culture.first.split(' ').chain(culture.last.split(' ')) {
                assert!(!ascii_slug(name).is_empty(), "{name}");
            }
        }
    }
}
