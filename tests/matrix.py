"""The permission matrix: every URL pattern of the product, requested as every kind of user.

``url_patterns()`` walks the URL resolver, so a page added without an entry here fails the matrix
test rather than going untested. For each pattern the expected answer is derived from the role
table (``backoffice.roles.ROLES``) and from the model's ``agent_actions``:

* anonymous: a redirect to the login page;
* an operator role: 200 when the role grants ``<app>.<action>_<model>``, else 403;
* an agent on an object inside its own sub-tree: 200 when the model allows agents the action (and the
  agent holds the flag it needs), else 403;
* an agent on an object of another sub-tree: 404 whenever agents may view the model (it must not learn
  that the object exists, whether or not it could act on such objects in its own tree), else 403 (a model
  agents never see answers 403 for every id alike).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from backoffice.querysets import permission_name
from backoffice.roles import ROLES, role_permissions

# URL names that are not object pages: they have their own tests.
EXEMPT = {"login", "logout", "two_factor", "healthz"}
# Pages open to every signed-in user (each scoped to the user's own rows: tests/backoffice/test_exports.py).
OPEN_TO_ALL_USERS = {"home", "backoffice:exportjob_list", "backoffice:exportjob", "backoffice:exportjob_download"}


@dataclass
class Pattern:
    name: str
    view_class: type | None
    has_pk: bool
    arguments: frozenset[str] = frozenset()  # every URL argument (named groups) of the pattern

    def action(self) -> str:
        instance = self.view_class()
        instance.kwargs = {"pk": 0} if self.has_pk else {}
        return instance.get_action()

    @property
    def model(self):
        return self.view_class.queryset.model


def url_patterns() -> list[Pattern]:
    found: list[Pattern] = []

    def walk(patterns, namespace: str | None):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace or namespace
                walk(p.url_patterns, f"{namespace}:{ns}" if namespace and p.namespace else ns)
            elif isinstance(p, URLPattern) and p.name:
                name = f"{namespace}:{p.name}" if namespace else p.name
                view_class = getattr(p.callback, "view_class", None)
                groups = p.pattern.regex.groupindex
                found.append(Pattern(name, view_class, "pk" in groups, frozenset(groups)))

    walk(get_resolver().url_patterns, None)
    return found


def all_permission_names() -> list[str]:
    return [f"{ct}.{code}" for ct, code in Permission.objects.values_list("content_type__app_label", "codename")]


def _requirements(pattern: Pattern) -> list[tuple[type, str]]:
    """The view's own (model, action) and those it also requires (``also_requires``)."""
    return [(pattern.model, pattern.action()), *getattr(pattern.view_class, "also_requires", ())]


def expected_for_role(role: str, pattern: Pattern, perm_names: list[str]) -> int:
    granted = role_permissions(role, perm_names)
    return 200 if all(permission_name(m, a) in granted for m, a in _requirements(pattern)) else 403


def expected_for_agent(agent_flags: set[str], pattern: Pattern, own: bool) -> int:
    # An object of another tree is a 404 whenever agents may view the URL's model, whatever the action:
    # its id must not be told apart from a missing one. 403 is for what the agent can see but not do.
    hidden = 404 if pattern.has_pk and not own and "view" in type(pattern.model._default_manager.all()).agent_actions \
        else 403
    for model, action in _requirements(pattern):
        qs_class = type(model._default_manager.all())
        if action not in qs_class.agent_actions:
            return hidden
        flag = qs_class.agent_actions[action]
        if flag is not None and flag.split(".", 1)[1] not in agent_flags:
            return hidden
    return 200 if own or not pattern.has_pk else 404


# Objects to request for each model: label -> f(world) -> {"a": in agent A's tree, "c": in agent C's tree,
# "foreign": outside both}. Modules register theirs with @objects_for("app.model").
ObjectPair = Callable[[dict], dict]
OBJECTS: dict[str, ObjectPair] = {}


def objects_for(model_label: str):
    def register(fn: ObjectPair):
        OBJECTS[model_label] = fn
        return fn

    return register


def url_for(pattern: Pattern, obj=None) -> str:
    return reverse(pattern.name, kwargs={"pk": obj.pk} if pattern.has_pk else None)


ROLE_NAMES = list(ROLES)
