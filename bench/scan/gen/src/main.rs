//! gen_plan: writes a synthetic Terraform plan (`terraform show -json`, format_version 1.2) with
//! N managed AWS resources, for the `kcvs scan` speed benchmark, and the violation counts the
//! four checks of `bench/scan/CHECKS.md` must report on it (`<plan>.expected.json`).
//!
//! The plan is written in one streaming pass per section: resource instances are not kept in
//! memory, each one's attributes are derived from a hash of (seed, block, index), so the
//! `planned_values` and `resource_changes` sections describe the same instances.
//!
//! Usage: gen_plan --resources N [--seed S] --out PLAN.json

use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::process::ExitCode;

const PROVIDER: &str = "registry.terraform.io/hashicorp/aws";
const KOREA_AZS: [&str; 4] = [
    "ap-northeast-2a",
    "ap-northeast-2b",
    "ap-northeast-2c",
    "ap-northeast-2d",
];
const US_AZS: [&str; 6] = [
    "us-east-1a",
    "us-east-1b",
    "us-east-1c",
    "us-east-1d",
    "us-east-1e",
    "us-east-1f",
];

/// splitmix64: small, fast, deterministic.
struct Rng(u64);
impl Rng {
    fn new(seed: u64) -> Self {
        let mut r = Rng(seed ^ 0x9E37_79B9_7F4A_7C15);
        r.next();
        r
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in 0..n.
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// True with probability pct/100.
    fn pct(&mut self, pct: u64) -> bool {
        self.below(100) < pct
    }
    fn hex(&mut self, len: usize) -> String {
        let mut s = String::with_capacity(len);
        while s.len() < len {
            let _ = write!(s, "{:016x}", self.next());
        }
        s.truncate(len);
        s
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ty {
    Instance,
    Ebs,
    Db,
    Trail,
    Sg,
    Subnet,
}
impl Ty {
    fn name(self) -> &'static str {
        match self {
            Ty::Instance => "aws_instance",
            Ty::Ebs => "aws_ebs_volume",
            Ty::Db => "aws_db_instance",
            Ty::Trail => "aws_cloudtrail",
            Ty::Sg => "aws_security_group",
            Ty::Subnet => "aws_subnet",
        }
    }
    fn short(self) -> &'static str {
        match self {
            Ty::Instance => "app",
            Ty::Ebs => "data",
            Ty::Db => "db",
            Ty::Trail => "trail",
            Ty::Sg => "sg",
            Ty::Subnet => "subnet",
        }
    }
    fn schema_version(self) -> u32 {
        match self {
            Ty::Instance | Ty::Sg | Ty::Subnet => 1,
            Ty::Db => 2,
            _ => 0,
        }
    }
    /// Types whose residency the checks look at; only these are ever placed under `aws.us`.
    fn located(self) -> bool {
        matches!(self, Ty::Instance | Ty::Ebs | Ty::Db)
    }
}

/// Where a resource block lives: the root module, module.mK, or module.mK.module.inner.
#[derive(Clone, Copy)]
enum Loc {
    Root,
    Mod(u32),
    Inner(u32),
}

/// One `resource` block of the configuration, with its instances (`count`).
struct Block {
    id: u32,
    ty: Ty,
    loc: Loc,
    /// Uses the `aws.us` provider configuration (us-east-1), directly or passed into its module.
    us: bool,
    /// None: no count (address without index); Some(n): `count = n`.
    count: Option<u32>,
}
impl Block {
    fn name(&self) -> String {
        format!("{}_{}", self.ty.short(), self.id)
    }
    fn instances(&self) -> u32 {
        self.count.unwrap_or(1)
    }
}

fn module_is_us(k: u32) -> bool {
    k % 4 == 1
}

fn module_addr(loc: Loc) -> Option<String> {
    match loc {
        Loc::Root => None,
        Loc::Mod(k) => Some(format!("module.m{k}")),
        Loc::Inner(k) => Some(format!("module.m{k}.module.inner")),
    }
}

fn plan_blocks(n: u64, seed: u64, modules: u32) -> Vec<Block> {
    let mut rng = Rng::new(seed);
    let mut blocks = Vec::new();
    let mut total: u64 = 0;
    let mut id = 0u32;
    while total < n {
        let loc = match rng.below(100) {
            0..60 => Loc::Root,
            60..85 => Loc::Mod(rng.below(modules as u64) as u32),
            _ => Loc::Inner(rng.below(modules as u64) as u32),
        };
        let (us, ty) = match loc {
            Loc::Root => {
                let ty = pick_type(&mut rng, false);
                // 15% of the root's data-bearing blocks use the aliased provider directly.
                (ty.located() && rng.pct(15), ty)
            }
            Loc::Mod(k) | Loc::Inner(k) => {
                let us = module_is_us(k);
                (us, pick_type(&mut rng, us))
            }
        };
        let count = if rng.pct(55) {
            None
        } else {
            Some(2 + rng.below(15) as u32)
        };
        let mut b = Block {
            id,
            ty,
            loc,
            us,
            count,
        };
        let left = n - total;
        if b.instances() as u64 > left {
            b.count = Some(left as u32);
        }
        total += b.instances() as u64;
        blocks.push(b);
        id += 1;
    }
    blocks
}

fn pick_type(rng: &mut Rng, located_only: bool) -> Ty {
    if located_only {
        return match rng.below(100) {
            0..45 => Ty::Instance,
            45..85 => Ty::Ebs,
            _ => Ty::Db,
        };
    }
    match rng.below(100) {
        0..32 => Ty::Instance,
        32..60 => Ty::Ebs,
        60..72 => Ty::Db,
        72..80 => Ty::Trail,
        80..93 => Ty::Sg,
        _ => Ty::Subnet,
    }
}

#[derive(Default)]
struct Expected {
    residency: u64,
    encryption: u64,
    tenancy: u64,
    audit: u64,
    by_type: [u64; 6],
}

/// Per-instance attribute choices, derived from (seed, block, index) only.
struct Inst {
    rng: Rng,
}
impl Inst {
    fn new(seed: u64, b: &Block, idx: u32) -> Self {
        Inst {
            rng: Rng::new(seed.wrapping_mul(0x100_0000_01B3) ^ ((b.id as u64) << 24) ^ idx as u64),
        }
    }
}

/// The check outcomes of one instance, decided before its attributes are written.
struct Facts {
    /// Some(az) or None for `availability_zone: null` (only under aws.us).
    az: Option<&'static str>,
    encrypted: bool,
    tenancy: &'static str,
    logging: bool,
}

fn facts(b: &Block, i: &mut Inst) -> Facts {
    let r = &mut i.rng;
    let az = if b.us {
        // null AZ only where Terraform allows it to be left to AWS (instances, DB instances).
        if matches!(b.ty, Ty::Instance | Ty::Db) && r.pct(30) {
            None
        } else {
            Some(US_AZS[r.below(US_AZS.len() as u64) as usize])
        }
    } else {
        Some(KOREA_AZS[r.below(4) as usize])
    };
    let encrypted = !r.pct(20);
    let tenancy = match r.below(100) {
        0..25 => "default",
        25..80 => "dedicated",
        _ => "host",
    };
    let logging = !r.pct(15);
    Facts {
        az,
        encrypted,
        tenancy,
        logging,
    }
}

fn count_expected(b: &Block, f: &Facts, e: &mut Expected) {
    e.by_type[b.ty as usize] += 1;
    match b.ty {
        Ty::Instance | Ty::Ebs | Ty::Db => {
            let ok = f.az.is_some_and(|az| KOREA_AZS.contains(&az));
            if !ok {
                e.residency += 1;
            }
            if b.ty != Ty::Instance && !f.encrypted {
                e.encryption += 1;
            }
            if b.ty == Ty::Instance && f.tenancy != "dedicated" && f.tenancy != "host" {
                e.tenancy += 1;
            }
        }
        Ty::Trail if !f.logging => e.audit += 1,
        _ => {}
    }
}

fn az_json(f: &Facts) -> String {
    match f.az {
        Some(az) => format!("\"{az}\""),
        None => "null".to_string(),
    }
}

/// Writes the `tags` attribute; `out` is inside a JSON object.
fn tags(out: &mut String, b: &Block, idx: u32, env: &str) {
    let _ = write!(
        out,
        "\"tags\":{{\"Name\":\"{}-{idx}\",\"env\":\"{env}\"}}",
        b.name().replace('_', "-")
    );
}

/// The `values` object (also the `after` of the change) of one instance: the attributes a
/// typical configuration sets, compact (as `terraform show -json` writes it).
fn values(b: &Block, idx: u32, f: &Facts, r: &mut Rng) -> String {
    let mut v = String::with_capacity(600);
    let env = ["prod", "stage", "dev"][r.below(3) as usize];
    match b.ty {
        Ty::Instance => {
            let itype = [
                "m6i.large",
                "m6i.xlarge",
                "c6i.2xlarge",
                "r6i.large",
                "t3.medium",
            ][r.below(5) as usize];
            let _ = write!(
                v,
                "{{\"ami\":\"ami-{}\",\"availability_zone\":{},\"instance_type\":\"{itype}\",\"monitoring\":{},",
                r.hex(17),
                az_json(f),
                env == "prod",
            );
            tags(&mut v, b, idx, env);
            let _ = write!(v, ",\"tenancy\":\"{}\"}}", f.tenancy);
        }
        Ty::Ebs => {
            let kms = if f.encrypted {
                format!("\"alias/{env}-ebs\"")
            } else {
                "null".to_string()
            };
            let _ = write!(
                v,
                "{{\"availability_zone\":{},\"encrypted\":{},\"kms_key_id\":{kms},\"size\":{},",
                az_json(f),
                f.encrypted,
                [100, 200, 500, 1000][r.below(4) as usize],
            );
            tags(&mut v, b, idx, env);
            let _ = write!(v, ",\"type\":\"gp3\"}}");
        }
        Ty::Db => {
            let _ = write!(
                v,
                "{{\"allocated_storage\":{},\"availability_zone\":{},\
                 \"deletion_protection\":{},\"engine\":\"postgres\",\"engine_version\":\"16.3\",\"identifier\":\"{}-{idx}\",\
                 \"instance_class\":\"db.r6g.large\",\"multi_az\":false,\"storage_encrypted\":{},",
                [100, 200, 500][r.below(3) as usize],
                az_json(f),
                env == "prod",
                b.name().replace('_', "-"),
                f.encrypted,
            );
            tags(&mut v, b, idx, env);
            v.push('}');
        }
        Ty::Trail => {
            let _ = write!(
                v,
                "{{\"enable_logging\":{},\"is_multi_region_trail\":false,\"name\":\"{}-{idx}\",\"s3_bucket_name\":\"audit-logs-{}\",",
                f.logging,
                b.name().replace('_', "-"),
                r.hex(8),
            );
            tags(&mut v, b, idx, env);
            v.push('}');
        }
        Ty::Sg => {
            let _ = write!(
                v,
                "{{\"ingress\":[{{\"cidr_blocks\":[\"10.{}.0.0/16\"],\
                 \"from_port\":443,\"protocol\":\"tcp\",\"to_port\":443}}],\"name\":\"{}-{idx}\",",
                r.below(256),
                b.name().replace('_', "-"),
            );
            tags(&mut v, b, idx, env);
            v.push('}');
        }
        Ty::Subnet => {
            let _ = write!(
                v,
                "{{\"availability_zone\":{},\"cidr_block\":\"10.{}.{}.0/24\",\"map_public_ip_on_launch\":false,",
                az_json(f),
                r.below(256),
                r.below(256),
            );
            tags(&mut v, b, idx, env);
            let _ = write!(v, ",\"vpc_id\":\"vpc-{}\"}}", r.hex(17));
        }
    }
    v
}

fn sensitive(b: &Block) -> &'static str {
    match b.ty {
        Ty::Sg => "{\"ingress\":[{\"cidr_blocks\":[false]}],\"tags\":{}}",
        _ => "{\"tags\":{}}",
    }
}

fn address(b: &Block, idx: u32) -> String {
    let local = match b.count {
        None => format!("{}.{}", b.ty.name(), b.name()),
        Some(_) => format!("{}.{}[{idx}]", b.ty.name(), b.name()),
    };
    match module_addr(b.loc) {
        None => local,
        Some(m) => format!("{m}.{local}"),
    }
}

/// Common header of a resource object: address, mode, type, name, index.
fn head(w: &mut impl Write, b: &Block, idx: u32, with_module: bool) -> std::io::Result<()> {
    write!(w, "{{\"address\":\"{}\",", address(b, idx))?;
    if let (true, Some(m)) = (with_module, module_addr(b.loc)) {
        write!(w, "\"module_address\":\"{m}\",")?;
    }
    write!(
        w,
        "\"mode\":\"managed\",\"type\":\"{}\",\"name\":\"{}\",",
        b.ty.name(),
        b.name()
    )?;
    if b.count.is_some() {
        write!(w, "\"index\":{idx},")?;
    }
    write!(w, "\"provider_name\":\"{PROVIDER}\"")
}

struct Gen<'a> {
    seed: u64,
    blocks: &'a [Block],
    modules: u32,
}

impl Gen<'_> {
    fn blocks_in(&self, pred: impl Fn(Loc) -> bool) -> impl Iterator<Item = &Block> {
        self.blocks.iter().filter(move |b| pred(b.loc))
    }

    fn planned_resources<'b>(
        &self,
        w: &mut impl Write,
        blocks: impl Iterator<Item = &'b Block>,
        exp: &mut Expected,
    ) -> std::io::Result<()> {
        w.write_all(b"\"resources\":[")?;
        let mut first = true;
        for b in blocks {
            for idx in 0..b.instances() {
                if !first {
                    w.write_all(b",")?;
                }
                first = false;
                let mut i = Inst::new(self.seed, b, idx);
                let f = facts(b, &mut i);
                count_expected(b, &f, exp);
                head(w, b, idx, false)?;
                let v = values(b, idx, &f, &mut i.rng);
                write!(
                    w,
                    ",\"schema_version\":{},\"values\":{v},\"sensitive_values\":{}}}",
                    b.ty.schema_version(),
                    sensitive(b)
                )?;
            }
        }
        w.write_all(b"]")
    }

    fn write(&self, w: &mut impl Write, exp: &mut Expected) -> std::io::Result<()> {
        w.write_all(b"{\"format_version\":\"1.2\",\"terraform_version\":\"1.9.0\",")?;
        w.write_all(
            b"\"variables\":{\"environment\":{\"value\":\"prod\"},\"owner\":{\"value\":\"platform-team\"}},",
        )?;
        // planned_values
        w.write_all(b"\"planned_values\":{\"root_module\":{")?;
        self.planned_resources(w, self.blocks_in(|l| matches!(l, Loc::Root)), exp)?;
        w.write_all(b",\"child_modules\":[")?;
        for k in 0..self.modules {
            if k > 0 {
                w.write_all(b",")?;
            }
            write!(w, "{{\"address\":\"module.m{k}\",")?;
            self.planned_resources(
                w,
                self.blocks_in(|l| matches!(l, Loc::Mod(j) if j == k)),
                exp,
            )?;
            write!(
                w,
                ",\"child_modules\":[{{\"address\":\"module.m{k}.module.inner\","
            )?;
            self.planned_resources(
                w,
                self.blocks_in(|l| matches!(l, Loc::Inner(j) if j == k)),
                exp,
            )?;
            w.write_all(b"}]}")?;
        }
        w.write_all(b"]}},")?;
        // resource_changes, in the same order
        w.write_all(b"\"resource_changes\":[")?;
        let mut first = true;
        let order = self
            .blocks_in(|l| matches!(l, Loc::Root))
            .chain((0..self.modules).flat_map(|k| {
                self.blocks_in(move |l| matches!(l, Loc::Mod(j) if j == k))
                    .chain(self.blocks_in(move |l| matches!(l, Loc::Inner(j) if j == k)))
            }));
        for b in order {
            for idx in 0..b.instances() {
                if !first {
                    w.write_all(b",")?;
                }
                first = false;
                let mut i = Inst::new(self.seed, b, idx);
                let f = facts(b, &mut i);
                head(w, b, idx, true)?;
                let v = values(b, idx, &f, &mut i.rng);
                write!(
                    w,
                    ",\"change\":{{\"actions\":[\"create\"],\"before\":null,\"after\":{v},\"after_unknown\":{{}},\
                     \"before_sensitive\":false,\"after_sensitive\":{}}}}}",
                    sensitive(b)
                )?;
            }
        }
        w.write_all(b"],")?;
        self.configuration(w)?;
        w.write_all(b",\"timestamp\":\"2024-07-01T00:00:00Z\",\"applyable\":true,\"complete\":true,\"errored\":false}\n")
    }

    fn config_resources<'b>(
        &self,
        w: &mut impl Write,
        blocks: impl Iterator<Item = &'b Block>,
        in_module: bool,
    ) -> std::io::Result<()> {
        w.write_all(b"\"resources\":[")?;
        for (n, b) in blocks.enumerate() {
            if n > 0 {
                w.write_all(b",")?;
            }
            // Terraform resolves a resource's provider_config_key to the root configuration the
            // module call passed (or the module inherited), e.g. "aws.us".
            let key = if b.us { "aws.us" } else { "aws" };
            write!(
                w,
                "{{\"address\":\"{}.{}\",\"mode\":\"managed\",\"type\":\"{}\",\"name\":\"{}\",\"provider_config_key\":\"{key}\",",
                b.ty.name(),
                b.name(),
                b.ty.name(),
                b.name()
            )?;
            let tag_ref = if in_module {
                "var.tags"
            } else {
                "local.common_tags"
            };
            write!(
                w,
                "\"expressions\":{{\"tags\":{{\"references\":[\"{tag_ref}\"]}}}},\"schema_version\":{}",
                b.ty.schema_version()
            )?;
            if let Some(c) = b.count {
                write!(w, ",\"count_expression\":{{\"constant_value\":{c}}}")?;
            }
            w.write_all(b"}")?;
        }
        w.write_all(b"]")
    }

    fn configuration(&self, w: &mut impl Write) -> std::io::Result<()> {
        write!(
            w,
            "\"configuration\":{{\"provider_config\":{{\
             \"aws\":{{\"name\":\"aws\",\"full_name\":\"{PROVIDER}\",\"version_constraint\":\"~> 5.0\",\
             \"expressions\":{{\"region\":{{\"constant_value\":\"ap-northeast-2\"}}}}}},\
             \"aws.us\":{{\"name\":\"aws\",\"full_name\":\"{PROVIDER}\",\"alias\":\"us\",\"version_constraint\":\"~> 5.0\",\
             \"expressions\":{{\"region\":{{\"constant_value\":\"us-east-1\"}}}}}}}},\"root_module\":{{"
        )?;
        self.config_resources(w, self.blocks_in(|l| matches!(l, Loc::Root)), false)?;
        w.write_all(b",\"module_calls\":{")?;
        for k in 0..self.modules {
            if k > 0 {
                w.write_all(b",")?;
            }
            // The module call passes `providers = { aws = aws.us }` for the us modules; Terraform's
            // JSON does not list module-call providers, it shows them in the resources' keys.
            write!(
                w,
                "\"m{k}\":{{\"source\":\"./modules/workload\",\"expressions\":{{\"name\":{{\"constant_value\":\"m{k}\"}},\
                 \"tags\":{{\"references\":[\"local.common_tags\"]}}}},\"module\":{{"
            )?;
            self.config_resources(
                w,
                self.blocks_in(|l| matches!(l, Loc::Mod(j) if j == k)),
                true,
            )?;
            w.write_all(
                b",\"module_calls\":{\"inner\":{\"source\":\"./inner\",\"expressions\":{\"tags\":{\"references\":[\"var.tags\"]}},\"module\":{",
            )?;
            self.config_resources(
                w,
                self.blocks_in(|l| matches!(l, Loc::Inner(j) if j == k)),
                true,
            )?;
            w.write_all(
                b",\"variables\":{\"tags\":{\"description\":\"Tags for every resource\"}}}}},\"variables\":{\"name\":{},\"tags\":{\"description\":\"Tags for every resource\"}}}}",
            )?;
        }
        w.write_all(b"}}}")
    }
}

fn usage() -> ExitCode {
    eprintln!("usage: gen_plan --resources N [--seed S] --out PLAN.json");
    ExitCode::from(2)
}

fn main() -> ExitCode {
    let mut n: Option<u64> = None;
    let mut seed: u64 = 42;
    let mut out: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let val = args.next();
        match (a.as_str(), val) {
            ("--resources", Some(v)) => match v.replace('_', "").parse() {
                Ok(x) if x > 0 => n = Some(x),
                _ => return usage(),
            },
            ("--seed", Some(v)) => match v.parse() {
                Ok(x) => seed = x,
                _ => return usage(),
            },
            ("--out", Some(v)) => out = Some(v),
            _ => return usage(),
        }
    }
    let (Some(n), Some(out)) = (n, out) else {
        return usage();
    };
    let modules = (n / 2500).clamp(4, 64) as u32;
    let blocks = plan_blocks(n, seed, modules);
    let g = Gen {
        seed,
        blocks: &blocks,
        modules,
    };
    let mut exp = Expected::default();
    let res = (|| -> std::io::Result<()> {
        let f = File::create(&out)?;
        let mut w = BufWriter::with_capacity(1 << 20, f);
        g.write(&mut w, &mut exp)?;
        w.flush()
    })();
    if let Err(e) = res {
        eprintln!("gen_plan: writing {out}: {e}");
        return ExitCode::FAILURE;
    }
    let types = [Ty::Instance, Ty::Ebs, Ty::Db, Ty::Trail, Ty::Sg, Ty::Subnet];
    let mut by_type = String::new();
    for (i, t) in types.iter().enumerate() {
        let _ = write!(
            by_type,
            "{}\"{}\":{}",
            if i > 0 { "," } else { "" },
            t.name(),
            exp.by_type[*t as usize]
        );
    }
    let json = format!(
        "{{\"resources\":{n},\"seed\":{seed},\"modules\":{modules},\"blocks\":{},\"by_type\":{{{by_type}}},\
         \"violations\":{{\"residency\":{},\"encryption-at-rest\":{},\"dedicated-tenancy\":{},\"audit-logging\":{}}}}}\n",
        blocks.len(),
        exp.residency,
        exp.encryption,
        exp.tenancy,
        exp.audit
    );
    if let Err(e) = std::fs::write(format!("{out}.expected.json"), &json) {
        eprintln!("gen_plan: writing {out}.expected.json: {e}");
        return ExitCode::FAILURE;
    }
    eprint!("{json}");
    ExitCode::SUCCESS
}
