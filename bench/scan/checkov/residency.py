"""bench/scan CHECKS.md `residency` as a Checkov custom check (terraform_plan framework).

Violation: `availability_zone` missing, null, or not one of the four Seoul zones.
"""
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

KOREA_AZS = {"ap-northeast-2a", "ap-northeast-2b", "ap-northeast-2c", "ap-northeast-2d"}


def first(conf, key):
    """Checkov wraps plan attribute values in a one-element list."""
    value = conf.get(key)
    if isinstance(value, list):
        return value[0] if value else None
    return value


class KcvsResidency(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="kcvs bench: resource located in a Seoul availability zone",
            id="CKV_KCVS_1",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_instance", "aws_ebs_volume", "aws_db_instance"],
        )

    def scan_resource_conf(self, conf):
        if first(conf, "availability_zone") in KOREA_AZS:
            return CheckResult.PASSED
        return CheckResult.FAILED


check = KcvsResidency()
