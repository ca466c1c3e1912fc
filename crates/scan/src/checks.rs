/*!
The built-in checks. Each gives, per resource it applies to, pass, fail or unknown with a
reason in English and Korean; an unknown says what later evidence settles it. Each check names
the catalog controls it evidences and the requirement kinds it speaks to.

Only resources that exist after the plan is applied are checked: a deleted resource is not
counted, and data sources are not infrastructure.
*/

use kcvs_model::{Date, Lang, RegionTable, RequirementKind, RuleSet, Text};
use serde_json::Value;

use crate::region::resolve;
use crate::resource::{Mode, Placement, RegionSource, Residency, Resource, SourceLoc};
use crate::waivers::{Waiver, WaiverMatch, match_waiver};

/// A control in a catalog of the content packs (`csap` 12.3, `n2sf` N2SF-IS-4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ControlRef {
    pub catalog: &'static str,
    pub id: &'static str,
}

macro_rules! c {
    ($catalog:literal, $id:literal) => {
        ControlRef {
            catalog: $catalog,
            id: $id,
        }
    };
}

/// The built-in checks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum CheckId {
    Residency,
    ReplicaLocation,
    DedicatedTenancy,
    EncryptionAtRest,
    EncryptionInTransit,
    AuditLogging,
    PublicExposure,
}

impl CheckId {
    pub const ALL: &'static [CheckId] = &[
        CheckId::Residency,
        CheckId::ReplicaLocation,
        CheckId::DedicatedTenancy,
        CheckId::EncryptionAtRest,
        CheckId::EncryptionInTransit,
        CheckId::AuditLogging,
        CheckId::PublicExposure,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CheckId::Residency => "residency",
            CheckId::ReplicaLocation => "replica-location",
            CheckId::DedicatedTenancy => "dedicated-tenancy",
            CheckId::EncryptionAtRest => "encryption-at-rest",
            CheckId::EncryptionInTransit => "encryption-in-transit",
            CheckId::AuditLogging => "audit-logging",
            CheckId::PublicExposure => "public-exposure",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.as_str() == s.trim())
    }

    pub fn title(self) -> Text {
        let (en, ko) = match self {
            CheckId::Residency => (
                "Data stored and processed in Korea",
                "데이터 국내 저장·처리",
            ),
            CheckId::ReplicaLocation => (
                "Replicas, backups, copies and origins in Korea",
                "복제본·백업·사본·원본 국내 위치",
            ),
            CheckId::DedicatedTenancy => (
                "Dedicated tenancy or isolated zone (physical separation)",
                "전용 테넌시 또는 격리 존(물리적 분리)",
            ),
            CheckId::EncryptionAtRest => ("Encryption at rest", "저장 데이터 암호화"),
            CheckId::EncryptionInTransit => {
                ("Encryption in transit (TLS)", "전송 구간 암호화(TLS)")
            }
            CheckId::AuditLogging => ("Audit logging on and retained", "감사 로그 활성화 및 보관"),
            CheckId::PublicExposure => ("No public exposure", "공개 노출 없음"),
        };
        Text::new(en, ko)
    }

    /// The catalog controls a result of this check is evidence for. Every id is a leaf of the
    /// built-in catalogs (`content/catalogs/`), so the evidence reaches no item the check did
    /// not look at; a test holds that. Where the catalog stops at a sub-area (item texts are
    /// not public, facts §1.4), the sub-area is the leaf.
    pub fn controls(self) -> &'static [ControlRef] {
        match self {
            CheckId::Residency => &[c!("csap", "L.1"), c!("csap", "8.1"), c!("csap", "12.1")],
            CheckId::ReplicaLocation => &[
                c!("csap", "L.1"),
                c!("csap", "6.1"),
                c!("csap", "6.2"),
                c!("csap", "12.1"),
            ],
            CheckId::DedicatedTenancy => &[c!("csap", "8.1"), c!("n2sf", "N2SF-IS-4")],
            CheckId::EncryptionAtRest => &[
                c!("csap", "12.3"),
                c!("csap", "12.1"),
                c!("n2sf", "EA"),
                c!("n2sf", "EK"),
            ],
            CheckId::EncryptionInTransit => &[
                c!("csap", "12.3"),
                c!("csap", "9.2.b"),
                c!("n2sf", "DT"),
                c!("n2sf", "EA"),
            ],
            CheckId::AuditLogging => &[c!("csap", "10.1.b"), c!("csap", "7.2"), c!("csap", "H.2")],
            CheckId::PublicExposure => &[
                c!("csap", "11"),
                c!("csap", "9.1.b"),
                c!("n2sf", "N2SF-EB-3"),
            ],
        }
    }

    /// The requirement kinds a result speaks to.
    pub fn requirements(self) -> &'static [RequirementKind] {
        use RequirementKind as K;
        match self {
            CheckId::Residency => &[K::DataInKorea],
            CheckId::ReplicaLocation => &[K::BackupsInKorea, K::DataInKorea],
            CheckId::DedicatedTenancy => &[K::PhysicalSeparation],
            CheckId::EncryptionAtRest => &[K::KoreanCrypto, K::DoubleEncryption],
            CheckId::EncryptionInTransit => &[K::KoreanCrypto],
            CheckId::AuditLogging => &[],
            CheckId::PublicExposure => &[K::NoForeignAccess],
        }
    }
}

/// The result of one check on one resource.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Status {
    Pass,
    Fail,
    /// The input cannot tell (a value known only after apply, a region not in the table).
    Unknown,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::Unknown => "unknown",
        }
    }
}

/// One result.
#[derive(Clone, Debug, PartialEq)]
pub struct Finding {
    pub check: CheckId,
    pub address: String,
    pub resource_type: String,
    pub status: Status,
    pub reason: Text,
    /// For unknown results: the evidence that would settle it.
    pub settle: Option<Text>,
    pub controls: &'static [ControlRef],
    pub requirements: &'static [RequirementKind],
    pub location: SourceLoc,
    /// A waiver that matched, in force or expired.
    pub waiver: Option<WaiverMatch>,
    /// New or unchanged against `--baseline` (`None` without one, and for passes).
    pub baseline: Option<crate::baseline::BaselineState>,
}

impl Finding {
    /// Not a pass, and not covered by a waiver in force.
    pub fn counts(&self) -> bool {
        self.status != Status::Pass && !self.waiver.as_ref().is_some_and(|w| w.in_force)
    }

    /// Held by the baseline: it stands, but `--fail-on` does not count it.
    pub fn in_baseline(&self) -> bool {
        self.baseline == Some(crate::baseline::BaselineState::Unchanged)
    }
}

/// Which checks to run, and the waivers to apply.
#[derive(Clone, Debug, Default)]
pub struct CheckSelection {
    pub checks: Vec<CheckId>,
    pub waivers: Vec<Waiver>,
}

impl CheckSelection {
    pub fn all() -> Self {
        Self {
            checks: CheckId::ALL.to_vec(),
            waivers: Vec::new(),
        }
    }

    /// `residency,audit-logging`; an unknown id is returned as the error.
    pub fn parse_list(list: &str) -> Result<Vec<CheckId>, String> {
        let mut out = Vec::new();
        for part in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let id = CheckId::parse(part).ok_or_else(|| part.to_owned())?;
            if !out.contains(&id) {
                out.push(id);
            }
        }
        Ok(out)
    }
}

/// Run the selected checks on every resource that exists after the plan: every result, passes
/// included, each with its reason.
pub fn run_checks(
    resources: &[Resource],
    rules: &RuleSet,
    selection: &CheckSelection,
    as_of: Date,
) -> Vec<Finding> {
    run_checks_tallied(resources, rules, selection, as_of, true).findings
}

/// What [`run_checks_tallied`] gives: the findings kept and the counts of all results.
#[derive(Clone, Debug, Default)]
pub struct CheckRun {
    /// Fail and unknown results, and passes too when asked.
    pub findings: Vec<Finding>,
    /// Counts per check over every result (passes included), in the order of [`CheckId::ALL`]:
    /// the same as [`crate::tally`] of every finding.
    pub tally: Vec<(CheckId, crate::Tally)>,
}

/// Like [`run_checks`], but passes become findings only when `keep_passes` asks (their reasons
/// are then never formatted); every result is counted either way.
pub fn run_checks_tallied(
    resources: &[Resource],
    rules: &RuleSet,
    selection: &CheckSelection,
    as_of: Date,
    keep_passes: bool,
) -> CheckRun {
    // Large inputs are split across the machine's cores; the order of findings is the order of
    // resources either way.
    const PER_THREAD: usize = 16_384;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(resources.len() / PER_THREAD)
        .max(1);
    let run_part = |part: &[Resource]| {
        let mut out = CheckRun {
            findings: Vec::new(),
            tally: CheckId::ALL
                .iter()
                .map(|&c| (c, crate::Tally::default()))
                .collect(),
        };
        let before = PASS_TEXT.with(|p| p.replace(keep_passes));
        check_slice(
            part,
            resources,
            rules,
            selection,
            as_of,
            keep_passes,
            &mut out,
        );
        PASS_TEXT.with(|p| p.set(before));
        out
    };
    if threads == 1 {
        return run_part(resources);
    }
    let chunk = resources.len().div_ceil(threads);
    let parts: Vec<CheckRun> = std::thread::scope(|s| {
        let handles: Vec<_> = resources
            .chunks(chunk)
            .map(|part| s.spawn(move || run_part(part)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_default())
            .collect()
    });
    let mut out = CheckRun {
        findings: Vec::with_capacity(parts.iter().map(|p| p.findings.len()).sum()),
        tally: CheckId::ALL
            .iter()
            .map(|&c| (c, crate::Tally::default()))
            .collect(),
    };
    for p in parts {
        out.findings.extend(p.findings);
        for ((_, t), (_, n)) in out.tally.iter_mut().zip(p.tally) {
            t.pass += n.pass;
            t.fail += n.fail;
            t.unknown += n.unknown;
            t.waived += n.waived;
        }
    }
    out
}

fn check_slice(
    part: &[Resource],
    all: &[Resource],
    rules: &RuleSet,
    selection: &CheckSelection,
    as_of: Date,
    keep_passes: bool,
    out: &mut CheckRun,
) {
    let table = &rules.regions;
    for r in part {
        if r.mode != Mode::Managed || !r.present() {
            continue;
        }
        let fresh;
        let placement = if r.placement.resolved {
            &r.placement
        } else {
            let mut p = r.placement.clone();
            resolve(&mut p, table);
            fresh = p;
            &fresh
        };
        let cx = Cx {
            r,
            p: placement,
            table,
            all,
        };
        for &check in &selection.checks {
            let result = match check {
                CheckId::Residency => residency(&cx),
                CheckId::ReplicaLocation => replica_location(&cx),
                CheckId::DedicatedTenancy => dedicated_tenancy(&cx),
                CheckId::EncryptionAtRest => encryption_at_rest(&cx),
                CheckId::EncryptionInTransit => encryption_in_transit(&cx),
                CheckId::AuditLogging => audit_logging(&cx),
                CheckId::PublicExposure => public_exposure(&cx),
            };
            let Some(res) = result else { continue };
            let waiver = if selection.waivers.is_empty() {
                None
            } else {
                match_waiver(&selection.waivers, &r.address, check, as_of)
            };
            if let Some((_, t)) = out.tally.iter_mut().find(|(c, _)| *c == check) {
                match res.status {
                    Status::Pass => t.pass += 1,
                    Status::Fail => t.fail += 1,
                    Status::Unknown => t.unknown += 1,
                }
                if res.status != Status::Pass && waiver.as_ref().is_some_and(|w| w.in_force) {
                    t.waived += 1;
                }
            }
            if res.status == Status::Pass && !keep_passes {
                continue;
            }
            out.findings.push(Finding {
                check,
                address: r.address.clone(),
                resource_type: r.kind.to_string(),
                status: res.status,
                reason: res.reason,
                settle: res.settle,
                controls: check.controls(),
                requirements: check.requirements(),
                location: r.location.clone(),
                waiver,
                baseline: None,
            });
        }
    }
}

/// The attributes the checks read: the plan reader keeps these (and drops the rest unless asked).
pub const ATTRIBUTES: &[&str] = &[
    "region",
    "location",
    "availability_zone",
    "zone",
    "zone_id",
    "zone_name",
    "availability_domain",
    "site",
    "tenancy",
    "host_id",
    "placement",
    "dedicated_host_id",
    "dedicated_host_group_id",
    "scheduling",
    "dedicated_vm_host_id",
    "encrypted",
    "storage_encrypted",
    "kms_key_id",
    "root_block_device",
    "ebs_block_device",
    "server_side_encryption_configuration",
    "rule",
    "server_side_encryption",
    "at_rest_encryption_enabled",
    "encrypt_at_rest",
    "sqs_managed_sse_enabled",
    "kms_master_key_id",
    "encryption_type",
    "customer_managed_key",
    "infrastructure_encryption_enabled",
    "disk_encryption_set_id",
    "transparent_data_encryption_enabled",
    "encryption",
    "disk_encryption_key",
    "encryption_key_name",
    "tde_status",
    "encryption_key",
    "is_encrypted_base_block_storage_volume",
    "server_side_encryption_rule",
    "kms_key_name",
    "protocol",
    "ssl_policy",
    "default_action",
    "viewer_certificate",
    "default_cache_behavior",
    "security_policy",
    "transit_encryption_enabled",
    "domain_endpoint_options",
    "min_tls_version",
    "minimum_tls_version",
    "https_traffic_only_enabled",
    "enable_https_traffic_only",
    "profile",
    "custom_features",
    "settings",
    "tls_cipher_policy",
    "tls_min_version_type",
    "ssl_ciphers",
    "cipher_suites",
    "listener_protocol",
    "enable_logging",
    "retention_in_days",
    "status",
    "retention_period_days",
    "enabled_log",
    "log",
    "is_multi_region_trail",
    "retention_policy",
    "acl",
    "block_public_acls",
    "block_public_policy",
    "ignore_public_acls",
    "restrict_public_buckets",
    "ingress",
    "cidr_blocks",
    "ipv6_cidr_blocks",
    "type",
    "cidr_ipv4",
    "cidr_ipv6",
    "publicly_accessible",
    "associate_public_ip_address",
    "direction",
    "access",
    "source_address_prefix",
    "source_address_prefixes",
    "security_rule",
    "source_ranges",
    "members",
    "member",
    "cidr_ip",
    "ingress_security_rules",
    "ip_block",
    "remote_ip_prefix",
    "allow_nested_items_to_be_public",
    "public_network_access_enabled",
    "policy",
    "public_access_prevention",
    "uniform_bucket_level_access",
    "replica",
    "region_name",
    "destination",
    "bucket",
    "replicate_source_db",
    "source_region",
    "copy_action",
    "origin",
    "account_replication_type",
    "geo_location",
    "storage_mode_type",
    "master_instance_name",
    "name",
    "global_cluster_identifier",
    "destination_region",
    "cross_region_restore_enabled",
];

/// Whether the checks read this top-level attribute. A hash-set look-up: it runs for every key of
/// every resource object in the plan.
pub fn interesting(key: &str) -> bool {
    interesting_bytes(key.as_bytes())
}

/// [`interesting`] for a key the plan reader has not checked to be UTF-8 (no attribute name
/// that is not UTF-8 is interesting).
pub fn interesting_bytes(key: &[u8]) -> bool {
    attribute_index(key).is_some()
}

/// The position of `key` in [`ATTRIBUTES`], if the checks read it: the plan reader keeps one
/// [`crate::Name`] per position, so a kept key is neither hashed nor checked to be UTF-8 again.
pub(crate) fn attribute_index(key: &[u8]) -> Option<usize> {
    // The names bucketed by length: a key is compared with the few names of its length, which
    // costs a fraction of hashing it (this runs for every attribute of every resource).
    /// Per length, each name with its position.
    type Buckets = Vec<Vec<(&'static [u8], usize)>>;
    static BY_LEN: std::sync::OnceLock<Buckets> = std::sync::OnceLock::new();
    let table = BY_LEN.get_or_init(|| {
        let mut t: Buckets = Vec::new();
        for (i, a) in ATTRIBUTES.iter().enumerate() {
            let n = a.len();
            if t.len() <= n {
                t.resize_with(n + 1, Vec::new);
            }
            if let Some(bucket) = t.get_mut(n)
                && !bucket.iter().any(|(b, _)| *b == a.as_bytes())
            {
                bucket.push((a.as_bytes(), i));
            }
        }
        t
    });
    // The first byte first: most keys differ there, and a whole-slice compare is a call.
    let first = *key.first()?;
    table
        .get(key.len())?
        .iter()
        .find(|(b, _)| b.first() == Some(&first) && *b == key)
        .map(|&(_, i)| i)
}

/// FNV-1a: short keys, no DoS concern (the set is fixed), faster than SipHash here.
#[derive(Default, Clone, Copy)]
pub struct FnvBuild;

impl std::hash::BuildHasher for FnvBuild {
    type Hasher = Fnv;
    fn build_hasher(&self) -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

pub struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0100_0000_01b3);
        }
    }
}

// ---- shared pieces ------------------------------------------------------------------------------

struct Cx<'a> {
    r: &'a Resource,
    p: &'a Placement,
    table: &'a RegionTable,
    all: &'a [Resource],
}

struct Res {
    status: Status,
    reason: Text,
    settle: Option<Text>,
}

thread_local! {
    /// Whether a pass's reason is wanted (passes listed, or the public [`run_checks`]): when
    /// not, a pass is only counted and its text never formatted.
    static PASS_TEXT: std::cell::Cell<bool> = const { std::cell::Cell::new(true) };
}

fn pass_text() -> bool {
    PASS_TEXT.with(std::cell::Cell::get)
}

/// A pass; the reason (two expressions, English and Korean) is evaluated only when wanted.
macro_rules! pass {
    ($en:expr, $ko:expr $(,)?) => {
        if pass_text() {
            pass_with($en, $ko)
        } else {
            Some(Res {
                status: Status::Pass,
                reason: Text::new(String::new(), String::new()),
                settle: None,
            })
        }
    };
}

fn pass_with(en: String, ko: String) -> Option<Res> {
    Some(Res {
        status: Status::Pass,
        reason: Text::new(en, ko),
        settle: None,
    })
}

fn fail(en: String, ko: String) -> Option<Res> {
    Some(Res {
        status: Status::Fail,
        reason: Text::new(en, ko),
        settle: None,
    })
}

fn unknown(en: String, ko: String, settle_en: &str, settle_ko: &str) -> Option<Res> {
    Some(Res {
        status: Status::Unknown,
        reason: Text::new(en, ko),
        settle: Some(Text::new(settle_en, settle_ko)),
    })
}

const SETTLE_APPLY_EN: &str =
    "the applied state (`terraform show -json` after apply) or an inventory export of the resource";
const SETTLE_APPLY_KO: &str =
    "적용 후 상태(`terraform show -json`) 또는 해당 리소스의 인벤토리 내보내기";

/// A boolean attribute as the plan gives it.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Flag {
    True,
    False,
    /// Absent or null.
    Missing,
    /// Known only after apply.
    Unknown,
}

fn flag(r: &Resource, path: &[&str]) -> Flag {
    match r.attr(path) {
        Some(Value::Bool(true)) => Flag::True,
        Some(Value::Bool(false)) => Flag::False,
        Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Flag::True,
        Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Flag::False,
        _ if r.is_unknown(path) => Flag::Unknown,
        _ => Flag::Missing,
    }
}

fn text<'a>(r: &'a Resource, path: &[&str]) -> Option<&'a str> {
    r.attr(path)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

fn present_value(r: &Resource, path: &[&str]) -> bool {
    match r.attr(path) {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(Value::Object(o)) => !o.is_empty(),
        Some(_) => true,
    }
}

fn array<'a>(r: &'a Resource, key: &str) -> &'a [Value] {
    r.attributes
        .get(key)
        .and_then(Value::as_array)
        .map_or(&[], Vec::as_slice)
}

fn path_str(path: &[&str]) -> String {
    path.join(".")
}

/// Pass / fail / unknown for an attribute that must be `true`.
fn must_be_true(
    r: &Resource,
    path: &[&str],
    what_en: &str,
    what_ko: &str,
    missing_fails: bool,
) -> Option<Res> {
    let p = path_str(path);
    match flag(r, path) {
        Flag::True => pass!(
            format!("{what_en} (`{p}` = true)"),
            format!("{what_ko} (`{p}` = true)"),
        ),
        Flag::False => fail(
            format!("{what_en} is off (`{p}` = false)"),
            format!("{what_ko}이(가) 꺼져 있습니다(`{p}` = false)"),
        ),
        Flag::Unknown => unknown(
            format!("`{p}` is known only after apply"),
            format!("`{p}` 값은 적용 후에야 알 수 있습니다"),
            SETTLE_APPLY_EN,
            SETTLE_APPLY_KO,
        ),
        Flag::Missing if missing_fails => fail(
            format!("{what_en} is not set (`{p}` absent; the provider's default is off)"),
            format!("{what_ko}이(가) 설정되지 않았습니다(`{p}` 없음, 프로바이더 기본값은 꺼짐)"),
        ),
        Flag::Missing => unknown(
            format!("the plan does not state `{p}`"),
            format!("플랜에 `{p}` 값이 없습니다"),
            SETTLE_APPLY_EN,
            SETTLE_APPLY_KO,
        ),
    }
}

fn strip_version(kind: &str) -> &str {
    // nhncloud_compute_instance_v2 → nhncloud_compute_instance. Trailing digits after a last
    // `_v`, read from the end: a substring search here cost more than the check itself, since
    // it runs for every resource.
    let digits = kind.bytes().rev().take_while(u8::is_ascii_digit).count();
    let rest = kind.len() - digits;
    match kind.get(..rest).and_then(|h| h.strip_suffix("_v")) {
        Some(head) if digits > 0 => head,
        _ => kind,
    }
}

/// Resource types that store or process data.
pub fn holds_data(kind: &str) -> bool {
    // A plan has a few dozen types and many instances of each: remember the answer per type
    // (per thread), since the pattern searches below cost more than the rest of a check.
    thread_local! {
        static SEEN: std::cell::RefCell<std::collections::HashMap<String, bool, FnvBuild>> =
            const { std::cell::RefCell::new(std::collections::HashMap::with_hasher(FnvBuild)) };
    }
    SEEN.with_borrow_mut(|seen| {
        if let Some(&known) = seen.get(kind) {
            return known;
        }
        let answer = holds_data_uncached(kind);
        if seen.len() >= 4096 {
            seen.clear();
        }
        seen.insert(kind.to_owned(), answer);
        answer
    })
}

fn holds_data_uncached(kind: &str) -> bool {
    let k = strip_version(kind);
    const SUFFIXES: &[&str] = &[
        "_instance",
        "_volume",
        "_disk",
        "_bucket",
        "_database",
        "_server",
        "_cluster",
        "_table",
        "_file_system",
        "_virtual_machine",
        "_block_storage",
        "_storage_account",
        "_queue",
        "_stream",
        "_lambda_function",
        "_function_app",
        "_web_app",
        "_vault",
        "_dataset",
        "_container",
        "_node_group",
        "_autoscaling_group",
        "_replication_group",
        "_cache",
        "_cosmosdb_account",
        "_opensearch_domain",
        "_elasticsearch_domain",
        "_snapshot",
        "_snapshot_copy",
        "_ami_copy",
        "_db_system",
        "_autonomous_database",
    ];
    const EXACT: &[&str] = &[
        "ncloud_mysql",
        "ncloud_mongodb",
        "ncloud_redis",
        "ncloud_postgresql",
        "ncloud_mssql",
        "ncloud_nas_volume",
        "aws_dynamodb_table_replica",
    ];
    if EXACT.contains(&k) {
        return true;
    }
    // Attachments, policies and the like are configuration, not data.
    const NOT: &[&str] = &[
        "_attachment",
        "_policy",
        "_iam_",
        "_security_group",
        "_public_access_block",
        "_instance_profile",
        "_parameter_group",
        "_subnet_group",
        "_option_group",
    ];
    if NOT.iter().any(|n| k.contains(n)) {
        return false;
    }
    SUFFIXES.iter().any(|s| k.ends_with(s))
}

fn place_text(p: &Placement) -> (String, String) {
    place_text_with(p, ("", ""))
}

/// [`place_text`] after a prefix in each language (`stored or processed outside Korea (US): `),
/// built with `push_str`: a scan formats this for every failing resource, and `format!` with
/// its nested `describe` cost a tenth of a large scan.
fn place_text_with(p: &Placement, prefix: (&str, &str)) -> (String, String) {
    let region = p.region.as_deref().unwrap_or("?");
    let matched = p.matched.as_deref().filter(|m| *m != region);
    let mut en = String::with_capacity(prefix.0.len() + 96);
    let mut ko = String::with_capacity(prefix.1.len() + 96);
    for (out, prefix) in [(&mut en, prefix.0), (&mut ko, prefix.1)] {
        out.push_str(prefix);
        out.push('`');
        out.push_str(&p.provider_key);
        out.push(':');
        out.push_str(region);
        out.push('`');
        if let Some(m) = matched {
            out.push_str(" (region `");
            out.push_str(m);
            out.push_str("`)");
        }
    }
    en.push_str(" from ");
    p.source.describe_into(&mut en, Lang::En);
    ko.push_str(", 출처: ");
    p.source.describe_into(&mut ko, Lang::Ko);
    (en, ko)
}

fn unknown_place(p: &Placement, what_en: &str, what_ko: &str) -> Option<Res> {
    let (why_en, why_ko) = p.unknown_because.as_deref().cloned().unwrap_or_else(|| {
        (
            "the location cannot be told".to_owned(),
            "위치를 알 수 없습니다".to_owned(),
        )
    });
    let (settle_en, settle_ko) = if p.after_apply {
        (SETTLE_APPLY_EN, SETTLE_APPLY_KO)
    } else if p.region.is_some() {
        (
            "a content pack whose region table places this region (kind: regions), or the provider's documentation of the region's country",
            "이 리전의 위치를 담은 콘텐츠 팩(kind: regions) 또는 리전 소재국에 대한 프로바이더 문서",
        )
    } else {
        (
            "the provider configuration's region (set it in the configuration, or scan the applied state or an inventory export)",
            "프로바이더 설정의 리전(설정에 명시하거나, 적용 후 상태 또는 인벤토리 내보내기를 검사)",
        )
    };
    unknown(
        format!("{what_en}: {why_en}"),
        format!("{what_ko}: {why_ko}"),
        settle_en,
        settle_ko,
    )
}

fn judge_place(p: &Placement, what_en: &str, what_ko: &str) -> Option<Res> {
    match &p.residency {
        Residency::Korea => {
            if !pass_text() {
                // Counted only: the place is not formatted (most results of a large plan).
                return pass!(String::new(), String::new());
            }
            let (en, ko) = place_text(p);
            let gov = if p.government_zone {
                (" (government zone)", " (공공 존)")
            } else {
                ("", "")
            };
            pass_with(
                format!("{what_en} in Korea: {en}{}", gov.0),
                format!("{what_ko} 국내: {ko}{}", gov.1),
            )
        }
        Residency::Abroad(country) => {
            let (en, ko) = place_text_with(
                p,
                (
                    &format!("{what_en} outside Korea ({country}): "),
                    &format!("{what_ko} 국외({country}): "),
                ),
            );
            fail(en, ko)
        }
        Residency::Unknown => unknown_place(p, what_en, what_ko),
    }
}

/// Place a region named in an attribute (a replica's region, a vault's ARN) for a provider.
fn place_region(cx: &Cx, provider: &str, region: &str, attr: &str) -> Placement {
    let mut p = Placement {
        provider_key: provider.into(),
        region: Some(region.into()),
        source: RegionSource::Attribute(attr.into()),
        ..Placement::default()
    };
    resolve(&mut p, cx.table);
    p
}

// ---- residency ----------------------------------------------------------------------------------

fn residency(cx: &Cx) -> Option<Res> {
    if !holds_data(&cx.r.kind) {
        return None;
    }
    judge_place(cx.p, "stored or processed", "저장·처리 위치")
}

// ---- replica location ---------------------------------------------------------------------------

fn replica_location(cx: &Cx) -> Option<Res> {
    let r = cx.r;
    let mut places: Vec<Placement> = Vec::new();
    let mut notes: Vec<(String, String)> = Vec::new();
    match r.kind.as_str() {
        "aws_dynamodb_table" => {
            for (i, rep) in array(r, "replica").iter().enumerate() {
                if let Some(reg) = rep.get("region_name").and_then(Value::as_str) {
                    places.push(place_region(
                        cx,
                        "aws",
                        reg,
                        &format!("replica.{i}.region_name"),
                    ));
                }
            }
            if places.is_empty() {
                return None;
            }
        }
        // Replicas, copies and backup destinations that live where their provider points.
        "aws_dynamodb_table_replica"
        | "aws_ebs_snapshot_copy"
        | "aws_ami_copy"
        | "aws_db_instance_automated_backups_replication"
        | "aws_backup_vault"
        | "aws_s3_bucket_replication_configuration" => {
            if r.kind == "aws_s3_bucket_replication_configuration" {
                for rule in array(r, "rule") {
                    let dests = rule.get("destination").and_then(Value::as_array);
                    for d in dests.into_iter().flatten() {
                        if let Some(arn) = d.get("bucket").and_then(Value::as_str) {
                            places.push(bucket_place(cx, arn));
                        }
                    }
                }
                if places.is_empty() {
                    places.push(unknown_dest(
                        "the replication destination is not stated",
                        "복제 대상이 명시되어 있지 않습니다",
                    ));
                }
            } else {
                places.push(cx.p.clone());
            }
        }
        "aws_db_instance" | "aws_rds_cluster"
            if present_value(r, &["replicate_source_db"])
                || present_value(r, &["global_cluster_identifier"]) =>
        {
            places.push(cx.p.clone());
            notes.push((
                "a read replica or global-cluster member".into(),
                "읽기 복제본 또는 글로벌 클러스터 구성원".into(),
            ));
        }
        "aws_backup_plan" => {
            for rule in array(r, "rule") {
                for ca in rule
                    .get("copy_action")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    if let Some(arn) = ca.get("destination_vault_arn").and_then(Value::as_str) {
                        match arn_region(arn) {
                            Some(reg) => places.push(place_region(
                                cx,
                                "aws",
                                reg,
                                "rule.copy_action.destination_vault_arn",
                            )),
                            None => places.push(unknown_dest(
                                "the copy destination vault's ARN is known only after apply",
                                "복사 대상 볼트의 ARN은 적용 후에야 알 수 있습니다",
                            )),
                        }
                    }
                }
            }
            if places.is_empty() {
                return None;
            }
        }
        "aws_cloudfront_distribution" => {
            for (i, o) in array(r, "origin").iter().enumerate() {
                let domain = o.get("domain_name").and_then(Value::as_str).unwrap_or("");
                match domain_region(domain) {
                    Some(reg) => places.push(place_region(
                        cx,
                        "aws",
                        &reg,
                        &format!("origin.{i}.domain_name"),
                    )),
                    None => places.push(unknown_dest(
                        "an origin's domain does not name an AWS region",
                        "원본 도메인에 AWS 리전이 드러나지 않습니다",
                    )),
                }
            }
            notes.push((
                "edge caches are worldwide".into(),
                "엣지 캐시는 전 세계에 있습니다".into(),
            ));
            if places.is_empty() {
                return None;
            }
        }
        "azurerm_storage_account" | "azurerm_recovery_services_vault" => {
            let geo = text(r, &["account_replication_type"])
                .map(|t| {
                    t.to_ascii_uppercase().contains("GRS")
                        || t.to_ascii_uppercase().contains("GZRS")
                })
                .unwrap_or(false)
                || text(r, &["storage_mode_type"]) == Some("GeoRedundant");
            if !geo {
                return None;
            }
            let primary = cx.p.region.as_deref().map(kcvs_model::normalise_region);
            match primary.as_deref().and_then(azure_pair) {
                Some(pair) => places.push(place_region(cx, "azurerm", pair, "paired region")),
                None => places.push(unknown_dest(
                    "geo-redundant: the paired region is not one kcvs knows for this primary",
                    "지역 중복: 이 기본 리전의 쌍 리전을 알 수 없습니다",
                )),
            }
            notes.push((
                "geo-redundant copy in the paired region".into(),
                "쌍 리전에 지역 중복 사본".into(),
            ));
        }
        "azurerm_cosmosdb_account" => {
            for (i, g) in array(r, "geo_location").iter().enumerate() {
                if let Some(loc) = g.get("location").and_then(Value::as_str) {
                    places.push(place_region(
                        cx,
                        "azurerm",
                        loc,
                        &format!("geo_location.{i}.location"),
                    ));
                }
            }
            if places.is_empty() {
                return None;
            }
        }
        "google_sql_database_instance" if present_value(r, &["master_instance_name"]) => {
            places.push(cx.p.clone());
            notes.push(("a read replica".into(), "읽기 복제본".into()));
        }
        "google_storage_bucket" => {
            // Multi-region and dual-region locations replicate across regions.
            let loc = text(r, &["location"])?;
            if cx.table.get("google", loc).is_some() {
                return None;
            }
            places.push(cx.p.clone());
        }
        _ => return None,
    }
    let worst = places
        .iter()
        .map(|p| match p.residency {
            Residency::Abroad(_) => 2,
            Residency::Unknown => 1,
            Residency::Korea => 0,
        })
        .max()
        .unwrap_or(0);
    let note = |lang_en: bool| {
        notes
            .iter()
            .map(|(en, ko)| if lang_en { en.clone() } else { ko.clone() })
            .collect::<Vec<_>>()
            .join("; ")
    };
    let suffix_en = if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", note(true))
    };
    let suffix_ko = if notes.is_empty() {
        String::new()
    } else {
        format!(" ({})", note(false))
    };
    let describe = |p: &Placement| place_text(p);
    match worst {
        0 => {
            let (en, ko) = join_both(places.iter().map(describe));
            pass!(
                format!("every replica or copy in Korea: {en}{suffix_en}"),
                format!("모든 복제본·사본 국내: {ko}{suffix_ko}"),
            )
        }
        2 => {
            let (en, ko) = join_both(
                places
                    .iter()
                    .filter(|p| matches!(p.residency, Residency::Abroad(_)))
                    .map(describe),
            );
            fail(
                format!("a replica or copy outside Korea: {en}{suffix_en}"),
                format!("국외 복제본·사본: {ko}{suffix_ko}"),
            )
        }
        _ => {
            let p = places
                .iter()
                .find(|p| p.residency == Residency::Unknown)
                .cloned()
                .unwrap_or_default();
            unknown_place(
                &p,
                &format!("replica or copy{suffix_en}"),
                &format!("복제본·사본{suffix_ko}"),
            )
        }
    }
}

/// Bilingual descriptions joined with commas, each language on its own side.
fn join_both(items: impl Iterator<Item = (String, String)>) -> (String, String) {
    let (en, ko): (Vec<String>, Vec<String>) = items.unzip();
    (en.join(", "), ko.join(", "))
}

fn unknown_dest(en: &str, ko: &str) -> Placement {
    Placement {
        after_apply: true,
        unknown_because: Some(Box::new((en.to_owned(), ko.to_owned()))),
        ..Placement::default()
    }
}

/// An S3 replication destination: the bucket resource in this plan, if there is one.
fn bucket_place(cx: &Cx, arn: &str) -> Placement {
    let name = arn.strip_prefix("arn:aws:s3:::").unwrap_or(arn);
    let found = cx.all.iter().find(|b| {
        b.kind == "aws_s3_bucket"
            && b.present()
            && b.attributes.get("bucket").and_then(Value::as_str) == Some(name)
    });
    match found {
        Some(b) => {
            let mut p = b.placement.clone();
            if !p.resolved {
                resolve(&mut p, cx.table);
            }
            p
        }
        None => Placement {
            unknown_because: Some(Box::new((
                format!(
                    "destination bucket `{name}` is not in this plan (`aws s3api get-bucket-location` settles it)"
                ),
                format!(
                    "대상 버킷 `{name}`이(가) 이 플랜에 없습니다(`aws s3api get-bucket-location`으로 확인)"
                ),
            ))),
            after_apply: true,
            ..Placement::default()
        },
    }
}

/// `arn:aws:backup:ap-northeast-2:123:backup-vault:x` → `ap-northeast-2`.
fn arn_region(arn: &str) -> Option<&str> {
    let mut parts = arn.split(':');
    (parts.next()? == "arn").then_some(())?;
    let _partition = parts.next()?;
    let _service = parts.next()?;
    parts.next().filter(|r| !r.is_empty())
}

/// `b.s3.ap-northeast-2.amazonaws.com`, `x.ap-northeast-2.elb.amazonaws.com` → the region.
fn domain_region(domain: &str) -> Option<String> {
    let labels: Vec<&str> = domain.split('.').collect();
    labels
        .iter()
        .find(|l| {
            let parts: Vec<&str> = l.split('-').collect();
            parts.len() >= 3
                && parts
                    .last()
                    .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()))
        })
        .map(|s| (*s).to_owned())
}

/// Azure's paired regions, for the Korean pair only (the one the table covers).
fn azure_pair(region: &str) -> Option<&'static str> {
    match region {
        "koreacentral" => Some("koreasouth"),
        "koreasouth" => Some("koreacentral"),
        _ => None,
    }
}

// ---- dedicated tenancy --------------------------------------------------------------------------

fn dedicated_tenancy(cx: &Cx) -> Option<Res> {
    let r = cx.r;
    let k = strip_version(&r.kind);
    const GOV_EN: &str = "in a government zone, an isolated zone for the public sector: evidence of physical separation";
    const GOV_KO: &str = "공공기관 전용으로 격리된 공공 존: 물리적 분리의 근거";
    let shared = |what: &str| {
        fail(
            format!("shared tenancy ({what}): logical separation only"),
            format!("공유 테넌시({what}): 논리적 분리만 해당"),
        )
    };
    let dedicated = |what: &str| {
        pass!(
            format!("dedicated hardware ({what}): physical separation from other tenants"),
            format!("전용 하드웨어({what}): 다른 고객과 물리적으로 분리"),
        )
    };
    match k {
        "aws_instance" => match text(r, &["tenancy"]) {
            Some("dedicated") | Some("host") => dedicated(&format!(
                "tenancy = {}",
                text(r, &["tenancy"]).unwrap_or("")
            )),
            Some(other) => shared(&format!("tenancy = {other}")),
            None if present_value(r, &["host_id"]) => dedicated("host_id"),
            None if r.is_unknown(&["tenancy"]) => unknown(
                "`tenancy` is known only after apply".into(),
                "`tenancy` 값은 적용 후에야 알 수 있습니다".into(),
                SETTLE_APPLY_EN,
                SETTLE_APPLY_KO,
            ),
            None => unknown(
                "the plan does not state `tenancy` (the VPC's instance_tenancy decides)".into(),
                "플랜에 `tenancy` 값이 없습니다(VPC의 instance_tenancy가 정합니다)".into(),
                "the VPC's `instance_tenancy`, or the applied state",
                "VPC의 `instance_tenancy` 또는 적용 후 상태",
            ),
        },
        "aws_launch_template" => {
            let t = r
                .attr(&["placement", "0", "tenancy"])
                .and_then(Value::as_str);
            match t {
                Some("dedicated") | Some("host") => dedicated("placement.tenancy"),
                Some(other) => shared(&format!("placement.tenancy = {other}")),
                None => shared("no placement tenancy"),
            }
        }
        "aws_ec2_host"
        | "azurerm_dedicated_host"
        | "google_compute_node_group"
        | "alicloud_ecs_dedicated_host"
        | "oci_core_dedicated_vm_host" => dedicated(k),
        "azurerm_linux_virtual_machine"
        | "azurerm_windows_virtual_machine"
        | "azurerm_virtual_machine" => {
            if present_value(r, &["dedicated_host_id"])
                || present_value(r, &["dedicated_host_group_id"])
            {
                dedicated("dedicated host")
            } else {
                shared("no dedicated host")
            }
        }
        "google_compute_instance" => {
            let na = r.attr(&["scheduling", "0", "node_affinities"]);
            if na.is_some_and(|v| v.as_array().is_some_and(|a| !a.is_empty())) {
                dedicated("sole-tenant node affinity")
            } else {
                shared("no sole-tenant node")
            }
        }
        "alicloud_instance" => {
            if present_value(r, &["dedicated_host_id"]) {
                dedicated("dedicated_host_id")
            } else {
                shared("no dedicated host")
            }
        }
        "oci_core_instance" => {
            if present_value(r, &["dedicated_vm_host_id"]) {
                dedicated("dedicated_vm_host_id")
            } else {
                shared("no dedicated VM host")
            }
        }
        "ncloud_server"
        | "nhncloud_compute_instance"
        | "openstack_compute_instance"
        | "ktcloud_instance"
        | "ktcloud_server"
        | "ncloud_launch_configuration" => {
            if cx.p.government_zone {
                pass!(GOV_EN.into(), GOV_KO.into())
            } else if cx.p.residency == Residency::Unknown {
                unknown_place(cx.p, "zone", "존")
            } else {
                shared("public zone")
            }
        }
        _ => None,
    }
}

// ---- encryption at rest ---------------------------------------------------------------------------

fn encryption_at_rest(cx: &Cx) -> Option<Res> {
    let r = cx.r;
    let key_kind = |customer: bool| {
        if customer {
            ("customer-managed key", "고객 관리 키")
        } else {
            ("provider-managed key", "프로바이더 관리 키")
        }
    };
    let always = |service_en: &str, customer: bool, extra: &str| {
        let (k_en, k_ko) = key_kind(customer);
        pass!(
            format!("{service_en} encrypts at rest by default (AES-256); {k_en}{extra}"),
            format!(
                "{service_en}은(는) 기본으로 저장 데이터를 암호화합니다(AES-256). {k_ko}{extra}"
            ),
        )
    };
    match strip_version(&r.kind) {
        "aws_ebs_volume" | "aws_efs_file_system" | "aws_redshift_cluster" | "alicloud_disk" => {
            keyed(
                r,
                must_be_true(
                    r,
                    &["encrypted"],
                    "encryption at rest",
                    "저장 데이터 암호화",
                    false,
                ),
            )
        }
        "aws_db_instance" | "aws_rds_cluster" => keyed(
            r,
            must_be_true(
                r,
                &["storage_encrypted"],
                "storage encryption",
                "스토리지 암호화",
                true,
            ),
        ),
        "aws_instance" => {
            if r.attributes
                .get("root_block_device")
                .and_then(Value::as_array)
                .is_some_and(|a| !a.is_empty())
            {
                must_be_true(
                    r,
                    &["root_block_device", "0", "encrypted"],
                    "root volume encryption",
                    "루트 볼륨 암호화",
                    false,
                )
            } else {
                None
            }
        }
        "aws_elasticache_replication_group" => must_be_true(
            r,
            &["at_rest_encryption_enabled"],
            "encryption at rest",
            "저장 데이터 암호화",
            true,
        ),
        "aws_opensearch_domain" | "aws_elasticsearch_domain" => must_be_true(
            r,
            &["encrypt_at_rest", "0", "enabled"],
            "encryption at rest",
            "저장 데이터 암호화",
            true,
        ),
        "aws_s3_bucket_server_side_encryption_configuration" => {
            let alg = r
                .attr(&[
                    "rule",
                    "0",
                    "apply_server_side_encryption_by_default",
                    "0",
                    "sse_algorithm",
                ])
                .and_then(Value::as_str);
            sse(
                alg,
                r.attr(&[
                    "rule",
                    "0",
                    "apply_server_side_encryption_by_default",
                    "0",
                    "kms_master_key_id",
                ])
                .is_some_and(|v| !v.is_null()),
            )
        }
        "aws_s3_bucket" => {
            let inline = r
                .attr(&[
                    "server_side_encryption_configuration",
                    "0",
                    "rule",
                    "0",
                    "apply_server_side_encryption_by_default",
                    "0",
                    "sse_algorithm",
                ])
                .and_then(Value::as_str);
            match inline {
                Some(a) => sse(Some(a), false),
                None => always("S3 (SSE-S3, since January 2023)", false, ""),
            }
        }
        "aws_dynamodb_table" => {
            let kms = flag(r, &["server_side_encryption", "0", "enabled"]) == Flag::True;
            always("DynamoDB", kms, "")
        }
        "aws_sqs_queue" => {
            if present_value(r, &["kms_master_key_id"]) {
                pass!(
                    "SSE-KMS (`kms_master_key_id`)".into(),
                    "SSE-KMS(`kms_master_key_id`)".into(),
                )
            } else {
                must_be_true(
                    r,
                    &["sqs_managed_sse_enabled"],
                    "SQS-managed encryption",
                    "SQS 관리 암호화",
                    false,
                )
            }
        }
        "azurerm_storage_account" => {
            let cmk = present_value(r, &["customer_managed_key"]);
            let double = if flag(r, &["infrastructure_encryption_enabled"]) == Flag::True {
                "; infrastructure encryption adds a second layer (double encryption)"
            } else {
                ""
            };
            always("Azure Storage", cmk, double)
        }
        "azurerm_managed_disk" => always(
            "Azure managed disks",
            present_value(r, &["disk_encryption_set_id"]),
            "",
        ),
        "azurerm_mssql_database" => must_be_true(
            r,
            &["transparent_data_encryption_enabled"],
            "transparent data encryption",
            "투명 데이터 암호화",
            false,
        ),
        "google_storage_bucket" => always(
            "Cloud Storage",
            present_value(r, &["encryption", "0", "default_kms_key_name"]),
            "",
        ),
        "google_compute_disk" => always(
            "Compute Engine",
            present_value(r, &["disk_encryption_key"]),
            "",
        ),
        "google_sql_database_instance" => {
            always("Cloud SQL", present_value(r, &["encryption_key_name"]), "")
        }
        "oci_core_volume" | "oci_objectstorage_bucket" => {
            always("OCI", present_value(r, &["kms_key_id"]), "")
        }
        "alicloud_db_instance" => match text(r, &["tde_status"]) {
            Some(s) if s.eq_ignore_ascii_case("enabled") => {
                pass!("TDE enabled".into(), "TDE 사용".into())
            }
            _ if present_value(r, &["encryption_key"]) => pass!(
                "disk encryption with a KMS key".into(),
                "KMS 키로 디스크 암호화".into(),
            ),
            _ => fail(
                "neither TDE nor disk encryption is enabled".into(),
                "TDE와 디스크 암호화가 모두 꺼져 있습니다".into(),
            ),
        },
        "ncloud_server" => must_be_true(
            r,
            &["is_encrypted_base_block_storage_volume"],
            "base storage encryption",
            "기본 스토리지 암호화",
            true,
        ),
        _ => None,
    }
}

/// Add the key kind to a pass on an AWS volume or database.
fn keyed(r: &Resource, res: Option<Res>) -> Option<Res> {
    let mut res = res?;
    if res.status == Status::Pass && pass_text() {
        let (en, ko) = if present_value(r, &["kms_key_id"]) {
            (
                "; customer-managed KMS key, AES-256",
                "; 고객 관리 KMS 키, AES-256",
            )
        } else {
            ("; AWS-managed key, AES-256", "; AWS 관리 키, AES-256")
        };
        res.reason = Text::new(
            format!("{}{en}", res.reason.en),
            format!("{}{ko}", res.reason.ko),
        );
    }
    Some(res)
}

fn sse(alg: Option<&str>, customer_key: bool) -> Option<Res> {
    let key = if customer_key {
        "customer-managed KMS key"
    } else {
        "AWS-managed key"
    };
    match alg {
        Some("aws:kms:dsse") => pass!(
            format!("dual-layer SSE-KMS (double encryption), {key}"),
            "이중 계층 SSE-KMS(이중 암호화)".into(),
        ),
        Some("aws:kms") => pass!(
            format!("SSE-KMS (AES-256), {key}"),
            "SSE-KMS(AES-256)".into(),
        ),
        Some("AES256") => pass!(
            "SSE-S3 (AES-256), provider-managed key".into(),
            "SSE-S3(AES-256), 프로바이더 관리 키".into(),
        ),
        Some(other) => unknown(
            format!("unrecognised `sse_algorithm` `{other}`"),
            format!("알 수 없는 `sse_algorithm` `{other}`"),
            "the provider's documentation of the algorithm",
            "해당 알고리즘에 대한 프로바이더 문서",
        ),
        None => unknown(
            "the encryption algorithm is known only after apply".into(),
            "암호화 알고리즘은 적용 후에야 알 수 있습니다".into(),
            SETTLE_APPLY_EN,
            SETTLE_APPLY_KO,
        ),
    }
}

// ---- encryption in transit --------------------------------------------------------------------------

fn tls_version_rank(v: &str) -> Option<u8> {
    let v = v.to_ascii_uppercase().replace(['_', '.', ' ', 'V'], "");
    if v.contains("TLS13") || v.ends_with("13") {
        Some(13)
    } else if v.contains("TLS12") || v.ends_with("12") {
        Some(12)
    } else if v.contains("TLS11") || v.ends_with("11") {
        Some(11)
    } else if v.contains("TLS10") || v.contains("TLS1") || v.ends_with("10") {
        Some(10)
    } else {
        None
    }
}

fn aria_note(r: &Resource) -> (String, String) {
    let lists = ["ssl_ciphers", "cipher_suites", "custom_features"];
    let aria = lists.iter().any(|k| {
        r.attributes
            .get(k)
            .is_some_and(|v| v.to_string().to_ascii_uppercase().contains("ARIA"))
    });
    if aria {
        (
            "; ARIA cipher suites offered".into(),
            "; ARIA 암호 스위트 제공".into(),
        )
    } else {
        (String::new(), String::new())
    }
}

fn min_tls(r: &Resource, what: &str, value: Option<&str>) -> Option<Res> {
    let (aria_en, aria_ko) = aria_note(r);
    match value {
        Some(v) => match tls_version_rank(v) {
            Some(n) if n >= 12 => pass!(
                format!("{what} `{v}`: TLS 1.2 or later{aria_en}"),
                format!("{what} `{v}`: TLS 1.2 이상{aria_ko}"),
            ),
            Some(_) => fail(
                format!("{what} `{v}` allows TLS older than 1.2"),
                format!("{what} `{v}`은(는) TLS 1.2 미만을 허용합니다"),
            ),
            None => unknown(
                format!("{what} `{v}` does not name a TLS version kcvs recognises"),
                format!("{what} `{v}`에서 TLS 버전을 알 수 없습니다"),
                "the provider's documentation of the policy's protocols and suites",
                "해당 정책의 프로토콜과 암호 스위트에 대한 프로바이더 문서",
            ),
        },
        None => unknown(
            format!("the plan does not state the {what}"),
            format!("플랜에 {what}이(가) 없습니다"),
            SETTLE_APPLY_EN,
            SETTLE_APPLY_KO,
        ),
    }
}

fn encryption_in_transit(cx: &Cx) -> Option<Res> {
    let r = cx.r;
    match r.kind.as_str() {
        "aws_lb_listener" | "aws_alb_listener" => {
            let proto = text(r, &["protocol"])
                .unwrap_or("HTTP")
                .to_ascii_uppercase();
            if proto == "HTTPS" || proto == "TLS" {
                let policy = text(r, &["ssl_policy"]);
                // AWS names: ELBSecurityPolicy-TLS13-1-2-2021-06 (min 1.2), ELBSecurityPolicy-TLS-1-0-2015-04.
                match policy {
                    Some(p) if p.contains("TLS13-1-3") => pass!(
                        format!("listener policy `{p}`: TLS 1.3 only"),
                        format!("리스너 정책 `{p}`: TLS 1.3 전용"),
                    ),
                    Some(p) if p.contains("1-2") || p.contains("TLS13-1-2") => pass!(
                        format!("listener policy `{p}`: TLS 1.2 or later"),
                        format!("리스너 정책 `{p}`: TLS 1.2 이상"),
                    ),
                    Some(p) => fail(
                        format!("listener policy `{p}` allows TLS older than 1.2"),
                        format!("리스너 정책 `{p}`은(는) TLS 1.2 미만을 허용합니다"),
                    ),
                    None => unknown(
                        "the listener's `ssl_policy` is not stated (the default policy applies)"
                            .into(),
                        "리스너의 `ssl_policy`가 없습니다(기본 정책 적용)".into(),
                        SETTLE_APPLY_EN,
                        SETTLE_APPLY_KO,
                    ),
                }
            } else if r
                .attr(&["default_action", "0", "type"])
                .and_then(Value::as_str)
                == Some("redirect")
                && r.attr(&["default_action", "0", "redirect", "0", "protocol"])
                    .and_then(Value::as_str)
                    == Some("HTTPS")
            {
                pass!(
                    format!("{proto} listener redirects to HTTPS"),
                    format!("{proto} 리스너가 HTTPS로 전환합니다"),
                )
            } else {
                fail(
                    format!("plain {proto} listener: traffic is not encrypted"),
                    format!("암호화되지 않은 {proto} 리스너"),
                )
            }
        }
        "aws_cloudfront_distribution" => {
            if r.attr(&["default_cache_behavior", "0", "viewer_protocol_policy"])
                .and_then(Value::as_str)
                == Some("allow-all")
            {
                return fail(
                    "viewers may use plain HTTP (`viewer_protocol_policy = allow-all`)".into(),
                    "뷰어가 평문 HTTP를 쓸 수 있습니다(`allow-all`)".into(),
                );
            }
            min_tls(
                r,
                "minimum protocol version",
                r.attr(&["viewer_certificate", "0", "minimum_protocol_version"])
                    .and_then(Value::as_str),
            )
        }
        "aws_api_gateway_domain_name" | "aws_apigatewayv2_domain_name" => {
            min_tls(r, "security policy", text(r, &["security_policy"]))
        }
        "aws_elasticache_replication_group" => must_be_true(
            r,
            &["transit_encryption_enabled"],
            "encryption in transit",
            "전송 구간 암호화",
            true,
        ),
        "aws_opensearch_domain" => min_tls(
            r,
            "TLS security policy",
            r.attr(&["domain_endpoint_options", "0", "tls_security_policy"])
                .and_then(Value::as_str),
        ),
        "azurerm_storage_account" => {
            let https = [
                flag(r, &["https_traffic_only_enabled"]),
                flag(r, &["enable_https_traffic_only"]),
            ];
            if https.contains(&Flag::False) {
                return fail(
                    "plain HTTP is allowed (`https_traffic_only_enabled = false`)".into(),
                    "평문 HTTP가 허용됩니다".into(),
                );
            }
            min_tls(r, "minimum TLS version", text(r, &["min_tls_version"]))
        }
        "azurerm_mssql_server" => {
            min_tls(r, "minimum TLS version", text(r, &["minimum_tls_version"]))
        }
        "google_compute_ssl_policy" => {
            min_tls(r, "minimum TLS version", text(r, &["min_tls_version"]))
        }
        "alicloud_slb_listener" => {
            if text(r, &["protocol"]).is_some_and(|p| p.eq_ignore_ascii_case("https")) {
                min_tls(r, "TLS cipher policy", text(r, &["tls_cipher_policy"]))
            } else {
                None
            }
        }
        "ncloud_lb_listener" => {
            if text(r, &["protocol"])
                .is_some_and(|p| p.eq_ignore_ascii_case("https") || p.eq_ignore_ascii_case("tls"))
            {
                min_tls(r, "minimum TLS version", text(r, &["tls_min_version_type"]))
            } else {
                fail(
                    "listener without TLS".into(),
                    "TLS를 쓰지 않는 리스너".into(),
                )
            }
        }
        _ => None,
    }
}

// ---- audit logging ----------------------------------------------------------------------------------

fn audit_logging(cx: &Cx) -> Option<Res> {
    let r = cx.r;
    match r.kind.as_str() {
        "aws_cloudtrail" => {
            must_be_true(r, &["enable_logging"], "trail logging", "추적 로깅", false)
        }
        "aws_cloudwatch_log_group" => match r.attributes.get("retention_in_days") {
            Some(Value::Number(n)) if n.as_u64() == Some(0) => pass!(
                "kept indefinitely (`retention_in_days` = 0)".into(),
                "무기한 보관(`retention_in_days` = 0)".into(),
            ),
            Some(Value::Number(n)) => pass!(format!("kept {n} days"), format!("{n}일 보관")),
            _ if r.is_unknown(&["retention_in_days"]) => unknown(
                "retention is known only after apply".into(),
                "보관 기간은 적용 후에야 알 수 있습니다".into(),
                SETTLE_APPLY_EN,
                SETTLE_APPLY_KO,
            ),
            _ => pass!(
                "kept indefinitely (no `retention_in_days`)".into(),
                "무기한 보관(`retention_in_days` 없음)".into(),
            ),
        },
        "aws_s3_bucket_logging"
        | "aws_flow_log"
        | "google_project_iam_audit_config"
        | "google_logging_project_sink"
        | "azurerm_monitor_diagnostic_setting" => pass!(
            format!("`{}` records access", r.kind),
            format!("`{}`이(가) 접근을 기록합니다", r.kind),
        ),
        "alicloud_actiontrail_trail" => match text(r, &["status"]) {
            Some(s) if s.eq_ignore_ascii_case("enable") => {
                pass!("trail enabled".into(), "추적 사용".into())
            }
            Some(s) => fail(format!("trail status `{s}`"), format!("추적 상태 `{s}`")),
            None => unknown(
                "trail status not stated".into(),
                "추적 상태가 없습니다".into(),
                SETTLE_APPLY_EN,
                SETTLE_APPLY_KO,
            ),
        },
        "oci_audit_configuration" => match r.attributes.get("retention_period_days") {
            Some(Value::Number(n)) => pass!(
                format!("audit events kept {n} days"),
                format!("감사 이벤트 {n}일 보관"),
            ),
            _ => unknown(
                "retention not stated".into(),
                "보관 기간이 없습니다".into(),
                SETTLE_APPLY_EN,
                SETTLE_APPLY_KO,
            ),
        },
        _ => None,
    }
}

// ---- public exposure ----------------------------------------------------------------------------------

fn open_cidr(v: &Value) -> bool {
    match v {
        Value::String(s) => matches!(s.trim(), "0.0.0.0/0" | "::/0" | "*" | "Internet" | "any"),
        Value::Array(a) => a.iter().any(open_cidr),
        _ => false,
    }
}

fn public_exposure(cx: &Cx) -> Option<Res> {
    let r = cx.r;
    let world_en = "ingress open to the whole internet (0.0.0.0/0)";
    let world_ko = "인터넷 전체(0.0.0.0/0)에 인바운드 개방";
    let closed = || {
        pass!(
            "no ingress from 0.0.0.0/0".into(),
            "0.0.0.0/0 인바운드 없음".into(),
        )
    };
    match r.kind.as_str() {
        "aws_s3_bucket_public_access_block" => {
            let keys = [
                "block_public_acls",
                "block_public_policy",
                "ignore_public_acls",
                "restrict_public_buckets",
            ];
            let off: Vec<&str> = keys
                .iter()
                .copied()
                .filter(|k| flag(r, &[k]) != Flag::True)
                .collect();
            if off.is_empty() {
                pass!(
                    "all four public-access blocks on".into(),
                    "퍼블릭 액세스 차단 4개 모두 켜짐".into(),
                )
            } else {
                fail(
                    format!("public-access blocks off: {}", off.join(", ")),
                    format!("꺼진 퍼블릭 액세스 차단: {}", off.join(", ")),
                )
            }
        }
        "aws_s3_bucket" | "aws_s3_bucket_acl" => match text(r, &["acl"]) {
            Some(a @ ("public-read" | "public-read-write" | "authenticated-read")) => {
                fail(format!("bucket ACL `{a}`"), format!("버킷 ACL `{a}`"))
            }
            _ => None,
        },
        "aws_security_group" => {
            let open = array(r, "ingress").iter().any(|i| {
                i.get("cidr_blocks").is_some_and(open_cidr)
                    || i.get("ipv6_cidr_blocks").is_some_and(open_cidr)
            });
            if open {
                fail(world_en.into(), world_ko.into())
            } else {
                closed()
            }
        }
        "aws_security_group_rule" => {
            if text(r, &["type"]) != Some("ingress") {
                return None;
            }
            let open = r.attributes.get("cidr_blocks").is_some_and(open_cidr)
                || r.attributes.get("ipv6_cidr_blocks").is_some_and(open_cidr);
            if open {
                fail(world_en.into(), world_ko.into())
            } else {
                closed()
            }
        }
        "aws_vpc_security_group_ingress_rule" => {
            let open = r.attributes.get("cidr_ipv4").is_some_and(open_cidr)
                || r.attributes.get("cidr_ipv6").is_some_and(open_cidr);
            if open {
                fail(world_en.into(), world_ko.into())
            } else {
                closed()
            }
        }
        "aws_db_instance" | "aws_rds_cluster_instance" => match flag(r, &["publicly_accessible"]) {
            Flag::True => fail(
                "database reachable from the internet (`publicly_accessible`)".into(),
                "인터넷에서 접근 가능한 데이터베이스(`publicly_accessible`)".into(),
            ),
            _ => None,
        },
        "azurerm_network_security_rule" => {
            let inbound =
                text(r, &["direction"]).is_some_and(|d| d.eq_ignore_ascii_case("inbound"));
            let allow = text(r, &["access"]).is_some_and(|d| d.eq_ignore_ascii_case("allow"));
            if !(inbound && allow) {
                return None;
            }
            let open = r
                .attributes
                .get("source_address_prefix")
                .is_some_and(open_cidr)
                || r.attributes
                    .get("source_address_prefixes")
                    .is_some_and(open_cidr);
            if open {
                fail(world_en.into(), world_ko.into())
            } else {
                closed()
            }
        }
        "azurerm_network_security_group" => {
            let open = array(r, "security_rule").iter().any(|s| {
                s.get("direction")
                    .and_then(Value::as_str)
                    .is_some_and(|d| d.eq_ignore_ascii_case("inbound"))
                    && s.get("access")
                        .and_then(Value::as_str)
                        .is_some_and(|d| d.eq_ignore_ascii_case("allow"))
                    && (s.get("source_address_prefix").is_some_and(open_cidr)
                        || s.get("source_address_prefixes").is_some_and(open_cidr))
            });
            if open {
                fail(world_en.into(), world_ko.into())
            } else {
                closed()
            }
        }
        "azurerm_storage_account" => match flag(r, &["allow_nested_items_to_be_public"]) {
            Flag::True => fail(
                "blobs may be made public (`allow_nested_items_to_be_public`)".into(),
                "Blob 공개 허용(`allow_nested_items_to_be_public`)".into(),
            ),
            _ => None,
        },
        "google_compute_firewall" => {
            let ingress = text(r, &["direction"]).is_none_or(|d| d.eq_ignore_ascii_case("ingress"));
            if !ingress {
                return None;
            }
            if r.attributes.get("source_ranges").is_some_and(open_cidr) {
                fail(world_en.into(), world_ko.into())
            } else {
                closed()
            }
        }
        "google_storage_bucket_iam_member" | "google_storage_bucket_iam_binding" => {
            let m = r
                .attributes
                .get("member")
                .or_else(|| r.attributes.get("members"))
                .map(Value::to_string)
                .unwrap_or_default();
            if m.contains("allUsers") || m.contains("allAuthenticatedUsers") {
                fail(
                    "bucket readable by `allUsers`/`allAuthenticatedUsers`".into(),
                    "`allUsers`/`allAuthenticatedUsers`에 버킷 공개".into(),
                )
            } else {
                None
            }
        }
        "alicloud_security_group_rule" => {
            if text(r, &["type"]) != Some("ingress") {
                return None;
            }
            if r.attributes.get("cidr_ip").is_some_and(open_cidr) {
                fail(world_en.into(), world_ko.into())
            } else {
                closed()
            }
        }
        "oci_core_security_list" => {
            let open = array(r, "ingress_security_rules")
                .iter()
                .any(|s| s.get("source").is_some_and(open_cidr));
            if open {
                fail(world_en.into(), world_ko.into())
            } else {
                closed()
            }
        }
        "ncloud_access_control_group_rule" => {
            let open = array(r, "inbound")
                .iter()
                .any(|s| s.get("ip_block").is_some_and(open_cidr));
            if open {
                fail(world_en.into(), world_ko.into())
            } else {
                closed()
            }
        }
        "nhncloud_networking_secgroup_rule_v2" | "openstack_networking_secgroup_rule_v2" => {
            if text(r, &["direction"]).is_none_or(|d| d != "ingress") {
                return None;
            }
            if r.attributes.get("remote_ip_prefix").is_some_and(open_cidr) {
                fail(world_en.into(), world_ko.into())
            } else {
                closed()
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_bearing_types() {
        for t in [
            "aws_instance",
            "aws_ebs_volume",
            "aws_db_instance",
            "aws_s3_bucket",
            "azurerm_storage_account",
            "nhncloud_compute_instance_v2",
            "ncloud_server",
            "google_sql_database_instance",
        ] {
            assert!(holds_data(t), "{t}");
        }
        for t in [
            "aws_cloudtrail",
            "aws_s3_bucket_policy",
            "aws_security_group",
            "aws_iam_instance_profile",
            "aws_db_subnet_group",
            "aws_volume_attachment",
        ] {
            assert!(!holds_data(t), "{t}");
        }
        // Asked again, the remembered answers are the same as working them out.
        for t in [
            "aws_ebs_volume",
            "aws_cloudtrail",
            "aws_volume_attachment",
            "ncloud_server",
        ] {
            assert_eq!(holds_data(t), holds_data_uncached(t), "{t}");
        }
    }

    #[test]
    fn version_suffixes_are_stripped() {
        assert_eq!(
            strip_version("nhncloud_compute_instance_v2"),
            "nhncloud_compute_instance"
        );
        assert_eq!(
            strip_version("openstack_blockstorage_volume_v31"),
            "openstack_blockstorage_volume"
        );
        assert_eq!(strip_version("a_v1_b_v2"), "a_v1_b");
        // Not a version: no digits, letters after the digits, or no `_v` before them.
        assert_eq!(strip_version("aws_vpc_v"), "aws_vpc_v");
        assert_eq!(strip_version("x_v2a"), "x_v2a");
        assert_eq!(strip_version("aws_instance2"), "aws_instance2");
        assert_eq!(strip_version("aws_s3_bucket"), "aws_s3_bucket");
        assert_eq!(strip_version("_v7"), "");
        assert_eq!(strip_version(""), "");
    }

    #[test]
    fn regions_in_arns_and_domains() {
        assert_eq!(
            arn_region("arn:aws:backup:us-east-1:1:backup-vault:x"),
            Some("us-east-1")
        );
        assert_eq!(arn_region("arn:aws:s3:::b"), None);
        assert_eq!(
            domain_region("b.s3.ap-northeast-2.amazonaws.com").as_deref(),
            Some("ap-northeast-2")
        );
        assert_eq!(domain_region("example.com"), None);
    }

    #[test]
    fn tls_versions() {
        assert_eq!(tls_version_rank("TLS1_2"), Some(12));
        assert_eq!(tls_version_rank("TLS_1_0"), Some(10));
        assert_eq!(tls_version_rank("TLSv1.2_2021"), Some(12));
        assert_eq!(tls_version_rank("tls_cipher_policy_1_0"), Some(10));
        assert_eq!(tls_version_rank("TLSV12"), Some(12));
    }

    #[test]
    fn interesting_keys_are_exactly_the_attribute_list() {
        for a in ATTRIBUTES {
            assert!(interesting(a), "{a}");
            assert!(interesting_bytes(a.as_bytes()), "{a}");
        }
        for k in [
            "",
            "ami",
            "tags",
            "regio",
            "regions",
            "Region",
            "instance_type",
            "x".repeat(300).as_str(),
        ] {
            assert!(!interesting(k), "{k}");
        }
        assert!(!interesting_bytes(b"\xff\xfe"));
    }

    #[test]
    fn check_list_parses() {
        assert_eq!(
            CheckSelection::parse_list("residency, audit-logging").unwrap(),
            vec![CheckId::Residency, CheckId::AuditLogging]
        );
        assert_eq!(CheckSelection::parse_list("nope").unwrap_err(), "nope");
    }
}
