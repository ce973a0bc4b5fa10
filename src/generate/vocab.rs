//! The built-in vocabulary of the synthetic councils: spending categories with their ProClass
//! codes, departments, expense types, purposes, card merchants, procurement officers and the
//! word lists supplier names are built from. It lives in code so that `generate` never depends
//! on files outside the repository, and so that a seed means the same thing on every machine.

/// A department family: the same kind of service under each council's own name for it.
pub struct Family {
    /// Stockport's directorate.
    pub stockport_directorate: &'static str,
    /// Stockport's cost centres within the directorate.
    pub stockport_cost_centres: &'static [&'static str],
    /// Trafford's organisational units: upper case, cut to 20 characters as in Trafford's files.
    pub trafford_units: &'static [&'static str],
    /// Rochdale's service area.
    pub rochdale_service: &'static str,
}

pub const FAMILY_ADULTS: usize = 0;
pub const FAMILY_CHILDREN: usize = 1;
pub const FAMILY_EDUCATION: usize = 2;
pub const FAMILY_HIGHWAYS: usize = 3;
pub const FAMILY_ENVIRONMENT: usize = 4;
pub const FAMILY_CORPORATE: usize = 5;
pub const FAMILY_HOUSING: usize = 6;
pub const FAMILY_LEISURE: usize = 7;

pub const FAMILIES: &[Family] = &[
    Family {
        stockport_directorate: "Adult Social Care",
        stockport_cost_centres: &["Older People", "Learning Disability", "Mental Health", "Reablement"],
        trafford_units: &["PHYS SUPP 85+ LT", "PHYS SUPP 75-84 LT", "LEARN DIS 18-64 LT", "MENT HLT 18-64 LT"],
        rochdale_service: "Adult Care",
    },
    Family {
        stockport_directorate: "Children & Families",
        stockport_cost_centres: &["Children in Care", "Fostering", "Leaving Care", "Early Help"],
        trafford_units: &["Leaving Care Placeme", "HFH PLACEMENTS", "Unaccompanied Minors", "Support and Protecti"],
        rochdale_service: "Children's Services",
    },
    Family {
        stockport_directorate: "Education",
        stockport_cost_centres: &["School Transport", "SEND", "Schools Catering"],
        trafford_units: &["SEN TRANSPORT", "SCHOOLS CATERING", "EDUC PSYCHOLOGY"],
        rochdale_service: "Schools",
    },
    Family {
        stockport_directorate: "Place Management",
        stockport_cost_centres: &["Highways Maintenance", "Street Lighting", "Capital Programme"],
        trafford_units: &["Capital Schemes", "HIGHWAYS MTCE", "STREET LIGHTING"],
        rochdale_service: "Highways",
    },
    Family {
        stockport_directorate: "Neighbourhoods",
        stockport_cost_centres: &["Waste Collection", "Parks & Greenspace", "Facilities Management"],
        trafford_units: &["WASTE DISPOSAL", "GREENSPACE", "FACILITIES MGMT"],
        rochdale_service: "Environmental Management",
    },
    Family {
        stockport_directorate: "Corporate & Support Services",
        stockport_cost_centres: &["ICT", "Human Resources", "Legal Services", "Finance"],
        trafford_units: &["ICT SERVICES", "HR & OD", "LEGAL SERVICES", "FI:Cash Disc Taken"],
        rochdale_service: "Resources",
    },
    Family {
        stockport_directorate: "Housing",
        stockport_cost_centres: &["Homelessness", "Temporary Accommodation"],
        trafford_units: &["HOMELESSNESS", "TEMP ACCOMMODATION"],
        rochdale_service: "Strategic Housing",
    },
    Family {
        stockport_directorate: "Culture & Leisure",
        stockport_cost_centres: &["Libraries", "Leisure Centres", "Events"],
        trafford_units: &["LIBRARIES", "LEISURE CONTRACT", "Trafford Travel Co-o"],
        rochdale_service: "Culture & Leisure",
    },
];

/// A spending category: its ProClass code and label, the department family that buys it, the
/// expense types it is booked to, what its payments look like, and the trade words that suppliers
/// in it put in their names.
pub struct Category {
    pub code: &'static str,
    pub label: &'static str,
    pub family: usize,
    pub expense_types: &'static [&'static str],
    pub purposes: &'static [&'static str],
    /// Median payment in pounds; payments are log-normal around it.
    pub median_pounds: f64,
    /// Log-scale spread of payments.
    pub sigma: f64,
    /// How often a supplier is in this category, relative to the others.
    pub weight: u32,
    pub trades: &'static [&'static str],
    /// Whether individuals are paid in this category, so some payees must be redacted.
    pub personal: bool,
}

pub const CATEGORIES: &[Category] = &[
    Category {
        code: "321014",
        label: "SOCIAL CARE : Domiciliary Care",
        family: FAMILY_ADULTS,
        expense_types: &["Home Care", "Direct Payments", "Supported Living"],
        purposes: &["Ext dom care spot contract", "Home care package", "Supported living placement"],
        median_pounds: 900.0,
        sigma: 1.0,
        weight: 14,
        trades: &["Home Care", "Homecare", "Care Services", "Support Services", "Care at Home"],
        personal: true,
    },
    Category {
        code: "321017",
        label: "SOCIAL CARE : Residential Care",
        family: FAMILY_ADULTS,
        expense_types: &["Residential Care", "Nursing Care"],
        purposes: &["Residential placement", "Nursing care 4 weeks", "Respite care"],
        median_pounds: 2600.0,
        sigma: 0.8,
        weight: 10,
        trades: &["Care Homes", "Nursing Home", "Residential Care", "Healthcare"],
        personal: true,
    },
    Category {
        code: "321311",
        label: "SOCIAL CARE : Equipment",
        family: FAMILY_ADULTS,
        expense_types: &["Equipment Purchase", "Equipment Maintenance"],
        purposes: &["Clients lift repair & maintenance", "Community equipment", "Stairlift installation"],
        median_pounds: 700.0,
        sigma: 1.0,
        weight: 3,
        trades: &["Mobility", "Stairlifts", "Medical Supplies", "Independent Living"],
        personal: false,
    },
    Category {
        code: "321200",
        label: "SC : Disabled Children",
        family: FAMILY_CHILDREN,
        expense_types: &["Fostering Allowances", "Agency Contracted Services"],
        purposes: &["Fostering in house", "Other agency contracted services", "Short breaks"],
        median_pounds: 450.0,
        sigma: 0.9,
        weight: 5,
        trades: &["Short Breaks", "Family Support", "Childcare"],
        personal: true,
    },
    Category {
        code: "321117",
        label: "SC : Children Residential Care",
        family: FAMILY_CHILDREN,
        expense_types: &["Residential Placements", "Independent Fostering Agencies"],
        purposes: &["Residential placement", "IFA placement", "Semi independent living"],
        median_pounds: 4200.0,
        sigma: 0.7,
        weight: 6,
        trades: &["Children's Homes", "Fostering", "Childcare", "Young People's Services"],
        personal: true,
    },
    Category {
        code: "171000",
        label: "EDUCATION : School Services",
        family: FAMILY_EDUCATION,
        expense_types: &["Tuition Fees", "Educational Supplies", "Independent Special Schools"],
        purposes: &["Alternative provision", "Tuition fees summer term", "Educational resources"],
        median_pounds: 1500.0,
        sigma: 1.1,
        weight: 6,
        trades: &["Education", "Learning", "Tuition", "Academy Services"],
        personal: false,
    },
    Category {
        code: "361300",
        label: "TRANSPORT : Passenger Transport",
        family: FAMILY_EDUCATION,
        expense_types: &["Home to School Transport", "Private Hire"],
        purposes: &["SEN transport contract", "Taxi hire", "Coach hire"],
        median_pounds: 850.0,
        sigma: 0.9,
        weight: 6,
        trades: &["Coaches", "Taxis", "Private Hire", "Travel", "Minibus Hire"],
        personal: false,
    },
    Category {
        code: "111200",
        label: "CATERING : Food & Provisions",
        family: FAMILY_EDUCATION,
        expense_types: &["Catering Provisions", "Food"],
        purposes: &["Catering provisions", "School meals supplies", "Fresh produce"],
        median_pounds: 380.0,
        sigma: 0.8,
        weight: 4,
        trades: &["Foods", "Catering", "Wholesale", "Fresh Produce", "Bakery"],
        personal: false,
    },
    Category {
        code: "391110",
        label: "CONSTRUCTION: Bld Construction",
        family: FAMILY_HIGHWAYS,
        expense_types: &["Capital Works", "Building Repairs & Maintenance"],
        purposes: &["A&M pay to contractor", "Roof repairs", "Building works stage payment"],
        median_pounds: 3800.0,
        sigma: 1.3,
        weight: 8,
        trades: &["Construction", "Building Services", "Builders", "Contractors", "Roofing", "Joinery"],
        personal: false,
    },
    Category {
        code: "391400",
        label: "CONSTRUCTION : Roads",
        family: FAMILY_HIGHWAYS,
        expense_types: &["Highways Maintenance", "Capital Works"],
        purposes: &["Carriageway resurfacing", "Pothole repairs", "Drainage works"],
        median_pounds: 5200.0,
        sigma: 1.2,
        weight: 5,
        trades: &["Civil Engineering", "Surfacing", "Highways", "Groundworks"],
        personal: false,
    },
    Category {
        code: "371000",
        label: "UTILITIES : Electricity & Gas",
        family: FAMILY_HIGHWAYS,
        expense_types: &["Electricity", "Gas", "Street Lighting Energy"],
        purposes: &["Electricity supply", "Gas supply", "Street lighting energy"],
        median_pounds: 2400.0,
        sigma: 1.0,
        weight: 2,
        trades: &["Energy", "Power", "Fuels", "Utilities"],
        personal: false,
    },
    Category {
        code: "182000",
        label: "ENVIRONMENTAL SERVICES : Waste",
        family: FAMILY_ENVIRONMENT,
        expense_types: &["Waste Disposal", "Private Contractors"],
        purposes: &["Waste disposal", "Skip hire", "Recycling collection"],
        median_pounds: 1800.0,
        sigma: 1.1,
        weight: 4,
        trades: &["Waste Management", "Recycling", "Skip Hire", "Environmental"],
        personal: false,
    },
    Category {
        code: "241200",
        label: "HORTICULTURAL : Grounds Maintenance",
        family: FAMILY_ENVIRONMENT,
        expense_types: &["Grounds Maintenance", "Private Contractors"],
        purposes: &["Grounds maintenance", "Tree works", "Playground repairs"],
        median_pounds: 1200.0,
        sigma: 1.0,
        weight: 4,
        trades: &["Landscapes", "Grounds Maintenance", "Tree Surgery", "Gardens"],
        personal: false,
    },
    Category {
        code: "131300",
        label: "CLEANING : Cleaning & Janitorial",
        family: FAMILY_ENVIRONMENT,
        expense_types: &["Cleaning", "Cleaning Materials"],
        purposes: &["Cleaning services", "Cleaning materials", "Window cleaning"],
        median_pounds: 600.0,
        sigma: 0.9,
        weight: 4,
        trades: &["Cleaning Services", "Hygiene", "Janitorial Supplies", "Facilities"],
        personal: false,
    },
    Category {
        code: "271600",
        label: "ICT : Software & Licences",
        family: FAMILY_CORPORATE,
        expense_types: &["Software Licences", "ICT Support"],
        purposes: &["Annual licence renewal", "Software support", "Cloud hosting"],
        median_pounds: 3500.0,
        sigma: 1.3,
        weight: 4,
        trades: &["Software", "Digital", "Systems", "Data"],
        personal: false,
    },
    Category {
        code: "271200",
        label: "ICT : Hardware",
        family: FAMILY_CORPORATE,
        expense_types: &["ICT Hardware", "Telephones"],
        purposes: &["Laptops", "Network equipment", "Mobile phones"],
        median_pounds: 1400.0,
        sigma: 1.1,
        weight: 3,
        trades: &["IT Solutions", "Computer Supplies", "Technology", "Networks"],
        personal: false,
    },
    Category {
        code: "261400",
        label: "HUMAN RESOURCES : Agency Staff",
        family: FAMILY_CORPORATE,
        expense_types: &["Agency Staff", "Recruitment Advertising"],
        purposes: &["Agency staff provision", "Interim social worker", "Recruitment campaign"],
        median_pounds: 1900.0,
        sigma: 0.8,
        weight: 5,
        trades: &["Recruitment", "Staffing", "Personnel", "Resourcing"],
        personal: false,
    },
    Category {
        code: "151000",
        label: "CONSULTANCY : Professional Services",
        family: FAMILY_CORPORATE,
        expense_types: &["Consultants Fees", "Professional Fees"],
        purposes: &["Consultancy fees", "Surveys", "Audit fees"],
        median_pounds: 2800.0,
        sigma: 1.2,
        weight: 4,
        trades: &["Consulting", "Associates", "Surveyors", "Advisory"],
        personal: false,
    },
    Category {
        code: "281200",
        label: "LEGAL : Legal Services",
        family: FAMILY_CORPORATE,
        expense_types: &["Legal Fees", "Court Fees"],
        purposes: &["Counsel fees", "Legal advice", "Court fees"],
        median_pounds: 1600.0,
        sigma: 1.1,
        weight: 3,
        trades: &["Solicitors", "Legal Services", "Chambers"],
        personal: false,
    },
    Category {
        code: "191600",
        label: "FACILITIES : Printing & Stationery",
        family: FAMILY_CORPORATE,
        expense_types: &["Printing", "Stationery", "Postage"],
        purposes: &["Printing", "Stationery", "Postage"],
        median_pounds: 520.0,
        sigma: 1.0,
        weight: 3,
        trades: &["Print", "Printing", "Graphics", "Office Supplies"],
        personal: false,
    },
    Category {
        code: "250000",
        label: "HOUSING : Temporary Accommodation",
        family: FAMILY_HOUSING,
        expense_types: &["Bed & Breakfast", "Temporary Accommodation"],
        purposes: &["B&B placement", "Temporary accommodation", "Rent deposit"],
        median_pounds: 650.0,
        sigma: 0.9,
        weight: 4,
        trades: &["Lettings", "Properties", "Housing", "Hotels"],
        personal: true,
    },
    Category {
        code: "291000",
        label: "LEISURE : Leisure & Events",
        family: FAMILY_LEISURE,
        expense_types: &["Events", "Library Books", "Leisure Management Fee"],
        purposes: &["Event staging", "Library stock", "Leisure management fee"],
        median_pounds: 900.0,
        sigma: 1.2,
        weight: 3,
        trades: &["Leisure", "Sports", "Events", "Books", "Arts"],
        personal: false,
    },
];

/// Place and descriptive words that start supplier names (`Pennine Home Care Ltd`).
pub const PLACES: &[&str] = &[
    "Pennine",
    "Mersey",
    "Irwell",
    "Tame",
    "Goyt",
    "Bollin",
    "Roch",
    "Medlock",
    "Etherow",
    "Peak",
    "Moorland",
    "Northern",
    "North West",
    "Red Rose",
    "Greenfield",
    "Oakwood",
    "Ashbourne",
    "Beacon",
    "Bridgewater",
    "Castlefield",
    "Cheshire",
    "Lancashire",
    "Manchester",
    "Stockport",
    "Trafford",
    "Rochdale",
    "Heaton",
    "Bramhall",
    "Marple",
    "Hazel Grove",
    "Altrincham",
    "Sale",
    "Urmston",
    "Stretford",
    "Heywood",
    "Middleton",
    "Littleborough",
    "Milnrow",
    "Whitworth",
    "Cheadle",
    "Romiley",
    "Bredbury",
    "Partington",
    "Hale",
    "Bowdon",
    "Evergreen",
    "Blue Sky",
    "Greenleaf",
    "Silverline",
    "Keystone",
    "Cornerstone",
    "Summit",
    "Horizon",
    "Meridian",
    "Lighthouse",
    "Oak Tree",
    "Willow",
    "Rowan",
    "Maple",
    "Cedar",
    "Kingfisher",
    "Heron",
    "Falcon",
    "Phoenix",
    "Apex",
    "Vantage",
    "Premier",
    "Sterling",
    "Crown",
    "Regency",
    "Victoria",
    "Albion",
    "Pioneer",
    "Unity",
    "Harmony",
    "Compass",
    "Anchor",
    "Riverside",
    "Hillside",
    "Parkside",
    "Millstone",
    "Ironbridge",
];

/// Surnames for family firms and partnerships (`Hughes & Sons Ltd`, `Barker & Lord LLP`).
pub const SURNAMES: &[&str] = &[
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Williams",
    "Wilson",
    "Johnson",
    "Davies",
    "Robinson",
    "Wright",
    "Thompson",
    "Evans",
    "Walker",
    "White",
    "Roberts",
    "Green",
    "Hall",
    "Wood",
    "Jackson",
    "Clarke",
    "Patel",
    "Khan",
    "Hughes",
    "Edwards",
    "Turner",
    "Hill",
    "Moore",
    "Cooper",
    "Ward",
    "Morris",
    "King",
    "Watson",
    "Harrison",
    "Morgan",
    "Baker",
    "Young",
    "Allen",
    "Mitchell",
    "Anderson",
    "Lee",
    "Bell",
    "Parker",
    "Shaw",
    "Barker",
    "Lord",
    "Ogden",
    "Brierley",
    "Whitworth",
    "Ashworth",
    "Butterworth",
    "Hargreaves",
    "Holt",
    "Kershaw",
    "Schofield",
    "Lees",
    "Howarth",
    "Entwistle",
    "Greenhalgh",
    "Crompton",
    "Fletcher",
    "Booth",
    "Heap",
    "Pickup",
    "Haworth",
    "Ainsworth",
    "Cunliffe",
    "Hussain",
    "Ahmed",
    "Ali",
    "Begum",
    "Singh",
    "Shah",
    "Chowdhury",
    "Iqbal",
    "Kowalski",
    "Nowak",
    "O'Brien",
    "Murphy",
    "Kelly",
    "Doyle",
    "McCarthy",
    "Byrne",
    "Lomax",
    "Tattersall",
    "Duckworth",
    "Rothwell",
    "Whittaker",
    "Stansfield",
    "Sutcliffe",
    "Pilling",
];

pub const INITIALS: &[&str] =
    &["A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "P", "R", "S", "T", "W"];

/// Card merchants: name, merchant category code, merchant category, what is usually bought.
pub const MERCHANTS: &[(&str, &str, &str, &str)] = &[
    ("Amazon Marketplace", "5942", "Book Stores", "books and resources"),
    ("Amazon.co.uk", "5999", "Miscellaneous and Specialty Retail Stores", "office supplies"),
    ("Tesco Stores", "5411", "Grocery Stores, Supermarkets", "refreshments"),
    ("Sainsburys S/mkt", "5411", "Grocery Stores, Supermarkets", "refreshments"),
    ("Asda Superstore", "5411", "Grocery Stores, Supermarkets", "food for activities"),
    ("Aldi Stores", "5411", "Grocery Stores, Supermarkets", "food for activities"),
    ("Screwfix Direct", "5251", "Hardware Stores", "tools and fixings"),
    ("Toolstation", "5251", "Hardware Stores", "tools and fixings"),
    ("B&Q", "5200", "Home Supply Warehouse Stores", "building materials"),
    ("Wickes", "5211", "Lumber and Building Materials Stores", "building materials"),
    ("Travelodge", "7011", "Hotels, Motels, Resorts", "emergency accommodation"),
    ("Premier Inn", "7011", "Hotels, Motels, Resorts", "emergency accommodation"),
    ("Trainline", "4112", "Passenger Railways", "rail travel"),
    ("Northern Rail", "4112", "Passenger Railways", "rail travel"),
    ("TfGM Metrolink", "4111", "Local Commuter Transport", "tram fares"),
    ("Royal Mail", "9402", "Postal Services", "postage"),
    ("Post Office Counters", "9402", "Postal Services", "postage"),
    ("Zoom Video", "4816", "Computer Network Services", "software subscription"),
    ("Microsoft", "5734", "Computer Software Stores", "software subscription"),
    ("Eventbrite", "7922", "Theatrical Producers, Ticket Agencies", "training event"),
    ("Ralph Livesey Ltd", "5811", "Caterers", "catering provisions"),
    ("Dunsters Farm Limited", "5199", "Other Nondurable Goods", "catering provisions"),
    ("Alliance Disposables", "2842", "Specialty Cleaning, Polishing, and Sanitation", "cleaning materials"),
    ("Argos", "5311", "Department Stores", "equipment"),
    ("Currys", "5732", "Electronics Stores", "small electrical items"),
    ("Costa Coffee", "5814", "Fast Food Restaurants", "meeting refreshments"),
    ("Greggs", "5814", "Fast Food Restaurants", "meeting refreshments"),
    ("DVLA Vehicle Tax", "9399", "Government Services", "vehicle excise duty"),
    ("NCP Car Parks", "7523", "Parking Lots, Garages", "parking"),
    ("Shell", "5541", "Service Stations", "fuel"),
    ("Halfords", "5533", "Automotive Parts and Accessories Stores", "vehicle parts"),
    ("Hobbycraft", "5945", "Hobby, Toy, and Game Shops", "craft materials"),
    ("The Works", "5942", "Book Stores", "books and resources"),
    ("Viking Direct", "5111", "Stationery, Office Supplies", "stationery"),
    ("Ryman", "5943", "Stationery Stores", "stationery"),
];

/// Procurement officers and the department families they specialise in, per council.
pub const OFFICERS: &[(usize, &str, &[usize])] = &[
    (0, "Sarah Whitworth", &[FAMILY_ADULTS, FAMILY_CHILDREN, FAMILY_HOUSING]),
    (0, "Imran Qureshi", &[FAMILY_HIGHWAYS, FAMILY_ENVIRONMENT]),
    (0, "Helen Brierley", &[FAMILY_CORPORATE, FAMILY_EDUCATION, FAMILY_LEISURE]),
    (1, "David Ogden", &[FAMILY_ADULTS, FAMILY_CHILDREN]),
    (1, "Priya Sharma", &[FAMILY_CORPORATE, FAMILY_HOUSING, FAMILY_LEISURE]),
    (1, "Mark Lomax", &[FAMILY_HIGHWAYS, FAMILY_ENVIRONMENT, FAMILY_EDUCATION]),
    (2, "Joanne Kershaw", &[FAMILY_ADULTS, FAMILY_CHILDREN, FAMILY_EDUCATION]),
    (2, "Tariq Hussain", &[FAMILY_HIGHWAYS, FAMILY_ENVIRONMENT, FAMILY_HOUSING]),
    (2, "Claire Ashworth", &[FAMILY_CORPORATE, FAMILY_LEISURE]),
];

pub const PROCEDURES: &[&str] = &[
    "Open Tender",
    "Restricted Tender",
    "RFQ",
    "Framework Call-off",
    "Mini-competition",
    "Direct Award",
    "CSO Exception",
];

pub const POSTCODE_AREAS: &[&str] = &[
    "SK1", "SK2", "SK3", "SK4", "SK6", "SK7", "SK8", "M32", "M33", "M41", "WA14", "WA15", "OL10", "OL11", "OL12",
    "OL16", "M24", "M1", "M4", "M15", "M50", "BL9", "WN1", "LS11", "B1", "EC1A",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_names_a_real_family_and_has_words_to_draw_from() {
        for category in CATEGORIES {
            assert!(category.family < FAMILIES.len(), "{}", category.label);
            assert!(!category.expense_types.is_empty() && !category.purposes.is_empty() && !category.trades.is_empty());
            assert!(category.median_pounds > 0.0 && category.sigma > 0.0 && category.weight > 0);
            assert_eq!(category.code.len(), 6, "ProClass codes are six digits: {}", category.code);
        }
    }

    #[test]
    fn every_code_is_a_proclass_code_in_the_group_its_label_names() {
        // The sample's published codes are what its harmonised categories are read
        // through, so a code outside its label's group would put agency staff in health
        // and safety.
        for category in CATEGORIES {
            let code = crate::taxonomy::ProclassCode::parse(category.code).expect(category.code);
            let named = category.label.split(':').next().and_then(|g| g.split_whitespace().next()).unwrap();
            let named = match named {
                "SC" => "SOCIAL",
                "ICT" => "INFORMATION",
                other => other,
            };
            assert!(code.level1_name().starts_with(named), "{} is not {}", category.code, category.label);
        }
    }

    #[test]
    fn every_family_has_an_officer_in_every_council() {
        for council in 0..3 {
            for family in 0..FAMILIES.len() {
                assert!(
                    OFFICERS.iter().any(|(c, _, fams)| *c == council && fams.contains(&family)),
                    "council {council} has no officer for family {family}"
                );
            }
        }
    }

    #[test]
    fn vocabulary_fits_windows_1252() {
        let mut all: Vec<&str> = PLACES.iter().chain(SURNAMES).copied().collect();
        for c in CATEGORIES {
            all.extend(c.trades.iter().chain(c.purposes).chain(c.expense_types));
            all.push(c.label);
        }
        for f in FAMILIES {
            all.push(f.rochdale_service);
        }
        for word in all {
            let (_, _, unmappable) = encoding_rs::WINDOWS_1252.encode(word);
            assert!(!unmappable, "{word} cannot be written in Windows-1252");
        }
    }
}
