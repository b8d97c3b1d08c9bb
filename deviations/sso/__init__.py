"""Single sign-on: OpenID Connect (mozilla-django-oidc) and SAML 2.0 (djangosaml2).

Both protocols end in one place, `accounts.sso_sign_in`, which turns what the identity
provider says into a Knutpunkt account through the mapping rules (`rules`, data in a JSON
file), so the two protocols cannot drift apart. Off unless configured (docs/sso.md).
"""
