//! Closed sets of the vocabulary: data categories, institution kinds, sectors, service models.
//!
//! Each enum lists its kebab-case spelling once, in `ALL` order, so loaders, error messages
//! ("expected one of …") and the exhaustive `regime diff` all read the same list.

use std::fmt;

macro_rules! closed_set {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $spelling:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $spelling),+ }
            }

            pub fn parse(s: &str) -> Option<Self> {
                match s { $($spelling => Some($name::$variant),)+ _ => None }
            }

            /// The accepted spellings, for "expected one of" messages.
            pub fn spellings() -> Vec<&'static str> {
                Self::ALL.iter().map(|v| v.as_str()).collect()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

closed_set!(
    /// What a public system's data is. A system holds a set of these; the tier follows the set.
    DataCategory {
        PublicOpen => "public-open",
        NonPublic => "non-public",
        InternalAdministrative => "internal-administrative",
        Personal => "personal",
        SensitivePersonal => "sensitive-personal",
        UniqueIdentifier => "unique-identifier",
        Credit => "credit",
        MedicalRecord => "medical-record",
        Classified => "classified",
        NationalSecurity => "national-security",
        Diplomacy => "diplomacy",
        Investigation => "investigation",
        Trial => "trial",
        NationalCoreTechnology => "national-core-technology",
    }
);

impl DataCategory {
    pub fn bit(self) -> u16 {
        1 << (self as u16)
    }
}

/// A set of data categories as a bit set: cheap to copy, compare and enumerate, which the compiled
/// engine and the exhaustive regime diff rely on.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DataSet(u16);

impl DataSet {
    pub const EMPTY: DataSet = DataSet(0);

    /// The number of distinct sets, i.e. the size of the space `regime diff` walks.
    pub const SPACE: u32 = 1 << DataCategory::ALL.len();

    pub fn from_bits(bits: u16) -> Self {
        DataSet(bits & (Self::SPACE - 1) as u16)
    }

    pub fn bits(self) -> u16 {
        self.0
    }

    pub fn with(self, c: DataCategory) -> Self {
        DataSet(self.0 | c.bit())
    }

    pub fn contains(self, c: DataCategory) -> bool {
        self.0 & c.bit() != 0
    }

    pub fn intersects(self, other: DataSet) -> bool {
        self.0 & other.0 != 0
    }

    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    pub fn is_subset_of(self, other: DataSet) -> bool {
        self.0 & !other.0 == 0
    }

    pub fn iter(self) -> impl Iterator<Item = DataCategory> {
        DataCategory::ALL
            .iter()
            .copied()
            .filter(move |c| self.contains(*c))
    }
}

impl FromIterator<DataCategory> for DataSet {
    fn from_iter<I: IntoIterator<Item = DataCategory>>(iter: I) -> Self {
        iter.into_iter().fold(DataSet::EMPTY, DataSet::with)
    }
}

closed_set!(
    /// Who runs a system.
    InstitutionKind {
        CentralGovernment => "central-government",
        LocalGovernment => "local-government",
        PublicInstitution => "public-institution",
        School => "school",
        University => "university",
        PublicHospital => "public-hospital",
        FinancialInstitution => "financial-institution",
        Private => "private",
    }
);

closed_set!(
    /// The field a system serves; sector laws key on it.
    Sector {
        General => "general",
        Health => "health",
        Finance => "finance",
        Education => "education",
        Defense => "defense",
        Diplomacy => "diplomacy",
        Industry => "industry",
    }
);

closed_set!(
    /// Cloud service models as CSAP certifies them.
    ServiceModel {
        Iaas => "iaas",
        Paas => "paas",
        Saas => "saas",
        Daas => "daas",
    }
);

impl ServiceModel {
    /// SaaS and PaaS run on someone's IaaS; their grade follows it (facts §1.1, 2024 amendment).
    pub fn runs_on_iaas(self) -> bool {
        matches!(self, ServiceModel::Saas | ServiceModel::Paas)
    }
}

closed_set!(
    /// How the public-agency zone is separated from commercial tenants.
    Separation {
        Logical => "logical",
        Physical => "physical",
    }
);

closed_set!(
    /// The CSAP service types whose control counts differ (facts §1.3).
    ServiceType {
        Iaas => "iaas",
        SaasStandard => "saas-standard",
        SaasSimplified => "saas-simplified",
        Daas => "daas",
        Paas => "paas",
    }
);

closed_set!(
    /// Legal grounds for a cross-border transfer of personal information (PIPA Art. 28-8).
    TransferGround {
        Consent => "consent",
        StatuteOrTreaty => "statute-or-treaty",
        ContractDisclosed => "contract-disclosed",
        RecipientCertified => "recipient-certified",
        Adequacy => "adequacy",
    }
);

closed_set!(
    /// Cryptographic algorithms a service may use. Korean ones are what KCMVP validated first.
    Algorithm {
        Aria => "ARIA",
        Seed => "SEED",
        Lea => "LEA",
        Hight => "HIGHT",
        Aes => "AES",
        ChaCha20 => "ChaCha20",
        Sm4 => "SM4",
    }
);

closed_set!(
    /// Validation programmes for cryptographic modules.
    ModuleProgram {
        Kcmvp => "KCMVP",
        Fips140_2 => "FIPS-140-2",
        Fips140_3 => "FIPS-140-3",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_set_space_covers_every_category() {
        assert_eq!(DataSet::SPACE, 1 << 14);
        let all: DataSet = DataCategory::ALL.iter().copied().collect();
        assert_eq!(all.bits() as u32, DataSet::SPACE - 1);
        assert_eq!(all.iter().count(), DataCategory::ALL.len());
    }

    #[test]
    fn spellings_round_trip() {
        for c in DataCategory::ALL {
            assert_eq!(DataCategory::parse(c.as_str()), Some(*c));
        }
        assert_eq!(DataCategory::parse("secret"), None);
    }
}
