"""{% has_perm "remarks.resolve_remark" user remark as may_resolve %}: the capabilities of
remarks.capabilities, asked the same way as views and services ask them."""

from django import template

from remarks import capabilities

register = template.Library()


@register.simple_tag
def has_perm(name, user, obj=None) -> bool:
    return capabilities.has_perm(user, name, obj)
