"""Template filters and tags available in every template (registered as builtins)."""

from django import template
from django.utils.html import format_html

from backoffice.kinds import kind_label as _kind_label
from backoffice.links import url_allowed
from backoffice.money import format_money

register = template.Library()


@register.filter
def money(amount, currency=None):
    """``{{ amount|money:currency }}``: the one way money is rendered."""
    return format_money(amount, currency)


@register.simple_tag(takes_context=True)
def url_replace(context, **kwargs):
    """The current query string with some parameters replaced (None removes one)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        if value is None:
            query.pop(key, None)
        else:
            query[key] = value
    return "?" + query.urlencode()


@register.filter
def badge(value, label=None):
    return format_html('<span class="badge badge-{}">{}</span>', value, label or value)


@register.filter
def field_type(bound_field):
    return bound_field.field.widget.__class__.__name__.lower()


@register.simple_tag
def icon(name):
    return format_html('<svg class="icon" aria-hidden="true"><use href="/static/img/icons.svg#{}"></use></svg>', name)


def _viewer(context):
    """The signed-in user of a template context (a table's TemplateColumn may carry ``request=None``)."""
    request = context.get("request")
    return request.user if request is not None else context.get("user")


def _href(target) -> str | None:
    get_url = getattr(target, "get_absolute_url", None)
    return get_url() if callable(get_url) else (str(target) if target else None)


@register.simple_tag(takes_context=True)
def link(context, target, label=None, css=""):
    """``{% link obj %}`` / ``{% link url "Label" "css-class" %}``: a link when the user may follow it
    (``backoffice.links.url_allowed``), else the label as plain text (in a span of that class).
    ``target``: an object or a URL."""
    text = target if label is None else label
    href = _href(target)
    attrs = format_html(' class="{}"', css) if css else ""
    if href and url_allowed(_viewer(context), href):
        return format_html('<a href="{}"{}>{}</a>', href, attrs, text)
    return format_html("<span{}>{}</span>", attrs, text) if css else format_html("{}", text)


@register.simple_tag(takes_context=True)
def button(context, target, label, css="btn btn-secondary btn-sm"):
    """``{% button url "Label" %}``: a button-styled link, or nothing when the user may not follow it."""
    href = _href(target)
    if href and url_allowed(_viewer(context), href):
        return format_html('<a class="{}" href="{}">{}</a>', css, href, label)
    return ""


@register.filter
def allowed(target, user) -> bool:
    """``{% if url|allowed:user %}``: whether ``user`` may follow the link (an object or a URL)."""
    return url_allowed(user, _href(target))


@register.filter
def kind_label(kind):
    """``{{ e.kind|kind_label }}``: the human label of a ledger or timeline kind (``backoffice.kinds``)."""
    return _kind_label(kind)
