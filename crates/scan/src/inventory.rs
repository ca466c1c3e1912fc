/*!
The inventory reader: what users export from AWS Config, Azure Resource Graph, Google Cloud Asset
Inventory or a Korean provider's console, in one documented shape (`docs/inventory.md`).

- JSON lines: one object per line, `{"provider", "region", "type", "id", "attributes"}`; blank
  lines and lines starting with `#` are skipped.
- CSV: a header row naming the columns `provider,region,type,id,attributes` (any order), where
  `attributes` is a JSON object written as a string.

`type` is a Terraform resource type (`aws_s3_bucket`) so the same checks apply; a few native type
names (`AWS::S3::Bucket`, `Microsoft.Storage/storageAccounts`, `storage.googleapis.com/Bucket`)
are mapped. Every row is an existing resource ([`Action::Existing`]) located by its `region`.
*/

use std::sync::Arc;

use serde::Deserialize;
use serde_json::{Map, Value};

use crate::checks::interesting;
use crate::plan::ReadOptions;
use crate::resource::{
    Action, Attrs, Mode, Name, Origin, Placement, RegionSource, Resource, SourceLoc,
};
use crate::{ScanError, ScanErrorKind};

/// The two inventory encodings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InventoryFormat {
    JsonLines,
    Csv,
}

impl InventoryFormat {
    /// By file name: `.csv` is CSV, anything else JSON lines.
    pub fn from_name(name: &str) -> Self {
        if name.to_ascii_lowercase().ends_with(".csv") {
            InventoryFormat::Csv
        } else {
            InventoryFormat::JsonLines
        }
    }
}

#[derive(Deserialize)]
struct Row {
    provider: String,
    #[serde(default)]
    region: Option<String>,
    #[serde(rename = "type")]
    kind: String,
    id: String,
    #[serde(default)]
    attributes: Option<Map<String, Value>>,
}

/// Read an inventory export.
pub fn read_inventory(
    bytes: &[u8],
    name: &str,
    format: InventoryFormat,
    opts: &ReadOptions<'_>,
) -> Result<Vec<Resource>, ScanError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.iter().take(8192).any(|&b| b == 0) {
        return Err(ScanError::new(
            name,
            1,
            1,
            ScanErrorKind::Binary("a NUL byte in the first 8 KiB".to_owned()),
        ));
    }
    let file: Arc<str> = Arc::from(name);
    match format {
        InventoryFormat::JsonLines => read_jsonl(bytes, name, &file, opts),
        InventoryFormat::Csv => read_csv(bytes, name, &file, opts),
    }
}

fn read_jsonl(
    bytes: &[u8],
    name: &str,
    file: &Arc<str>,
    opts: &ReadOptions<'_>,
) -> Result<Vec<Resource>, ScanError> {
    let mut out = Vec::new();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let n = i as u64 + 1;
        let trimmed = line.trim_ascii();
        if trimmed.is_empty() || trimmed.starts_with(b"#") {
            continue;
        }
        let row: Row = serde_json::from_slice(line).map_err(|e| {
            let kind = if e.is_eof() {
                ScanErrorKind::Truncated(e.to_string())
            } else if e.is_data() {
                {
                    let why = strip_pos(&e.to_string());
                    ScanErrorKind::Invalid {
                        en: format!(
                            "invalid inventory row: {why}; expected {{\"provider\", \"region\", \"type\", \"id\", \"attributes\"}}"
                        ),
                        ko: format!(
                            "잘못된 인벤토리 행: {why}; {{\"provider\", \"region\", \"type\", \"id\", \"attributes\"}} 형식이어야 합니다"
                        ),
                    }
                }
            } else {
                ScanErrorKind::Syntax(strip_pos(&e.to_string()))
            };
            ScanError::new(name, n, e.column() as u64, kind)
        })?;
        out.push(to_resource(row, file, n, opts));
        if out.len() % 4096 == 0 {
            if let Some(p) = opts.progress {
                p(out.len());
            }
            if let Some(p) = opts.progress_bytes {
                p(line.as_ptr() as usize - bytes.as_ptr() as usize);
            }
        }
    }
    Ok(out)
}

fn strip_pos(s: &str) -> String {
    match s.rfind(" at line ") {
        Some(i) => s.get(..i).unwrap_or(s).to_owned(),
        None => s.to_owned(),
    }
}

fn read_csv(
    bytes: &[u8],
    name: &str,
    file: &Arc<str>,
    opts: &ReadOptions<'_>,
) -> Result<Vec<Resource>, ScanError> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(bytes);
    let csv_err = |e: &csv::Error| {
        let line = e.position().map_or(0, |p| p.line());
        ScanError::new(
            name,
            line,
            1,
            ScanErrorKind::Syntax(format!("invalid CSV: {e}")),
        )
    };
    let headers = rdr.headers().map_err(|e| csv_err(&e))?.clone();
    let col = |h: &str| {
        headers
            .iter()
            .position(|x| x.trim().eq_ignore_ascii_case(h))
    };
    let (Some(pc), Some(tc), Some(ic)) = (col("provider"), col("type"), col("id")) else {
        return Err(ScanError::new(
            name,
            1,
            1,
            ScanErrorKind::Invalid {
                en: "the CSV header must name the columns provider, region, type, id, attributes"
                    .to_owned(),
                ko: "CSV 머리글에 provider, region, type, id, attributes 열이 있어야 합니다"
                    .to_owned(),
            },
        ));
    };
    let rc = col("region");
    let ac = col("attributes");
    let mut out = Vec::new();
    for rec in rdr.records() {
        let rec = rec.map_err(|e| csv_err(&e))?;
        let line = rec.position().map_or(0, |p| p.line());
        let get = |i: Option<usize>| i.and_then(|i| rec.get(i)).map(str::trim).unwrap_or("");
        let attributes = match get(ac) {
            "" => None,
            text => Some(
                serde_json::from_str::<Map<String, Value>>(text).map_err(|e| {
                    ScanError::new(name, line, e.column() as u64, {
                        let why = strip_pos(&e.to_string());
                        ScanErrorKind::Invalid {
                            en: format!("the `attributes` cell is not a JSON object: {why}"),
                            ko: format!("`attributes` 칸이 JSON 객체가 아닙니다: {why}"),
                        }
                    })
                })?,
            ),
        };
        let region = Some(get(rc).to_owned()).filter(|s| !s.is_empty());
        let row = Row {
            provider: get(Some(pc)).to_owned(),
            region,
            kind: get(Some(tc)).to_owned(),
            id: get(Some(ic)).to_owned(),
            attributes,
        };
        out.push(to_resource(row, file, line, opts));
    }
    Ok(out)
}

/// Native type names some exports use, mapped to the Terraform type the checks know.
fn native_type(kind: &str) -> &str {
    match kind {
        "AWS::S3::Bucket" => "aws_s3_bucket",
        "AWS::EC2::Instance" => "aws_instance",
        "AWS::EC2::Volume" => "aws_ebs_volume",
        "AWS::RDS::DBInstance" => "aws_db_instance",
        "AWS::DynamoDB::Table" => "aws_dynamodb_table",
        "AWS::CloudTrail::Trail" => "aws_cloudtrail",
        "AWS::EC2::SecurityGroup" => "aws_security_group",
        "Microsoft.Storage/storageAccounts" | "microsoft.storage/storageaccounts" => {
            "azurerm_storage_account"
        }
        "Microsoft.Compute/virtualMachines" | "microsoft.compute/virtualmachines" => {
            "azurerm_linux_virtual_machine"
        }
        "Microsoft.Compute/disks" | "microsoft.compute/disks" => "azurerm_managed_disk",
        "storage.googleapis.com/Bucket" => "google_storage_bucket",
        "compute.googleapis.com/Instance" => "google_compute_instance",
        "compute.googleapis.com/Disk" => "google_compute_disk",
        "sqladmin.googleapis.com/Instance" => "google_sql_database_instance",
        other => other,
    }
}

fn to_resource(row: Row, file: &Arc<str>, line: u64, opts: &ReadOptions<'_>) -> Resource {
    let provider = row.provider.trim().to_ascii_lowercase();
    let kind = native_type(row.kind.trim()).to_owned();
    let mut attributes = Attrs::from(row.attributes.unwrap_or_default());
    if !opts.full_attributes {
        attributes.retain(|k, _| interesting(k));
    }
    // A Naver government-zone row may say `ncloud` with `site: gov` in its attributes.
    let key =
        crate::region::provider_key(&provider, attributes.get("site").and_then(Value::as_str));
    let placement = match &row.region {
        Some(r) => Placement {
            provider_key: key.into(),
            region: Some(r.as_str().into()),
            source: RegionSource::Inventory,
            ..Placement::default()
        },
        None => Placement {
            provider_key: key.into(),
            unknown_because: Some(Box::new((
                "the inventory row has no region".to_owned(),
                "인벤토리 행에 리전이 없습니다".to_owned(),
            ))),
            ..Placement::default()
        },
    };
    Resource {
        address: row.id.clone(),
        module: Name::default(),
        mode: Mode::Managed,
        name: row.id.as_str().into(),
        kind: kind.into(),
        index: None,
        provider: provider.as_str().into(),
        provider_name: provider.into(),
        provider_config_key: None,
        action: Action::Existing,
        attributes,
        unknown: Attrs::new(),
        placement,
        location: SourceLoc {
            file: file.clone(),
            line: Some(line),
            column: Some(1),
        },
        origin: Origin::Inventory { id: row.id },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jsonl_and_csv_give_the_same_rows() {
        let jl = br#"{"provider":"aws","region":"ap-northeast-2","type":"aws_s3_bucket","id":"arn:aws:s3:::b","attributes":{"acl":"private"}}
# comment

{"provider":"ncloud","region":"KR","type":"ncloud_server","id":"srv-1","attributes":{"site":"gov"}}
"#;
        let csv = b"provider,region,type,id,attributes\naws,ap-northeast-2,aws_s3_bucket,arn:aws:s3:::b,\"{\"\"acl\"\":\"\"private\"\"}\"\nncloud,KR,ncloud_server,srv-1,\"{\"\"site\"\":\"\"gov\"\"}\"\n";
        let o = ReadOptions::default();
        let a = read_inventory(jl, "i.jsonl", InventoryFormat::JsonLines, &o).unwrap();
        let b = read_inventory(csv, "i.csv", InventoryFormat::Csv, &o).unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!(b.len(), 2);
        for (x, y) in a.iter().zip(&b) {
            assert_eq!(x.address, y.address);
            assert_eq!(x.attributes, y.attributes);
            assert_eq!(x.placement.provider_key, y.placement.provider_key);
        }
        assert_eq!(a[1].placement.provider_key, "ncloud-gov");
        assert_eq!(a[1].location.line, Some(4));
    }

    #[test]
    fn bad_rows_name_their_line() {
        let o = ReadOptions::default();
        let e = read_inventory(
            b"{\"provider\":\"aws\"}\n{oops\n",
            "i.jsonl",
            InventoryFormat::JsonLines,
            &o,
        )
        .unwrap_err();
        assert_eq!(e.line, 1);
        let e =
            read_inventory(b"\n{oops\n", "i.jsonl", InventoryFormat::JsonLines, &o).unwrap_err();
        assert_eq!(e.line, 2);
        let e = read_inventory(b"a,b\n1,2\n", "i.csv", InventoryFormat::Csv, &o).unwrap_err();
        assert!(e.message(kcvs_model::Lang::En).contains("header"));
    }
}
