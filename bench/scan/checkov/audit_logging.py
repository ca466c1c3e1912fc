"""bench/scan CHECKS.md `audit-logging` as a Checkov custom check (terraform_plan framework).

Violation: an aws_cloudtrail whose `enable_logging` is not true.
"""
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


def first(conf, key):
    """Checkov wraps plan attribute values in a one-element list."""
    value = conf.get(key)
    if isinstance(value, list):
        return value[0] if value else None
    return value


class KcvsAuditLogging(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="kcvs bench: CloudTrail logging enabled",
            id="CKV_KCVS_4",
            categories=[CheckCategories.LOGGING],
            supported_resources=["aws_cloudtrail"],
        )

    def scan_resource_conf(self, conf):
        if first(conf, "enable_logging") is True:
            return CheckResult.PASSED
        return CheckResult.FAILED


check = KcvsAuditLogging()
