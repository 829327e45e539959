//! Countries by their ISO 3166-1 alpha-2 code, with their names in the
//! languages we speak (English and German, from the iso-codes project
//! through pycountry 26.2.16). Customer records store the code; pages show
//! the name. A name in either language, or the code in any case, is read
//! as the code.

/// (code, English name, German name), by code.
pub const COUNTRIES: [(&str, &str, &str); 249] = [
    ("AD", "Andorra", "Andorra"),
    ("AE", "United Arab Emirates", "Vereinigte Arabische Emirate"),
    ("AF", "Afghanistan", "Afghanistan"),
    ("AG", "Antigua and Barbuda", "Antigua und Barbuda"),
    ("AI", "Anguilla", "Anguilla"),
    ("AL", "Albania", "Albanien"),
    ("AM", "Armenia", "Armenien"),
    ("AO", "Angola", "Angola"),
    ("AQ", "Antarctica", "Antarktis"),
    ("AR", "Argentina", "Argentinien"),
    ("AS", "American Samoa", "Amerikanisch-Samoa"),
    ("AT", "Austria", "Österreich"),
    ("AU", "Australia", "Australien"),
    ("AW", "Aruba", "Aruba"),
    ("AX", "Åland Islands", "Åland-Inseln"),
    ("AZ", "Azerbaijan", "Aserbaidschan"),
    ("BA", "Bosnia and Herzegovina", "Bosnien und Herzegowina"),
    ("BB", "Barbados", "Barbados"),
    ("BD", "Bangladesh", "Bangladesch"),
    ("BE", "Belgium", "Belgien"),
    ("BF", "Burkina Faso", "Burkina Faso"),
    ("BG", "Bulgaria", "Bulgarien"),
    ("BH", "Bahrain", "Bahrain"),
    ("BI", "Burundi", "Burundi"),
    ("BJ", "Benin", "Benin"),
    ("BL", "Saint Barthélemy", "Saint-Barthélemy"),
    ("BM", "Bermuda", "Bermuda"),
    ("BN", "Brunei Darussalam", "Brunei Darussalam"),
    ("BO", "Bolivia", "Bolivien"),
    (
        "BQ",
        "Bonaire, Sint Eustatius and Saba",
        "Bonaire, Sint Eustatius und Saba",
    ),
    ("BR", "Brazil", "Brasilien"),
    ("BS", "Bahamas", "Bahamas"),
    ("BT", "Bhutan", "Bhutan"),
    ("BV", "Bouvet Island", "Bouvet-Insel"),
    ("BW", "Botswana", "Botsuana"),
    ("BY", "Belarus", "Belarus"),
    ("BZ", "Belize", "Belize"),
    ("CA", "Canada", "Kanada"),
    ("CC", "Cocos (Keeling) Islands", "Kokos-(Keeling-)Inseln"),
    (
        "CD",
        "Congo, The Democratic Republic of the",
        "Demokratische Republik Kongo",
    ),
    (
        "CF",
        "Central African Republic",
        "Zentralafrikanische Republik",
    ),
    ("CG", "Congo", "Kongo"),
    ("CH", "Switzerland", "Schweiz"),
    ("CI", "Côte d'Ivoire", "Côte d'Ivoire"),
    ("CK", "Cook Islands", "Cookinseln"),
    ("CL", "Chile", "Chile"),
    ("CM", "Cameroon", "Kamerun"),
    ("CN", "China", "China"),
    ("CO", "Colombia", "Kolumbien"),
    ("CR", "Costa Rica", "Costa Rica"),
    ("CU", "Cuba", "Kuba"),
    ("CV", "Cabo Verde", "Kap Verde"),
    ("CW", "Curaçao", "Curaçao"),
    ("CX", "Christmas Island", "Weihnachtsinseln"),
    ("CY", "Cyprus", "Zypern"),
    ("CZ", "Czechia", "Tschechien"),
    ("DE", "Germany", "Deutschland"),
    ("DJ", "Djibouti", "Dschibuti"),
    ("DK", "Denmark", "Dänemark"),
    ("DM", "Dominica", "Dominica"),
    ("DO", "Dominican Republic", "Dominikanische Republik"),
    ("DZ", "Algeria", "Algerien"),
    ("EC", "Ecuador", "Ecuador"),
    ("EE", "Estonia", "Estland"),
    ("EG", "Egypt", "Ägypten"),
    ("EH", "Western Sahara", "Westsahara"),
    ("ER", "Eritrea", "Eritrea"),
    ("ES", "Spain", "Spanien"),
    ("ET", "Ethiopia", "Äthiopien"),
    ("FI", "Finland", "Finnland"),
    ("FJ", "Fiji", "Fidschi"),
    (
        "FK",
        "Falkland Islands (Malvinas)",
        "Falklandinseln (Malwinen)",
    ),
    (
        "FM",
        "Micronesia, Federated States of",
        "Mikronesien, Föderierte Staaten von",
    ),
    ("FO", "Faroe Islands", "Färöer-Inseln"),
    ("FR", "France", "Frankreich"),
    ("GA", "Gabon", "Gabun"),
    ("GB", "United Kingdom", "Vereinigtes Königreich"),
    ("GD", "Grenada", "Grenada"),
    ("GE", "Georgia", "Georgien"),
    ("GF", "French Guiana", "Französisch-Guyana"),
    ("GG", "Guernsey", "Guernsey"),
    ("GH", "Ghana", "Ghana"),
    ("GI", "Gibraltar", "Gibraltar"),
    ("GL", "Greenland", "Grönland"),
    ("GM", "Gambia", "Gambia"),
    ("GN", "Guinea", "Guinea"),
    ("GP", "Guadeloupe", "Guadeloupe"),
    ("GQ", "Equatorial Guinea", "Äquatorialguinea"),
    ("GR", "Greece", "Griechenland"),
    (
        "GS",
        "South Georgia and the South Sandwich Islands",
        "South Georgia und die Südlichen Sandwichinseln",
    ),
    ("GT", "Guatemala", "Guatemala"),
    ("GU", "Guam", "Guam"),
    ("GW", "Guinea-Bissau", "Guinea-Bissau"),
    ("GY", "Guyana", "Guyana"),
    ("HK", "Hong Kong", "Hongkong"),
    (
        "HM",
        "Heard Island and McDonald Islands",
        "Heard und McDonaldinseln",
    ),
    ("HN", "Honduras", "Honduras"),
    ("HR", "Croatia", "Kroatien"),
    ("HT", "Haiti", "Haiti"),
    ("HU", "Hungary", "Ungarn"),
    ("ID", "Indonesia", "Indonesien"),
    ("IE", "Ireland", "Irland"),
    ("IL", "Israel", "Israel"),
    ("IM", "Isle of Man", "Insel Man"),
    ("IN", "India", "Indien"),
    (
        "IO",
        "British Indian Ocean Territory",
        "Britisches Territorium im Indischen Ozean",
    ),
    ("IQ", "Iraq", "Irak"),
    ("IR", "Iran", "Iran"),
    ("IS", "Iceland", "Island"),
    ("IT", "Italy", "Italien"),
    ("JE", "Jersey", "Jersey"),
    ("JM", "Jamaica", "Jamaika"),
    ("JO", "Jordan", "Jordanien"),
    ("JP", "Japan", "Japan"),
    ("KE", "Kenya", "Kenia"),
    ("KG", "Kyrgyzstan", "Kirgisistan"),
    ("KH", "Cambodia", "Kambodscha"),
    ("KI", "Kiribati", "Kiribati"),
    ("KM", "Comoros", "Komoren"),
    ("KN", "Saint Kitts and Nevis", "St. Kitts und Nevis"),
    ("KP", "North Korea", "Nordkorea"),
    ("KR", "South Korea", "Südkorea"),
    ("KW", "Kuwait", "Kuwait"),
    ("KY", "Cayman Islands", "Cayman-Inseln"),
    ("KZ", "Kazakhstan", "Kasachstan"),
    ("LA", "Laos", "Laos"),
    ("LB", "Lebanon", "Libanon"),
    ("LC", "Saint Lucia", "St. Lucia"),
    ("LI", "Liechtenstein", "Liechtenstein"),
    ("LK", "Sri Lanka", "Sri Lanka"),
    ("LR", "Liberia", "Liberia"),
    ("LS", "Lesotho", "Lesotho"),
    ("LT", "Lithuania", "Litauen"),
    ("LU", "Luxembourg", "Luxemburg"),
    ("LV", "Latvia", "Lettland"),
    ("LY", "Libya", "Libyen"),
    ("MA", "Morocco", "Marokko"),
    ("MC", "Monaco", "Monaco"),
    ("MD", "Moldova", "Moldau"),
    ("ME", "Montenegro", "Montenegro"),
    (
        "MF",
        "Saint Martin (French part)",
        "Saint Martin (Französischer Teil)",
    ),
    ("MG", "Madagascar", "Madagaskar"),
    ("MH", "Marshall Islands", "Marshallinseln"),
    ("MK", "North Macedonia", "Nordmazedonien"),
    ("ML", "Mali", "Mali"),
    ("MM", "Myanmar", "Myanmar"),
    ("MN", "Mongolia", "Mongolei"),
    ("MO", "Macao", "Macao"),
    ("MP", "Northern Mariana Islands", "Nördliche Marianen"),
    ("MQ", "Martinique", "Martinique"),
    ("MR", "Mauritania", "Mauretanien"),
    ("MS", "Montserrat", "Montserrat"),
    ("MT", "Malta", "Malta"),
    ("MU", "Mauritius", "Mauritius"),
    ("MV", "Maldives", "Malediven"),
    ("MW", "Malawi", "Malawi"),
    ("MX", "Mexico", "Mexiko"),
    ("MY", "Malaysia", "Malaysia"),
    ("MZ", "Mozambique", "Mosambik"),
    ("NA", "Namibia", "Namibia"),
    ("NC", "New Caledonia", "Neukaledonien"),
    ("NE", "Niger", "Niger"),
    ("NF", "Norfolk Island", "Norfolkinsel"),
    ("NG", "Nigeria", "Nigeria"),
    ("NI", "Nicaragua", "Nicaragua"),
    ("NL", "Netherlands", "Niederlande"),
    ("NO", "Norway", "Norwegen"),
    ("NP", "Nepal", "Nepal"),
    ("NR", "Nauru", "Nauru"),
    ("NU", "Niue", "Niue"),
    ("NZ", "New Zealand", "Neuseeland"),
    ("OM", "Oman", "Oman"),
    ("PA", "Panama", "Panama"),
    ("PE", "Peru", "Peru"),
    ("PF", "French Polynesia", "Französisch-Polynesien"),
    ("PG", "Papua New Guinea", "Papua-Neuguinea"),
    ("PH", "Philippines", "Philippinen"),
    ("PK", "Pakistan", "Pakistan"),
    ("PL", "Poland", "Polen"),
    ("PM", "Saint Pierre and Miquelon", "St. Pierre und Miquelon"),
    ("PN", "Pitcairn", "Pitcairn"),
    ("PR", "Puerto Rico", "Puerto Rico"),
    ("PS", "Palestine, State of", "Palästina, Staat"),
    ("PT", "Portugal", "Portugal"),
    ("PW", "Palau", "Palau"),
    ("PY", "Paraguay", "Paraguay"),
    ("QA", "Qatar", "Katar"),
    ("RE", "Réunion", "Réunion"),
    ("RO", "Romania", "Rumänien"),
    ("RS", "Serbia", "Serbien"),
    ("RU", "Russian Federation", "Russische Föderation"),
    ("RW", "Rwanda", "Ruanda"),
    ("SA", "Saudi Arabia", "Saudi-Arabien"),
    ("SB", "Solomon Islands", "Salomoninseln"),
    ("SC", "Seychelles", "Seychellen"),
    ("SD", "Sudan", "Sudan"),
    ("SE", "Sweden", "Schweden"),
    ("SG", "Singapore", "Singapur"),
    (
        "SH",
        "Saint Helena, Ascension and Tristan da Cunha",
        "St. Helena, Ascension und Tristan da Cunha",
    ),
    ("SI", "Slovenia", "Slowenien"),
    ("SJ", "Svalbard and Jan Mayen", "Svalbard und Jan Mayen"),
    ("SK", "Slovakia", "Slowakei"),
    ("SL", "Sierra Leone", "Sierra Leone"),
    ("SM", "San Marino", "San Marino"),
    ("SN", "Senegal", "Senegal"),
    ("SO", "Somalia", "Somalia"),
    ("SR", "Suriname", "Suriname"),
    ("SS", "South Sudan", "Südsudan"),
    ("ST", "Sao Tome and Principe", "São Tomé und Príncipe"),
    ("SV", "El Salvador", "El Salvador"),
    (
        "SX",
        "Sint Maarten (Dutch part)",
        "Saint-Martin (Niederländischer Teil)",
    ),
    ("SY", "Syria", "Syrien"),
    ("SZ", "Eswatini", "Eswatini"),
    ("TC", "Turks and Caicos Islands", "Turks- und Caicosinseln"),
    ("TD", "Chad", "Tschad"),
    (
        "TF",
        "French Southern Territories",
        "Französische Süd- und Antarktisgebiete",
    ),
    ("TG", "Togo", "Togo"),
    ("TH", "Thailand", "Thailand"),
    ("TJ", "Tajikistan", "Tadschikistan"),
    ("TK", "Tokelau", "Tokelau"),
    ("TL", "Timor-Leste", "Timor-Leste"),
    ("TM", "Turkmenistan", "Turkmenistan"),
    ("TN", "Tunisia", "Tunesien"),
    ("TO", "Tonga", "Tonga"),
    ("TR", "Türkiye", "Türkei"),
    ("TT", "Trinidad and Tobago", "Trinidad und Tobago"),
    ("TV", "Tuvalu", "Tuvalu"),
    ("TW", "Taiwan", "Taiwan"),
    ("TZ", "Tanzania", "Tansania"),
    ("UA", "Ukraine", "Ukraine"),
    ("UG", "Uganda", "Uganda"),
    (
        "UM",
        "United States Minor Outlying Islands",
        "United States Minor Outlying Islands",
    ),
    ("US", "United States", "Vereinigte Staaten"),
    ("UY", "Uruguay", "Uruguay"),
    ("UZ", "Uzbekistan", "Usbekistan"),
    (
        "VA",
        "Holy See (Vatican City State)",
        "Heiliger Stuhl (Staat Vatikanstadt)",
    ),
    (
        "VC",
        "Saint Vincent and the Grenadines",
        "St. Vincent und die Grenadinen",
    ),
    ("VE", "Venezuela", "Venezuela"),
    ("VG", "Virgin Islands, British", "Britische Jungferninseln"),
    ("VI", "Virgin Islands, U.S.", "Amerikanische Jungferninseln"),
    ("VN", "Vietnam", "Vietnam"),
    ("VU", "Vanuatu", "Vanuatu"),
    ("WF", "Wallis and Futuna", "Wallis und Futuna"),
    ("WS", "Samoa", "Samoa"),
    ("YE", "Yemen", "Jemen"),
    ("YT", "Mayotte", "Mayotte"),
    ("ZA", "South Africa", "Südafrika"),
    ("ZM", "Zambia", "Sambia"),
    ("ZW", "Zimbabwe", "Simbabwe"),
];

/// The code a person means by `raw`: a code (`de`, `DE`) or a name in
/// English or German (`Germany`, `deutschland`), ignoring case and
/// surrounding spaces; `None` when it is no country we know.
pub fn code_of(raw: &str) -> Option<&'static str> {
    let raw = raw.trim();
    COUNTRIES
        .iter()
        .find(|(code, en, de)| {
            code.eq_ignore_ascii_case(raw)
                || en.to_lowercase() == raw.to_lowercase()
                || de.to_lowercase() == raw.to_lowercase()
        })
        .map(|(code, _, _)| *code)
}

/// A code's name in `lang`; `None` for a code we do not know.
pub fn name_of(code: &str, lang: crate::Language) -> Option<&'static str> {
    COUNTRIES
        .iter()
        .find(|(c, _, _)| *c == code)
        .map(|(_, en, de)| match lang {
            crate::Language::En => *en,
            crate::Language::De => *de,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_names_in_either_language_are_read_as_the_code() {
        assert_eq!(code_of("DE"), Some("DE"));
        assert_eq!(code_of(" de "), Some("DE"));
        assert_eq!(code_of("Germany"), Some("DE"));
        assert_eq!(code_of("deutschland"), Some("DE"));
        assert_eq!(code_of("United Kingdom"), Some("GB"));
        assert_eq!(code_of("Atlantis"), None);
        assert_eq!(name_of("DE", crate::Language::De), Some("Deutschland"));
        assert_eq!(name_of("US", crate::Language::En), Some("United States"));
        assert_eq!(name_of("XX", crate::Language::En), None);
    }

    #[test]
    fn every_code_is_two_capital_letters_and_named_once() {
        for (i, (code, en, de)) in COUNTRIES.iter().enumerate() {
            assert!(
                code.len() == 2 && code.chars().all(|c| c.is_ascii_uppercase()),
                "{code}"
            );
            assert!(!en.is_empty() && !de.is_empty());
            assert!(
                COUNTRIES[..i].iter().all(|(c, _, _)| c < code),
                "sorted and unique: {code}"
            );
        }
    }
}
