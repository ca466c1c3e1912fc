"""bench/scan CHECKS.md `dedicated-tenancy` as a Checkov custom check (terraform_plan framework).

Violation: an aws_instance whose `tenancy` is not `dedicated` or `host`.
"""
from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck


def first(conf, key):
    """Checkov wraps plan attribute values in a one-element list."""
    value = conf.get(key)
    if isinstance(value, list):
        return value[0] if value else None
    return value


class KcvsDedicatedTenancy(BaseResourceCheck):
    def __init__(self):
        super().__init__(
            name="kcvs bench: instance on dedicated tenancy or a dedicated host",
            id="CKV_KCVS_3",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_instance"],
        )

    def scan_resource_conf(self, conf):
        if first(conf, "tenancy") in ("dedicated", "host"):
            return CheckResult.PASSED
        return CheckResult.FAILED


check = KcvsDedicatedTenancy()
