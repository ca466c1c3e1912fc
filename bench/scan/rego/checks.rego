# The four benchmark checks of bench/scan/CHECKS.md, in Rego, over the raw plan JSON
# (`terraform show -json`) as input. Each check is a set of the addresses of the violating
# resource instances; `counts` gives the number per check id.
package kcvs.bench

import rego.v1

korea_azs := {"ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c", "ap-northeast-2d"}

residency_types := {"aws_instance", "aws_ebs_volume", "aws_db_instance"}

encryption_attribute := {"aws_ebs_volume": "encrypted", "aws_db_instance": "storage_encrypted"}

dedicated_tenancies := {"dedicated", "host"}

root := input.planned_values.root_module

# Every resource instance of planned_values: the root module and child modules down to three
# levels of nesting (Rego has no recursion; the generated plans nest two levels).
resources := array.concat(
	array.concat(
		[r | some r in root.resources],
		[r | some m1 in root.child_modules; some r in m1.resources],
	),
	array.concat(
		[r | some m1 in root.child_modules; some m2 in m1.child_modules; some r in m2.resources],
		[r |
			some m1 in root.child_modules
			some m2 in m1.child_modules
			some m3 in m2.child_modules
			some r in m3.resources
		],
	),
)

# residency: availability_zone missing, null or outside the four Seoul zones.
residency contains r.address if {
	some r in resources
	r.mode == "managed"
	residency_types[r.type]
	not korea_azs[r.values.availability_zone]
}

# encryption-at-rest: the type's encryption attribute is not true.
encryption_at_rest contains r.address if {
	some r in resources
	r.mode == "managed"
	attribute := encryption_attribute[r.type]
	not r.values[attribute] == true
}

# dedicated-tenancy: an instance whose tenancy is not dedicated or host.
dedicated_tenancy contains r.address if {
	some r in resources
	r.mode == "managed"
	r.type == "aws_instance"
	not dedicated_tenancies[r.values.tenancy]
}

# audit-logging: a trail whose logging is not enabled.
audit_logging contains r.address if {
	some r in resources
	r.mode == "managed"
	r.type == "aws_cloudtrail"
	not r.values.enable_logging == true
}

counts := {
	"residency": count(residency),
	"encryption-at-rest": count(encryption_at_rest),
	"dedicated-tenancy": count(dedicated_tenancy),
	"audit-logging": count(audit_logging),
}
