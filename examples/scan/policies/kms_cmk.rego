# Stored data must be encrypted under a customer-managed KMS key, not the provider's default key
# (CSAP 12.3 encryption; N2SF EK key management). Run with:
#   kcvs scan examples/scan/plan-multicloud.json --policy examples/scan/policies
package kcvs.examples.kms_cmk

import rego.v1

__title__ := "Stored data encrypted with a customer-managed key"

# The controls a result of this package is evidence for ("catalog:id").
__controls__ := ["csap:12.3", "n2sf:EK"]

# Resource type → the attribute path that holds the customer-managed key.
key_attribute := {
	"aws_ebs_volume": ["kms_key_id"],
	"aws_db_instance": ["kms_key_id"],
	"aws_rds_cluster": ["kms_key_id"],
	"aws_efs_file_system": ["kms_key_id"],
	"aws_redshift_cluster": ["kms_key_id"],
	"aws_dynamodb_table": ["server_side_encryption", 0, "kms_key_arn"],
	"alicloud_disk": ["kms_key_id"],
	"google_compute_disk": ["disk_encryption_key", 0, "kms_key_self_link"],
	"google_storage_bucket": ["encryption", 0, "default_kms_key_name"],
	"oci_core_volume": ["kms_key_id"],
}

resources contains r if {
	some r in input.resources
	r.mode == "managed"
	r.present
	key_attribute[r.type]
}

has_key(r, path) if {
	v := object.get(r.attributes, path, null)
	not v in {null, ""}
}

key_after_apply(r, path) if object.get(r.unknown, path, false) == true

deny contains {"msg": msg, "resource": r.address} if {
	some r in resources
	path := key_attribute[r.type]
	not has_key(r, path)
	not key_after_apply(r, path)
	msg := sprintf("%s has no customer-managed key (%s)", [r.type, concat(".", [sprintf("%v", [p]) | some p in path])])
}

# A key chosen at apply time (a key created in the same plan) cannot be checked yet.
warn contains {"msg": msg, "resource": r.address} if {
	some r in resources
	path := key_attribute[r.type]
	key_after_apply(r, path)
	msg := sprintf("%s: the key is known only after apply; check the applied state", [r.type])
}
