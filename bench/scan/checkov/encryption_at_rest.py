"""bench/scan CHECKS.md `encryption-at-rest` as a Checkov custom check (terraform_plan framework).

Violation: `encrypted` (aws_ebs_volume) or `storage_encrypted` (aws_db_instance) is not true.
"""
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

ATTRIBUTE = {"aws_ebs_volume": "encrypted", "aws_db_instance": "storage_encrypted"}


def first(conf, key):
    """Checkov wraps plan attribute values in a one-element list."""
    value = conf.get(key)
    if isinstance(value, list):
        return value[0] if value else None
    return value


class KcvsEncryptionAtRest(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="kcvs bench: storage encrypted at rest",
            id="CKV_KCVS_2",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=list(ATTRIBUTE),
        )

    def scan_resource_conf(self, conf):
        resource_type = self.entity_type
        if first(conf, ATTRIBUTE[resource_type]) is True:
            return CheckResult.PASSED
        return CheckResult.FAILED


check = KcvsEncryptionAtRest()
