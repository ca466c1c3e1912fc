# No public IP addresses on compute (CSAP 11 network security; N2SF-EB-3 allow-list based
# communication at the external boundary): reach
# instances through load balancers or a bastion. Run with:
#   kcvs scan examples/scan/plan-multicloud.json --policy examples/scan/policies
package kcvs.examples.public_ip

import rego.v1

__title__ := "No public IP addresses on instances"

__controls__ := [{"catalog": "csap", "id": "11"}, {"catalog": "n2sf", "id": "N2SF-EB-3"}]

managed contains r if {
	some r in input.resources
	r.mode == "managed"
	r.present
}

# Resources that are a public address by their type.
public_types := {"aws_eip", "azurerm_public_ip", "google_compute_address", "alicloud_eip_address", "ncloud_public_ip", "oci_core_public_ip"}

deny contains {"msg": sprintf("%s allocates a public IP address", [r.type]), "resource": r.address} if {
	some r in managed
	public_types[r.type]
	# A Google internal address is not public.
	object.get(r.attributes, "address_type", "EXTERNAL") != "INTERNAL"
}

deny contains {"msg": "aws_instance asks for a public IP (associate_public_ip_address)", "resource": r.address} if {
	some r in managed
	r.type in {"aws_instance", "aws_launch_template"}
	r.attributes.associate_public_ip_address == true
}

deny contains {"msg": "google_compute_instance has an access_config (an external IP)", "resource": r.address} if {
	some r in managed
	r.type == "google_compute_instance"
	some nic in object.get(r.attributes, "network_interface", [])
	count(object.get(nic, "access_config", [])) > 0
}

deny contains {"msg": "aws_db_instance is publicly accessible", "resource": r.address} if {
	some r in managed
	r.type == "aws_db_instance"
	r.attributes.publicly_accessible == true
}

# Not stated: the subnet's map_public_ip_on_launch decides, which the plan may not show.
warn contains {"msg": "aws_instance does not set associate_public_ip_address; the subnet decides", "resource": r.address} if {
	some r in managed
	r.type == "aws_instance"
	not "associate_public_ip_address" in object.keys(r.attributes)
}
